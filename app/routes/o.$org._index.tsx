import { redirect, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { DueChart, type DueGroup } from '~/components/reporting-chart'
import { daysLeftText, formatDay, REPORTING_STATUS, ReportingBadge } from '~/components/reporting-status'
import { TextField } from '~/components/ui/form'
import { Icon } from '~/components/ui/icon'
import { Pagination } from '~/components/ui/pagination'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { cycleName } from '~/domain/cycle-period'
import { can } from '~/domain/roles'
import { formatCalendarDate } from '~/domain/zoned-time'
import { DASHBOARD_FILTERS, DashboardQuerySchema, type DashboardFilter } from '~/schemas/reporting'
import { dashboardPage } from '~/services/dashboard.server'
import { requireMember } from '~/utils/auth.server'

const PAGE_SIZE = 25
const CHART_DAYS = 60

export const meta: MetaFunction = () => [{ title: 'Dashboard · Clearance' }]

const FILTER_LABELS: Record<DashboardFilter, string> = {
	all: 'All apps',
	overdue: 'Overdue',
	answer_needed: 'Answer needed',
	due_soon: 'Due soon (within 3 days)',
	on_track: 'On track',
	not_required: 'No report needed',
}

const REQUEST_STATE_LABELS: Record<string, string> = {
	draft: 'Request: draft',
	in_review: 'Request: in review',
	changes_requested: 'Request: changes requested',
	ready_to_submit: 'Request: ready to submit',
	submitted: 'Request: submitted',
	info_requested: 'Request: information requested',
	approved: 'Request: approved',
	declined: 'Request: declined',
	revoked: 'Access revoked',
	withdrawn: 'Request: withdrawn',
}

function dashboardSearch({ status, q, page }: { status: DashboardFilter; q: string; page: number }) {
	const search = new URLSearchParams()
	if (status !== 'all') search.set('status', status)
	if (q) search.set('q', q)
	if (page > 1) search.set('page', String(page))
	const text = search.toString()
	return text ? `?${text}` : ''
}

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, roles } = await requireMember(request, params.org)
	const url = new URL(request.url)
	const query = DashboardQuerySchema.parse(Object.fromEntries(url.searchParams))
	const { rows, total, appCount, counts, chart, timeZone } = await dashboardPage(org.id, query, {
		pageSize: PAGE_SIZE,
		chartDays: CHART_DAYS,
	})
	const lastPage = Math.max(1, Math.ceil(total / PAGE_SIZE))
	if (query.page > lastPage) throw redirect(`${url.pathname}${dashboardSearch({ ...query, page: lastPage })}`)
	return {
		org: { slug: org.slug, name: org.name },
		timeZone,
		// What the table shows, not all the rules know (an explanation per app is on the app's own page).
		rows: rows.map(
			({ explanation: _explanation, storesPersonalData: _answer, dueDate: _day, daysLeft: _days, ...shown }) => shown,
		),
		total,
		appCount,
		counts,
		chart,
		status: query.status,
		q: query.q,
		page: query.page,
		pageSize: PAGE_SIZE,
		canEdit: can(roles, 'apps:edit'),
	}
}

export default function Dashboard() {
	const { org, timeZone, rows, total, appCount, counts, chart, status, q, page, pageSize, canEdit } =
		useLoaderData<typeof loader>()
	const base = `/o/${org.slug}`
	const first = total === 0 ? 0 : (page - 1) * pageSize + 1
	const last = Math.min(page * pageSize, total)
	return (
		<div className="stack">
			<PageHeader
				title="Dashboard"
				description={`Personal-data reporting deadlines of ${org.name}, most urgent first. Dates in ${timeZone}.`}
				actions={
					canEdit ? (
						<Link className="button" to={`${base}/apps/new`}>
							Register an app
						</Link>
					) : null
				}
			/>
			{appCount === 0 ? (
				<EmptyState
					title="No apps yet"
					action={
						canEdit ? (
							<Link className="button" to={`${base}/apps/new`}>
								Register an app
							</Link>
						) : undefined
					}
				>
					{canEdit
						? 'Register the Atlassian app that needs email addresses. Clearance then checks its access request and tracks its reporting deadlines.'
						: 'A vendor of your organisation registers the Atlassian app that needs email addresses. Its reporting deadlines then appear here.'}
				</EmptyState>
			) : (
				<>
					{counts.overdue > 0 ? (
						<div className="alert alert-bad" role="alert">
							<strong>
								<Icon name="warning" /> {counts.overdue} app{counts.overdue === 1 ? ' is' : 's are'} overdue for a
								personal-data report.
							</strong>{' '}
							Send the report batches to Atlassian and record the run.
						</div>
					) : null}
					{counts.answer_needed > 0 ? (
						<div className="alert alert-warn" role="status">
							<strong>
								{counts.answer_needed} app{counts.answer_needed === 1 ? ' needs' : 's need'} an answer on personal data.
							</strong>{' '}
							Until an app says whether it stores Atlassian users’ personal data, and its answer agrees with its ledger,
							Clearance cannot tell whether reports are due.
						</div>
					) : null}
					{counts.due_soon > 0 ? (
						<div className="alert alert-warn" role="status">
							<strong>
								{counts.due_soon} app{counts.due_soon === 1 ? ' is' : 's are'} due within 3 days.
							</strong>
						</div>
					) : null}

					<section className="card stack-sm" aria-labelledby="chart-heading">
						<h2 id="chart-heading">Due over the next {CHART_DAYS} days</h2>
						<DueChart summary={chart} />
						{chart.overdue.count + chart.days.length > 0 ? (
							<details>
								<summary>The chart as a table</summary>
								<div className="table-wrap">
									<table>
										<caption className="visually-hidden">Reports due over the next {CHART_DAYS} days</caption>
										<thead>
											<tr>
												<th scope="col">Due</th>
												<th scope="col">Days left</th>
												<th scope="col">Apps</th>
											</tr>
										</thead>
										<tbody>
											{chart.overdue.count > 0 ? (
												<tr>
													<td>Overdue</td>
													<td>—</td>
													<td>
														<AppNames group={chart.overdue} />
													</td>
												</tr>
											) : null}
											{chart.days.map((day) => (
												<tr key={day.daysLeft}>
													<td>{day.dueDate ? formatCalendarDate(day.dueDate) : 'Now'}</td>
													<td>{daysLeftText(day.daysLeft, 'on_track')}</td>
													<td>
														<AppNames group={day} />
													</td>
												</tr>
											))}
										</tbody>
									</table>
								</div>
							</details>
						) : null}
					</section>

					<Form method="get" className="row" role="search" aria-label="Filter apps" style={{ alignItems: 'flex-end' }}>
						<TextField label="Search by name or key" type="search" name="q" defaultValue={q} autoComplete="off" />
						<div className="field">
							<label htmlFor="status">Status</label>
							<select id="status" name="status" className="select" defaultValue={status}>
								{DASHBOARD_FILTERS.map((filter) => (
									<option key={filter} value={filter}>
										{FILTER_LABELS[filter]}
										{filter === 'all' ? '' : ` (${counts[filter]})`}
									</option>
								))}
							</select>
						</div>
						<button type="submit" className="button button-secondary">
							Filter
						</button>
					</Form>

					{total === 0 ? (
						<EmptyState
							title="No apps match"
							action={
								<Link className="button button-secondary" to={base}>
									Show all apps
								</Link>
							}
						>
							No app {status !== 'all' ? `is “${FILTER_LABELS[status]}”` : ''}
							{q ? ` matching “${q}”` : ''}. Clear the filter to see every app.
						</EmptyState>
					) : (
						<>
							<div className="table-wrap">
								<table className="deadline-table">
									<caption className="visually-hidden">Apps by reporting urgency</caption>
									<thead>
										<tr>
											<th scope="col">App</th>
											<th scope="col">Status</th>
											<th scope="col">Next report due</th>
											<th scope="col">Last report</th>
											<th scope="col">Open tasks</th>
											<th scope="col">Request / ticket</th>
										</tr>
									</thead>
									<tbody>
										{rows.map((row) => (
											<tr key={row.id} className={`deadline-row deadline-${row.status}`}>
												<td>
													<Link to={`${base}/apps/${row.id}`}>
														<strong>{row.name}</strong>
													</Link>
													<span className="sub mono">{row.appKey}</span>
												</td>
												<td data-label="Status">
													<ReportingBadge status={row.status} />
													<span className="sub">{row.headline}</span>
													{row.attention.map((note) => (
														<span key={note} className="sub attention">
															{note}
														</span>
													))}
												</td>
												<td data-label="Next report due">
													{row.status === 'not_required' ? (
														<span className="card-muted">Not storing personal data</span>
													) : row.status === 'answer_needed' ? (
														<Link to={`${base}/apps/${row.id}`} aria-label={`Answer for ${row.name}`}>
															Answer on the app page
														</Link>
													) : (
														<>
															{row.dueAt ? formatDay(row.dueAt, timeZone) : 'Now'}
															<span className="sub">
																<Link to={`${base}/apps/${row.id}/reporting`} aria-label={`Reporting for ${row.name}`}>
																	Reporting
																</Link>{' '}
																· {cycleName(row.countedCycleDays)}
																{row.countedCycleDays !== row.cycleDays ? ' (Atlassian’s, to confirm)' : ''}
															</span>
														</>
													)}
												</td>
												<td data-label="Last report">
													{row.lastRunAt ? (
														formatDay(row.lastRunAt, timeZone)
													) : (
														<span className="card-muted">None yet</span>
													)}
												</td>
												<td data-label="Open tasks">
													{row.openErase + row.openRefresh === 0 ? (
														'—'
													) : (
														<>
															{row.openErase > 0 ? <Badge tone="bad">{row.openErase} erase</Badge> : null}{' '}
															{row.openRefresh > 0 ? <Badge tone="info">{row.openRefresh} refresh</Badge> : null}
															{row.overdueTasks > 0 ? <span className="sub">{row.overdueTasks} past due</span> : null}
														</>
													)}
												</td>
												<td data-label="Request / ticket">
													{row.requestState ? (
														(REQUEST_STATE_LABELS[row.requestState] ?? row.requestState)
													) : (
														<span className="card-muted">No request</span>
													)}
													{row.ticketKey ? <span className="sub mono">{row.ticketKey}</span> : null}
													{row.amendmentState ? (
														<span className="sub">
															{(REQUEST_STATE_LABELS[row.amendmentState] ?? row.amendmentState).replace(
																/^Request:/,
																'Amendment:',
															)}
															{row.amendmentTicketKey ? <span className="mono"> {row.amendmentTicketKey}</span> : null}
														</span>
													) : null}
												</td>
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
								pageSize={PAGE_SIZE}
								hrefFor={(to) => `${base}${dashboardSearch({ status, q, page: to })}`}
							/>
							<p className="card-muted">
								Most urgent first:{' '}
								{Object.values(REPORTING_STATUS)
									.map(({ label }) => label.toLowerCase())
									.join(', then ')}
								; within each, the nearest date first.
							</p>
						</>
					)}
				</>
			)}
		</div>
	)
}

/** "3 apps: Alpha, Beta, Gamma" or "12 apps: Alpha, Beta, Gamma and 9 more". */
function AppNames({ group }: { group: DueGroup }) {
	const more = group.count - group.names.length
	return (
		<>
			{group.count} app{group.count === 1 ? '' : 's'}: {group.names.join(', ')}
			{more > 0 ? ` and ${more} more` : ''}
		</>
	)
}
