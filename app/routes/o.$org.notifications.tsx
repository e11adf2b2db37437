import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { formatInTimeZone } from '~/domain/zoned-time'
import { NotificationActionSchema } from '~/schemas/notifications'
import { followUpsFor, listNotifications, markRead } from '~/services/notifications.server'
import { requireMember } from '~/utils/auth.server'
import { parseForm } from '~/utils/forms'

export const meta: MetaFunction = () => [{ title: 'Notifications · Clearance' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, user, roles } = await requireMember(request, params.org)
	const [items, followUps] = await Promise.all([listNotifications(org.id, user.id), followUpsFor(org.id, roles)])
	return { org, items, followUps }
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requireMember(request, params.org)
	const form = await parseForm(request, NotificationActionSchema)
	if (!form.success) return data({ ok: false }, 400)
	await markRead(org.id, user.id, form.data.intent === 'read' ? form.data.id : null)
	return { ok: true }
}

export default function NotificationsPage() {
	const { org, items, followUps } = useLoaderData<typeof loader>()
	const unread = items.filter((item) => !item.readAt).length
	return (
		<div className="stack">
			<PageHeader
				title="Notifications"
				description="Reminders of deadlines, requests sent back or decided, Atlassian’s answers, and tickets that have been quiet too long."
				actions={
					<>
						<Link to="settings" className="button button-secondary">
							Reminder settings
						</Link>
						{unread > 0 ? (
							<Form method="post">
								<input type="hidden" name="intent" value="read-all" />
								<button type="submit" className="button button-secondary">
									Mark all as read
								</button>
							</Form>
						) : null}
					</>
				}
			/>
			{followUps.length > 0 ? (
				<section className="card stack-sm" aria-labelledby="follow-ups-heading">
					<h2 id="follow-ups-heading">Tickets to follow up</h2>
					<ul className="checklist-items">
						{followUps.map((ticket) => (
							<li key={ticket.requestId} className="check-item check-warn">
								<div className="check-head">
									<Badge tone="warn">Quiet {ticket.daysQuiet} days</Badge>
									<Link to={`/o/${org.slug}/requests/${ticket.requestId}`}>
										{ticket.key} · {ticket.appName}
									</Link>
								</div>
								<p className="check-message">
									Ask Atlassian for a status on the ticket, then record the follow-up on the request.
								</p>
							</li>
						))}
					</ul>
				</section>
			) : null}
			{items.length === 0 && followUps.length === 0 ? (
				<EmptyState title="No notifications">
					You are all caught up. Clearance tells you here when a request is sent back or decided and when Atlassian
					answers.
				</EmptyState>
			) : (
				<ul className="checklist-items notification-list">
					{items.map((item) => (
						<li key={item.id} className={`check-item ${item.readAt ? 'notification-read' : 'notification-unread'}`}>
							<div className="check-head">
								{item.readAt ? <Badge tone="neutral">Read</Badge> : <Badge tone="info">New</Badge>}
								{item.link ? <Link to={item.link}>{item.message}</Link> : <span>{item.message}</span>}
							</div>
							<div className="row">
								<span className="check-source">{formatInTimeZone(new Date(item.createdAt), org.timeZone)}</span>
								{!item.readAt ? (
									<Form method="post">
										<input type="hidden" name="intent" value="read" />
										<input type="hidden" name="id" value={item.id} />
										<button type="submit" className="button-link">
											Mark as read
										</button>
									</Form>
								) : null}
							</div>
						</li>
					))}
				</ul>
			)}
		</div>
	)
}
