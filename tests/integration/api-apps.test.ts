import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { apiKeys, apps, auditEvents, organizations } from '#db/schema'
import { parseCsv } from '~/domain/csv'
import * as unknownRoute from '~/routes/api.v1.$'
import * as appsRoute from '~/routes/api.v1.apps'
import * as appRoute from '~/routes/api.v1.apps_.$appId'
import { revokeApiKey } from '~/services/api-keys.server'
import { importAccounts } from '~/services/ledger.server'
import { setRateLimitWindow } from '~/services/rate-limit.server'
import { env } from '~/utils/env.server'
import { createTestApp } from '../fixtures/requests'
import { createOrg } from '../fixtures/world'
import { apiRequest, apiWorld, call, expectError, expectSchema, keyFor } from './api-helpers'

const DAY = 86_400_000

async function* lines(text: string) {
	yield text
}

describe('API keys on /api/v1', () => {
	it('refuses a request without a key, with a malformed one and with an unknown one (401, WWW-Authenticate)', async () => {
		const { key } = await apiWorld()
		const none = expectError(await call(appsRoute, apiRequest('/apps')), 401)
		expect(none.error).toMatch(/Authorization: Bearer/)
		const outcome = await call(appsRoute, apiRequest('/apps', { headers: { Authorization: `Basic ${key}` } }))
		expectError(outcome, 401)
		expect(outcome.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm=/)
		const unknown = await call(appsRoute, apiRequest('/apps', { key: `${key.slice(0, -4)}AAAA` }))
		expectError(unknown, 401)
		expect(unknown.headers.get('WWW-Authenticate')).toMatch(/error="invalid_token"/)
		expectError(await call(appsRoute, apiRequest('/apps', { key: 'clr_short' })), 401)
	})

	it('refuses a revoked key at once, and notes when a key was last used', async () => {
		const { org, admin, key, apiKey } = await apiWorld()
		expect((await call(appsRoute, apiRequest('/apps', { key }))).status).toBe(200)
		const [used] = await db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id))
		expect(used!.lastUsedAt).toBeInstanceOf(Date)
		await revokeApiKey(org.id, admin.id, apiKey.id)
		const refused = expectError(await call(appsRoute, apiRequest('/apps', { key })), 401)
		expect(refused.error).toMatch(/revoked/)
		// The revocation is in the audit log, by the admin, naming the key.
		const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'api_key.revoked'))
		expect(event).toMatchObject({ actorUserId: admin.id, subjectType: 'api_key', subjectId: apiKey.id })
	})

	it('refuses an endpoint the key has no scope for with 403, before reading the body', async () => {
		const { key } = await apiWorld(['read'])
		const outcome = await call(appsRoute, apiRequest('/apps', { key, method: 'POST', body: '{not json' }))
		const body = expectError(outcome, 403)
		expect(body.error).toMatch(/apps:write/)
		expect(outcome.headers.get('WWW-Authenticate')).toMatch(/insufficient_scope/)
		// The refusal is in the audit log, under the key (docs/rules.md › Audit trail).
		const [refusal] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'api_key.scope_refused'))
		expect(refusal).toMatchObject({
			actorUserId: null,
			subjectType: 'api_key',
			after: { scope: 'apps:write', method: 'POST', path: '/api/v1/apps' },
		})
	})

	it('limits each key to API_PER_KEY requests a window: then 429 with Retry-After, other keys unaffected', async () => {
		const { org, key, apiKey } = await apiWorld()
		const other = await keyFor(org.id, ['read'])
		expect(env().API_PER_KEY).toBeGreaterThanOrEqual(600)
		// The key has used up its window (as 600 requests in the last minute would have).
		await setRateLimitWindow(`api:key:${apiKey.id}`, env().API_PER_KEY)
		const limited = await call(appsRoute, apiRequest('/apps', { key }))
		expectError(limited, 429)
		expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1)
		expect((await call(appsRoute, apiRequest('/apps', { key: other }))).status).toBe(200)
		// A new window starts once the old one is over.
		await setRateLimitWindow(`api:key:${apiKey.id}`, env().API_PER_KEY, 2 * env().API_WINDOW_SECONDS)
		expect((await call(appsRoute, apiRequest('/apps', { key }))).status).toBe(200)
	})

	it('answers an unknown path under /api/v1 with a JSON 404 and a wrong method with 405', async () => {
		const { key } = await apiWorld()
		const outcome = await call(unknownRoute, apiRequest('/nope', { key }), { '*': 'nope' })
		expect(expectError(outcome, 404).error).toMatch(/openapi\.json/)
		const put = await call(appsRoute, apiRequest('/apps', { key, method: 'PUT', body: {} }))
		expect(put.status).toBe(405)
		expect(put.headers.get('Allow')).toBe('GET, POST')
	})
})

describe('GET /api/v1/apps', () => {
	it('lists the apps with their reporting status in the documented shape, dates with the organisation’s offset', async () => {
		const { org, admin, app, key } = await apiWorld()
		await db.update(organizations).set({ timeZone: 'Pacific/Auckland' }).where(eq(organizations.id, org.id))
		const undecided = await createTestApp(org.id, admin.id, {
			appKey: 'com.acme.undecided',
			name: 'Undecided',
			storesPersonalData: 'undecided',
		})
		const none = await createTestApp(org.id, admin.id, {
			appKey: 'com.acme.none',
			name: 'No Data',
			storesPersonalData: 'no',
		})
		const retrieved = new Date(Date.now() - 20 * DAY).toISOString()
		await importAccounts(
			org.id,
			admin.id,
			app.id,
			parseCsv(lines(`accountId,updatedAt\n5be24ad8b1653240376955d2,${retrieved}\n`)),
			{ atomic: false },
		)

		const outcome = await call(appsRoute, apiRequest('/apps', { key }))
		expect(outcome.status).toBe(200)
		expect(outcome.headers.get('Cache-Control')).toBe('no-store')
		expectSchema('AppList', outcome.data)
		const list = (
			outcome.data as {
				apps: {
					id: string
					storesPersonalData: unknown
					storingSince: string | null
					reporting: Record<string, unknown>
				}[]
			}
		).apps
		// Most urgent first: overdue (retrieved 20 days ago, 15-day cycle), then answer needed, then not required.
		expect(list.map((entry) => entry.id)).toEqual([app.id, undecided.id, none.id])
		const [overdue, open, no] = list
		expect(overdue).toMatchObject({
			storesPersonalData: true,
			reporting: {
				status: 'overdue',
				cycleDays: 15,
				cycleSource: 'guideline',
				accounts: 1,
				openTasks: 0,
				lastReportedAt: null,
			},
		})
		expect(overdue!.storingSince).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+1[23]:00$/)
		expect(new Date(overdue!.storingSince!).toISOString()).toBe(retrieved)
		expect(overdue!.reporting.nextDueAt).toMatch(/T23:59:59\.999\+1[23]:00$/)
		expect(open).toMatchObject({ storesPersonalData: null, reporting: { status: 'answer_needed', nextDueAt: null } })
		expect(no).toMatchObject({ storesPersonalData: false, reporting: { status: 'not_required', nextDueAt: null } })
	})

	it('shows only the key’s own organisation, and another organisation’s app is a 404', async () => {
		const a = await apiWorld(undefined, 'Org A')
		const b = await apiWorld(undefined, 'Org B')
		const listed = (await call(appsRoute, apiRequest('/apps', { key: a.key }))).data as { apps: { id: string }[] }
		expect(listed.apps.map((entry) => entry.id)).toEqual([a.app.id])
		expectError(await call(appRoute, apiRequest(`/apps/${b.app.id}`, { key: a.key }), { appId: b.app.id }), 404)
		expectError(await call(appRoute, apiRequest('/apps/not-a-uuid', { key: a.key }), { appId: 'not-a-uuid' }), 404)
		const one = await call(appRoute, apiRequest(`/apps/${a.app.id}`, { key: a.key }), { appId: a.app.id })
		expect(one.status).toBe(200)
		expectSchema('AppEnvelope', one.data)
	})
})

describe('POST /api/v1/apps', () => {
	const body = {
		name: 'Ledger Lens',
		appKey: 'com.acme.ledger-lens',
		appType: 'forge',
		products: ['jira', 'confluence'],
		privacyPolicyUrl: 'https://acme.example/privacy',
		storesPersonalData: true,
		storingSince: '2026-01-05T08:00:00+01:00',
		cycleDays: 7,
	}

	it('registers an app with its storing-since date and cycle (201), audited under the key’s name', async () => {
		const { org, key, apiKey } = await apiWorld()
		const outcome = await call(appsRoute, apiRequest('/apps', { key, method: 'POST', body }))
		expect(outcome.status, JSON.stringify(outcome.data)).toBe(201)
		expectSchema('AppEnvelope', outcome.data)
		const { app } = outcome.data as {
			app: { id: string; storingSince: string; reporting: { cycleDays: number; cycleSource: string } }
		}
		expect(outcome.headers.get('Location')).toBe(`/api/v1/apps/${app.id}`)
		expect(app).toMatchObject({
			name: 'Ledger Lens',
			products: ['jira', 'confluence'],
			storesPersonalData: true,
			marketplaceListingUrl: null,
		})
		expect(new Date(app.storingSince).toISOString()).toBe('2026-01-05T07:00:00.000Z')
		expect(app.reporting).toMatchObject({ cycleDays: 7, cycleSource: 'api_default' })
		const events = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.subjectId, app.id)))
		expect(events.map((event) => event.action).sort()).toEqual([
			'app.created',
			'app.cycle_changed',
			'app.storing_since_set',
		])
		for (const event of events) expect(event).toMatchObject({ actorUserId: null, actorApiKeyId: apiKey.id })
	})

	it('is one transaction: a refused storing-since date leaves no app behind', async () => {
		const { org, key } = await apiWorld()
		const future = new Date(Date.now() + 10 * DAY).toISOString()
		const refused = expectError(
			await call(appsRoute, apiRequest('/apps', { key, method: 'POST', body: { ...body, storingSince: future } })),
			400,
		)
		expect(refused.issues?.[0]?.path).toBe('storingSince')
		expect(
			await db
				.select()
				.from(apps)
				.where(and(eq(apps.orgId, org.id), eq(apps.appKey, body.appKey))),
		).toHaveLength(0)
	})

	it('keeps the form’s rules: missing fields, an email address in the name, unknown fields, a taken key', async () => {
		const { key, app } = await apiWorld()
		const missing = expectError(
			await call(appsRoute, apiRequest('/apps', { key, method: 'POST', body: { name: 'X' } })),
			400,
		)
		expect(missing.issues!.map((issue) => issue.path)).toEqual(
			expect.arrayContaining(['appKey', 'appType', 'products']),
		)
		const email = expectError(
			await call(
				appsRoute,
				apiRequest('/apps', { key, method: 'POST', body: { ...body, name: 'Mail ops@acme.example' } }),
			),
			400,
		)
		expect(email.issues?.[0]).toMatchObject({ path: 'name' })
		const typo = expectError(
			await call(appsRoute, apiRequest('/apps', { key, method: 'POST', body: { ...body, storesPersonalDatta: true } })),
			400,
		)
		expect(typo.issues?.[0]?.message).toMatch(/storesPersonalDatta/)
		const nul = expectError(
			await call(
				appsRoute,
				apiRequest('/apps', { key, method: 'POST', body: { ...body, cycleReason: 'because\u0000' } }),
			),
			400,
		)
		expect(nul.issues?.[0]?.path).toBe('cycleReason')
		const wrongType = expectError(
			await call(appsRoute, apiRequest('/apps', { key, method: 'POST', body: { ...body, cycleDays: 7.5 } })),
			400,
		)
		expect(wrongType.issues?.[0]?.path).toBe('cycleDays')
		const taken = expectError(
			await call(appsRoute, apiRequest('/apps', { key, method: 'POST', body: { ...body, appKey: app.appKey } })),
			409,
		)
		expect(taken.error).toMatch(/already uses this key/)
	})

	it('answers a body that is not JSON with 400, a wrong content type with 415 and a body over 64 KB with 413', async () => {
		const { key } = await apiWorld()
		const broken = expectError(
			await call(appsRoute, apiRequest('/apps', { key, method: 'POST', body: '{"name":' })),
			400,
		)
		expect(broken.issues?.[0]?.path).toBe('')
		expectError(
			await call(
				appsRoute,
				apiRequest('/apps', {
					key,
					method: 'POST',
					body: 'name=x',
					headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				}),
			),
			415,
		)
		const large = JSON.stringify({ ...body, name: 'x'.repeat(70 * 1024) })
		expectError(await call(appsRoute, apiRequest('/apps', { key, method: 'POST', body: large })), 413)
	})
})

describe('PATCH /api/v1/apps/{appId}', () => {
	it('changes only the fields sent; null means not decided; a stale version is a 409', async () => {
		const { key, app } = await apiWorld()
		const patch = (payload: unknown) =>
			call(appRoute, apiRequest(`/apps/${app.id}`, { key, method: 'PATCH', body: payload }), { appId: app.id })
		const renamed = await patch({ name: 'Mail Bridge Pro', version: app.version })
		expect(renamed.status, JSON.stringify(renamed.data)).toBe(200)
		expectSchema('AppEnvelope', renamed.data)
		const after = (
			renamed.data as { app: { name: string; appKey: string; storesPersonalData: boolean | null; version: number } }
		).app
		expect(after).toMatchObject({
			name: 'Mail Bridge Pro',
			appKey: app.appKey,
			storesPersonalData: true,
			version: app.version + 1,
		})
		const undecided = (await patch({ storesPersonalData: null })).data as {
			app: { storesPersonalData: null; reporting: { status: string } }
		}
		expect(undecided.app).toMatchObject({ storesPersonalData: null, reporting: { status: 'answer_needed' } })
		const stale = expectError(await patch({ name: 'Old tab', version: app.version }), 409)
		expect(stale.error).toMatch(/Someone else saved/)
		expectError(await patch({ products: [] }), 400)
	})

	it('answers another organisation’s app with 404 whatever the body, and needs apps:write', async () => {
		const a = await apiWorld(undefined, 'Org A')
		const b = await apiWorld(undefined, 'Org B')
		expectError(
			await call(appRoute, apiRequest(`/apps/${b.app.id}`, { key: a.key, method: 'PATCH', body: '{broken' }), {
				appId: b.app.id,
			}),
			404,
		)
		const reader = await keyFor(a.org.id, ['read'])
		expectError(
			await call(appRoute, apiRequest(`/apps/${a.app.id}`, { key: reader, method: 'PATCH', body: { name: 'X' } }), {
				appId: a.app.id,
			}),
			403,
		)
	})
})

describe('organisations of the keys', () => {
	it('a key made from the command line acts for its organisation only', async () => {
		const { org } = await createOrg('Solo')
		const key = await keyFor(org.id, ['read'])
		const outcome = await call(appsRoute, apiRequest('/apps', { key }))
		expect(outcome.data).toEqual({ apps: [] })
	})
})
