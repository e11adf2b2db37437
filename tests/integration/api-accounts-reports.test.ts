import { and, count, eq, like } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { accountActions, apps, auditEvents, preparedReports, reportRuns, storedAccounts } from '#db/schema'
import * as accountsRoute from '~/routes/api.v1.apps_.$appId_.accounts'
import * as accountRoute from '~/routes/api.v1.apps_.$appId_.accounts_.$accountId'
import * as batchesRoute from '~/routes/api.v1.apps_.$appId_.report-batches'
import * as runsRoute from '~/routes/api.v1.apps_.$appId_.report-runs'
import { countAccounts } from '~/services/ledger.server'
import { digestLedger } from '~/services/prepared-reports.server'
import { listRuns } from '~/services/reporting.server'
import { apiRequest, apiWorld, call, expectError, expectSchema, keyFor } from './api-helpers'

const DAY = 86_400_000
const ACTIVE = '5be24ad8b1653240376955d2'
const CLOSED = '5be24ba3f91c106033269289'
const EMAIL = 'someone.private@example.org'

function id(n: number) {
	return `5be24ad8b16532403769${String(n).padStart(4, '0')}`
}

const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString()

async function push(world: { key: string; app: { id: string } }, accounts: unknown[], query = '') {
	return call(
		accountsRoute,
		apiRequest(`/apps/${world.app.id}/accounts${query}`, { key: world.key, method: 'POST', body: { accounts } }),
		{
			appId: world.app.id,
		},
	)
}

describe('POST /api/v1/apps/{appId}/accounts', () => {
	it('upserts the accounts once written, lists refused ones by index, and sets storing-since from the oldest updatedAt', async () => {
		const world = await apiWorld()
		const outcome = await push(world, [
			{ accountId: ACTIVE, updatedAt: daysAgo(10) },
			{ accountId: 'unknown', updatedAt: daysAgo(1) },
			{ accountId: CLOSED, updatedAt: daysAgo(3) },
			{ accountId: id(1), updatedAt: '2026-03-01T09:30' },
		])
		expect(outcome.status, JSON.stringify(outcome.data)).toBe(200)
		expectSchema('AccountsResult', outcome.data)
		expect(outcome.data).toEqual({
			upserted: 2,
			rejected: [
				{ index: 1, accountId: 'unknown', reason: expect.stringMatching(/placeholder/) },
				{ index: 3, accountId: id(1), reason: expect.stringMatching(/time zone/) },
			],
		})
		expect(await countAccounts(world.org.id, world.app.id)).toBe(2)
		const [app] = await db.select().from(apps).where(eq(apps.id, world.app.id))
		expect(app!.storingSince?.toISOString().slice(0, 10)).toBe(daysAgo(10).slice(0, 10))
		expect(app!.storingSinceSource).toBe('ledger')
		// The same write as the CSV import: one ledger.imported event, by the key.
		const events = await db.select().from(auditEvents).where(eq(auditEvents.action, 'ledger.imported'))
		expect(events).toHaveLength(1)
		expect(events[0]).toMatchObject({
			actorUserId: null,
			actorApiKeyId: world.apiKey.id,
			after: { rows: 4, inserted: 2, rejected: 2 },
		})
		// Pushed again with a newer date: updated, not duplicated.
		const again = await push(world, [{ accountId: ACTIVE, updatedAt: daysAgo(1) }])
		expect(again.data).toEqual({ upserted: 1, rejected: [] })
		expect(await countAccounts(world.org.id, world.app.id)).toBe(2)
	})

	it('never stores an account pushed with an email-like id, and never echoes it', async () => {
		const world = await apiWorld()
		const outcome = await push(world, [
			{ accountId: EMAIL, updatedAt: daysAgo(2) },
			{ accountId: ACTIVE, updatedAt: daysAgo(2) },
		])
		expect(outcome.status).toBe(200)
		const data = outcome.data as {
			upserted: number
			rejected: { index: number; accountId: string | null; reason: string }[]
		}
		expect(data.upserted).toBe(1)
		expect(data.rejected).toEqual([
			{ index: 0, accountId: null, reason: expect.stringMatching(/looks like an email address/) },
		])
		expect(JSON.stringify(outcome.data)).not.toContain('private')
		expect(await db.select().from(storedAccounts).where(like(storedAccounts.accountId, '%@%'))).toHaveLength(0)
		const atomic = await push(world, [{ accountId: EMAIL, updatedAt: daysAgo(2) }], '?atomic=true')
		expect(JSON.stringify(atomic.data)).not.toContain('private')
	})

	it('atomic=true: one refused entry refuses the request with 422 and writes nothing', async () => {
		const world = await apiWorld()
		const outcome = await push(
			world,
			[
				{ accountId: ACTIVE, updatedAt: daysAgo(2) },
				{ accountId: CLOSED, updatedAt: new Date(Date.now() + DAY).toISOString() },
			],
			'?atomic=true',
		)
		expect(outcome.status).toBe(422)
		expectSchema('AccountsRefused', outcome.data)
		expect(outcome.data).toMatchObject({
			upserted: 0,
			rejected: [{ index: 1, accountId: CLOSED, reason: 'updatedAt is in the future' }],
		})
		expect(await countAccounts(world.org.id, world.app.id)).toBe(0)
		expectError(await push(world, [], '?atomic=maybe'), 400)
	})

	it('takes 10,000 accounts of the longest id in one body, refuses 10,001 (400) and a body over its limit (413)', async () => {
		const world = await apiWorld()
		const long = (n: number) => `${'a'.repeat(120)}${String(n).padStart(8, '0')}`
		const accounts = Array.from({ length: 10_000 }, (_, n) => ({
			accountId: long(n),
			updatedAt: '2026-01-01T00:00:00.000+00:00',
		}))
		// Pretty-printed, as a client might send it.
		const body = JSON.stringify({ accounts }, null, 2)
		const outcome = await call(
			accountsRoute,
			apiRequest(`/apps/${world.app.id}/accounts`, { key: world.key, method: 'POST', body }),
			{ appId: world.app.id },
		)
		expect(outcome.status, JSON.stringify(outcome.data).slice(0, 300)).toBe(200)
		expect(outcome.data).toEqual({ upserted: 10_000, rejected: [] })
		expect(await countAccounts(world.org.id, world.app.id)).toBe(10_000)
		const tooMany = expectError(await push(world, [...accounts, { accountId: ACTIVE, updatedAt: daysAgo(1) }]), 400)
		expect(tooMany.issues?.[0]).toMatchObject({ path: 'accounts', message: expect.stringMatching(/10,000/) })
		const huge = `{"accounts":[${' '.repeat(5 * 1024 * 1024)}]}`
		expectError(
			await call(
				accountsRoute,
				apiRequest(`/apps/${world.app.id}/accounts`, { key: world.key, method: 'POST', body: huge }),
				{ appId: world.app.id },
			),
			413,
		)
	}, 120_000)

	it('answers another organisation’s app with 404, a malformed body with 400, and needs accounts:write', async () => {
		const a = await apiWorld(undefined, 'Org A')
		const b = await apiWorld(undefined, 'Org B')
		expectError(await push({ key: a.key, app: b.app }, [{ accountId: ACTIVE, updatedAt: daysAgo(1) }]), 404)
		expect(await countAccounts(b.org.id, b.app.id)).toBe(0)
		const shape = expectError(await push(a, [{ accountId: 42, updatedAt: daysAgo(1) }]), 400)
		expect(shape.issues?.[0]?.path).toBe('accounts.0.accountId')
		const reader = await keyFor(a.org.id, ['read'])
		expectError(await push({ key: reader, app: a.app }, []), 403)
	})
})

describe('DELETE /api/v1/apps/{appId}/accounts/{accountId}', () => {
	it('removes an account the app erased on its own and closes its open tasks', async () => {
		const world = await apiWorld()
		await push(world, [
			{ accountId: ACTIVE, updatedAt: daysAgo(2) },
			{ accountId: CLOSED, updatedAt: daysAgo(2) },
		])
		await call(
			runsRoute,
			apiRequest(`/apps/${world.app.id}/report-runs`, {
				key: world.key,
				method: 'POST',
				body: {
					sentAt: new Date().toISOString(),
					responses: [{ status: 200, accounts: [{ accountId: CLOSED, status: 'updated' }] }],
				},
			}),
			{ appId: world.app.id },
		)
		const remove = (accountId: string, key = world.key, appId = world.app.id) =>
			call(
				accountRoute,
				apiRequest(`/apps/${appId}/accounts/${encodeURIComponent(accountId)}`, { key, method: 'DELETE' }),
				{ appId, accountId },
			)
		const outcome = await remove(CLOSED)
		expect(outcome.status, JSON.stringify(outcome.data)).toBe(200)
		expectSchema('AccountRemoved', outcome.data)
		expect(outcome.data).toEqual({ accountId: CLOSED, tasksClosed: 1 })
		expect(await countAccounts(world.org.id, world.app.id)).toBe(1)
		const [open] = await db
			.select({ total: count() })
			.from(accountActions)
			.where(and(eq(accountActions.appId, world.app.id), eq(accountActions.accountId, CLOSED)))
		expect(open!.total).toBe(1)
		const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'ledger.account_erased'))
		expect(event).toMatchObject({ actorApiKeyId: world.apiKey.id, after: { erased: 1, tasksClosed: 1 } })
		expect(JSON.stringify(event!.after)).not.toContain(CLOSED)
		// Gone already, never there, or not an account id at all.
		expectError(await remove(CLOSED), 404)
		const email = expectError(await remove(EMAIL), 400)
		expect(email.error).toMatch(/looks like an email address/)
		expect(JSON.stringify(email)).not.toContain('private')
		const other = await apiWorld(undefined, 'Org B')
		expectError(await remove(ACTIVE, other.key), 404)
		expect(await countAccounts(world.org.id, world.app.id)).toBe(1)
	})
})

describe('GET /api/v1/apps/{appId}/report-batches', () => {
	it('serves the bodies of at most 90 accounts with the batch set’s SHA-256 in a header, and writes nothing', async () => {
		const world = await apiWorld()
		await push(
			world,
			Array.from({ length: 95 }, (_, n) => ({ accountId: id(n), updatedAt: daysAgo(3) })),
		)
		const eventsBefore = await db.select({ total: count() }).from(auditEvents)
		const outcome = await call(batchesRoute, apiRequest(`/apps/${world.app.id}/report-batches`, { key: world.key }), {
			appId: world.app.id,
		})
		expect(outcome.status).toBe(200)
		expectSchema('ReportBatches', outcome.data)
		const batches = outcome.data as { accounts: { accountId: string; updatedAt: string }[] }[]
		expect(batches.map((batch) => batch.accounts.length)).toEqual([90, 5])
		const digest = await digestLedger(world.org.id, world.app.id)
		expect(outcome.headers.get('Clearance-Prepared-Report')).toBe(digest.sha256)
		expect(outcome.headers.get('Clearance-Batch-Count')).toBe('2')
		expect(outcome.headers.get('Clearance-Account-Count')).toBe('95')
		expect(await db.select().from(preparedReports)).toHaveLength(0)
		expect(await db.select({ total: count() }).from(auditEvents)).toEqual(eventsBefore)

		const ndjson = await call(
			batchesRoute,
			apiRequest(`/apps/${world.app.id}/report-batches`, {
				key: world.key,
				headers: { Accept: 'application/x-ndjson' },
			}),
			{
				appId: world.app.id,
			},
		)
		expect(ndjson.headers.get('Content-Type')).toMatch(/^application\/x-ndjson/)
		const lines = String(ndjson.data).trim().split('\n')
		expect(lines.map((line) => JSON.parse(line))).toEqual(batches)
		expect(ndjson.headers.get('Clearance-Prepared-Report')).toBe(digest.sha256)
	})

	it('an empty ledger is an empty array; another organisation’s app is a 404; a write-only key is a 403', async () => {
		const world = await apiWorld()
		const empty = await call(batchesRoute, apiRequest(`/apps/${world.app.id}/report-batches`, { key: world.key }), {
			appId: world.app.id,
		})
		expect(empty.data).toEqual([])
		const other = await apiWorld(undefined, 'Org B')
		expectError(
			await call(batchesRoute, apiRequest(`/apps/${other.app.id}/report-batches`, { key: world.key }), {
				appId: other.app.id,
			}),
			404,
		)
		const writer = await keyFor(world.org.id, ['reports:write'])
		expectError(
			await call(batchesRoute, apiRequest(`/apps/${world.app.id}/report-batches`, { key: writer }), {
				appId: world.app.id,
			}),
			403,
		)
	})
})

describe('POST /api/v1/apps/{appId}/report-runs', () => {
	async function reportedWorld() {
		const world = await apiWorld()
		await push(world, [
			{ accountId: ACTIVE, updatedAt: daysAgo(20) },
			{ accountId: CLOSED, updatedAt: daysAgo(20) },
			{ accountId: id(7), updatedAt: daysAgo(20) },
		])
		const batches = await call(batchesRoute, apiRequest(`/apps/${world.app.id}/report-batches`, { key: world.key }), {
			appId: world.app.id,
		})
		return { ...world, sha: batches.headers.get('Clearance-Prepared-Report')! }
	}

	const post = (world: { key: string; app: { id: string } }, body: unknown, headers: Record<string, string> = {}) =>
		call(
			runsRoute,
			apiRequest(`/apps/${world.app.id}/report-runs`, { key: world.key, method: 'POST', body, headers }),
			{ appId: world.app.id },
		)

	it('a body nested far deeper than any run is a 400, not a 500, and records nothing', async () => {
		const world = await reportedWorld()
		const deep = `{"sentAt":"${new Date().toISOString()}","preparedReportId":"${world.sha}","responses":[],"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`
		const outcome = await post(world, deep, { 'Idempotency-Key': 'deep-1' })
		expect(outcome.status).toBe(400)
		expect(outcome.data).toMatchObject({ error: expect.stringContaining('nested more than 16 levels deep') })
		expect(await db.select().from(reportRuns).where(eq(reportRuns.appId, world.app.id))).toHaveLength(0)
	})

	it('records the run the batches answer (201): tasks by kind, the next due date, evidence by the key', async () => {
		const world = await reportedWorld()
		const sentAt = new Date(Date.now() - 60_000).toISOString()
		const outcome = await post(world, {
			sentAt,
			preparedReportId: world.sha,
			responses: [
				{
					status: 200,
					accounts: [
						{ accountId: CLOSED, status: 'closed' },
						{ accountId: id(7), status: 'updated' },
					],
				},
			],
		})
		expect(outcome.status, JSON.stringify(outcome.data)).toBe(201)
		expectSchema('ReportRunResult', outcome.data)
		const answer = outcome.data as {
			id: string
			eraseTasks: number
			refreshTasks: number
			nextDueAt: string
			preparedReportId: string
		}
		expect(answer).toMatchObject({
			eraseTasks: 1,
			refreshTasks: 1,
			preparedReportId: world.sha,
			cyclePeriodOutcome: null,
		})
		// 15-day cycle from the run: the end of that local day (UTC here).
		const due = new Date(Date.parse(sentAt) + 15 * DAY).toISOString().slice(0, 10)
		expect(answer.nextDueAt).toBe(`${due}T23:59:59.999+00:00`)
		const [run] = await db.select().from(reportRuns).where(eq(reportRuns.id, answer.id))
		expect(run).toMatchObject({
			recordedBy: null,
			recordedByKeyId: world.apiKey.id,
			accountCount: 3,
			batchCount: 1,
			closedCount: 1,
			updatedCount: 1,
		})
		expect(run!.batchAnswers).toEqual([
			{ batch: 1, status: 200, body: expect.stringContaining(CLOSED), cyclePeriod: null },
		])
		const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'report_run.recorded'))
		expect(event).toMatchObject({ actorUserId: null, actorApiKeyId: world.apiKey.id, subjectId: answer.id })
		const [prepared] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'report.prepared'))
		expect(prepared).toMatchObject({ actorApiKeyId: world.apiKey.id })
		// The reporting page says who recorded it.
		const [listed] = await listRuns(world.org.id, world.app.id)
		expect(listed).toMatchObject({ id: answer.id, recordedByName: 'API key “Release pipeline”' })
	})

	it('without preparedReportId it answers the ledger’s current batches; a 204 needs no accounts; Cycle-Period is read', async () => {
		const world = await reportedWorld()
		const outcome = await post(world, {
			sentAt: new Date().toISOString(),
			cyclePeriod: 'P7D',
			responses: [{ status: 204 }],
		})
		expect(outcome.status, JSON.stringify(outcome.data)).toBe(201)
		expect(outcome.data).toMatchObject({
			eraseTasks: 0,
			refreshTasks: 0,
			preparedReportId: world.sha,
			cyclePeriodOutcome: 'pending',
		})
	})

	it('an Idempotency-Key makes a retried POST return the first answer instead of a second run', async () => {
		const world = await reportedWorld()
		const body = {
			sentAt: new Date().toISOString(),
			preparedReportId: world.sha,
			responses: [{ status: 200, accounts: [{ accountId: CLOSED, status: 'closed' }] }],
		}
		const headers = { 'Idempotency-Key': 'run-2026-03-10-a1b2' }
		const first = await post(world, body, headers)
		expect(first.status).toBe(201)
		const retry = await post(world, body, headers)
		expect(retry.status).toBe(201)
		expect(retry.data).toEqual(first.data)
		expect(retry.headers.get('Idempotent-Replayed')).toBe('true')
		expect(await db.select().from(reportRuns).where(eq(reportRuns.appId, world.app.id))).toHaveLength(1)
		expect(await db.select().from(accountActions).where(eq(accountActions.appId, world.app.id))).toHaveLength(1)
		// The same key with another request is refused, not replayed.
		const other = await post(world, { ...body, responses: [{ status: 204 }] }, headers)
		expect(expectError(other, 422).error).toMatch(/Idempotency-Key/)
		expectError(await post(world, body, { 'Idempotency-Key': 'with space' }), 400)
		// Without the header, a second POST is a second run.
		expect((await post(world, body)).status).toBe(201)
		expect(await db.select().from(reportRuns).where(eq(reportRuns.appId, world.app.id))).toHaveLength(2)
	})

	it('two identical POSTs with one Idempotency-Key at once record one run, and both get its answer', async () => {
		const world = await reportedWorld()
		const body = { sentAt: new Date().toISOString(), preparedReportId: world.sha, responses: [{ status: 204 }] }
		const headers = { 'Idempotency-Key': 'concurrent-1' }
		const [a, b] = await Promise.all([post(world, body, headers), post(world, body, headers)])
		expect([a.status, b.status]).toEqual([201, 201])
		expect(a.data).toEqual(b.data)
		expect(await db.select().from(reportRuns).where(eq(reportRuns.appId, world.app.id))).toHaveLength(1)
	})

	it('refuses what cannot be evidence: 400 malformed or in the future, 422 an unprocessed batch, 409 an empty ledger', async () => {
		const world = await reportedWorld()
		const missing = expectError(await post(world, { responses: [{ status: 204 }] }), 400)
		expect(missing.issues?.[0]?.path).toBe('sentAt')
		const wrongStatus = expectError(
			await post(world, {
				sentAt: new Date().toISOString(),
				responses: [{ status: 200, accounts: [{ accountId: CLOSED, status: 'gone' }] }],
			}),
			400,
		)
		expect(wrongStatus.issues?.[0]?.path).toBe('responses.0.accounts.0.status')
		const future = expectError(
			await post(world, { sentAt: new Date(Date.now() + DAY).toISOString(), responses: [{ status: 204 }] }),
			400,
		)
		expect(future.issues?.[0]?.path).toBe('sentAt')
		const unprocessed = expectError(
			await post(world, { sentAt: new Date().toISOString(), responses: [{ status: 204 }, { status: 429 }] }),
			422,
		)
		expect(unprocessed.issues?.[0]).toMatchObject({
			path: 'responses.1',
			message: expect.stringMatching(/answered 429/),
		})
		const email = expectError(
			await post(world, {
				sentAt: new Date().toISOString(),
				responses: [{ status: 200, accounts: [{ accountId: EMAIL, status: 'closed' }] }],
			}),
			422,
		)
		expect(JSON.stringify(email)).not.toContain('private')
		// NUL cannot be stored (PostgreSQL refuses it): a 400, never a 500.
		const nul = expectError(
			await post(world, {
				sentAt: new Date().toISOString(),
				cyclePeriod: 'P7D\u0000',
				responses: [{ status: 204, cyclePeriod: 'P1D\u0000' }],
			}),
			400,
		)
		expect(nul.issues!.map((issue) => issue.path).sort()).toEqual(['cyclePeriod', 'responses.0.cyclePeriod'])
		const unknownSha = expectError(
			await post(world, {
				sentAt: new Date().toISOString(),
				preparedReportId: 'f'.repeat(64),
				responses: [{ status: 204 }],
			}),
			400,
		)
		expect(unknownSha.issues?.[0]?.path).toBe('preparedReportId')
		expect(await db.select().from(reportRuns)).toHaveLength(0)

		const empty = await apiWorld(undefined, 'Empty Ledger')
		expectError(await post(empty, { sentAt: new Date().toISOString(), responses: [{ status: 204 }] }), 409)
	})

	it('answers another organisation’s app with 404 and needs reports:write', async () => {
		const world = await reportedWorld()
		const other = await apiWorld(undefined, 'Org B')
		const body = { sentAt: new Date().toISOString(), responses: [{ status: 204 }] }
		expectError(await post({ key: other.key, app: world.app }, body), 404)
		const reader = await keyFor(world.org.id, ['read', 'accounts:write'])
		expectError(await post({ key: reader, app: world.app }, body), 403)
		expect(await db.select().from(reportRuns)).toHaveLength(0)
	})
})
