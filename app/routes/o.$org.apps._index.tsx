import { redirect, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useSubmit } from '@remix-run/react'
import { AppTypeBadge, PersonalDataBadge } from '~/components/app-form'
import { TextField } from '~/components/ui/form'
import { Pagination } from '~/components/ui/pagination'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { APP_TYPE_RULES, PRODUCT_LABELS, type Product } from '~/domain/catalogue'
import { can } from '~/domain/roles'
import { formatLocalDate } from '~/domain/zoned-time'
import { AppListQuerySchema } from '~/schemas/apps'
import { listAppsPage } from '~/services/apps.server'
import { requirePermission } from '~/utils/auth.server'

const APPS_PAGE_SIZE = 25

export const meta: MetaFunction = () => [{ title: 'Apps · Clearance' }]

function listSearch({ q, archived, page }: { q: string; archived: boolean; page: number }) {
	const search = new URLSearchParams()
	if (q) search.set('q', q)
	if (archived) search.set('archived', '1')
	if (page > 1) search.set('page', String(page))
	const text = search.toString()
	return text ? `?${text}` : ''
}

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, roles } = await requirePermission(request, params.org, 'org:view')
	const url = new URL(request.url)
	const query = AppListQuerySchema.parse(Object.fromEntries(url.searchParams))
	const { apps, total } = await listAppsPage(org.id, {
		q: query.q,
		includeArchived: query.archived,
		page: query.page,
		pageSize: APPS_PAGE_SIZE,
	})
	// A page past the end (after archiving, or an edited URL) shows the last one instead.
	const lastPage = Math.max(1, Math.ceil(total / APPS_PAGE_SIZE))
	if (query.page > lastPage) throw redirect(`${url.pathname}${listSearch({ ...query, page: lastPage })}`)
	return {
		org,
		apps,
		total,
		q: query.q,
		archived: query.archived,
		page: query.page,
		pageSize: APPS_PAGE_SIZE,
		canEdit: can(roles, 'apps:edit'),
	}
}

function formatDate(value: Date | string, timeZone: string) {
	return formatLocalDate(new Date(value), timeZone)
}

export default function AppsPage() {
	const { org, apps, total, q, archived, page, pageSize, canEdit } = useLoaderData<typeof loader>()
	const submit = useSubmit()
	const base = `/o/${org.slug}/apps`
	const registerButton = canEdit ? (
		<Link className="button" to={`${base}/new`}>
			Register an app
		</Link>
	) : null
	const filtered = Boolean(q) || archived
	const first = total === 0 ? 0 : (page - 1) * pageSize + 1
	const last = Math.min(page * pageSize, total)
	return (
		<div className="stack">
			<PageHeader
				title="Apps"
				description="The Atlassian apps of this organisation that need users’ email addresses."
				actions={registerButton}
			/>

			{total === 0 && !filtered ? (
				<EmptyState
					title="No apps yet"
					action={
						<div className="row" style={{ justifyContent: 'center' }}>
							{registerButton}
							<Link to={`${base}?archived=1`}>Show archived apps</Link>
						</div>
					}
				>
					{canEdit
						? 'Register the Atlassian app that needs email addresses: its key, type and policy links. Clearance then checks its access request and tracks its reporting deadlines.'
						: 'A vendor of this organisation registers the apps that need email addresses; they will be listed here.'}
				</EmptyState>
			) : (
				<>
					<Form method="get" className="row" role="search" aria-label="Search apps" style={{ alignItems: 'flex-end' }}>
						<TextField label="Search by name or key" type="search" name="q" defaultValue={q} autoComplete="off" />
						<label className="check" htmlFor="archived">
							<input
								id="archived"
								type="checkbox"
								name="archived"
								value="1"
								defaultChecked={archived}
								// With JavaScript the list follows the toggle at once; without it, "Search" applies it.
								onChange={(event) => submit(event.currentTarget.form)}
							/>
							<span>Show archived apps</span>
						</label>
						<button type="submit" className="button button-secondary">
							Search
						</button>
					</Form>

					{total === 0 ? (
						<EmptyState
							title={q ? `No apps match “${q}”` : 'No apps'}
							action={
								<Link className="button button-secondary" to={base}>
									Clear search
								</Link>
							}
						>
							Check the spelling, or search for part of the app key.
							{archived ? '' : ' Archived apps are only searched when “Show archived apps” is ticked.'}
						</EmptyState>
					) : (
						<>
							<div className="table-wrap">
								<table className="stack-table">
									<caption className="visually-hidden">Apps</caption>
									<thead>
										<tr>
											<th scope="col">App</th>
											<th scope="col">Type</th>
											<th scope="col">Products</th>
											<th scope="col">Personal data</th>
											<th scope="col">Updated</th>
										</tr>
									</thead>
									<tbody>
										{apps.map((app) => (
											<tr key={app.id}>
												<td>
													<Link to={`${base}/${app.id}`}>
														<strong>{app.name}</strong>
													</Link>
													{app.archivedAt ? (
														<>
															{' '}
															<Badge tone="neutral">Archived</Badge>
														</>
													) : null}
													<span className="sub mono break-anywhere">{app.appKey}</span>
												</td>
												<td data-label="Type">
													{APP_TYPE_RULES[app.appType].label}
													<span className="sub">
														<AppTypeBadge appType={app.appType} />
													</span>
												</td>
												<td data-label="Products">
													{app.products.length
														? app.products.map((product) => PRODUCT_LABELS[product as Product] ?? product).join(', ')
														: '—'}
												</td>
												<td data-label="Personal data">
													<PersonalDataBadge answer={app.storesPersonalData} />
												</td>
												<td data-label="Updated">{formatDate(app.updatedAt, org.timeZone)}</td>
											</tr>
										))}
									</tbody>
								</table>
							</div>
							<Pagination
								first={first}
								last={last}
								total={total}
								page={page}
								pageSize={APPS_PAGE_SIZE}
								hrefFor={(to) => `${base}${listSearch({ q, archived, page: to })}`}
							/>
						</>
					)}
				</>
			)}
		</div>
	)
}
