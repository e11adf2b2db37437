import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useLocation } from '@remix-run/react'
import { FormAlert } from '~/components/ui/form'
import { EmptyState, PageHeader } from '~/components/ui/status'
import { parseAuditFilter } from '~/schemas/audit'
import { auditFilterOptions, searchAuditEvents } from '~/services/audit.server'
import { requirePermission } from '~/utils/auth.server'

export const meta: MetaFunction = () => [{ title: 'Audit log · Clearance' }]

const PAGE_SIZE = 50

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'audit:read')
	const url = new URL(request.url)
	const options = await auditFilterOptions(org.id)
	const parsed = parseAuditFilter(url)
	if (!parsed.ok) {
		return data({ org, options, events: [], nextBeforeId: null, filterError: parsed.error, query: url.search }, 400)
	}
	const { events, nextBeforeId } = await searchAuditEvents(org.id, org.timeZone, parsed.filter, {
		limit: PAGE_SIZE,
		beforeId: parsed.before,
	})
	return { org, options, events, nextBeforeId, filterError: null as string | null, query: url.search }
}

function summary(value: unknown) {
	if (value === null || value === undefined) return '—'
	return JSON.stringify(value)
}

export default function AuditPage() {
	const { org, options, events, nextBeforeId, filterError } = useLoaderData<typeof loader>()
	const location = useLocation()
	const params = new URLSearchParams(location.search)
	params.delete('before')
	const csvHref = `/o/${org.slug}/audit/csv?${params}`
	const next = new URLSearchParams(params)
	if (nextBeforeId) next.set('before', String(nextBeforeId))
	return (
		<div className="stack">
			<PageHeader
				title="Audit log"
				description="Every change, decision and ticket update: who, when, what, before and after. Append-only — the database refuses to change or delete an entry."
				actions={
					<a className="button button-secondary" href={csvHref} download>
						Export CSV
					</a>
				}
			/>
			<Form method="get" className="card audit-filter" aria-label="Filter the audit log">
				<div className="field">
					<label htmlFor="audit-action">Action</label>
					<select id="audit-action" name="action" className="select" defaultValue={params.get('action') ?? ''}>
						<option value="">Any action</option>
						{options.actions.map((action) => (
							<option key={action} value={action}>
								{action}
							</option>
						))}
					</select>
				</div>
				<div className="field">
					<label htmlFor="audit-actor">Person</label>
					<select id="audit-actor" name="actor" className="select" defaultValue={params.get('actor') ?? ''}>
						<option value="">Anyone</option>
						{options.actors.map((actor) => (
							<option key={actor.id} value={actor.id}>
								{actor.name}
							</option>
						))}
					</select>
				</div>
				<div className="field">
					<label htmlFor="audit-from">From</label>
					<input id="audit-from" name="from" type="date" className="input" defaultValue={params.get('from') ?? ''} />
				</div>
				<div className="field">
					<label htmlFor="audit-to">To</label>
					<input id="audit-to" name="to" type="date" className="input" defaultValue={params.get('to') ?? ''} />
				</div>
				<div className="row">
					<button type="submit" className="button">
						Filter
					</button>
					<Link to={`/o/${org.slug}/audit`} className="button button-secondary">
						Clear
					</Link>
				</div>
			</Form>
			<FormAlert message={filterError} />
			{events.length === 0 ? (
				<EmptyState title="No matching events">
					Nothing in the log matches this filter. Widen the dates or clear the filter to see every event.
				</EmptyState>
			) : (
				<div className="table-wrap">
					<table>
						<caption className="visually-hidden">Audit events, newest first</caption>
						<thead>
							<tr>
								<th scope="col">When ({org.timeZone})</th>
								<th scope="col">Who</th>
								<th scope="col">Action</th>
								<th scope="col">Subject</th>
								<th scope="col">Before</th>
								<th scope="col">After</th>
							</tr>
						</thead>
						<tbody>
							{events.map((event) => (
								<tr key={event.id}>
									<td>
										{new Date(event.createdAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: org.timeZone })}
									</td>
									<td>{event.actorName ?? 'System'}</td>
									<td className="mono">{event.action}</td>
									<td>
										{event.subjectType}
										<span className="sub mono">{event.subjectId}</span>
									</td>
									<td className="audit-json">{summary(event.before)}</td>
									<td className="audit-json">{summary(event.after)}</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			{nextBeforeId ? (
				<div>
					<Link className="button button-secondary" to={`?${next}`}>
						Older events
					</Link>
				</div>
			) : null}
		</div>
	)
}
