import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { AppForm, appFormDefaults, AppTypeBadge, AppTypeTell, PersonalDataBadge } from '~/components/app-form'
import { AppOwnersCard } from '~/components/app-owners-card'
import { AppRequests } from '~/components/app-requests'
import { AppApprovedScope, ApprovedAppConflictNotice, PersonalDataConflictNotice } from '~/components/review-scope'
import { FormAlert, type FieldErrorMap } from '~/components/ui/form'
import { Icon } from '~/components/ui/icon'
import { Badge, PageHeader } from '~/components/ui/status'
import { APP_TYPE_RULES, PRODUCT_LABELS, type Product } from '~/domain/catalogue'
import { counted } from '~/domain/counts'
import { describeCycle } from '~/domain/cycle-period'
import { can } from '~/domain/roles'
import { formatLocalDate } from '~/domain/zoned-time'
import { AppActionSchema } from '~/schemas/apps'
import { listOwners } from '~/services/app-owners.server'
import { appScopeView } from '~/services/approved-scope.server'
import { archiveApp, requireApp, restoreApp, updateApp } from '~/services/apps.server'
import { ledgerFigures } from '~/services/ledger-stats.server'
import { listMembers } from '~/services/members.server'
import { listRequests } from '~/services/requests.server'
import { saveOwnersFromForm } from '~/utils/app-owners-form.server'
import { requirePermission } from '~/utils/auth.server'
import { parseForm, refusedIntentForm } from '~/utils/forms'
import { formRefusal, throwRefusal } from '~/utils/refusals.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `${data.app.name} · Apps · Clearance` : 'App · Clearance' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, roles } = await requirePermission(request, params.org, 'org:view')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const canEditOwners = can(roles, 'apps:edit') || can(roles, 'members:manage')
	const [requests, scopeView, owners, members, ledger] = await Promise.all([
		listRequests(org.id, { appId: app.id }),
		appScopeView(org.id, app),
		listOwners(org.id, app.id),
		// Names only (no addresses), and only for those who may change the owners.
		canEditOwners
			? listMembers(org.id).then((rows) => rows.map((row) => ({ userId: row.userId, name: row.name })))
			: Promise.resolve([]),
		// Read for an app that says it stores none: a ledger that holds accounts says otherwise.
		app.storesPersonalData === 'no' ? ledgerFigures(app.id) : Promise.resolve(null),
	])
	// Revocation ends the scope; the app record is checked against the approved request (docs/rules.md › Review and four eyes).
	const { scope: approvedScope, revocation, personalDataConflict, identityConflict } = scopeView
	return {
		app,
		org,
		canEdit: can(roles, 'apps:edit'),
		canRequest: can(roles, 'requests:edit'),
		canEditOwners,
		owners,
		members,
		requests,
		approvedScope,
		revocation,
		personalDataConflict,
		identityConflict,
		storedAccounts: ledger?.accountCount ?? 0,
	}
}

type ActionResult = {
	intent?: string
	errors?: FieldErrorMap
	values?: Record<string, unknown>
	formError?: string | null
	notice?: string
}

export async function action({ request, params }: ActionFunctionArgs) {
	// The Owners form: the app's editors and the admins (app/utils/app-owners-form.server.ts).
	if (new URL(request.url).searchParams.get('form') === 'owners') return saveOwnersFromForm(request, params)
	const { org, user } = await requirePermission(request, params.org, 'apps:edit')
	// Before parsing, so another org's app is a 404 whatever was posted.
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const form = await parseForm(request, AppActionSchema, { arrayKeys: ['products'] })
	if (!form.success) {
		return data<ActionResult>(refusedIntentForm(form), 400)
	}
	const input = form.data
	try {
		switch (input.intent) {
			case 'update': {
				const { intent: _intent, version, ...fields } = input
				await updateApp(org.id, user.id, app.id, fields, version)
				return data<ActionResult>({ intent: input.intent, notice: 'App details saved.' })
			}
			case 'archive':
				await archiveApp(org.id, user.id, app.id)
				return data<ActionResult>({
					intent: input.intent,
					notice: 'App archived. It no longer appears in the app list or on the dashboard.',
				})
			case 'restore':
				await restoreApp(org.id, user.id, app.id)
				return data<ActionResult>({ intent: input.intent, notice: 'App restored.' })
		}
	} catch (error) {
		return formRefusal<ActionResult>(error, {
			intent: input.intent,
			values: input.intent === 'update' ? input : undefined,
		})
	}
}

function formatDate(value: Date | string, timeZone: string) {
	return formatLocalDate(new Date(value), timeZone)
}

function LinkOrMissing({ href, missing }: { href: string | null; missing: string }) {
	if (!href) return <span className="card-muted">{missing}</span>
	return (
		<a href={href} rel="noreferrer" target="_blank">
			{href}
		</a>
	)
}

export default function AppPage() {
	const {
		app,
		org,
		canEdit,
		canRequest,
		canEditOwners,
		owners,
		members,
		requests,
		approvedScope,
		revocation,
		personalDataConflict,
		identityConflict,
		storedAccounts,
	} = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	const navigation = useNavigation()
	const busy = navigation.state === 'submitting'
	const updateResult = result?.intent === 'update' ? result : undefined
	const otherError =
		result && result.intent !== 'update' ? (result.formError ?? Object.values(result.errors ?? {})[0]) : undefined
	const listUrl = `/o/${org.slug}/apps`
	return (
		<div className="stack">
			<PageHeader
				title={app.name}
				description={
					<>
						<span className="mono">{app.appKey}</span> · {APP_TYPE_RULES[app.appType].label}
						{app.archivedAt ? (
							<>
								{' '}
								<Badge tone="neutral">Archived</Badge>
							</>
						) : null}
					</>
				}
				actions={
					<Link className="button button-secondary" to={listUrl}>
						All apps
					</Link>
				}
			/>

			{otherError ? <FormAlert message={otherError} /> : null}
			{/* A save says so beside its button. */}
			{result?.notice && result.intent !== 'update' ? (
				<div className="alert alert-ok" role="status">
					{result.notice}
				</div>
			) : null}
			{app.archivedAt ? (
				<div className="alert alert-warn" role="status">
					<strong>Archived on {formatDate(app.archivedAt, org.timeZone)}.</strong>
					It is hidden from the app list and the dashboard, and its details cannot be edited.
					{canEdit ? ' Restore it to work on it again.' : null}
					{canEdit ? (
						<Form method="post" style={{ marginTop: 'var(--space-3)' }}>
							<input type="hidden" name="intent" value="restore" />
							<button type="submit" className="button button-secondary button-small" disabled={busy}>
								Restore app
							</button>
						</Form>
					) : null}
				</div>
			) : null}

			<PersonalDataConflictNotice message={personalDataConflict} />
			<ApprovedAppConflictNotice message={identityConflict} />
			<AppApprovedScope
				orgSlug={org.slug}
				scope={approvedScope}
				revocation={revocation}
				canAmend={canRequest && !app.archivedAt}
				timeZone={org.timeZone}
			/>

			<section className="card stack-sm" aria-labelledby="requests-heading">
				<h2 id="requests-heading">Email API requests</h2>
				<AppRequests
					orgSlug={org.slug}
					appId={app.id}
					timeZone={org.timeZone}
					requests={requests}
					// With an approved request, new features go through an amendment (above).
					canRequest={canRequest && !app.archivedAt && !approvedScope}
				/>
			</section>

			{/* Personal-data reporting lives on its own page (issue 6). */}
			<section className="card stack-sm" aria-labelledby="reporting-heading">
				<h2 id="reporting-heading">Personal-data reporting</h2>
				<p className="card-muted">
					{app.storesPersonalData === 'yes'
						? `Reported every ${describeCycle(app.cycleDays)}: stored account ids, report batches, runs and erase/refresh tasks.`
						: app.storesPersonalData === 'no'
							? storedAccounts > 0
								? `This app says it stores no personal data of Atlassian users, but its ledger holds ${counted(storedAccounts, 'account')}: answer yes and report them, or remove them from the ledger if the app erased them.`
								: 'This app says it stores no personal data of Atlassian users, so it has no reports to send.'
							: 'Answer whether this app stores personal data: until then Clearance cannot tell whether reports are due.'}
				</p>
				<div className="row">
					<Link className="button button-secondary" to={`/o/${org.slug}/apps/${app.id}/reporting`}>
						Open reporting
					</Link>
				</div>
			</section>

			{/* What the app is and who owns it, after its next steps (its requests, its reporting). */}
			<section className="stack-sm" aria-labelledby="details-heading">
				<h2 id="details-heading">Details</h2>
				<div className="table-wrap">
					<table>
						<caption className="visually-hidden">Details of {app.name}</caption>
						<tbody>
							<tr>
								<th scope="row">App type</th>
								<td>
									<div className="row">
										{APP_TYPE_RULES[app.appType].label}
										<AppTypeBadge appType={app.appType} />
									</div>
									<span className="sub">
										<AppTypeTell appType={app.appType} />
									</span>
								</td>
							</tr>
							<tr>
								<th scope="row">Products</th>
								<td>
									{app.products.length
										? app.products.map((product) => PRODUCT_LABELS[product as Product] ?? product).join(', ')
										: '—'}
								</td>
							</tr>
							<tr>
								<th scope="row">Marketplace listing</th>
								<td>
									<LinkOrMissing href={app.marketplaceListingUrl} missing="Not given" />
								</td>
							</tr>
							<tr>
								<th scope="row">Privacy policy</th>
								<td>
									<LinkOrMissing
										href={app.privacyPolicyUrl}
										missing={app.marketplaceListingUrl ? 'Not given (the Marketplace listing carries it)' : 'Not given'}
									/>
								</td>
							</tr>
							<tr>
								<th scope="row">Terms of use</th>
								<td>
									<LinkOrMissing
										href={app.termsOfUseUrl}
										missing={app.marketplaceListingUrl ? 'Not given (the Marketplace listing carries it)' : 'Not given'}
									/>
								</td>
							</tr>
							<tr>
								<th scope="row">Personal data</th>
								<td>
									<PersonalDataBadge answer={app.storesPersonalData} />
								</td>
							</tr>
							<tr>
								<th scope="row">Last changed</th>
								<td>
									{formatDate(app.updatedAt, org.timeZone)}
									<span className="sub">Registered {formatDate(app.createdAt, org.timeZone)}</span>
								</td>
							</tr>
						</tbody>
					</table>
				</div>
			</section>

			<AppOwnersCard owners={owners} members={members} canEdit={canEditOwners && !app.archivedAt} />

			{canEdit && !app.archivedAt ? (
				<section className="card stack-sm" aria-labelledby="edit-heading">
					<h2 id="edit-heading">Edit details</h2>
					<p className="card-muted">
						Requests keep the details they were made with; changes here apply to new requests.
					</p>
					<AppForm
						// Remount after a save so the form starts from what was stored.
						key={`${app.version}`}
						intent="update"
						version={app.version}
						defaults={appFormDefaults(updateResult?.values ?? app)}
						serverErrors={updateResult?.errors}
						formError={updateResult?.formError}
						submitLabel="Save changes"
						submittingLabel="Saving…"
					/>
					{/* What the save did, said under its button, where the person is (the top of the page is out of
					view). Outside the form, which is built again after each save: a live region that stays, emptied while
					a save is on its way, so each one is announced. */}
					<p role="status" className="form-saved">
						{updateResult?.notice && navigation.state === 'idle' ? (
							<>
								<Icon name="check" /> {updateResult.notice}
							</>
						) : null}
					</p>
				</section>
			) : null}

			{canEdit && !app.archivedAt ? (
				<section className="card stack-sm" aria-labelledby="archive-heading">
					<h2 id="archive-heading">Archive</h2>
					<p className="card-muted">
						Archiving hides the app from the app list and the dashboard. Nothing is deleted: its requests and history
						stay, and you can restore it at any time.
					</p>
					<Form
						method="post"
						onSubmit={(event) => {
							if (!confirm(`Archive ${app.name}?`)) event.preventDefault()
						}}
					>
						<input type="hidden" name="intent" value="archive" />
						<button type="submit" className="button button-danger" disabled={busy}>
							Archive app
						</button>
					</Form>
				</section>
			) : null}
		</div>
	)
}
