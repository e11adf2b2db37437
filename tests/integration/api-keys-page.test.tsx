import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { apiKeys, auditEvents } from '#db/schema'
import { isApiKeyFormat } from '~/domain/api-keys'
import * as appsRoute from '~/routes/api.v1.apps'
import * as page from '~/routes/o.$org.api-keys'
import * as auditPage from '~/routes/o.$org.audit'
import * as auditCsv from '~/routes/o.$org.audit.csv'
import { hashToken } from '~/utils/tokens.server'
import { renderRoute } from '../fixtures/render'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'
import { apiRequest, call } from './api-helpers'

async function adminWorld() {
	const { org, admin } = await createOrg('Keyed Apps')
	const { cookie } = await cookieFor(admin.id)
	const url = `/o/${org.slug}/api-keys`
	return { org, admin, cookie, url, params: { org: org.slug } }
}

type Created = { created?: { key: string; name: string }; errors?: Record<string, string>; notice?: string }

describe('API keys page', () => {
	it('is for admins: a vendor is refused with 403 and the refusal is audited', async () => {
		const { org, url, params } = await adminWorld()
		const vendor = await addMember(org.id, ['member'])
		const { cookie } = await cookieFor(vendor.id)
		expect((await runRoute(page.loader, makeRequest(url, { cookie }), params)).status).toBe(403)
		const create = makeRequest(url, { cookie, form: { intent: 'create', name: 'Sneaky', scopes: ['read'] } })
		expect((await runRoute(page.action, create, params)).status).toBe(403)
		expect(await db.select().from(apiKeys)).toHaveLength(0)
		const [denied] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'permission.denied'))
		expect(denied?.after).toMatchObject({ permission: 'api-keys:manage' })
	})

	it('shows a new key once: the action answers it, the list afterwards holds only its visible start', async () => {
		const { org, admin, cookie, url, params } = await adminWorld()
		const created = await runRoute(
			page.action,
			makeRequest(url, {
				cookie,
				form: { intent: 'create', name: 'Release pipeline', scopes: ['read', 'reports:write'] },
			}),
			params,
		)
		expect(created.status).toBe(200)
		const key = (created.data as Created).created!.key
		expect(isApiKeyFormat(key)).toBe(true)
		const [row] = await db.select().from(apiKeys).where(eq(apiKeys.orgId, org.id))
		expect(row).toMatchObject({
			name: 'Release pipeline',
			scopes: ['read', 'reports:write'],
			keyHash: hashToken(key),
			createdBy: admin.id,
			prefix: key.slice(0, 12),
		})

		const listed = await runRoute(page.loader, makeRequest(url, { cookie }), params)
		expect(JSON.stringify(listed.data)).not.toContain(key)
		expect(JSON.stringify(listed.data)).not.toContain(row!.keyHash)
		const html = await renderRoute(page.default, listed.data)
		expect(html).toContain(`${row!.prefix}…`)
		expect(html).not.toContain(key)
		expect(html).toContain('Active')
		const once = await renderRoute(page.default, listed.data, created.data)
		expect(once).toContain('it is shown only once')
		expect(once).toContain(key)

		// The key works, and the audit log records its making without the key.
		expect((await call(appsRoute, apiRequest('/apps', { key }))).status).toBe(200)
		const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'api_key.created'))
		expect(event).toMatchObject({
			actorUserId: admin.id,
			subjectType: 'api_key',
			after: { name: 'Release pipeline', prefix: row!.prefix, apiScopes: ['read', 'reports:write'] },
		})
		expect(JSON.stringify(event)).not.toContain(key)
	})

	it('refuses a key without a name or a scope, with the message next to the field', async () => {
		const { cookie, url, params } = await adminWorld()
		const outcome = await runRoute(
			page.action,
			makeRequest(url, { cookie, form: { intent: 'create', name: ' ' } }),
			params,
		)
		expect(outcome.status).toBe(400)
		expect((outcome.data as Created).errors).toMatchObject({
			name: expect.stringMatching(/Name the key/),
			scopes: expect.stringMatching(/at least one scope/),
		})
		expect(await db.select().from(apiKeys)).toHaveLength(0)
	})

	it('revokes a key at once; revoking it again says so', async () => {
		const { cookie, url, params } = await adminWorld()
		const created = await runRoute(
			page.action,
			makeRequest(url, { cookie, form: { intent: 'create', name: 'Cron', scopes: ['read'] } }),
			params,
		)
		const key = (created.data as Created).created!.key
		const [row] = await db.select().from(apiKeys)
		const revoked = await runRoute(
			page.action,
			makeRequest(url, { cookie, form: { intent: 'revoke', keyId: row!.id } }),
			params,
		)
		expect(revoked.status).toBe(200)
		expect((revoked.data as Created).notice).toMatch(/revoked/)
		expect((await call(appsRoute, apiRequest('/apps', { key }))).status).toBe(401)
		const html = await renderRoute(
			page.default,
			(await runRoute(page.loader, makeRequest(url, { cookie }), params)).data,
		)
		expect(html).toContain('Revoked')
		const twice = await runRoute(
			page.action,
			makeRequest(url, { cookie, form: { intent: 'revoke', keyId: row!.id } }),
			params,
		)
		expect(twice.status).toBe(409)
		// Another organisation's admin cannot revoke it.
		const other = await adminWorld()
		const foreign = await runRoute(
			page.action,
			makeRequest(other.url, { cookie: other.cookie, form: { intent: 'revoke', keyId: row!.id } }),
			other.params,
		)
		expect(foreign.status).toBe(404)
	})

	it('names the key as the actor of what it did, on the audit page and in its CSV', async () => {
		const { cookie, url, params, org } = await adminWorld()
		const created = await runRoute(
			page.action,
			makeRequest(url, { cookie, form: { intent: 'create', name: 'Release pipeline', scopes: ['apps:write'] } }),
			params,
		)
		const key = (created.data as Created).created!.key
		const body = { name: 'Ledger Lens', appKey: 'com.acme.ledger-lens', appType: 'forge', products: ['jira'] }
		expect((await call(appsRoute, apiRequest('/apps', { key, method: 'POST', body }))).status).toBe(201)
		const audit = await runRoute(auditPage.loader, makeRequest(`/o/${org.slug}/audit`, { cookie }), params)
		const html = await renderRoute(auditPage.default, audit.data)
		expect(html).toContain(`API key “Release pipeline” (${key.slice(0, 12)}…)`)
		expect(html).toContain('Created an API key')
		const csv = await runRoute(auditCsv.loader, makeRequest(`/o/${org.slug}/audit/csv`, { cookie }), params)
		expect(String(csv.data)).toContain('API key “Release pipeline”')
		expect(String(csv.data)).not.toContain(key)
	})
})
