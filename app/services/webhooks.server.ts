import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { and, asc, count, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { organizations, webhookDeliveries, webhooks } from '#db/schema'
import {
	maskWebhookUrl,
	nextWebhookAttempt,
	WEBHOOK_NAME_MAX,
	WEBHOOK_REPLAY_WINDOW_SECONDS,
	WEBHOOK_SECRET_PREFIX,
	WEBHOOK_URL_MAX,
	webhookBody,
	type DeliveryStatus,
	type WebhookEvent,
} from '~/domain/webhooks'
import { parseEnv } from '~/utils/env.server'
import { NO_SUCH_ORGANISATION, UserFacingError } from '~/utils/errors'
import { isUuid } from '~/utils/ids'
import { checkOutboundUrl, OutboundError, outboundRequest, type Resolve } from '~/utils/outbound-url.server'
import { recordAudit } from './audit.server'

/**
 * Outgoing webhooks of an organisation (issue 13, channels): an admin
 * registers an address; each event is written, in the transaction that causes
 * it, as one delivery row per active webhook (a durable outbox: a crash loses
 * nothing), and sent after commit by `deliverPendingWebhooks` (the scheduled
 * job `webhooks`), so a delivery never blocks the request that caused it.
 *
 * Each request is a POST of the stored body with:
 * - `Content-Type: application/json`
 * - `Clearance-Delivery: <delivery id>`: the same on every retry of a delivery;
 *   a receiver that has seen it already answers 2xx and does nothing.
 * - `Clearance-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`:
 *   the receiver computes the HMAC over the timestamp, a dot and the raw body
 *   with the webhook's secret (`whsec_…`, shown once when registered),
 *   compares in constant time, and refuses a `t` more than 5 minutes from its
 *   own clock (a replayed request). `verifyWebhookSignature` below does that.
 *
 * 2xx is delivered. Anything else (or no answer within 10 seconds) is tried
 * again after 1, 2, 4 … minutes (at most an hour apart), 8 attempts in all,
 * then the delivery is `failed`; the delivery page shows each one's status,
 * attempts, last status code and last error, and can send one again (as a new
 * delivery, so the history stays). A row is claimed (`lockedUntil`, `FOR
 * UPDATE SKIP LOCKED`) before it is sent and finished only by its claimant:
 * two passes never send it twice, and a delivered row is never sent again.
 */

export type Webhook = typeof webhooks.$inferSelect
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect
/** What the pages show: never the secret, and the address shortened (it may itself be a password). */
export type WebhookView = Omit<Webhook, 'secret' | 'url'> & {
	address: string
	lastDelivery: { status: DeliveryStatus; attempts: number; at: Date } | null
}

/** How long a claimed row is left to its claimant before another pass may take it (a crashed server's rows). */
const CLAIM_MS = 5 * 60_000
const SEND_TIMEOUT_MS = 10_000
/** Rows claimed at once, and sent this many side by side. */
const CLAIM_BATCH = 20
const SEND_CONCURRENCY = 4
/** A pass sends at most this many; the rest wait for the next pass. */
const PASS_LIMIT = 500
/** The start of a receiver's answer kept in the log. */
const ERROR_SNIPPET = 300

const NOT_FOUND = 'No such webhook in this organisation.'

export type OutboundOptions = { allowPrivate?: boolean; resolve?: Resolve }

// ── Signing ─────────────────────────────────────────────────────────────

/** The `Clearance-Signature` header for this body at this time. */
export function signWebhook(secret: string, body: string, now: Date = new Date()): string {
	const t = Math.floor(now.getTime() / 1000)
	const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
	return `t=${t},v1=${v1}`
}

/**
 * What a receiver does with `Clearance-Signature`: true when a `v1` matches
 * the HMAC of `<t>.<body>` and `t` is within `toleranceSeconds` of `now`.
 */
export function verifyWebhookSignature(
	secret: string,
	header: string,
	body: string,
	now: Date = new Date(),
	toleranceSeconds = WEBHOOK_REPLAY_WINDOW_SECONDS,
): boolean {
	const parts = header.split(',').map((part) => part.trim().split('='))
	const t = Number(parts.find(([key]) => key === 't')?.[1])
	if (!Number.isInteger(t) || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false
	const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'))
	return parts.some(([key, value]) => {
		if (key !== 'v1' || !value) return false
		const given = Buffer.from(value)
		return given.length === expected.length && timingSafeEqual(given, expected)
	})
}

// ── Registration ────────────────────────────────────────────────────────

export type NewWebhook = { name: string; url: string }

function checkName(raw: string): string {
	const name = raw.trim()
	if (name === '')
		throw new UserFacingError('Name the webhook after where it posts, such as “#compliance”.', 400, 'name')
	if (name.length > WEBHOOK_NAME_MAX)
		throw new UserFacingError(`Shorten the name to at most ${WEBHOOK_NAME_MAX} characters.`, 400, 'name')
	if (/[\p{Cc}\p{Cf}]/u.test(name))
		throw new UserFacingError(
			'Remove the invisible characters from the name: type it again rather than pasting it.',
			400,
			'name',
		)
	return name
}

/** The address, checked under the outbound rule (app/utils/outbound-url.server.ts): a refusal is a message on the field. */
async function checkUrl(raw: string, options: OutboundOptions): Promise<string> {
	const value = raw.trim()
	if (value.length > WEBHOOK_URL_MAX)
		throw new UserFacingError(`Shorten the address to at most ${WEBHOOK_URL_MAX} characters.`, 400, 'url')
	const checked = await checkOutboundUrl(value, options)
	if (!checked.ok) throw new UserFacingError(checked.message, 400, 'url')
	return checked.url.toString()
}

function toView(row: Webhook, lastDelivery: WebhookView['lastDelivery'] = null): WebhookView {
	const { secret: _secret, url, ...rest } = row
	return { ...rest, address: maskWebhookUrl(url), lastDelivery }
}

/**
 * Registers a webhook, in one transaction with its audit event. The returned
 * `secret` is the only time it is shown: the pages never show it again.
 */
export async function createWebhook(
	orgId: string,
	actorId: string,
	input: NewWebhook,
	options: OutboundOptions = {},
): Promise<{ secret: string; webhook: WebhookView }> {
	const name = checkName(input.name)
	const url = await checkUrl(input.url, options)
	const secret = `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`
	return db.transaction(async (tx) => {
		const [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId))
		if (!org) throw new UserFacingError(NO_SUCH_ORGANISATION, 404)
		const [row] = await tx.insert(webhooks).values({ orgId, name, url, secret, createdBy: actorId }).returning()
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'webhook.created',
			subjectType: 'webhook',
			subjectId: row!.id,
			after: { name, address: maskWebhookUrl(url) },
		})
		return { secret, webhook: toView(row!) }
	})
}

/** The organisation's webhooks, active first then newest, each with its latest delivery. */
export async function listWebhooks(orgId: string): Promise<WebhookView[]> {
	const rows = await db
		.select()
		.from(webhooks)
		.where(eq(webhooks.orgId, orgId))
		.orderBy(sql`${webhooks.disabledAt} is not null`, desc(webhooks.createdAt))
	if (rows.length === 0) return []
	const latest = await db
		.selectDistinctOn([webhookDeliveries.webhookId], {
			webhookId: webhookDeliveries.webhookId,
			status: webhookDeliveries.status,
			attempts: webhookDeliveries.attempts,
			at: webhookDeliveries.createdAt,
		})
		.from(webhookDeliveries)
		.where(
			and(
				eq(webhookDeliveries.orgId, orgId),
				inArray(
					webhookDeliveries.webhookId,
					rows.map((row) => row.id),
				),
			),
		)
		.orderBy(webhookDeliveries.webhookId, desc(webhookDeliveries.createdAt))
	const byWebhook = new Map(latest.map((row) => [row.webhookId, row]))
	return rows.map((row) => {
		const last = byWebhook.get(row.id)
		return toView(row, last ? { status: last.status as DeliveryStatus, attempts: last.attempts, at: last.at } : null)
	})
}

async function findWebhook(orgId: string, webhookId: string, tx: Tx | typeof db = db): Promise<Webhook> {
	if (!isUuid(webhookId)) throw new UserFacingError(NOT_FOUND, 404)
	const [row] = await tx
		.select()
		.from(webhooks)
		.where(and(eq(webhooks.orgId, orgId), eq(webhooks.id, webhookId)))
	if (!row) throw new UserFacingError(NOT_FOUND, 404)
	return row
}

export async function getWebhook(orgId: string, webhookId: string): Promise<WebhookView> {
	return toView(await findWebhook(orgId, webhookId))
}

/**
 * Turns a webhook off (nothing more is queued for it, and what waits is
 * marked failed with the reason) or on again, with an audit event.
 */
export async function setWebhookDisabled(
	orgId: string,
	actorId: string,
	webhookId: string,
	disabled: boolean,
	now: Date = new Date(),
): Promise<WebhookView> {
	if (!isUuid(webhookId)) throw new UserFacingError(NOT_FOUND, 404)
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select()
			.from(webhooks)
			.where(and(eq(webhooks.orgId, orgId), eq(webhooks.id, webhookId)))
			.for('update')
		if (!row) throw new UserFacingError(NOT_FOUND, 404)
		if (disabled === (row.disabledAt !== null))
			throw new UserFacingError(`The webhook “${row.name}” is already ${disabled ? 'off' : 'on'}.`, 409)
		const [updated] = await tx
			.update(webhooks)
			.set({ disabledAt: disabled ? now : null })
			.where(and(eq(webhooks.orgId, orgId), eq(webhooks.id, webhookId)))
			.returning()
		if (disabled) {
			await tx
				.update(webhookDeliveries)
				.set({ status: 'failed', lastError: 'Not sent: the webhook was turned off.', lockedUntil: null })
				.where(
					and(
						eq(webhookDeliveries.orgId, orgId),
						eq(webhookDeliveries.webhookId, webhookId),
						eq(webhookDeliveries.status, 'pending'),
					),
				)
		}
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: disabled ? 'webhook.disabled' : 'webhook.enabled',
			subjectType: 'webhook',
			subjectId: webhookId,
			before: { disabledAt: row.disabledAt?.toISOString() ?? null },
			after: { name: row.name, disabledAt: updated!.disabledAt?.toISOString() ?? null },
		})
		return toView(updated!)
	})
}

/** Deletes a webhook and its delivery log, with an audit event naming it. */
export async function deleteWebhook(orgId: string, actorId: string, webhookId: string): Promise<{ name: string }> {
	if (!isUuid(webhookId)) throw new UserFacingError(NOT_FOUND, 404)
	return db.transaction(async (tx) => {
		const [row] = await tx
			.delete(webhooks)
			.where(and(eq(webhooks.orgId, orgId), eq(webhooks.id, webhookId)))
			.returning()
		if (!row) throw new UserFacingError(NOT_FOUND, 404)
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'webhook.deleted',
			subjectType: 'webhook',
			subjectId: webhookId,
			before: { name: row.name, address: maskWebhookUrl(row.url) },
		})
		return { name: row.name }
	})
}

// ── Queueing ────────────────────────────────────────────────────────────

/**
 * Queues the event for every active webhook of the organisation, in the
 * caller's transaction (it commits or rolls back with the change that caused
 * it). The body is serialised once and stored as sent. Answers the new
 * deliveries' ids (none when the organisation has no active webhook).
 */
export async function queueWebhookEvent(
	tx: Tx,
	orgId: string,
	event: WebhookEvent,
	now: Date = new Date(),
): Promise<string[]> {
	const targets = await tx
		.select({ id: webhooks.id, orgSlug: organizations.slug, orgName: organizations.name })
		.from(webhooks)
		.innerJoin(organizations, eq(organizations.id, webhooks.orgId))
		.where(and(eq(webhooks.orgId, orgId), isNull(webhooks.disabledAt)))
	if (targets.length === 0) return []
	const org = { slug: targets[0]!.orgSlug, name: targets[0]!.orgName }
	const body = webhookBody(event, { publicUrl: parseEnv().PUBLIC_URL, now, org })
	const reminderId = isUuid(event.reminderId) ? event.reminderId : null
	const rows = await tx
		.insert(webhookDeliveries)
		.values(targets.map((target) => ({ orgId, webhookId: target.id, reminderId, body, nextAttemptAt: now })))
		.returning({ id: webhookDeliveries.id })
	return rows.map((row) => row.id)
}

// ── Delivery ────────────────────────────────────────────────────────────

export type DeliveryPass = { delivered: number; failed: number; retrying: number }

export type DeliverOptions = OutboundOptions & {
	now?: Date
	/** Only these deliveries (the "send" buttons); otherwise every due one. */
	ids?: readonly string[]
	timeoutMs?: number
	log?: (message: string) => void
}

type Claimed = { id: string; body: string; attempts: number; url: string; secret: string; lockedUntil: Date }

/** Claims due rows atomically: a row another pass holds is skipped, not waited for. */
async function claim(now: Date, limit: number, ids: readonly string[] | undefined): Promise<Claimed[]> {
	const lockedUntil = new Date(now.getTime() + CLAIM_MS)
	return db.transaction(async (tx) => {
		const due = await tx
			.select({ id: webhookDeliveries.id })
			.from(webhookDeliveries)
			.innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
			.where(
				and(
					eq(webhookDeliveries.status, 'pending'),
					lte(webhookDeliveries.nextAttemptAt, now),
					or(isNull(webhookDeliveries.lockedUntil), lt(webhookDeliveries.lockedUntil, now)),
					isNull(webhooks.disabledAt),
					ids ? inArray(webhookDeliveries.id, [...ids]) : undefined,
				),
			)
			.orderBy(asc(webhookDeliveries.nextAttemptAt))
			.limit(limit)
			.for('update', { of: webhookDeliveries, skipLocked: true })
		if (due.length === 0) return []
		await tx
			.update(webhookDeliveries)
			.set({ lockedUntil })
			.where(
				inArray(
					webhookDeliveries.id,
					due.map((row) => row.id),
				),
			)
		const rows = await tx
			.select({
				id: webhookDeliveries.id,
				body: webhookDeliveries.body,
				attempts: webhookDeliveries.attempts,
				url: webhooks.url,
				secret: webhooks.secret,
			})
			.from(webhookDeliveries)
			.innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
			.where(
				inArray(
					webhookDeliveries.id,
					due.map((row) => row.id),
				),
			)
		return rows.map((row) => ({ ...row, lockedUntil }))
	})
}

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string }

async function send(row: Claimed, now: Date, options: DeliverOptions): Promise<Outcome> {
	try {
		const response = await outboundRequest(row.url, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				'Clearance-Delivery': row.id,
				'Clearance-Signature': signWebhook(row.secret, row.body, now),
			},
			body: row.body,
			timeoutMs: options.timeoutMs ?? SEND_TIMEOUT_MS,
			maxResponseBytes: ERROR_SNIPPET * 4,
			allowPrivate: options.allowPrivate,
			resolve: options.resolve,
		})
		if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status }
		const said = response.body
			.replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
			.trim()
			.slice(0, ERROR_SNIPPET)
		return { ok: false, status: response.status, error: `HTTP ${response.status}${said ? `: ${said}` : ''}` }
	} catch (error) {
		if (!(error instanceof OutboundError)) throw error
		return { ok: false, status: null, error: error.message }
	}
}

/** Records one attempt's outcome, only while this pass still holds the row. */
async function finish(row: Claimed, outcome: Outcome, now: Date): Promise<DeliveryStatus | null> {
	const attempts = row.attempts + 1
	const next = outcome.ok ? null : nextWebhookAttempt(attempts, now)
	const status: DeliveryStatus = outcome.ok ? 'delivered' : next ? 'pending' : 'failed'
	const updated = await db
		.update(webhookDeliveries)
		.set({
			status,
			attempts,
			lastStatusCode: outcome.status,
			lastError: outcome.ok ? null : outcome.error,
			nextAttemptAt: next ?? now,
			lockedUntil: null,
			deliveredAt: outcome.ok ? now : null,
		})
		.where(
			and(
				eq(webhookDeliveries.id, row.id),
				eq(webhookDeliveries.status, 'pending'),
				eq(webhookDeliveries.lockedUntil, row.lockedUntil),
			),
		)
		.returning({ id: webhookDeliveries.id })
	return updated.length ? status : null
}

/**
 * Sends every due delivery once (the scheduled job `webhooks`, and the
 * "send" buttons for one row): claims, posts, records. Answers how many were
 * delivered, given up (failed) and left for a retry.
 */
export async function deliverPendingWebhooks(options: DeliverOptions = {}): Promise<DeliveryPass> {
	const now = options.now ?? new Date()
	const log = options.log ?? ((message: string) => console.warn(message))
	const result: DeliveryPass = { delivered: 0, failed: 0, retrying: 0 }
	let handled = 0
	while (handled < PASS_LIMIT) {
		const batch = await claim(now, Math.min(CLAIM_BATCH, PASS_LIMIT - handled), options.ids)
		if (batch.length === 0) break
		handled += batch.length
		let next = 0
		const worker = async () => {
			while (next < batch.length) {
				const row = batch[next++]!
				const outcome = await send(row, now, options)
				const status = await finish(row, outcome, now)
				if (status === 'delivered') result.delivered++
				else if (status === 'failed') result.failed++
				else if (status === 'pending') result.retrying++
				if (!outcome.ok && status) {
					log(
						`Webhook delivery ${row.id}: attempt ${row.attempts + 1} failed (${outcome.error})${status === 'failed' ? '; giving up' : '; will retry'}.`,
					)
				}
			}
		}
		await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, batch.length) }, worker))
	}
	return result
}

// ── The pages' actions ──────────────────────────────────────────────────

/**
 * "Send a test message": queues a test event for this one webhook and sends
 * it at once (the admin is waiting for the answer). Answers the delivery as
 * recorded afterwards. A turned-off webhook is refused.
 */
export async function sendTestEvent(
	orgId: string,
	webhookId: string,
	actorId: string | null = null,
	options: DeliverOptions = {},
): Promise<WebhookDelivery> {
	const now = options.now ?? new Date()
	const id = await db.transaction(async (tx) => {
		const webhook = await findWebhook(orgId, webhookId, tx)
		if (webhook.disabledAt)
			throw new UserFacingError(`The webhook “${webhook.name}” is off: turn it on to send to it.`, 409)
		const [org] = await tx.select().from(organizations).where(eq(organizations.id, orgId))
		const body = webhookBody(
			{
				type: 'webhook.test',
				text: `Test message from Clearance: the webhook “${webhook.name}” of ${org!.name} works.`,
				subject: { type: 'webhook', id: webhook.id, name: webhook.name },
				link: `/o/${org!.slug}/webhooks/${webhook.id}`,
			},
			{ publicUrl: parseEnv().PUBLIC_URL, now, org: { slug: org!.slug, name: org!.name } },
		)
		const [row] = await tx
			.insert(webhookDeliveries)
			.values({ orgId, webhookId, body, nextAttemptAt: now })
			.returning({ id: webhookDeliveries.id })
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'webhook.test_sent',
			subjectType: 'webhook',
			subjectId: webhookId,
			after: { name: webhook.name },
		})
		return row!.id
	})
	await deliverPendingWebhooks({ ...options, now, ids: [id] })
	return getDelivery(orgId, id)
}

/**
 * "Send again": the same body as a new delivery (the old one and its history
 * stay as they were), sent at once, with an audit event.
 */
export async function resendDelivery(
	orgId: string,
	actorId: string,
	deliveryId: string,
	options: DeliverOptions = {},
): Promise<WebhookDelivery> {
	if (!isUuid(deliveryId)) throw new UserFacingError('No such delivery in this organisation.', 404)
	const now = options.now ?? new Date()
	const id = await db.transaction(async (tx) => {
		const [old] = await tx
			.select({ delivery: webhookDeliveries, webhook: webhooks })
			.from(webhookDeliveries)
			.innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
			.where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.id, deliveryId)))
		if (!old) throw new UserFacingError('No such delivery in this organisation.', 404)
		if (old.webhook.disabledAt)
			throw new UserFacingError(`The webhook “${old.webhook.name}” is off: turn it on to send to it.`, 409)
		// Still being tried: a second copy could reach the receiver twice. “Try now” sends this one.
		if (old.delivery.status === 'pending')
			throw new UserFacingError('This delivery is still being tried: use “Try now” to send it at once.', 409)
		const [row] = await tx
			.insert(webhookDeliveries)
			.values({
				orgId,
				webhookId: old.webhook.id,
				reminderId: old.delivery.reminderId,
				body: old.delivery.body,
				nextAttemptAt: now,
			})
			.returning({ id: webhookDeliveries.id })
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'webhook.delivery_resent',
			subjectType: 'webhook',
			subjectId: old.webhook.id,
			after: { name: old.webhook.name, message: deliveryText(old.delivery.body) },
		})
		return row!.id
	})
	await deliverPendingWebhooks({ ...options, now, ids: [id] })
	return getDelivery(orgId, id)
}

/**
 * "Try now": a delivery still waiting for its next attempt is made due at
 * once and sent (the same delivery, so the receiver can still dedupe it),
 * with an audit event. One another pass holds right now is left to it.
 */
export async function retryDeliveryNow(
	orgId: string,
	actorId: string,
	deliveryId: string,
	options: DeliverOptions = {},
): Promise<WebhookDelivery> {
	if (!isUuid(deliveryId)) throw new UserFacingError('No such delivery in this organisation.', 404)
	const now = options.now ?? new Date()
	await db.transaction(async (tx) => {
		const [found] = await tx
			.select({ delivery: webhookDeliveries, webhook: webhooks })
			.from(webhookDeliveries)
			.innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
			.where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.id, deliveryId)))
			.for('update', { of: webhookDeliveries })
		if (!found) throw new UserFacingError('No such delivery in this organisation.', 404)
		if (found.webhook.disabledAt)
			throw new UserFacingError(`The webhook “${found.webhook.name}” is off: turn it on to send to it.`, 409)
		if (found.delivery.status !== 'pending')
			throw new UserFacingError(
				found.delivery.status === 'delivered'
					? 'This delivery was delivered already: use “Send again” to post it once more.'
					: 'This delivery was given up: use “Send again” to post it as a new delivery.',
				409,
			)
		if (found.delivery.lockedUntil && found.delivery.lockedUntil > now)
			throw new UserFacingError('This delivery is being sent right now: reload the page in a moment.', 409)
		await tx
			.update(webhookDeliveries)
			.set({ nextAttemptAt: now })
			.where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.id, deliveryId)))
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'webhook.delivery_retried',
			subjectType: 'webhook',
			subjectId: found.webhook.id,
			after: { name: found.webhook.name, message: deliveryText(found.delivery.body) },
		})
	})
	await deliverPendingWebhooks({ ...options, now, ids: [deliveryId] })
	return getDelivery(orgId, deliveryId)
}

async function getDelivery(orgId: string, deliveryId: string): Promise<WebhookDelivery> {
	const [row] = await db
		.select()
		.from(webhookDeliveries)
		.where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.id, deliveryId)))
	if (!row) throw new UserFacingError('No such delivery in this organisation.', 404)
	return row
}

/** The message a stored body carries, for the log (the body is Clearance's own JSON). */
export function deliveryText(body: string): string {
	try {
		const parsed = JSON.parse(body) as { event?: { text?: unknown; type?: unknown } }
		return typeof parsed.event?.text === 'string' ? parsed.event.text : ''
	} catch {
		return ''
	}
}

function deliveryType(body: string): string {
	try {
		const parsed = JSON.parse(body) as { event?: { type?: unknown } }
		return typeof parsed.event?.type === 'string' ? parsed.event.type : ''
	} catch {
		return ''
	}
}

export type DeliveryView = Omit<WebhookDelivery, 'body' | 'lockedUntil'> & { type: string; text: string }

export const DELIVERIES_PER_PAGE = 25

/** One page of a webhook's delivery log, newest first. */
export async function listDeliveries(
	orgId: string,
	webhookId: string,
	page = 1,
	perPage = DELIVERIES_PER_PAGE,
): Promise<{ webhook: WebhookView; deliveries: DeliveryView[]; total: number; page: number; pageCount: number }> {
	const webhook = await findWebhook(orgId, webhookId)
	const where = and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.webhookId, webhookId))
	const [{ total }] = (await db.select({ total: count() }).from(webhookDeliveries).where(where)) as [{ total: number }]
	const pageCount = Math.max(1, Math.ceil(total / perPage))
	const current = Math.min(Math.max(1, Math.floor(page) || 1), pageCount)
	const rows = await db
		.select()
		.from(webhookDeliveries)
		.where(where)
		.orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
		.limit(perPage)
		.offset((current - 1) * perPage)
	return {
		webhook: toView(webhook),
		deliveries: rows.map(({ body, lockedUntil: _lock, ...row }) => ({
			...row,
			type: deliveryType(body),
			text: deliveryText(body),
		})),
		total,
		page: current,
		pageCount,
	}
}
