import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { FormAlert } from '~/components/ui/form'
import { Icon } from '~/components/ui/icon'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { attemptsText, DeliveryBadge } from '~/components/webhook-status'
import { formatInTimeZone } from '~/domain/reporting-cycle'
import { eventTypeLabel, sendOutcomeNotice } from '~/domain/webhooks'
import { DeliveryActionSchema } from '~/schemas/webhooks'
import { listDeliveries, resendDelivery, retryDeliveryNow, sendTestEvent } from '~/services/webhooks.server'
import { requirePermission } from '~/utils/auth.server'
import { UserFacingError } from '~/utils/errors'
import { parseForm } from '~/utils/forms'
import { notFound } from '~/utils/http.server'
import { formRefusal } from '~/utils/refusals.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `${data.webhook.name} · Webhooks · Clearance` : 'Webhook · Clearance' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'webhooks:manage')
	const page = Number(new URL(request.url).searchParams.get('page') ?? '1')
	try {
		const log = await listDeliveries(org.id, params.webhookId ?? '', Number.isFinite(page) ? page : 1)
		return { org, ...log }
	} catch (error) {
		if (error instanceof UserFacingError && error.status === 404) notFound(error.message)
		throw error
	}
}

type ActionResult = {
	intent?: string
	errors?: Record<string, string>
	formError?: string | null
	notice?: string
	noticeTone?: 'ok' | 'warn'
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'webhooks:manage')
	const form = await parseForm(request, DeliveryActionSchema)
	if (!form.success) {
		return data<ActionResult>({ intent: String(form.values.intent ?? ''), errors: form.errors }, 400)
	}
	const input = form.data
	try {
		const delivery =
			input.intent === 'test'
				? await sendTestEvent(org.id, params.webhookId ?? '', user.id)
				: input.intent === 'retry'
					? await retryDeliveryNow(org.id, user.id, input.deliveryId)
					: await resendDelivery(org.id, user.id, input.deliveryId)
		return data<ActionResult>({
			intent: input.intent,
			...sendOutcomeNotice(input.intent === 'test' ? 'The test message' : 'The message', delivery),
		})
	} catch (error) {
		return formRefusal<ActionResult>(error, { intent: input.intent }, { place: 'top' })
	}
}

export default function WebhookDeliveriesPage() {
	const { org, webhook, deliveries, total, page, pageCount } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	const navigation = useNavigation()
	const busy = navigation.state !== 'idle'
	const when = (value: Date | string | null) => (value ? formatInTimeZone(new Date(value), org.timeZone) : null)
	const error = result?.formError ?? result?.errors?.deliveryId
	return (
		<div className="stack">
			<p>
				<Link to={`/o/${org.slug}/webhooks`}>
					<Icon name="arrow-left" /> All webhooks
				</Link>
			</p>
			<PageHeader
				title={webhook.name}
				description={
					<>
						Deliveries to <code>{webhook.address}</code>, newest first.{' '}
						{webhook.disabledAt ? <Badge tone="neutral">Off</Badge> : <Badge tone="ok">On</Badge>}
					</>
				}
				actions={
					webhook.disabledAt ? null : (
						<Form method="post">
							<input type="hidden" name="intent" value="test" />
							<button type="submit" className="button" disabled={busy}>
								Send a test message
							</button>
						</Form>
					)
				}
			/>
			<FormAlert message={error} />
			{result?.notice ? (
				<div className={`alert ${result.noticeTone === 'warn' ? 'alert-warn' : 'alert-ok'}`} role="status">
					{result.notice}
				</div>
			) : null}
			<section className="stack-sm" aria-labelledby="deliveries-heading">
				<h2 id="deliveries-heading">
					{total === 0 ? 'Deliveries' : `${total} ${total === 1 ? 'delivery' : 'deliveries'}`}
				</h2>
				{deliveries.length === 0 ? (
					<EmptyState title="Nothing sent yet">
						Reminders are posted here as they fall due. Send a test message to check the address now.
					</EmptyState>
				) : (
					<div className="table-wrap">
						<table>
							<caption className="visually-hidden">Deliveries to this webhook</caption>
							<thead>
								<tr>
									<th scope="col">Queued</th>
									<th scope="col">Message</th>
									<th scope="col">Status</th>
									<th scope="col">Attempts</th>
									<th scope="col">Last answer</th>
									<th scope="col">
										<span className="visually-hidden">Actions</span>
									</th>
								</tr>
							</thead>
							<tbody>
								{deliveries.map((delivery) => (
									<tr key={delivery.id}>
										<td>{when(delivery.createdAt)}</td>
										<td>
											<strong>{eventTypeLabel(delivery.type)}</strong>
											<span className="sub">{delivery.text}</span>
										</td>
										<td>
											<DeliveryBadge status={delivery.status} attempts={delivery.attempts} />
											<span className="sub">
												{delivery.status === 'delivered'
													? when(delivery.deliveredAt)
													: delivery.status === 'pending'
														? `Next attempt ${when(delivery.nextAttemptAt)}`
														: null}
											</span>
										</td>
										<td>{attemptsText(delivery.attempts)}</td>
										<td>
											{delivery.lastStatusCode !== null ? <code>HTTP {delivery.lastStatusCode}</code> : null}
											{delivery.lastError ? <span className="sub">{delivery.lastError}</span> : null}
											{delivery.lastStatusCode === null && !delivery.lastError ? '—' : null}
										</td>
										<td>
											{webhook.disabledAt ? null : (
												<Form method="post">
													<input
														type="hidden"
														name="intent"
														value={delivery.status === 'pending' ? 'retry' : 'resend'}
													/>
													<input type="hidden" name="deliveryId" value={delivery.id} />
													<button
														type="submit"
														className="button button-secondary button-small"
														disabled={busy}
														aria-label={`${delivery.status === 'pending' ? 'Try now' : 'Send again'}: ${eventTypeLabel(delivery.type)} queued ${when(delivery.createdAt)}`}
													>
														{delivery.status === 'pending' ? 'Try now' : 'Send again'}
													</button>
												</Form>
											)}
										</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
				)}
				{pageCount > 1 ? (
					<nav className="row" aria-label="Pages of the delivery log">
						{page > 1 ? <Link to={`?page=${page - 1}`}>Newer deliveries</Link> : null}
						<span className="card-muted">
							Page {page} of {pageCount}
						</span>
						{page < pageCount ? <Link to={`?page=${page + 1}`}>Older deliveries</Link> : null}
					</nav>
				) : null}
				<p className="card-muted">
					“Try now” sends a delivery waiting for its next attempt at once. “Send again” posts a delivered or failed
					message as a new delivery with its own id; the first one keeps its history.
				</p>
			</section>
		</div>
	)
}
