import { readdirSync } from 'node:fs'
import path from 'node:path'
import { validate } from '@readme/openapi-parser'
import spectralCore from '@stoplight/spectral-core'
import * as Parsers from '@stoplight/spectral-parsers'
import { oas } from '@stoplight/spectral-rulesets'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents, storedAccounts } from '#db/schema'
import * as accountsRoute from '~/routes/api.v1.apps_.$appId_.accounts'
import * as runsRoute from '~/routes/api.v1.apps_.$appId_.report-runs'
import * as openapiRoute from '~/routes/api.v1.openapi[.]json'
import * as tasksRoute from '~/routes/api.v1.tasks'
import * as completeRoute from '~/routes/api.v1.tasks_.$taskId.complete'
import * as docsRoute from '~/routes/docs.api'
import { listOperations, openApiDocument } from '~/schemas/openapi'
import { renderRoute } from '../fixtures/render'
import { makeRequest, runRoute } from '../fixtures/world'
import { apiRequest, apiWorld, call, expectError, expectSchema, keyFor } from './api-helpers'

const DAY = 86_400_000
const ACTIVE = '5be24ad8b1653240376955d2'
const CLOSED = '5be24ba3f91c106033269289'
const UPDATED = '5be24ad8b16532403769aaaa'

type Task = {
	id: string
	appId: string
	kind: string
	accountId: string
	dueAt: string
	status: string
	completedAt: string | null
}

/** An app with three stored accounts and a run that made an erase and a refresh task. */
async function taskWorld(name = 'Acme Apps') {
	const world = await apiWorld(undefined, name)
	const updatedAt = new Date(Date.now() - 5 * DAY).toISOString()
	await call(
		accountsRoute,
		apiRequest(`/apps/${world.app.id}/accounts`, {
			key: world.key,
			method: 'POST',
			body: { accounts: [ACTIVE, CLOSED, UPDATED].map((accountId) => ({ accountId, updatedAt })) },
		}),
		{ appId: world.app.id },
	)
	const run = await call(
		runsRoute,
		apiRequest(`/apps/${world.app.id}/report-runs`, {
			key: world.key,
			method: 'POST',
			body: {
				sentAt: new Date().toISOString(),
				responses: [
					{
						status: 200,
						accounts: [
							{ accountId: CLOSED, status: 'closed' },
							{ accountId: UPDATED, status: 'updated' },
						],
					},
				],
			},
		}),
		{ appId: world.app.id },
	)
	expect(run.status, JSON.stringify(run.data)).toBe(201)
	return world
}

const list = (key: string, query = '') => call(tasksRoute, apiRequest(`/tasks${query}`, { key }))
const complete = (key: string, taskId: string) =>
	call(completeRoute, apiRequest(`/tasks/${taskId}/complete`, { key, method: 'POST' }), { taskId })

describe('GET /api/v1/tasks', () => {
	it('lists open erase and refresh tasks in the documented shape, pages with a cursor, filters by status and app', async () => {
		const world = await taskWorld()
		const outcome = await list(world.key, '?status=open')
		expect(outcome.status).toBe(200)
		expectSchema('TaskList', outcome.data)
		const { tasks, nextCursor } = outcome.data as { tasks: Task[]; nextCursor: string | null }
		expect(nextCursor).toBeNull()
		expect(tasks.map((task) => [task.kind, task.accountId, task.status]).sort()).toEqual([
			['erase', CLOSED, 'open'],
			['refresh', UPDATED, 'open'],
		])
		expect(tasks[0]!.appId).toBe(world.app.id)
		expect(tasks[0]!.dueAt).toMatch(/T23:59:59\.999\+00:00$/)

		const first = (await list(world.key, '?limit=1')).data as { tasks: Task[]; nextCursor: string }
		expect(first.tasks).toHaveLength(1)
		const second = (await list(world.key, `?limit=1&cursor=${first.nextCursor}`)).data as {
			tasks: Task[]
			nextCursor: string | null
		}
		expect(second.tasks).toHaveLength(1)
		expect(second.nextCursor).toBeNull()
		expect([first.tasks[0]!.id, second.tasks[0]!.id].sort()).toEqual(tasks.map((task) => task.id).sort())

		expect(((await list(world.key, '?status=done')).data as { tasks: Task[] }).tasks).toEqual([])
		expect(((await list(world.key, `?appId=${crypto.randomUUID()}`)).data as { tasks: Task[] }).tasks).toEqual([])
		expect(expectError(await list(world.key, '?status=later'), 400).issues?.[0]?.path).toBe('status')
		expectError(await list(world.key, '?cursor=bogus'), 400)
		// A made cursor with a date PostgreSQL cannot read (far future, year 0, before year 1) is as bogus, not a 500.
		for (const dueAt of [
			'+275760-09-13T00:00:00Z',
			'0000-01-01T00:00:00Z',
			'-000001-01-01T00:00:00Z',
			'+010000-01-01T00:00:00Z',
		]) {
			const made = Buffer.from(JSON.stringify([dueAt, '6f1c1f4e-8d2b-4c11-9a3e-2b7c5d9e0a11'])).toString('base64url')
			expectError(await list(world.key, `?cursor=${made}`), 400)
		}
		expectError(await list(world.key, '?limit=0'), 400)
	})

	it('shows another organisation nothing of this one’s tasks', async () => {
		await taskWorld('Org A')
		const other = await apiWorld(undefined, 'Org B')
		expect(((await list(other.key)).data as { tasks: Task[] }).tasks).toEqual([])
	})
})

describe('POST /api/v1/tasks/{taskId}/complete', () => {
	it('confirms an erase (the account leaves the ledger) and a refresh; a retry answers the done task again', async () => {
		const world = await taskWorld()
		const { tasks } = (await list(world.key)).data as { tasks: Task[] }
		const erase = tasks.find((task) => task.kind === 'erase')!
		const refresh = tasks.find((task) => task.kind === 'refresh')!
		const done = await complete(world.key, erase.id)
		expect(done.status, JSON.stringify(done.data)).toBe(200)
		expectSchema('TaskEnvelope', done.data)
		expect((done.data as { task: Task }).task).toMatchObject({
			id: erase.id,
			status: 'done',
			completedAt: expect.any(String),
		})
		const ledger = await db.select().from(storedAccounts).where(eq(storedAccounts.appId, world.app.id))
		expect(ledger.map((row) => row.accountId).sort()).toEqual([ACTIVE, UPDATED].sort())
		const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'account_task.erased'))
		expect(event).toMatchObject({ actorUserId: null, actorApiKeyId: world.apiKey.id })
		const again = await complete(world.key, erase.id)
		expect(again.status).toBe(200)
		expect(again.data).toEqual(done.data)
		expect((await complete(world.key, refresh.id)).status).toBe(200)
		expect(((await list(world.key)).data as { tasks: Task[] }).tasks).toEqual([])
	})

	it('answers another organisation’s task or an unknown id with 404, and needs accounts:write', async () => {
		const a = await taskWorld('Org A')
		const b = await apiWorld(undefined, 'Org B')
		const { tasks } = (await list(a.key)).data as { tasks: Task[] }
		expectError(await complete(b.key, tasks[0]!.id), 404)
		expectError(await complete(a.key, 'not-a-task'), 404)
		expectError(await complete(a.key, crypto.randomUUID()), 404)
		const reader = await keyFor(a.org.id, ['read'])
		expectError(await complete(reader, tasks[0]!.id), 403)
		expect(((await list(a.key)).data as { tasks: Task[] }).tasks).toHaveLength(2)
	})
})

// ── The OpenAPI document ───────────────────────────────────────────────

/** Every /api/v1 route module and the methods it answers, from the route files themselves. */
function routesOnDisk() {
	const files = readdirSync(path.resolve('app/routes')).filter(
		(file) => file.startsWith('api.v1.') && file !== 'api.v1.$.ts',
	)
	return files.map(
		(file) =>
			'/' +
			file
				.replace(/^api\.v1\./, '')
				.replace(/\.tsx?$/, '')
				.replace(/\[\.\]/g, '\u0000')
				.split('.')
				.map((segment) =>
					segment
						.replace(/_$/, '')
						.replace(/^\$(.+)$/, '{$1}')
						.replace(/\u0000/g, '.'),
				)
				.join('/'),
	)
}

describe('GET /api/v1/openapi.json', () => {
	it('is public, and valid OpenAPI 3.1 for a third-party validator (@readme/openapi-parser)', async () => {
		const outcome = await runRoute(openapiRoute.loader, makeRequest('/api/v1/openapi.json'))
		expect(outcome.status).toBe(200)
		const document = outcome.data as ReturnType<typeof openApiDocument>
		expect(document.openapi).toBe('3.1.0')
		expect(document.servers[0]!.url).toBe('http://localhost/api/v1')
		const result = await validate(structuredClone(document) as never)
		expect(result, JSON.stringify(result)).toMatchObject({ valid: true, specification: 'OpenAPI', warnings: [] })
	})

	it('has no errors or warnings under Stoplight Spectral’s spectral:oas ruleset (examples checked against their schemas)', async () => {
		const { Spectral, Document } = spectralCore
		const spectral = new Spectral()
		spectral.setRuleset({ extends: [[oas as never, 'recommended']] } as never)
		const results = await spectral.run(new Document(JSON.stringify(openApiDocument()), Parsers.Json))
		expect(
			results.map((result) => `${result.severity} ${result.code} ${result.path.join('.')}: ${result.message}`),
		).toEqual([])
	})

	it('lists every endpoint the routes serve, and each keyed one names its scope', () => {
		const document = openApiDocument()
		const documented = new Set(Object.keys(document.paths))
		for (const route of routesOnDisk()) {
			if (route === '/openapi.json') continue
			expect(documented, `route ${route} is not in the document`).toContain(route)
		}
		const operations = listOperations(document).map(({ method, path: at }) => `${method.toUpperCase()} ${at}`)
		expect(operations.sort()).toEqual(
			[
				'GET /apps',
				'POST /apps',
				'GET /apps/{appId}',
				'PATCH /apps/{appId}',
				'POST /apps/{appId}/accounts',
				'DELETE /apps/{appId}/accounts/{accountId}',
				'GET /apps/{appId}/report-batches',
				'POST /apps/{appId}/report-runs',
				'GET /apps/{appId}/reporting-connection',
				'PUT /apps/{appId}/reporting-connection',
				'DELETE /apps/{appId}/reporting-connection',
				'GET /tasks',
				'POST /tasks/{taskId}/complete',
				'GET /calendar.ics',
				'POST /checklist/evaluate',
			].sort(),
		)
		for (const { path: at, operation } of listOperations(document)) {
			if (at === '/checklist/evaluate') continue
			expect(operation['x-clearance-scope'], at).toMatch(/^(read|apps:write|accounts:write|reports:write)$/)
		}
	})

	it('is generated from the schemas the routes use: a field added to a request schema appears in the document', async () => {
		const { ApiAppCreateSchema } = await import('~/schemas/api')
		const document = openApiDocument()
		const properties = (document.components.schemas.AppCreate as { properties: Record<string, unknown> }).properties
		expect(Object.keys(properties).sort()).toEqual(Object.keys(ApiAppCreateSchema.shape).sort())
	})
})

describe('GET /docs/api', () => {
	it('renders every endpoint, its scope, parameters, body fields and examples for people, from the same document', async () => {
		const outcome = await runRoute(docsRoute.loader, makeRequest('/docs/api'))
		expect(outcome.status).toBe(200)
		const html = await renderRoute(docsRoute.default, outcome.data)
		for (const { method, path: at } of listOperations(openApiDocument())) {
			expect(html).toContain(`${method.toUpperCase()} /api/v1${at}`)
		}
		expect(html).toContain('needs the scope <code>reports:write</code>')
		expect(html).toContain('Idempotency-Key')
		expect(html).toContain('Clearance-Prepared-Report')
		// A schema's fields, with what they mean.
		expect(html).toContain('id="schema-ReportRun"')
		expect(html).toContain('<code>preparedReportId</code>')
		// No script from elsewhere: the page is the server's own.
		expect(html).not.toMatch(/<script[^>]+src="https?:/)
	})
})
