import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents, reportingConnections } from '#db/schema'
import * as reportingPage from '~/routes/o.$org.apps.$appId_.reporting'
import * as page from '~/routes/o.$org.apps.$appId_.reporting_.connection'
import * as auditPage from '~/routes/o.$org.audit'
import { markBroken } from '~/services/reporting-connection.server'
import { renderRoute } from '../fixtures/render'
import { createTestApp } from '../fixtures/requests'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

const saved = { key: process.env.CLEARANCE_SECRET_KEY, outbound: process.env.OUTBOUND_ALLOW_PRIVATE }
afterAll(() => {
	if (saved.key === undefined) delete process.env.CLEARANCE_SECRET_KEY
	else process.env.CLEARANCE_SECRET_KEY = saved.key
	if (saved.outbound === undefined) delete process.env.OUTBOUND_ALLOW_PRIVATE
	else process.env.OUTBOUND_ALLOW_PRIVATE = saved.outbound
})
beforeEach(() => {
	process.env.CLEARANCE_SECRET_KEY = randomBytes(32).toString('base64')
	process.env.OUTBOUND_ALLOW_PRIVATE = 'true'
})

const CLIENT_SECRET = 'cs-page-client-secret-0123456789'
const REFRESH_TOKEN = 'rt-page-refresh-token-0123456789'
const TRIGGER_SECRET = 'wt-page-trigger-secret-0123456789'
const SHARED_SECRET = 'ss-page-shared-secret-0123456789'
const SECRETS = [CLIENT_SECRET, REFRESH_TOKEN, TRIGGER_SECRET, SHARED_SECRET]

function expectNoSecret(what: string, value: unknown) {
	const text = typeof value === 'string' ? value : JSON.stringify(value)
	for (const secret of SECRETS) expect(text, `${what} holds a secret`).not.toContain(secret)
}

async function world() {
	const { org, admin } = await createOrg('Connected Apps')
	const app = await createTestApp(org.id, admin.id, { appType: 'connect', appKey: 'com.acme.mail-bridge' })
	const { cookie } = await cookieFor(admin.id)
	const url = `/o/${org.slug}/apps/${app.id}/reporting/connection`
	return { org, admin, app, cookie, url, params: { org: org.slug, appId: app.id } }
}

describe('reporting connection card and route', () => {
	it('an admin saves an OAuth connection: the page says saved and shows the settings, never a secret', async () => {
		const { cookie, url, params } = await world()
		const empty = await runRoute(page.loader, makeRequest(url, { cookie }), params)
		const emptyHtml = await renderRoute(page.default, empty.data)
		expect(emptyHtml).toContain('Not set: Clearance does not send this app’s reports itself.')
		expect(emptyHtml).toContain('Set the connection')

		const answer = await runRoute(
			page.action,
			makeRequest(url, {
				cookie,
				form: {
					intent: 'save',
					kind: 'oauth2',
					clientId: 'client-abc',
					clientSecret: CLIENT_SECRET,
					refreshToken: REFRESH_TOKEN,
					url: '',
					secret: '',
					baseUrl: '',
					sharedSecret: '',
				},
			}),
			params,
		)
		expect(answer.status, JSON.stringify(answer.data)).toBe(200)
		expect(answer.data).toMatchObject({ notice: expect.stringContaining('Connection saved') })
		expectNoSecret('the answer', answer.data)

		const loaded = await runRoute(page.loader, makeRequest(url, { cookie }), params)
		expectNoSecret('the loader data', loaded.data)
		const html = await renderRoute(page.default, loaded.data, answer.data)
		expect(html).toContain('Connection saved. Its secrets are sealed and will not be shown again.')
		expect(html).toContain('OAuth 2.0 (3LO) app')
		expect(html).toContain('client-abc')
		expect(html).toContain('Working')
		expect(html).toContain('Replace the connection')
		expectNoSecret('the page', html)
		// Secret fields are password fields that are never filled in.
		for (const name of ['clientSecret', 'refreshToken', 'secret', 'sharedSecret']) {
			const field = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0]
			expect(field, name).toContain('type="password"')
			expect(field, name).not.toMatch(/value="/)
		}

		// The reporting page carries the same card.
		const reporting = await runRoute(
			reportingPage.loader,
			makeRequest(url.replace(/\/connection$/, ''), { cookie }),
			params,
		)
		expect(reporting.data).toMatchObject({
			connection: { canManage: true, summary: { kind: 'oauth2', settings: { clientId: 'client-abc' } } },
		})
		expectNoSecret('the reporting page data', reporting.data)
	})

	it('a refused save answers what was typed except the secrets, and stores nothing', async () => {
		const { cookie, url, params } = await world()
		const refused = await runRoute(
			page.action,
			makeRequest(url, {
				cookie,
				form: { intent: 'save', kind: 'forge_webtrigger', url: 'not a url', secret: TRIGGER_SECRET },
			}),
			params,
		)
		expect(refused.status).toBe(400)
		expect(refused.data).toMatchObject({ values: { kind: 'forge_webtrigger', url: 'not a url' } })
		expect((refused.data as { errors: Record<string, string> }).errors.url).toMatch(/full URL/)
		expectNoSecret('the refusal', refused.data)
		const loaded = await runRoute(page.loader, makeRequest(url, { cookie }), params)
		const html = await renderRoute(page.default, loaded.data, refused.data)
		expect(html).toContain('not a url')
		expectNoSecret('the page after a refusal', html)
		expect(await db.select().from(reportingConnections)).toEqual([])
	})

	it('is for admins: a vendor sees the state but no form, and a post is refused and audited', async () => {
		const { org, admin, app, url, params } = await world()
		await runRoute(
			page.action,
			makeRequest(url, {
				cookie: (await cookieFor(admin.id)).cookie,
				form: { intent: 'save', kind: 'connect', baseUrl: 'http://127.0.0.1:9/wiki', sharedSecret: SHARED_SECRET },
			}),
			params,
		)
		const vendor = await addMember(org.id, ['member'])
		const { cookie } = await cookieFor(vendor.id)
		const loaded = await runRoute(page.loader, makeRequest(url, { cookie }), params)
		const html = await renderRoute(page.default, loaded.data)
		expect(html).toContain('Only an admin can set, change or remove the connection.')
		expect(html).not.toContain('Save connection')
		expect(html).toContain('Connect is ending')
		expect(html).toContain('December 2026')
		expectNoSecret('the vendor’s page', html)

		const post = await runRoute(page.action, makeRequest(url, { cookie, form: { intent: 'remove' } }), params)
		expect(post.status).toBe(403)
		expect(await db.select().from(reportingConnections).where(eq(reportingConnections.appId, app.id))).toHaveLength(1)
		const [denied] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'permission.denied'))
		expect(denied?.after).toMatchObject({ permission: 'reporting-connections:manage' })

		// The audit page tells what was set in words, without the secret.
		const adminCookie = (await cookieFor(admin.id)).cookie
		const audit = await runRoute(auditPage.loader, makeRequest(`/o/${org.slug}/audit`, { cookie: adminCookie }), {
			org: org.slug,
		})
		const auditHtml = await renderRoute(auditPage.default, audit.data)
		expect(auditHtml).toContain('Set how Clearance reaches Atlassian for the app')
		expect(auditHtml).toContain('Was refused: set how Clearance reaches Atlassian for an app')
		expectNoSecret('the audit page', auditHtml)
	})

	it('without CLEARANCE_SECRET_KEY the card says how to create one and a save is refused with the same words', async () => {
		const { cookie, url, params } = await world()
		delete process.env.CLEARANCE_SECRET_KEY
		const loaded = await runRoute(page.loader, makeRequest(url, { cookie }), params)
		const html = await renderRoute(page.default, loaded.data)
		expect(html).toContain('A connection cannot be saved yet.')
		expect(html).toContain('openssl rand -base64 32')
		expect(/<button[^>]*type="submit"[^>]*disabled=""[^>]*>Save connection/.test(html)).toBe(true)

		const refused = await runRoute(
			page.action,
			makeRequest(url, {
				cookie,
				form: { intent: 'save', kind: 'forge_webtrigger', url: 'http://127.0.0.1:9/t', secret: TRIGGER_SECRET },
			}),
			params,
		)
		expect(refused.status).toBe(409)
		expect((refused.data as { formError: string }).formError).toMatch(/openssl rand -base64 32/)
		expectNoSecret('the refusal', refused.data)
	})

	it('a broken Forge connection says what to fix, and that Cycle-Period cannot be read on this path; remove deletes it', async () => {
		const { org, app, cookie, url, params } = await world()
		await runRoute(
			page.action,
			makeRequest(url, {
				cookie,
				form: { intent: 'save', kind: 'forge_webtrigger', url: 'http://127.0.0.1:9/x1/t', secret: TRIGGER_SECRET },
			}),
			params,
		)
		await markBroken(org.id, app.id, 'The web trigger answered 401: check the secret.')
		const loaded = await runRoute(page.loader, makeRequest(url, { cookie }), params)
		const html = await renderRoute(page.default, loaded.data)
		expect(html).toContain('Needs attention: Atlassian refused it')
		expect(html).toContain('The web trigger answered 401: check the secret.')
		expect(html).toContain('Clearance cannot read it on this path')

		const removed = await runRoute(page.action, makeRequest(url, { cookie, form: { intent: 'remove' } }), params)
		expect(removed.data).toMatchObject({ notice: expect.stringContaining('Connection removed') })
		expect(await db.select().from(reportingConnections)).toEqual([])
	})
})
