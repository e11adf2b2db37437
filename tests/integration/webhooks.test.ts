import { createHmac } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents, webhookDeliveries, webhooks } from '#db/schema'
import { WEBHOOK_MAX_ATTEMPTS } from '~/domain/webhooks'
import {
	createWebhook,
	deleteWebhook,
	deliverPendingWebhooks,
	listDeliveries,
	listWebhooks,
	queueWebhookEvent,
	resendDelivery,
	retryDeliveryNow,
	sendTestEvent,
	setWebhookDisabled,
	verifyWebhookSignature,
} from '~/services/webhooks.server'
import { UserFacingError } from '~/utils/errors'
import { createOrg } from '../fixtures/world'
import { startReceiver } from './webhook-helpers'

// Issue 13, outgoing webhooks: signed, retried with backoff from a durable outbox, never doubled, logged.

const quiet = { log: () => {} }
const MINUTE = 60_000

let receivers: Awaited<ReturnType<typeof startReceiver>>[] = []
async function receiver(...args: Parameters<typeof startReceiver>) {
	const started = await startReceiver(...args)
	receivers.push(started)
	return started
}

const saved = { OUTBOUND_ALLOW_PRIVATE: process.env.OUTBOUND_ALLOW_PRIVATE, PUBLIC_URL: process.env.PUBLIC_URL }
beforeEach(() => {
	// The receiver listens on 127.0.0.1, which only this setting lets Clearance post to.
	process.env.OUTBOUND_ALLOW_PRIVATE = 'true'
	process.env.PUBLIC_URL = 'https://clearance.example'
})
afterEach(async () => {
	for (const [key, value] of Object.entries(saved)) {
		if (value === undefined) delete process.env[key]
		else process.env[key] = value
	}
	await Promise.all(receivers.map((started) => started.close()))
	receivers = []
})

function reminderEvent(text = 'Report personal data for Acme Sync by 7 March') {
	return {
		type: 'reminder.reporting_due',
		text,
		subject: { type: 'app', id: 'app-1', name: 'Acme Sync' },
		dueOn: '2025-03-07',
		link: '/o/acme/apps/app-1/reporting',
	}
}

async function queue(orgId: string, event = reminderEvent(), now?: Date) {
	return db.transaction((tx) => queueWebhookEvent(tx, orgId, event, now))
}

async function world(url: string) {
	const { org, admin } = await createOrg('Hooked Apps')
	const { secret, webhook } = await createWebhook(org.id, admin.id, { name: '#compliance', url })
	return { org, admin, secret, webhook }
}

async function deliveries() {
	return db.select().from(webhookDeliveries)
}

describe('outgoing webhooks', () => {
	it('delivers the stored body, signed with the secret over the timestamp and the body', async () => {
		const hook = await receiver()
		const { org, secret } = await world(hook.url)
		expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
		const [id] = await queue(org.id)

		const now = new Date()
		expect(await deliverPendingWebhooks({ now, ...quiet })).toEqual({ delivered: 1, failed: 0, retrying: 0 })
		expect(hook.received).toHaveLength(1)
		const [got] = hook.received
		const [row] = await deliveries()
		expect(got!.method).toBe('POST')
		expect(got!.headers['content-type']).toBe('application/json')
		expect(got!.headers['clearance-delivery']).toBe(id)
		expect(got!.body).toBe(row!.body)
		const body = JSON.parse(got!.body)
		expect(body.text).toBe(
			'Report personal data for Acme Sync by 7 March\n<https://clearance.example/o/acme/apps/app-1/reporting|Open in Clearance>',
		)
		expect(body.event).toMatchObject({
			type: 'reminder.reporting_due',
			link: 'https://clearance.example/o/acme/apps/app-1/reporting',
			subject: { type: 'app', id: 'app-1', name: 'Acme Sync' },
			dueOn: '2025-03-07',
			organization: { slug: org.slug, name: 'Hooked Apps' },
		})

		// What a receiver does: HMAC-SHA256 of "<t>.<body>" with the secret, and t within 5 minutes.
		const signature = String(got!.headers['clearance-signature'])
		const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)
		expect(match).not.toBeNull()
		const t = Number(match![1])
		expect(Math.abs(t - Math.floor(now.getTime() / 1000))).toBeLessThanOrEqual(1)
		expect(match![2]).toBe(createHmac('sha256', secret).update(`${t}.${got!.body}`).digest('hex'))
		expect(verifyWebhookSignature(secret, signature, got!.body, now)).toBe(true)
		expect(verifyWebhookSignature(secret, signature, `${got!.body} `, now)).toBe(false)
		expect(verifyWebhookSignature('whsec_other', signature, got!.body, now)).toBe(false)
		expect(verifyWebhookSignature(secret, signature, got!.body, new Date(now.getTime() + 6 * MINUTE))).toBe(false)

		expect(row).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null })
		// A delivered row is never sent again.
		expect(await deliverPendingWebhooks({ now: new Date(now.getTime() + 60 * MINUTE), ...quiet })).toEqual({
			delivered: 0,
			failed: 0,
			retrying: 0,
		})
		expect(hook.received).toHaveLength(1)
	})

	it('retries a failing receiver with backoff, logs attempts and the last error, then delivers', async () => {
		const hook = await receiver(() => 500)
		const { org } = await world(hook.url)
		const start = new Date('2030-01-01T09:00:00Z')
		await queue(org.id, reminderEvent(), start)

		expect(await deliverPendingWebhooks({ now: start, ...quiet })).toEqual({ delivered: 0, failed: 0, retrying: 1 })
		let [row] = await deliveries()
		expect(row).toMatchObject({
			status: 'pending',
			attempts: 1,
			lastStatusCode: 500,
			lastError: 'HTTP 500: receiver says no',
			nextAttemptAt: new Date(start.getTime() + MINUTE),
		})
		// Not due yet: nothing is sent.
		await deliverPendingWebhooks({ now: new Date(start.getTime() + 30_000), ...quiet })
		expect(hook.received).toHaveLength(1)
		// One minute later: the second attempt; then two minutes after that, the third.
		await deliverPendingWebhooks({ now: new Date(start.getTime() + MINUTE), ...quiet })
		;[row] = await deliveries()
		expect(row).toMatchObject({ attempts: 2, nextAttemptAt: new Date(start.getTime() + 3 * MINUTE) })
		hook.answer(() => 204)
		expect(await deliverPendingWebhooks({ now: new Date(start.getTime() + 3 * MINUTE), ...quiet })).toEqual({
			delivered: 1,
			failed: 0,
			retrying: 0,
		})
		;[row] = await deliveries()
		expect(row).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204, lastError: null })
		expect(hook.received).toHaveLength(3)
		// Every attempt is the same delivery: a receiver dedupes on its id.
		expect(new Set(hook.received.map((got) => got.headers['clearance-delivery']))).toEqual(new Set([row!.id]))
	})

	it(`gives up after ${WEBHOOK_MAX_ATTEMPTS} attempts and says why`, async () => {
		const hook = await receiver(() => 503)
		const { org } = await world(hook.url)
		let now = new Date('2030-01-01T09:00:00Z')
		await queue(org.id, reminderEvent(), now)
		let last = { delivered: 0, failed: 0, retrying: 0 }
		for (let attempt = 1; attempt <= WEBHOOK_MAX_ATTEMPTS; attempt++) {
			last = await deliverPendingWebhooks({ now, ...quiet })
			const [row] = await deliveries()
			now = row!.nextAttemptAt
		}
		expect(last).toEqual({ delivered: 0, failed: 1, retrying: 0 })
		const [row] = await deliveries()
		expect(row).toMatchObject({ status: 'failed', attempts: WEBHOOK_MAX_ATTEMPTS, lastStatusCode: 503 })
		await deliverPendingWebhooks({ now: new Date(now.getTime() + 24 * 60 * MINUTE), ...quiet })
		expect(hook.received).toHaveLength(WEBHOOK_MAX_ATTEMPTS)
	})

	it('two delivery passes at once send each delivery once', async () => {
		const hook = await receiver()
		const { org } = await world(hook.url)
		for (let i = 0; i < 6; i++) await queue(org.id, reminderEvent(`Reminder ${i}`))
		const now = new Date()
		const [first, second] = await Promise.all([
			deliverPendingWebhooks({ now, ...quiet }),
			deliverPendingWebhooks({ now, ...quiet }),
		])
		expect(first!.delivered + second!.delivered).toBe(6)
		expect(hook.received).toHaveLength(6)
		expect(new Set(hook.received.map((got) => got.headers['clearance-delivery'])).size).toBe(6)
		expect((await deliveries()).every((row) => row.status === 'delivered' && row.attempts === 1)).toBe(true)
	})

	it('a crashed pass loses nothing: its claimed row is sent once the claim expires', async () => {
		const hook = await receiver()
		const { org } = await world(hook.url)
		const now = new Date('2030-01-01T09:00:00Z')
		const [id] = await queue(org.id, reminderEvent(), now)
		// A pass claimed the row and died before sending.
		await db
			.update(webhookDeliveries)
			.set({ lockedUntil: new Date(now.getTime() + 5 * MINUTE) })
			.where(eq(webhookDeliveries.id, id!))
		expect((await deliverPendingWebhooks({ now, ...quiet })).delivered).toBe(0)
		expect(hook.received).toHaveLength(0)
		expect((await deliverPendingWebhooks({ now: new Date(now.getTime() + 6 * MINUTE), ...quiet })).delivered).toBe(1)
		expect(hook.received).toHaveLength(1)
	})

	it('writes deliveries in the caller’s transaction, for active webhooks only', async () => {
		const hook = await receiver()
		const { org, admin, webhook } = await world(hook.url)
		const second = await createWebhook(org.id, admin.id, { name: 'Ops', url: hook.url })
		await expect(
			db.transaction(async (tx) => {
				await queueWebhookEvent(tx, org.id, reminderEvent())
				throw new Error('the reminder pass failed')
			}),
		).rejects.toThrow('the reminder pass failed')
		expect(await deliveries()).toHaveLength(0)

		await setWebhookDisabled(org.id, admin.id, second.webhook.id, true)
		const ids = await queue(org.id)
		expect(ids).toHaveLength(1)
		expect((await deliveries())[0]!.webhookId).toBe(webhook.id)
		const other = await createOrg('Other Apps')
		expect(await queue(other.org.id)).toEqual([])
	})

	it('refuses a private address without OUTBOUND_ALLOW_PRIVATE, at registration and when sending', async () => {
		const hook = await receiver()
		const { org, admin } = await world(hook.url)
		delete process.env.OUTBOUND_ALLOW_PRIVATE
		const refused = await createWebhook(org.id, admin.id, { name: 'Local', url: hook.url }).catch((error) => error)
		expect(refused).toBeInstanceOf(UserFacingError)
		expect(refused).toMatchObject({
			status: 400,
			field: 'url',
			message:
				'Clearance does not send to 127.0.0.1: it is this machine (a loopback address). Use an address on the public internet.',
		})
		expect(await db.select().from(webhooks)).toHaveLength(1)

		// Registered while allowed, sent when not: refused at send time, nothing reaches the receiver.
		await queue(org.id)
		expect(await deliverPendingWebhooks(quiet)).toEqual({ delivered: 0, failed: 0, retrying: 1 })
		expect(hook.received).toHaveLength(0)
		const [row] = await deliveries()
		expect(row!.lastError).toMatch(/does not send to 127\.0\.0\.1/)
		expect(row!.lastStatusCode).toBeNull()
	})

	it('checks the addresses a name resolves to when connecting (DNS rebinding)', async () => {
		const hook = await receiver()
		const { org, admin } = await createOrg('Rebound Apps')
		const url = `http://hooks.rebind.test:${hook.port}/hook`
		// At registration the name is public…
		await createWebhook(
			org.id,
			admin.id,
			{ name: 'Rebind', url },
			{ allowPrivate: false, resolve: async () => [{ address: '93.184.215.14', family: 4 }] },
		)
		await queue(org.id)
		// …when sending it points at this machine: the connection is refused.
		const loopback = async () => [{ address: '127.0.0.1', family: 4 }]
		expect(await deliverPendingWebhooks({ allowPrivate: false, resolve: loopback, ...quiet })).toMatchObject({
			retrying: 1,
		})
		expect(hook.received).toHaveLength(0)
		expect((await deliveries())[0]!.lastError).toBe(
			'Clearance does not send to hooks.rebind.test: it is this machine (a loopback address). Use an address on the public internet.',
		)
		// The same lookup, allowed, connects to what it resolved: the check is on the socket's own lookup.
		const later = new Date(Date.now() + 2 * MINUTE)
		expect(await deliverPendingWebhooks({ now: later, allowPrivate: true, resolve: loopback, ...quiet })).toMatchObject(
			{ delivered: 1 },
		)
		expect(hook.received).toHaveLength(1)
	})

	it('gives up waiting after the timeout and logs it', async () => {
		const hook = await receiver(() => 'hang')
		const { org } = await world(hook.url)
		await queue(org.id)
		expect(await deliverPendingWebhooks({ timeoutMs: 1000, ...quiet })).toMatchObject({ retrying: 1 })
		expect((await deliveries())[0]).toMatchObject({ lastError: 'No answer within 1 second.', lastStatusCode: null })
	})

	it('sends a test message at once; “Try now” sends a waiting delivery, “Send again” a finished one as a new delivery', async () => {
		const hook = await receiver(() => 500)
		const { org, admin, webhook } = await world(hook.url)
		const failed = await sendTestEvent(org.id, webhook.id, admin.id, quiet)
		expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500: receiver says no' })
		expect(JSON.parse(hook.received[0]!.body).event.type).toBe('webhook.test')

		// Still being tried: a copy could reach the receiver twice, so it is refused.
		await expect(resendDelivery(org.id, admin.id, failed.id, quiet)).rejects.toMatchObject({
			status: 409,
			message: 'This delivery is still being tried: use “Try now” to send it at once.',
		})
		hook.answer(() => 200)
		const now = await retryDeliveryNow(org.id, admin.id, failed.id, quiet)
		expect(now).toMatchObject({ id: failed.id, status: 'delivered', attempts: 2, lastError: null })
		expect(hook.received.map((got) => got.headers['clearance-delivery'])).toEqual([failed.id, failed.id])
		await expect(retryDeliveryNow(org.id, admin.id, failed.id, quiet)).rejects.toMatchObject({ status: 409 })

		const again = await resendDelivery(org.id, admin.id, failed.id, quiet)
		expect(again.id).not.toBe(failed.id)
		expect(again).toMatchObject({ status: 'delivered', attempts: 1, body: failed.body })
		expect(hook.received).toHaveLength(3)
		// The first delivery keeps its history.
		const log = await listDeliveries(org.id, webhook.id)
		expect(log.total).toBe(2)
		expect(log.deliveries.map((row) => [row.status, row.attempts]).sort()).toEqual([
			['delivered', 1],
			['delivered', 2],
		])
		expect(log.deliveries[0]).toMatchObject({ type: 'webhook.test', text: expect.stringMatching(/works/) })

		const actions = (await db.select().from(auditEvents)).map((event) => event.action)
		expect(actions).toEqual(
			expect.arrayContaining([
				'webhook.created',
				'webhook.test_sent',
				'webhook.delivery_retried',
				'webhook.delivery_resent',
			]),
		)
		// Another organisation's delivery is not found.
		const other = await createOrg('Other Apps')
		await expect(resendDelivery(other.org.id, other.admin.id, failed.id, quiet)).rejects.toMatchObject({ status: 404 })
		await expect(retryDeliveryNow(other.org.id, other.admin.id, failed.id, quiet)).rejects.toMatchObject({
			status: 404,
		})
	})

	it('turning a webhook off marks what waits as not sent; deleting removes it and its log, audited', async () => {
		const hook = await receiver()
		const { org, admin, webhook, secret } = await world(hook.url)
		await queue(org.id)
		await setWebhookDisabled(org.id, admin.id, webhook.id, true)
		expect(await deliverPendingWebhooks(quiet)).toEqual({ delivered: 0, failed: 0, retrying: 0 })
		expect((await deliveries())[0]).toMatchObject({
			status: 'failed',
			lastError: 'Not sent: the webhook was turned off.',
		})
		await expect(sendTestEvent(org.id, webhook.id, admin.id, quiet)).rejects.toMatchObject({ status: 409 })
		const [listed] = await listWebhooks(org.id)
		expect(listed).toMatchObject({ name: '#compliance', disabledAt: expect.any(Date) })
		expect(JSON.stringify(listed)).not.toContain(secret)

		await deleteWebhook(org.id, admin.id, webhook.id)
		expect(await db.select().from(webhooks)).toHaveLength(0)
		expect(await deliveries()).toHaveLength(0)
		const actions = (await db.select().from(auditEvents)).map((event) => event.action)
		expect(actions).toEqual(expect.arrayContaining(['webhook.created', 'webhook.disabled', 'webhook.deleted']))
		const events = JSON.stringify(await db.select().from(auditEvents))
		expect(events).not.toContain(secret)
	})
})
