import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useEffect } from 'react'
import { CopyField } from '~/components/copy-field'
import { FormAlert, TextField } from '~/components/ui/form'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { useValidatedForm } from '~/components/ui/use-validated-form'
import { attemptsText, DeliveryBadge } from '~/components/webhook-status'
import { formatInTimeZone } from '~/domain/reporting-cycle'
import { sendOutcomeNotice, WEBHOOK_MAX_ATTEMPTS } from '~/domain/webhooks'
import { WebhookActionSchema, WebhookCreateSchema } from '~/schemas/webhooks'
import {
	createWebhook,
	deleteWebhook,
	listWebhooks,
	sendTestEvent,
	setWebhookDisabled,
} from '~/services/webhooks.server'
import { requirePermission } from '~/utils/auth.server'
import { parseForm, refusedIntentForm } from '~/utils/forms'
import { formRefusal } from '~/utils/refusals.server'

export const meta: MetaFunction = () => [{ title: 'Webhooks · Clearance' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'webhooks:manage')
	return { org, webhooks: await listWebhooks(org.id) }
}

type ActionResult = {
	intent?: string
	errors?: Record<string, string>
	values?: Record<string, unknown>
	formError?: string | null
	/** The new webhook's secret: in this one answer only. */
	created?: { name: string; secret: string; id: string }
	notice?: string
	noticeTone?: 'ok' | 'warn'
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'webhooks:manage')
	const form = await parseForm(request, WebhookActionSchema)
	if (!form.success) {
		return data<ActionResult>(refusedIntentForm(form), 400)
	}
	const input = form.data
	try {
		switch (input.intent) {
			case 'create': {
				const { secret, webhook } = await createWebhook(org.id, user.id, input)
				return data<ActionResult>(
					{ intent: 'create', created: { name: webhook.name, secret, id: webhook.id } },
					{ headers: { 'Cache-Control': 'no-store' } },
				)
			}
			case 'test': {
				const delivery = await sendTestEvent(org.id, input.webhookId, user.id)
				return data<ActionResult>({ intent: 'test', ...sendOutcomeNotice('The test message', delivery) })
			}
			case 'disable':
			case 'enable': {
				const webhook = await setWebhookDisabled(org.id, user.id, input.webhookId, input.intent === 'disable')
				return data<ActionResult>({
					intent: input.intent,
					notice:
						input.intent === 'disable'
							? `The webhook “${webhook.name}” is off: nothing is sent to it until you turn it on.`
							: `The webhook “${webhook.name}” is on again.`,
				})
			}
			case 'delete': {
				const { name } = await deleteWebhook(org.id, user.id, input.webhookId)
				return data<ActionResult>({
					intent: 'delete',
					notice: `The webhook “${name}” and its delivery log are deleted.`,
				})
			}
		}
	} catch (error) {
		return formRefusal<ActionResult>(error, {
			intent: input.intent,
			values: input.intent === 'create' ? { name: input.name, url: input.url } : undefined,
		})
	}
}

function RegisterForm({ result }: { result?: ActionResult }) {
	const createResult = result?.intent === 'create' ? result : undefined
	const navigation = useNavigation()
	const values = createResult?.created ? undefined : createResult?.values
	const { form, formRef, onSubmit, errorOf, text } = useValidatedForm(WebhookCreateSchema, {
		defaultValues: { intent: 'create', name: String(values?.name ?? ''), url: String(values?.url ?? '') },
		serverErrors: createResult?.errors,
	})
	const createdSecret = createResult?.created?.secret
	// Registered: the form starts afresh, so a second click registers no twin by mistake.
	useEffect(() => {
		if (createdSecret) form.reset({ intent: 'create', name: '', url: '' })
	}, [createdSecret, form])
	return (
		<section className="card stack-sm" aria-labelledby="register-heading">
			<h2 id="register-heading">Register a webhook</h2>
			<p className="card-muted">
				Reminders of reporting deadlines and overdue work are posted to each active webhook. Paste the address of a
				Slack or Mattermost incoming webhook, or of your own service.
			</p>
			{createResult?.created ? (
				<div className="alert alert-ok" role="status">
					<strong>Webhook “{createResult.created.name}” registered.</strong> Copy its signing secret now: it is shown
					only once. Your receiver uses it to check that a request came from Clearance.
					<div style={{ marginTop: 'var(--space-3)' }}>
						<CopyField id="new-webhook-secret" label="Signing secret" value={createResult.created.secret} />
					</div>
				</div>
			) : null}
			<FormAlert message={createResult?.formError} />
			<Form ref={formRef} method="post" className="form" noValidate onSubmit={onSubmit}>
				<input type="hidden" {...text('intent')} />
				<TextField
					label="Name"
					autoComplete="off"
					hint="Where it posts, such as “#compliance” or “On-call bot”."
					error={errorOf('name')}
					{...text('name')}
				/>
				<TextField
					label="Address"
					type="url"
					autoComplete="off"
					hint="A full https:// address on the public internet. Clearance does not post to private or local network addresses."
					error={errorOf('url')}
					{...text('url')}
				/>
				<div>
					<button className="button" type="submit" disabled={navigation.state === 'submitting'}>
						Register webhook
					</button>
				</div>
			</Form>
		</section>
	)
}

const VERIFY_EXAMPLE = `// Node: check a delivery before trusting it
const [t, v1] = header.split(',').map((part) => part.split('=')[1])
const expected = crypto.createHmac('sha256', secret).update(\`\${t}.\${rawBody}\`).digest('hex')
const fresh = Math.abs(Date.now() / 1000 - Number(t)) <= 300
const valid = fresh && v1?.length === 64 && crypto.timingSafeEqual(Buffer.from(v1), Buffer.from(expected))`

export default function WebhooksPage() {
	const { org, webhooks } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	const navigation = useNavigation()
	const busy = navigation.state !== 'idle'
	const rowError = result && result.intent !== 'create' ? (result.formError ?? result.errors?.webhookId) : undefined
	const when = (value: Date | string | null) => (value ? formatInTimeZone(new Date(value), org.timeZone) : null)
	return (
		<div className="stack">
			<PageHeader
				title="Webhooks"
				description="Post reminders where your team already looks: a chat channel or your own service. Each delivery is signed, retried when it fails and logged."
			/>
			{rowError ? <FormAlert message={rowError} /> : null}
			{result?.notice ? (
				<div className={`alert ${result.noticeTone === 'warn' ? 'alert-warn' : 'alert-ok'}`} role="status">
					{result.notice}
				</div>
			) : null}
			<RegisterForm result={result} />
			<section className="stack-sm" aria-labelledby="webhooks-heading">
				<h2 id="webhooks-heading">Registered webhooks</h2>
				{webhooks.length === 0 ? (
					<EmptyState title="No webhooks yet">
						Register one above; its signing secret is shown once, when you register it.
					</EmptyState>
				) : (
					<div className="table-wrap">
						<table>
							<caption className="visually-hidden">Webhooks of this organisation</caption>
							<thead>
								<tr>
									<th scope="col">Name</th>
									<th scope="col">Address</th>
									<th scope="col">Status</th>
									<th scope="col">Latest delivery</th>
									<th scope="col">
										<span className="visually-hidden">Actions</span>
									</th>
								</tr>
							</thead>
							<tbody>
								{webhooks.map((webhook) => (
									<tr key={webhook.id}>
										<td>
											<Link to={webhook.id}>
												<strong>{webhook.name}</strong>
											</Link>
											<span className="sub">Registered {when(webhook.createdAt)}</span>
										</td>
										<td>
											<code>{webhook.address}</code>
										</td>
										<td>
											{webhook.disabledAt ? (
												<>
													<Badge tone="neutral">Off</Badge>
													<span className="sub">since {when(webhook.disabledAt)}</span>
												</>
											) : (
												<Badge tone="ok">On</Badge>
											)}
										</td>
										<td>
											{webhook.lastDelivery ? (
												<>
													<DeliveryBadge
														status={webhook.lastDelivery.status}
														attempts={webhook.lastDelivery.attempts}
													/>
													<span className="sub">
														{when(webhook.lastDelivery.at)} · {attemptsText(webhook.lastDelivery.attempts)}
													</span>
												</>
											) : (
												'None yet'
											)}
										</td>
										<td>
											<div className="row">
												<Link to={webhook.id} className="button button-secondary button-small">
													Delivery log
												</Link>
												{webhook.disabledAt ? null : (
													<Form method="post">
														<input type="hidden" name="intent" value="test" />
														<input type="hidden" name="webhookId" value={webhook.id} />
														<button
															type="submit"
															className="button button-secondary button-small"
															disabled={busy}
															aria-label={`Send a test message to ${webhook.name}`}
														>
															Send a test message
														</button>
													</Form>
												)}
												<Form method="post">
													<input type="hidden" name="intent" value={webhook.disabledAt ? 'enable' : 'disable'} />
													<input type="hidden" name="webhookId" value={webhook.id} />
													<button
														type="submit"
														className="button button-secondary button-small"
														disabled={busy}
														aria-label={`${webhook.disabledAt ? 'Turn on' : 'Turn off'} ${webhook.name}`}
													>
														{webhook.disabledAt ? 'Turn on' : 'Turn off'}
													</button>
												</Form>
												<Form
													method="post"
													onSubmit={(event) => {
														if (
															!confirm(
																`Delete the webhook “${webhook.name}” and its delivery log? Nothing more is sent to it.`,
															)
														)
															event.preventDefault()
													}}
												>
													<input type="hidden" name="intent" value="delete" />
													<input type="hidden" name="webhookId" value={webhook.id} />
													<button
														type="submit"
														className="button button-danger button-small"
														disabled={busy}
														aria-label={`Delete ${webhook.name}`}
													>
														Delete
													</button>
												</Form>
											</div>
										</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
				)}
			</section>
			<section className="card stack-sm" aria-labelledby="verify-heading">
				<h2 id="verify-heading">For the receiver: what each request carries</h2>
				<p>
					A <code>POST</code> with a JSON body: <code>text</code> is the message as chat services show it, and{' '}
					<code>event</code> holds the same reminder for programs (its type, the app or task, the due date and a link).
				</p>
				<ul>
					<li>
						<code>Clearance-Signature: t=&lt;unix seconds&gt;,v1=&lt;signature&gt;</code>: the HMAC-SHA256, in hex, of
						the timestamp, a dot and the raw body, keyed with the signing secret. Compare it in constant time and refuse
						a timestamp more than 5 minutes from your clock, so a captured request cannot be replayed.
					</li>
					<li>
						<code>Clearance-Delivery</code>: the delivery’s id, the same on every retry. If you have seen it already,
						answer success and do nothing.
					</li>
					<li>
						Answer with any 2xx status within 10 seconds. Anything else is tried again after 1, 2, 4 … minutes, up to{' '}
						{WEBHOOK_MAX_ATTEMPTS} attempts; the delivery log shows each answer.
					</li>
				</ul>
				<pre className="code-block">
					<code>{VERIFY_EXAMPLE}</code>
				</pre>
			</section>
		</div>
	)
}
