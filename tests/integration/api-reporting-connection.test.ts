import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents } from '#db/schema'
import * as route from '~/routes/api.v1.apps_.$appId_.reporting-connection'
import { apiRequest, apiWorld, call, expectError, expectSchema, keyFor } from './api-helpers'

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

const CLIENT_SECRET = 'cs-the-client-secret-0123456789'
const REFRESH_TOKEN = 'rt-the-refresh-token-0123456789'
const WEBTRIGGER_SECRET = 'wt-the-shared-secret-0123456789'
const SECRETS = [CLIENT_SECRET, REFRESH_TOKEN, WEBTRIGGER_SECRET]

const path = (appId: string) => `/apps/${appId}/reporting-connection`

function expectNoSecret(what: string, value: unknown) {
	const text = typeof value === 'string' ? value : JSON.stringify(value)
	for (const secret of SECRETS) expect(text, `${what} holds a secret`).not.toContain(secret)
}

describe('/api/v1/apps/{appId}/reporting-connection', () => {
	it('PUT saves, GET shows it without secrets, DELETE removes it; the audit log names the key, no secret anywhere', async () => {
		const logged: string[] = []
		for (const method of ['log', 'info', 'warn', 'debug'] as const) {
			vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')))
		}
		const { org, app, key, apiKey } = await apiWorld()
		const params = { appId: app.id }

		expectError(await call(route, apiRequest(path(app.id), { key }), params), 404)

		const put = await call(
			route,
			apiRequest(path(app.id), {
				key,
				method: 'PUT',
				body: { kind: 'oauth2', clientId: 'client-1', clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN },
			}),
			params,
		)
		expect(put.status, JSON.stringify(put.data)).toBe(200)
		expectSchema('ReportingConnection', put.data)
		expect(put.data).toMatchObject({ kind: 'oauth2', settings: { clientId: 'client-1' }, state: 'ok', version: 1 })
		expectNoSecret('the PUT answer', put.data)

		const replaced = await call(
			route,
			apiRequest(path(app.id), {
				key,
				method: 'PUT',
				body: { kind: 'forge_webtrigger', url: 'http://127.0.0.1:9/x1/hook/', secret: WEBTRIGGER_SECRET },
			}),
			params,
		)
		expect(replaced.data).toMatchObject({ kind: 'forge_webtrigger', settings: { url: 'http://127.0.0.1:9/x1/hook' } })

		const get = await call(route, apiRequest(path(app.id), { key }), params)
		expect(get.status).toBe(200)
		expectSchema('ReportingConnection', get.data)
		expect(get.headers.get('Cache-Control')).toBe('no-store')
		expect(Object.keys((get.data as { settings: object }).settings)).toEqual(['url'])
		expectNoSecret('the GET answer', get.data)

		const removed = await call(route, apiRequest(path(app.id), { key, method: 'DELETE' }), params)
		expect(removed.status).toBe(204)
		expectError(await call(route, apiRequest(path(app.id), { key, method: 'DELETE' }), params), 404)

		const events = await db.select().from(auditEvents).where(eq(auditEvents.orgId, org.id))
		const ours = events.filter((event) => event.action.startsWith('reporting_connection.'))
		expect(ours.map((event) => event.action)).toEqual([
			'reporting_connection.saved',
			'reporting_connection.saved',
			'reporting_connection.removed',
		])
		expect(ours.every((event) => event.actorApiKeyId === apiKey.id)).toBe(true)
		expectNoSecret('the audit log', events)
		expectNoSecret('the console', logged.join('\n'))
		vi.restoreAllMocks()
	})

	it('PUT without CLEARANCE_SECRET_KEY is a 409 that says how to create one', async () => {
		delete process.env.CLEARANCE_SECRET_KEY
		const { app, key } = await apiWorld()
		const answer = await call(
			route,
			apiRequest(path(app.id), {
				key,
				method: 'PUT',
				body: { kind: 'connect', baseUrl: 'https://acme.atlassian.net', sharedSecret: CLIENT_SECRET },
			}),
			{ appId: app.id },
		)
		const error = expectError(answer, 409)
		expect(error.error).toMatch(/openssl rand -base64 32/)
		expect(error.error).toMatch(/CLEARANCE_SECRET_KEY/)
		expectNoSecret('the refusal', answer.data)
	})

	it('refuses bad bodies with issues that never echo a secret, and a private address without OUTBOUND_ALLOW_PRIVATE', async () => {
		const { app, key } = await apiWorld()
		const put = (body: unknown) =>
			call(route, apiRequest(path(app.id), { key, method: 'PUT', body }), { appId: app.id })

		const unknownKind = expectError(await put({ kind: 'basic', secret: WEBTRIGGER_SECRET }), 400)
		expect(unknownKind.issues?.[0]?.message).toMatch(/oauth2.*forge_webtrigger.*connect/)
		const missing = expectError(await put({ kind: 'oauth2', clientId: 'c', clientSecret: CLIENT_SECRET }), 400)
		expect(missing.issues?.map((issue) => issue.path)).toEqual(['refreshToken'])
		const short = expectError(
			await put({ kind: 'forge_webtrigger', url: 'https://example.com/t', secret: 'short' }),
			400,
		)
		expect(short.issues?.[0]?.message).toMatch(/at least 16/)
		const hidden = await put({
			kind: 'connect',
			baseUrl: 'javascript:alert(1)',
			sharedSecret: `${CLIENT_SECRET}\u0000`,
		})
		expectError(hidden, 400)
		expectNoSecret('the issues', hidden.data)

		delete process.env.OUTBOUND_ALLOW_PRIVATE
		const local = expectError(
			await put({ kind: 'forge_webtrigger', url: 'http://127.0.0.1:9/hook', secret: WEBTRIGGER_SECRET }),
			422,
		)
		expect(local.issues?.[0]?.path).toBe('url')
		expect(local.error).toMatch(/public internet/)
	})

	it('needs apps:write to change and read to show; another organisation’s app is not found', async () => {
		const { org, app, key } = await apiWorld()
		const reader = await keyFor(org.id, ['read'])
		// An address literal: no name lookup (the tests run without DNS).
		const body = { kind: 'connect', baseUrl: 'http://127.0.0.1:9/wiki', sharedSecret: CLIENT_SECRET }
		expectError(
			await call(route, apiRequest(path(app.id), { key: reader, method: 'PUT', body }), { appId: app.id }),
			403,
		)
		expectError(await call(route, apiRequest(path(app.id), { key: reader, method: 'DELETE' }), { appId: app.id }), 403)
		const writer = await keyFor(org.id, ['apps:write'])
		expectError(await call(route, apiRequest(path(app.id), { key: writer }), { appId: app.id }), 403)

		const other = await apiWorld(undefined, 'Other Org')
		expectError(
			await call(route, apiRequest(path(app.id), { key: other.key, method: 'PUT', body }), { appId: app.id }),
			404,
		)
		expectError(await call(route, apiRequest(path(app.id), { key: other.key }), { appId: app.id }), 404)
		expect((await call(route, apiRequest(path(app.id), { key, method: 'PUT', body }), { appId: app.id })).status).toBe(
			200,
		)
		expectError(await call(route, apiRequest(path(app.id), { key, method: 'POST', body }), { appId: app.id }), 405)
	})
})
