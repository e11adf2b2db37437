import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents, webhookDeliveries, webhooks } from '#db/schema'
import * as auditPage from '~/routes/o.$org.audit'
import * as deliveryPage from '~/routes/o.$org.webhooks.$webhookId'
import * as page from '~/routes/o.$org.webhooks._index'
import { queueWebhookEvent } from '~/services/webhooks.server'
import { renderRoute } from '../fixtures/render'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'
import { startReceiver } from './webhook-helpers'

// Issue 13, outgoing webhooks: the pages an admin registers, tests and reads the delivery log on.

type Answer = {
	created?: { name: string; secret: string; id: string }
	errors?: Record<string, string>
	formError?: string | null
	notice?: string
	noticeTone?: string
}

let receivers: Awaited<ReturnType<typeof startReceiver>>[] = []
const savedFlag = process.env.OUTBOUND_ALLOW_PRIVATE
beforeEach(() => {
	process.env.OUTBOUND_ALLOW_PRIVATE = 'true'
})
afterEach(async () => {
	if (savedFlag === undefined) delete process.env.OUTBOUND_ALLOW_PRIVATE
	else process.env.OUTBOUND_ALLOW_PRIVATE = savedFlag
	await Promise.all(receivers.map((started) => started.close()))
	receivers = []
})

async function adminWorld(answer?: Parameters<typeof startReceiver>[0]) {
	const hook = await startReceiver(answer)
	receivers.push(hook)
	const { org, admin } = await createOrg('Hooked Apps')
	const { cookie } = await cookieFor(admin.id)
	const url = `/o/${org.slug}/webhooks`
	return { hook, org, admin, cookie, url, params: { org: org.slug } }
}

async function register(world: Awaited<ReturnType<typeof adminWorld>>, name = '#compliance', address?: string) {
	const outcome = await runRoute(
		page.action,
		makeRequest(world.url, { cookie: world.cookie, form: { intent: 'create', name, url: address ?? world.hook.url } }),
		world.params,
	)
	return { ...outcome, answer: outcome.data as Answer }
}

describe('webhooks page', () => {
	it('is for admins: a vendor is refused with 403 and nothing is registered', async () => {
		const world = await adminWorld()
		const vendor = await addMember(world.org.id, ['member', 'reviewer'])
		const { cookie } = await cookieFor(vendor.id)
		expect((await runRoute(page.loader, makeRequest(world.url, { cookie }), world.params)).status).toBe(403)
		const post = makeRequest(world.url, { cookie, form: { intent: 'create', name: 'Sneaky', url: world.hook.url } })
		expect((await runRoute(page.action, post, world.params)).status).toBe(403)
		expect(await db.select().from(webhooks)).toHaveLength(0)
		const [denied] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'permission.denied'))
		expect(denied?.after).toMatchObject({ permission: 'webhooks:manage' })
	})

	it('shows the signing secret once, and the list afterwards without it', async () => {
		const world = await adminWorld()
		const created = await register(world)
		expect(created.status).toBe(200)
		const secret = created.answer.created!.secret
		expect(secret).toMatch(/^whsec_/)
		const [row] = await db.select().from(webhooks)
		expect(row).toMatchObject({ name: '#compliance', url: world.hook.url, secret, createdBy: world.admin.id })

		const listed = await runRoute(page.loader, makeRequest(world.url, { cookie: world.cookie }), world.params)
		expect(JSON.stringify(listed.data)).not.toContain(secret)
		const html = await renderRoute(page.default, listed.data)
		expect(html).toContain('#compliance')
		expect(html).toContain(`http://127.0.0.1:${world.hook.port}/hook`)
		expect(html).not.toContain(secret)
		expect(html).toContain('None yet')
		const once = await renderRoute(page.default, listed.data, created.data)
		expect(once).toContain('it is shown only once')
		expect(once).toContain(secret)
		const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'webhook.created'))
		expect(JSON.stringify(event)).not.toContain(secret)
	})

	it('refuses a bad or private address with the message under the field', async () => {
		const world = await adminWorld()
		const syntax = await register(world, 'FTP', 'ftp://files.example/hook')
		expect(syntax.status).toBe(400)
		expect(syntax.answer.errors).toEqual({ url: 'Enter a full URL starting with https://' })

		delete process.env.OUTBOUND_ALLOW_PRIVATE
		const local = await register(world, 'Local')
		expect(local.status).toBe(400)
		expect(local.answer.errors).toEqual({
			url: 'Clearance does not send to 127.0.0.1: it is this machine (a loopback address). Use an address on the public internet.',
		})
		const metadata = await register(world, 'Metadata', 'http://169.254.169.254/latest/meta-data/')
		expect(metadata.answer.errors?.url).toMatch(/link-local address/)
		const noName = await register(world, ' ', 'https://hooks.example/x')
		expect(noName.answer.errors?.name).toMatch(/Name the webhook/)
		expect(await db.select().from(webhooks)).toHaveLength(0)
		// What was typed comes back, so nothing is lost.
		const html = await renderRoute(
			page.default,
			(await runRoute(page.loader, makeRequest(world.url, { cookie: world.cookie }), world.params)).data,
			local.data,
		)
		expect(html).toContain('it is this machine (a loopback address)')
	})

	it('sends a test message and the delivery page lists it; a failing one shows the attempts and the error', async () => {
		const world = await adminWorld()
		const created = await register(world)
		const webhookId = created.answer.created!.id
		const test = await runRoute(
			page.action,
			makeRequest(world.url, { cookie: world.cookie, form: { intent: 'test', webhookId } }),
			world.params,
		)
		expect(test.data).toMatchObject({ notice: 'The test message was delivered.', noticeTone: 'ok' })
		expect(world.hook.received).toHaveLength(1)

		world.hook.answer(() => 500)
		const failing = await runRoute(
			deliveryPage.action,
			makeRequest(`${world.url}/${webhookId}`, { cookie: world.cookie, form: { intent: 'test' } }),
			{ ...world.params, webhookId },
		)
		expect((failing.data as Answer).notice).toBe(
			'The test message was not delivered yet (HTTP 500: receiver says no). Clearance tries again in a minute, up to 8 attempts in all.',
		)

		const log = await runRoute(
			deliveryPage.loader,
			makeRequest(`${world.url}/${webhookId}`, { cookie: world.cookie }),
			{ ...world.params, webhookId },
		)
		expect(log.status).toBe(200)
		const data = log.data as { total: number; deliveries: { status: string; attempts: number; lastError: string }[] }
		expect(data.total).toBe(2)
		expect(data.deliveries.map((row) => [row.status, row.attempts, row.lastError])).toEqual([
			['pending', 1, 'HTTP 500: receiver says no'],
			['delivered', 1, null],
		])
		const html = await renderRoute(deliveryPage.default, log.data)
		expect(html).toContain('Retrying')
		expect(html).toContain('Delivered')
		expect(html).toContain('1 attempt<')
		expect(html).toContain('HTTP 500')
		// A waiting delivery is tried now; a delivered one is sent again.
		expect(html).toContain('>Try now<')
		expect(html).toContain('>Send again<')

		// The list shows the latest delivery.
		const list = await renderRoute(
			page.default,
			(await runRoute(page.loader, makeRequest(world.url, { cookie: world.cookie }), world.params)).data,
		)
		expect(list).toContain('Retrying')
	})

	it('“Send again” queues a new delivery and keeps the old one; audited', async () => {
		const world = await adminWorld(() => 500)
		const webhookId = (await register(world)).answer.created!.id
		await db.transaction((tx) =>
			queueWebhookEvent(tx, world.org.id, {
				type: 'reminder.reporting_due',
				text: 'Report personal data for Acme Sync by 7 March',
				subject: { type: 'app', id: 'app-1', name: 'Acme Sync' },
			}),
		)
		const [first] = await db.select().from(webhookDeliveries)
		// Given up after its attempts.
		await db
			.update(webhookDeliveries)
			.set({ status: 'failed', attempts: 8, lastStatusCode: 500, lastError: 'HTTP 500: receiver says no' })
			.where(eq(webhookDeliveries.id, first!.id))
		world.hook.answer(() => 200)
		const again = await runRoute(
			deliveryPage.action,
			makeRequest(`${world.url}/${webhookId}`, {
				cookie: world.cookie,
				form: { intent: 'resend', deliveryId: first!.id },
			}),
			{ ...world.params, webhookId },
		)
		expect(again.data).toMatchObject({ notice: 'The message was delivered.' })
		const rows = await db.select().from(webhookDeliveries)
		expect(rows).toHaveLength(2)
		expect(rows.find((row) => row.id === first!.id)).toMatchObject({ status: 'failed', attempts: 8 })
		expect(world.hook.received).toHaveLength(1)
		expect(JSON.parse(world.hook.received[0]!.body).event.text).toBe('Report personal data for Acme Sync by 7 March')

		// The audit log names the webhook and links to its log.
		const audit = await runRoute(
			auditPage.loader,
			makeRequest(`/o/${world.org.slug}/audit`, { cookie: world.cookie }),
			world.params,
		)
		const events = (
			audit.data as { events: { action: string; summary: string; subject: { label: string; href: string } }[] }
		).events
		const resent = events.find((event) => event.action === 'webhook.delivery_resent')
		expect(resent).toMatchObject({
			summary: 'Sent a webhook delivery again',
			subject: { label: 'Webhook “#compliance”', href: `/o/${world.org.slug}/webhooks/${webhookId}` },
		})
	})

	it('pages the delivery log, newest first', async () => {
		const world = await adminWorld()
		const webhookId = (await register(world)).answer.created!.id
		await db.insert(webhookDeliveries).values(
			Array.from({ length: 30 }, (_, i) => ({
				orgId: world.org.id,
				webhookId,
				body: JSON.stringify({ text: `Reminder ${i}`, event: { type: 'reminder.task_due', text: `Reminder ${i}` } }),
				status: 'delivered',
				attempts: 1,
				createdAt: new Date(Date.UTC(2025, 0, 1, 0, i)),
			})),
		)
		const second = await runRoute(
			deliveryPage.loader,
			makeRequest(`${world.url}/${webhookId}?page=2`, { cookie: world.cookie }),
			{ ...world.params, webhookId },
		)
		const data = second.data as { page: number; pageCount: number; deliveries: { text: string }[] }
		expect(data).toMatchObject({ page: 2, pageCount: 2 })
		expect(data.deliveries.map((row) => row.text)).toEqual([
			'Reminder 4',
			'Reminder 3',
			'Reminder 2',
			'Reminder 1',
			'Reminder 0',
		])
		const html = await renderRoute(deliveryPage.default, second.data)
		expect(html).toContain('Page 2 of 2')
		expect(html).toContain('Newer deliveries')
		expect(html).toContain('30 deliveries')
	})

	it('another organisation’s webhook is a 404; turning off and deleting say so', async () => {
		const world = await adminWorld()
		const webhookId = (await register(world)).answer.created!.id
		const other = await createOrg('Other Apps')
		const { cookie } = await cookieFor(other.admin.id)
		const foreign = await runRoute(
			deliveryPage.loader,
			makeRequest(`/o/${other.org.slug}/webhooks/${webhookId}`, { cookie }),
			{ org: other.org.slug, webhookId },
		)
		expect(foreign.status).toBe(404)
		const off = await runRoute(
			page.action,
			makeRequest(world.url, { cookie: world.cookie, form: { intent: 'disable', webhookId } }),
			world.params,
		)
		expect((off.data as Answer).notice).toMatch(/is off/)
		const html = await renderRoute(
			page.default,
			(await runRoute(page.loader, makeRequest(world.url, { cookie: world.cookie }), world.params)).data,
		)
		expect(html).toContain('Turn on')
		const gone = await runRoute(
			page.action,
			makeRequest(world.url, { cookie: world.cookie, form: { intent: 'delete', webhookId } }),
			world.params,
		)
		expect((gone.data as Answer).notice).toBe('The webhook “#compliance” and its delivery log are deleted.')
		const again = await runRoute(
			page.action,
			makeRequest(world.url, { cookie: world.cookie, form: { intent: 'delete', webhookId } }),
			world.params,
		)
		expect(again.status).toBe(404)
		expect((again.data as Answer).formError).toBe('No such webhook in this organisation.')
	})
})
