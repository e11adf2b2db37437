import { and, eq, sql } from 'drizzle-orm'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { memberships } from '#db/schema'
import { ROLES } from '~/domain/roles'
import { ROUTE_ACCESS, type Access, type Method } from '../fixtures/route-access'
import { appHandler, routeManifest, urlOf, type ManifestRoute } from '../fixtures/route-manifest'
import { cookieFor } from '../fixtures/world'
import { matrixWorld, type MatrixWorld } from './route-matrix-helpers'

// Issue 15, second point: every form action and API endpoint the app declares
// (read from app/routes.ts) gets generated bad input — missing, huge,
// NUL/control/bidi characters, wrong types, duplicated fields, odd content
// types, bad dates — from a caller allowed to use it. Never a 5xx, never a
// stack trace in the body, nothing written when the request is refused, and
// an answer within BOUND_MS (a safety net against hangs, not a timing test).
// FUZZ_RUNS raises the number of cases per endpoint (default 30).

const RUNS = Number(process.env.FUZZ_RUNS ?? 30)
const BOUND_MS = 5_000
const manifest = await routeManifest()
const handle = appHandler(manifest)

// Written on purpose when a request is refused: rate-limit counters, the
// sessions the test mints, and (for a 403) the refusal in the audit log.
const COUNTERS = new Set(['rate_limits', 'sessions'])

type Endpoint = { route: ManifestRoute; method: Method; access: Access }

/** Form actions and API endpoints (their writes and, with a query string, their reads). */
const endpoints: Endpoint[] = manifest.flatMap((route) =>
	(Object.entries(ROUTE_ACCESS[route.id] ?? {}) as [Method, Access][])
		.filter(([method, access]) => access !== 'not-allowed' && (method !== 'GET' || access.startsWith('api:')))
		.map(([method, access]) => ({ route, method, access })),
)

// ── What a hostile or broken client sends ─────────────────────────────────

const NASTY = [
	'',
	' ',
	'\u0000',
	'a\u0000b',
	'\u0007\u001b[31m',
	'\r\n\r\nX-Injected: 1',
	'\u202Egnp.exe',
	'\u2066bidi\u2069',
	'\u200B',
	'\uFEFF',
	'\uD800',
	'\uFFFF',
	'-1',
	'0',
	'1e309',
	'9007199254740993',
	'NaN',
	'null',
	'true',
	'[]',
	'{}',
	'2024-02-30',
	'0000-00-00',
	'9999-12-31T25:61:61Z',
	'-271821-04-20',
	'not a date',
	'../../etc/passwd',
	'<script>alert(1)</script>',
	"' OR 1=1 --",
	'%00',
	'00000000-0000-0000-0000-000000000000',
]
const FIELD_NAMES = [
	'intent',
	'version',
	'name',
	'url',
	'email',
	'password',
	'orgName',
	'roles',
	'scopes',
	'appId',
	'userId',
	'useCaseId',
	'timeZone',
	'followUpDays',
	'taskDueDays',
	'feed',
	'keyId',
	'webhookId',
	'inApp',
	'digest',
	'offsets',
	'dueOn',
	'date',
	'from',
	'to',
	'accountIds',
	'accounts',
	'kind',
	'ticketKey',
	'decision',
	'note',
	'reason',
	'cycleReason',
	'redirectTo',
	'token',
	'file',
]
const INTENTS = [
	'save',
	'submit_for_review',
	'create',
	'update',
	'delete',
	'revoke',
	'approve',
	'reject',
	'send',
	'test',
]

const huge = fc.integer({ min: 10_000, max: 200_000 }).map((length) => 'x'.repeat(length))
const text = fc.oneof(
	{ weight: 4, arbitrary: fc.constantFrom(...NASTY) },
	{ weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
	{ weight: 2, arbitrary: fc.constantFrom(...INTENTS) },
	{ weight: 1, arbitrary: fc.integer().map(String) },
	{ weight: 1, arbitrary: huge },
)
const fieldName = fc.oneof(
	{ weight: 4, arbitrary: fc.constantFrom(...FIELD_NAMES) },
	{ weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
)
// Duplicates come naturally: the same name twice in the list.
const fields = fc.array(fc.tuple(fieldName, text), { maxLength: 8 })
const wrongType = fc.oneof(
	fc.jsonValue({ maxDepth: 3 }),
	fc.dictionary(fc.constantFrom(...FIELD_NAMES), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
)
const oddContentType = fc.constantFrom(
	'text/plain',
	'application/xml',
	'application/json; charset=utf-16',
	'multipart/form-data',
	'multipart/form-data; boundary=',
	'application/x-www-form-urlencoded; charset=bogus',
	'*/*',
	'',
)

type Body = { contentType?: string; body?: BodyInit }

// Mostly what a form or a client sends (so most cases reach validation), then the odd ones.
const body: fc.Arbitrary<Body> = fc.oneof(
	{
		weight: 3,
		arbitrary: fields.map((entries) => ({
			contentType: 'application/x-www-form-urlencoded',
			body: new URLSearchParams(entries).toString(),
		})),
	},
	{
		weight: 2,
		arbitrary: fields.map((entries) => {
			const form = new FormData()
			for (const [name, value] of entries) form.append(name, value)
			return { body: form }
		}),
	},
	{
		weight: 2,
		arbitrary: fields.map((entries) => ({
			contentType: 'application/json',
			body: JSON.stringify(Object.fromEntries(entries)),
		})),
	},
	{
		weight: 2,
		arbitrary: wrongType.map((value) => ({ contentType: 'application/json', body: JSON.stringify(value) })),
	},
	{
		weight: 1,
		arbitrary: fc.constantFrom('{"name":', '{"a":1}{"b":2}', '\u0000', '[', 'null').map((raw) => ({
			contentType: 'application/json',
			body: raw,
		})),
	},
	{
		weight: 1,
		arbitrary: fc
			.tuple(oddContentType, fc.oneof(text, fc.constant('')))
			.map(([contentType, raw]) => ({ contentType, body: raw })),
	},
	{ weight: 1, arbitrary: fc.constant<Body>({}) },
)
const query = fc.array(
	fc.tuple(
		fieldName,
		text.filter((value) => value.length < 5_000),
	),
	{ maxLength: 4 },
)

// ── Checking an answer ───────────────────────────────────────────────────

const STACK_TRACE = /\n\s+at [^\n]*:\d+:\d+|node_modules\/|\/work\/|\bat async\b|TypeError:|ReferenceError:/

async function rowCounts(): Promise<Record<string, number>> {
	const rows = await db.execute<{ tablename: string }>(sql`select tablename from pg_tables where schemaname = 'public'`)
	const tables = (Array.isArray(rows) ? rows : (rows as { rows: { tablename: string }[] }).rows).map(
		(row) => row.tablename,
	)
	const counts = await db.execute(
		sql.raw(`select ${tables.map((table) => `(select count(*) from "${table}")::int as "${table}"`).join(', ')}`),
	)
	const [row] = (Array.isArray(counts) ? counts : (counts as { rows: unknown[] }).rows) as Record<string, number>[]
	return row!
}

function changedTables(before: Record<string, number>, after: Record<string, number>, status: number) {
	return Object.keys(after).filter(
		(table) => before[table] !== after[table] && !COUNTERS.has(table) && !(status === 403 && table === 'audit_events'),
	)
}

const totals = { endpoints: 0, cases: 0, refused: 0, answered: 0, byStatus: {} as Record<number, number> }

let cookie = ''

async function send(endpoint: Endpoint, w: MatrixWorld, input: Body, search: [string, string][]) {
	const { route, method, access } = endpoint
	const headers = new Headers()
	if (access.startsWith('api:')) headers.set('Authorization', `Bearer ${w.key}`)
	else {
		if (!cookie) cookie = (await cookieFor(w.admin.id)).cookie
		headers.set('Cookie', cookie)
		// Logging out ends the session: the next case gets a fresh one.
		if (route.id === 'routes/logout') cookie = ''
	}
	if (input.contentType !== undefined) headers.set('Content-Type', input.contentType)
	const url = new URL(urlOf(route, w.params, { forAction: method !== 'GET' }))
	for (const [name, value] of search) url.searchParams.append(name, value)
	const withBody = method !== 'GET' && method !== 'DELETE'
	const request = new Request(url, { method, headers, body: withBody ? (input.body ?? null) : null })
	let timer: ReturnType<typeof setTimeout> | undefined
	const bound = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`no answer within ${BOUND_MS} ms`)), BOUND_MS)
	})
	try {
		const response = await Promise.race([handle(request), bound])
		const location = response.headers.get('Location') ?? ''
		return { status: response.status, location, text: await Promise.race([response.text(), bound]) }
	} finally {
		clearTimeout(timer)
	}
}

describe('fuzzing every form action and API endpoint', () => {
	afterAll(() => {
		const statuses = Object.entries(totals.byStatus)
			.map(([status, count]) => `${status}×${count}`)
			.join(', ')
		console.log(
			`fuzz: ${totals.endpoints} endpoints, ${totals.cases} cases (${RUNS} per endpoint): ${totals.refused} refused (4xx), ${totals.answered} answered (2xx/3xx); statuses ${statuses}`,
		)
	})

	it('finds the endpoints', () => {
		expect(endpoints.length).toBeGreaterThan(30)
	})

	it('never a 5xx or a stack trace, nothing written when refused, always an answer', { timeout: 900_000 }, async () => {
		const w = await matrixWorld()
		// The founder holds every role: each endpoint is reachable past its guard.
		await db
			.update(memberships)
			.set({ roles: [...ROLES] })
			.where(and(eq(memberships.orgId, w.org.id), eq(memberships.userId, w.admin.id)))
		const failures: string[] = []
		let counts: Record<string, number> | null = null
		for (const endpoint of endpoints) {
			const name = `${endpoint.method} ${endpoint.route.pattern}`
			const result = await fc.check(
				fc.asyncProperty(body, query, async (input, search) => {
					const before = counts ?? (await rowCounts())
					counts = null
					const answer = await send(endpoint, w, input, search)
					totals.cases += 1
					totals.byStatus[answer.status] = (totals.byStatus[answer.status] ?? 0) + 1
					expect(answer.status, `${name}: ${answer.text.slice(0, 300)}`).toBeLessThan(500)
					expect(answer.text, name).not.toMatch(STACK_TRACE)
					// The case tested the endpoint, not the login page (a session lost on the way would).
					if (!['public', 'token', 'redirect'].includes(endpoint.access)) {
						expect(answer.location, `${name}: sent to the login page`).not.toMatch(/^\/login/)
					}
					// Taken once per case: after a refusal they are the next case's counts before.
					const after = await rowCounts()
					if (answer.status >= 400) {
						totals.refused += 1
						const changed = changedTables(before, after, answer.status)
						expect(changed, `${name} refused with ${answer.status} but wrote`).toEqual([])
					} else totals.answered += 1
					counts = after
				}),
				{ numRuns: RUNS, endOnFailure: true },
			)
			totals.endpoints += 1
			if (result.failed) {
				const error = result.errorInstance as Error | undefined
				failures.push(
					`${name}: ${error?.message ?? 'the property failed'} — input ${fc.stringify(result.counterexample).slice(0, 400)}`,
				)
			}
		}
		expect(failures).toEqual([])
	})
})
