/**
 * Outgoing webhooks, the pure part: the body Clearance posts, when a failed
 * delivery is tried again, and how a registered address is shown. The
 * sending, signing and the durable outbox are in
 * app/services/webhooks.server.ts.
 *
 * The body is Slack-compatible (Slack: “Sending messages using incoming
 * webhooks”: a JSON object whose `text` is the message, in Slack's mrkdwn, with
 * `&`, `<` and `>` escaped and links written `<url|label>`), so an incoming
 * webhook of Slack, Mattermost or Rocket.Chat shows it as is, plus an `event`
 * object a program reads instead of the text.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_'
export const WEBHOOK_NAME_MAX = 80
export const WEBHOOK_URL_MAX = 2000

/** Attempts before a delivery is given up as failed. */
export const WEBHOOK_MAX_ATTEMPTS = 8
/** The first retry waits this long; each next one twice as long, at most WEBHOOK_MAX_RETRY_MS. */
export const WEBHOOK_FIRST_RETRY_MS = 60_000
export const WEBHOOK_MAX_RETRY_MS = 60 * 60_000
/** A receiver should refuse a signature older than this (a replayed request). */
export const WEBHOOK_REPLAY_WINDOW_SECONDS = 300

export type WebhookEvent = {
	/** e.g. `reminder.reporting_due`, `webhook.test`. */
	type: string
	reminderId?: string
	/** One line a person reads. */
	text: string
	subject: { type: string; id: string; name?: string }
	/** Local date YYYY-MM-DD in the organisation's time zone. */
	dueOn?: string
	/** A path in Clearance (`/o/acme/apps/…`) or a full URL. */
	link?: string
	[key: string]: unknown
}

/** Escapes the three characters Slack's mrkdwn reserves. */
export function slackEscape(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A link path made absolute with the public base URL; a full URL is kept; without a base, a path stays a path. */
export function absoluteLink(link: string | undefined, publicUrl: string | undefined): string | undefined {
	if (!link) return undefined
	if (/^https?:\/\//i.test(link)) return link
	if (!publicUrl || !link.startsWith('/')) return link
	return `${publicUrl.replace(/\/+$/, '')}${link}`
}

/**
 * The exact body posted for an event, serialised once: `text` for chat
 * services (the line, then a link to the item when there is a full URL),
 * `event` for programs (the event as given, its link absolute, the time it
 * was queued and the organisation).
 */
export function webhookBody(
	event: WebhookEvent,
	{ publicUrl, now, org }: { publicUrl?: string; now: Date; org: { slug: string; name: string } },
): string {
	const link = absoluteLink(event.link, publicUrl)
	const linkLine = link && /^https?:\/\//i.test(link) ? `\n<${link}|Open in Clearance>` : ''
	return JSON.stringify({
		text: `${slackEscape(event.text)}${linkLine}`,
		event: {
			...event,
			...(link ? { link } : {}),
			organization: { slug: org.slug, name: org.name },
			createdAt: now.toISOString(),
		},
	})
}

/** How long to wait after the `attempts`-th failed attempt: 1 min, 2, 4, 8 … at most an hour. */
export function webhookRetryDelayMs(attempts: number): number {
	const exponent = Math.max(0, attempts - 1)
	return Math.min(WEBHOOK_FIRST_RETRY_MS * 2 ** Math.min(exponent, 30), WEBHOOK_MAX_RETRY_MS)
}

/** After a failed attempt: try again at this time, or give up (null) when the attempts are used. */
export function nextWebhookAttempt(attempts: number, now: Date): Date | null {
	if (attempts >= WEBHOOK_MAX_ATTEMPTS) return null
	return new Date(now.getTime() + webhookRetryDelayMs(attempts))
}

/**
 * A registered address as the list shows it: scheme, host and the start of
 * the path. For chat services the path is itself the password (a Slack
 * incoming webhook URL lets anyone post), so it is not shown in full.
 */
export function maskWebhookUrl(value: string): string {
	let url: URL
	try {
		url = new URL(value)
	} catch {
		return '…'
	}
	const path = url.pathname === '/' ? '' : url.pathname
	const shown = path.length > 12 ? `${path.slice(0, 10)}…` : path
	return `${url.protocol}//${url.host}${shown}${url.search ? (path.length > 12 ? '' : '?…') : ''}`
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
	pending: 'Waiting to send',
	delivered: 'Delivered',
	failed: 'Failed',
}

/** The event type in words, for the delivery log. */
export function eventTypeLabel(type: string): string {
	if (type === 'webhook.test') return 'Test message'
	if (type.startsWith('reminder.')) return 'Reminder'
	return type
}

/** What a "send" button answers: delivered, or why not and what happens next. */
export function sendOutcomeNotice(
	what: 'The test message' | 'The message',
	delivery: { status: string; lastError: string | null },
): { notice: string; noticeTone: 'ok' | 'warn' } {
	if (delivery.status === 'delivered') return { notice: `${what} was delivered.`, noticeTone: 'ok' }
	const why = (delivery.lastError ?? 'no answer').replace(/\.$/, '')
	return {
		notice:
			delivery.status === 'failed'
				? `${what} was not delivered (${why}).`
				: `${what} was not delivered yet (${why}). Clearance tries again in a minute, up to ${WEBHOOK_MAX_ATTEMPTS} attempts in all.`,
		noticeTone: 'warn',
	}
}
