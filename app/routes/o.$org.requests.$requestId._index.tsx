import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { ChecklistPanel, OUTCOME, useCaseLabel } from '~/components/checklist-panel'
import { RequestForm } from '~/components/request-form'
import { Badge, PageHeader } from '~/components/ui/status'
import { can } from '~/domain/roles'
import { isEditable, STATE_LABELS, STATE_TONES } from '~/domain/request-lifecycle'
import { REQUEST_ARRAY_FIELDS, SaveRequestSchema, type RequestFields } from '~/schemas/request'
import { evaluateSaved, getRequest, requestToFields, saveDraft } from '~/services/requests.server'
import { requireMember, requirePermission } from '~/utils/auth.server'
import { UserFacingError } from '~/utils/errors'
import { parseForm } from '~/utils/forms'
import { notFound } from '~/utils/http.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Request for ${data.request.appName || data.request.app.name} · Clearance` : 'Request · Clearance' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, roles } = await requireMember(request, params.org)
	const accessRequest = await getRequest(org.id, params.requestId ?? '')
	if (!accessRequest) notFound('No such request in this organisation.')
	const editable = isEditable(accessRequest.state) && can(roles, 'requests:edit')
	return {
		org,
		request: accessRequest,
		fields: requestToFields(accessRequest),
		editable,
		// For read-only views and clients without JavaScript.
		checklist: evaluateSaved(accessRequest),
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'requests:edit')
	const form = await parseForm(request, SaveRequestSchema, { arrayKeys: REQUEST_ARRAY_FIELDS })
	if (!form.success) {
		return data(
			{ errors: form.errors, values: form.values, formError: 'Some fields need attention; nothing was saved yet.', notice: null },
			400,
		)
	}
	const { intent: _intent, version, ...fields } = form.data
	try {
		const { checklist } = await saveDraft(org.id, user.id, params.requestId ?? '', version, fields)
		return data({
			errors: undefined,
			values: undefined,
			formError: null,
			notice: checklist.ready ? 'Draft saved. The checklist passes.' : 'Draft saved. Some checks still fail.',
		})
	} catch (error) {
		if (!(error instanceof UserFacingError)) throw error
		if (error.status === 404) notFound(error.message)
		// Keep everything that was typed, so nothing is lost on a conflict.
		return data({ errors: undefined, values: form.data as Record<string, unknown>, formError: error.message, notice: null }, error.status)
	}
}

export default function RequestPage() {
	const { org, request, fields, editable, checklist } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	const defaults = (result?.values as RequestFields | undefined) ?? fields
	return (
		<div className="stack">
			<PageHeader
				title={`Email API request: ${request.appName || request.app.name}`}
				description={
					<>
						<Badge tone={STATE_TONES[request.state]}>{STATE_LABELS[request.state]}</Badge>{' '}
						For <Link to={`/o/${org.slug}/apps/${request.app.id}`}>{request.app.name}</Link> · version {request.version} · last
						saved {new Date(request.updatedAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: org.timeZone })}
					</>
				}
				actions={
					<Link className="button button-secondary" to="text">
						Request text
					</Link>
				}
			/>
			{editable ? (
				<RequestForm
					// A new version from the server (after a save) resets the editor to it.
					key={result?.values ? 'kept' : request.version}
					defaults={withBlankCustomRow(defaults)}
					version={request.version}
					serverErrors={result?.errors}
					formError={result?.formError}
					notice={result?.notice}
				/>
			) : (
				<ReadOnlyRequest request={request} fields={fields} checklist={checklist} />
			)}
		</div>
	)
}

/** One empty custom row, so there is somewhere to type even without JavaScript. */
function withBlankCustomRow(fields: RequestFields): RequestFields {
	const rows = fields.customUseCases ?? []
	return { ...fields, customUseCases: [...rows, { description: '' }] }
}

function ReadOnlyRequest({
	request,
	fields,
	checklist,
}: {
	request: ReturnType<typeof useLoaderData<typeof loader>>['request']
	fields: RequestFields
	checklist: ReturnType<typeof useLoaderData<typeof loader>>['checklist']
}) {
	const rows: [string, string][] = [
		['Company', fields.companyName || '—'],
		['App name', fields.appName || '—'],
		['App key', fields.appKey || '—'],
		['App type', fields.appType || '—'],
		['Products', fields.products.join(', ') || '—'],
		['Marketplace listing', fields.marketplaceListingUrl || '—'],
		['Privacy policy', fields.privacyPolicyUrl || '—'],
		['Terms of use', fields.termsOfUseUrl || '—'],
		['Stores personal data', fields.storesPersonalData],
		['Functionality', fields.functionalityDescription || '—'],
		['Policy excerpt', fields.privacyPolicyExcerpt || '—'],
	]
	return (
		<div className="editor">
			<section className="card stack-sm">
				<p className="card-muted">
					This request is {STATE_LABELS[request.state].toLowerCase()} and cannot be edited here.
				</p>
				<dl className="dl">
					{rows.map(([label, value]) => (
						<div key={label} style={{ display: 'contents' }}>
							<dt>{label}</dt>
							<dd>{value}</dd>
						</div>
					))}
				</dl>
				<h3>Use cases</h3>
				<ul className="checklist-items">
					{request.useCases.map((useCase) => (
						<li key={useCase.id} className="check-item">
							<Badge tone={OUTCOME[useCase.engineOutcome].tone}>{OUTCOME[useCase.engineOutcome].label}</Badge>{' '}
							{useCaseLabel(useCase.code, useCase.description)}
						</li>
					))}
				</ul>
			</section>
			<ChecklistPanel result={checklist} />
		</div>
	)
}
