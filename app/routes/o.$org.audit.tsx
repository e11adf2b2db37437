import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useLocation } from '@remix-run/react'
import { AuditChanges } from '~/components/audit-changes'
import { FormAlert } from '~/components/ui/form'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { actionLabel, presentAuditEvent, type AuditEventView } from '~/domain/audit-labels'
import { formatInTimeZone } from '~/domain/zoned-time'
import { parseAuditFilter } from '~/schemas/audit'
import { auditFilterOptions, resolveAuditSubjects, resolvedSubject, searchAuditEvents } from '~/services/audit.server'
import { requirePermission } from '~/utils/auth.server'

export const meta: MetaFunction = () => [{ title: 'Audit log · Clearance' }]

const PAGE_SIZE = 50

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'audit:read')
	const url = new URL(request.url)
	const found = await auditFilterOptions(org.id)
	// Actions in words, alphabetically as they read; the code stays the value.
	const options = {
		actors: found.actors,
		actions: found.actions
			.map((action) => ({ value: action, label: actionLabel(action) }))
			.sort((a, b) => a.label.localeCompare(b.label, 'en')),
	}
	const parsed = parseAuditFilter(url)
	if (!parsed.ok) {
		return data(
			{
				org,
				options,
				events: [] as AuditEventView[],
				nextBeforeId: null,
				filterError: parsed.error,
				query: url.search,
			},
			400,
		)
	}
	const { events: rows, nextBeforeId } = await searchAuditEvents(org.id, org.timeZone, parsed.filter, {
		limit: PAGE_SIZE,
		beforeId: parsed.before,
	})
	// Subjects by name with a link, changes as a readable diff (docs/rules.md › Audit trail).
	const subjects = await resolveAuditSubjects(org.id, rows)
	const events = rows.map((row) => ({
		...presentAuditEvent(row, { orgSlug: org.slug, timeZone: org.timeZone, subject: resolvedSubject(subjects, row) }),
		actorName: row.actorName,
	}))
	return { org, options, events, nextBeforeId, filterError: null as string | null, query: url.search }
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
				description="Every change, decision, refused attempt and login: who, when, what it was about, and what changed. Append-only — the database refuses to change or delete an entry."
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
							<option key={action.value} value={action.value}>
								{action.label}
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
					<table className="stack-table">
						<caption className="visually-hidden">Audit events, newest first</caption>
						<thead>
							<tr>
								<th scope="col">When ({org.timeZone})</th>
								<th scope="col">Who</th>
								<th scope="col">What</th>
								<th scope="col">About</th>
								<th scope="col">Changes</th>
							</tr>
						</thead>
						<tbody>
							{events.map((event) => (
								<tr key={event.id}>
									<td data-label="When">
										<time dateTime={event.at}>{formatInTimeZone(new Date(event.at), org.timeZone)}</time>
									</td>
									<td data-label="Who">{event.who}</td>
									<td data-label="What">
										{event.refused ? (
											<>
												<Badge tone="bad">Refused</Badge>{' '}
											</>
										) : null}
										{event.summary}
									</td>
									<td data-label="About">
										{event.subject.href ? (
											<Link to={event.subject.href}>{event.subject.label}</Link>
										) : (
											event.subject.label
										)}
									</td>
									<td data-label="Changes">
										<AuditChanges changes={event.changes} />
									</td>
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
