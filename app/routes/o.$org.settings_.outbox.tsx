import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { FormAlert } from '~/components/ui/form'
import { Badge, EmptyState, PageHeader, type Tone } from '~/components/ui/status'
import { EMAIL_MAX_ATTEMPTS } from '~/domain/email-message'
import { formatInTimeZone } from '~/domain/zoned-time'
import { parseOutboxQuery } from '~/schemas/outbox'
import { listOutbox, type OutboxStatus } from '~/services/email.server'
import { requirePermission } from '~/utils/auth.server'

export const meta: MetaFunction = () => [{ title: 'Email outbox · Clearance' }]

const PAGE_SIZE = 25

type OutboxEntry = {
	id: string
	subject: string
	recipient: { name: string | null; email: string }
	created: string
	status: { tone: Tone; label: string; detail: string | null }
	textBody: string
}

function describeStatus(
	row: { status: string; attempts: number; lastError: string | null; nextAttemptAt: Date; sentAt: Date | null },
	timeZone: string,
): OutboxEntry['status'] {
	switch (row.status) {
		case 'sent':
			return { tone: 'ok', label: 'Sent', detail: row.sentAt ? formatInTimeZone(row.sentAt, timeZone) : null }
		case 'held':
			return { tone: 'neutral', label: 'Not sent', detail: 'No mail server was set up when it was written.' }
		case 'failed':
			return {
				tone: 'bad',
				label: 'Failed',
				detail: `Gave up after ${row.attempts === 1 ? '1 try' : `${row.attempts} tries`}: ${row.lastError ?? 'no answer'}`,
			}
		default:
			return row.attempts === 0
				? { tone: 'info', label: 'Waiting to be sent', detail: null }
				: {
						tone: 'warn',
						label: 'Will try again',
						detail: `Try ${row.attempts + 1} of ${EMAIL_MAX_ATTEMPTS} from ${formatInTimeZone(row.nextAttemptAt, timeZone)}. Last answer: ${row.lastError ?? 'none'}`,
					}
	}
}

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'members:manage')
	const query = parseOutboxQuery(new URL(request.url))
	const empty = { entries: [] as OutboxEntry[], total: 0, page: 1, pageCount: 1 }
	if (!query.ok) {
		return data({ org, ...empty, status: null as OutboxStatus | null, smtpConfigured: false, error: query.error }, 400)
	}
	const { rows, total, smtpConfigured } = await listOutbox(org.id, {
		page: query.page,
		pageSize: PAGE_SIZE,
		status: query.status,
	})
	const entries: OutboxEntry[] = rows.map((row) => ({
		id: row.id,
		subject: row.subject,
		recipient: { name: row.recipientName, email: row.toAddress },
		created: formatInTimeZone(row.createdAt, org.timeZone),
		status: describeStatus(row, org.timeZone),
		textBody: row.textBody,
	}))
	return {
		org,
		entries,
		total,
		page: query.page,
		pageCount: Math.max(1, Math.ceil(total / PAGE_SIZE)),
		status: query.status ?? null,
		smtpConfigured,
		error: null as string | null,
	}
}

const FILTERS: { status: OutboxStatus | null; label: string }[] = [
	{ status: null, label: 'All' },
	{ status: 'sent', label: 'Sent' },
	{ status: 'held', label: 'Not sent' },
	{ status: 'pending', label: 'Waiting' },
	{ status: 'failed', label: 'Failed' },
]

export default function OutboxPage() {
	const { entries, total, page, pageCount, status, smtpConfigured, error } = useLoaderData<typeof loader>()
	const href = (next: { status?: OutboxStatus | null; page?: number }) => {
		const params = new URLSearchParams()
		const chosen = next.status === undefined ? status : next.status
		if (chosen) params.set('status', chosen)
		if (next.page && next.page > 1) params.set('page', String(next.page))
		const query = params.toString()
		return query ? `?${query}` : '.'
	}
	return (
		<div className="stack">
			<PageHeader
				title="Email outbox"
				description="Every email Clearance wrote to its members — reminders and daily digests — newest first: sent, waiting, failed, or kept here because no mail server is set up."
				actions={
					<Link to=".." relative="path" className="button button-secondary">
						Back to settings
					</Link>
				}
			/>
			{smtpConfigured ? null : (
				<div className="alert alert-warn" role="status">
					No mail server is set up, so Clearance sends no email: each one is kept here to read instead. Whoever runs
					Clearance sets the mail server with the <code>SMTP_URL</code> setting.
				</div>
			)}
			<FormAlert message={error} />
			<nav aria-label="Show emails" className="row">
				{FILTERS.map((filter) =>
					filter.status === status ? (
						<span key={filter.label} className="button button-secondary" aria-current="page">
							{filter.label}
						</span>
					) : (
						<Link key={filter.label} to={href({ status: filter.status, page: 1 })} className="button-link">
							{filter.label}
						</Link>
					),
				)}
			</nav>
			{entries.length === 0 ? (
				<EmptyState title="No emails">
					{status || page > 1
						? 'No email matches. Show all emails to see the others.'
						: 'Clearance has written no email yet. Reminders and daily digests will be listed here.'}
				</EmptyState>
			) : (
				<div className="table-wrap">
					<table>
						<caption className="visually-hidden">Emails, newest first</caption>
						<thead>
							<tr>
								<th scope="col">Written</th>
								<th scope="col">To</th>
								<th scope="col">Subject</th>
								<th scope="col">Status</th>
							</tr>
						</thead>
						<tbody>
							{entries.map((entry) => (
								<tr key={entry.id}>
									<td>{entry.created}</td>
									<td>
										{entry.recipient.name ? (
											<>
												{entry.recipient.name}
												<br />
											</>
										) : null}
										<span className="check-source">{entry.recipient.email}</span>
									</td>
									<td>
										{entry.subject}
										<details className="audit-more">
											<summary>Show the email</summary>
											<pre className="text-block">{entry.textBody}</pre>
										</details>
									</td>
									<td>
										<Badge tone={entry.status.tone}>{entry.status.label}</Badge>
										{entry.status.detail ? <div className="check-source">{entry.status.detail}</div> : null}
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			{pageCount > 1 ? (
				<nav aria-label="Pages" className="row">
					{page > 1 ? (
						<Link to={href({ page: page - 1 })} className="button button-secondary">
							Newer emails
						</Link>
					) : null}
					<span>
						Page {page} of {pageCount} ({total === 1 ? '1 email' : `${total} emails`})
					</span>
					{page < pageCount ? (
						<Link to={href({ page: page + 1 })} className="button button-secondary">
							Older emails
						</Link>
					) : null}
				</nav>
			) : null}
		</div>
	)
}
