import { randomUUID } from 'node:crypto'
import { and, count, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import {
	accountActions,
	apps,
	auditEvents,
	importJobs,
	organizations,
	preparedReports,
	reportRuns,
	storedAccounts,
} from '#db/schema'
import { EMAIL_IN_ACCOUNT_ID_REASON } from '~/domain/account-ids'
import { parseCsv } from '~/domain/csv'
import { MAX_BATCH } from '~/domain/report-batches'
import { loader as dashboardLoader } from '~/routes/o.$org._index'
import { action as reportingAction, loader as reportingLoader } from '~/routes/o.$org.apps.$appId_.reporting'
import { loader as ledgerLoader } from '~/routes/o.$org.apps.$appId_.reporting._index'
import { loader as batchesLoader } from '~/routes/o.$org.apps.$appId_.reporting.batches'
import { loader as csvLoader } from '~/routes/o.$org.apps.$appId_.reporting.ledger[.]csv'
import { action as importAction } from '~/routes/o.$org.apps.$appId_.reporting_.import'
import { action as runAction } from '~/routes/o.$org.apps.$appId_.reporting_.runs'
import { AppSchema } from '~/schemas/apps'
import { createApp, getApp, updateApp } from '~/services/apps.server'
import { importWorkerIdle, type JobSummary } from '~/services/import-jobs.server'
import { ledgerFigures } from '~/services/ledger-stats.server'
import { countAccounts, HIDDEN_EMAIL, importAccounts, type ImportResult } from '~/services/ledger.server'
import { prepareReport } from '~/services/prepared-reports.server'
import {
	completeTask,
	dashboardRows,
	decideHeaderCycle,
	recordRun,
	reopenTask,
	type RunInput,
} from '~/services/reporting.server'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

const encoder = new TextEncoder()

function appInput(overrides: Record<string, unknown> = {}) {
	return AppSchema.parse({
		name: 'Mail Bridge',
		appKey: `com.acme.bridge-${Math.random().toString(36).slice(2, 8)}`,
		appType: 'forge',
		products: ['jira'],
		privacyPolicyUrl: 'https://acme.example/privacy',
		storesPersonalData: 'yes',
		...overrides,
	})
}

async function world() {
	const { org, admin } = await createOrg()
	const { cookie } = await cookieFor(admin.id)
	const app = await createApp(org.id, admin.id, appInput())
	const params = { org: org.slug, appId: app.id }
	const url = `/o/${org.slug}/apps/${app.id}/reporting`
	return { org, user: admin, cookie, app, params, url }
}

/** A multipart body streamed part by part, as a browser uploads a file. */
function multipartRequest(
	url: string,
	cookie: string,
	fields: Record<string, string>,
	file: { name: string; filename: string; chunks: () => Iterable<string> },
) {
	const boundary = `----clearance${Math.random().toString(36).slice(2)}`
	function* parts() {
		for (const [name, value] of Object.entries(fields)) {
			yield `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
		}
		yield `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: text/csv\r\n\r\n`
		yield* file.chunks()
		yield `\r\n--${boundary}--\r\n`
	}
	const iterator = parts()
	const body = new ReadableStream<Uint8Array>({
		pull(controller) {
			const next = iterator.next()
			if (next.done) controller.close()
			else controller.enqueue(encoder.encode(next.value))
		},
	})
	return new Request(new URL(url, 'http://localhost'), {
		method: 'POST',
		headers: { Cookie: cookie, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
		body,
		duplex: 'half',
	} as RequestInit)
}

function csvRows(rows: string[]) {
	return () => [['accountId,updatedAt', ...rows].join('\r\n')]
}

/** Prepares the app's report as it stands, then records a run answering it. */
async function record(orgId: string, userId: string, appId: string, input: Omit<RunInput, 'preparedReport'>) {
	const prepared = await prepareReport(orgId, userId, appId)
	return recordRun(orgId, userId, appId, { ...input, preparedReport: { id: prepared.id } })
}

async function preparedId(orgId: string, userId: string, appId: string) {
	return (await prepareReport(orgId, userId, appId)).id
}

async function importText(orgId: string, userId: string, appId: string, text: string, atomic = false) {
	return importAccounts(orgId, userId, appId, parseCsv([text]), { atomic })
}

const BAD_ROWS = [
	'5be24ad8b1653240376955d2,2026-01-10T09:00:00Z',
	'someone@example.com,2026-01-10T09:00:00Z',
	'unknown,2026-01-10T09:00:00Z',
	`${'a'.repeat(129)},2026-01-10T09:00:00Z`,
	'5be24ba3f91c106033269289,yesterday',
	'557058:0f5e3c1a-1111-2222-3333-444455556666,2026-01-11',
]

describe('ledger import', () => {
	it('imports 100,000 streamed rows through the upload route as a background job', async () => {
		const { org, app, cookie, params, url } = await world()
		const total = 100_000
		function* chunks() {
			yield 'accountId,updatedAt\r\n'
			let text = ''
			for (let i = 0; i < total; i++) {
				text += `acc-${String(i).padStart(6, '0')},2026-01-01T00:00:00Z\r\n`
				if (text.length > 64 * 1024) {
					yield text
					text = ''
				}
			}
			yield text
		}
		const started = performance.now()
		const result = await runRoute(
			importAction,
			multipartRequest(url, cookie, { intent: 'import' }, { name: 'file', filename: 'accounts.csv', chunks }),
			params,
		)
		// A file this large is accepted at once and imported in the background (issue 16).
		expect(result.status).toBe(202)
		const job = (result.data as { importJob: JobSummary }).importJob
		expect(job).toMatchObject({ status: 'queued', finished: false })
		await importWorkerIdle()
		const seconds = (performance.now() - started) / 1000
		console.info(`100k-row import took ${seconds.toFixed(1)} s`)
		const [ended] = await db.select().from(importJobs).where(eq(importJobs.id, job.id))
		expect(ended).toMatchObject({ status: 'succeeded', rows: total, inserted: total, updated: 0, rejected: 0 })
		expect(await countAccounts(org.id, app.id)).toBe(total)
		const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'ledger.imported'))
		expect(event).toMatchObject({ orgId: org.id, subjectId: app.id, after: { inserted: total } })
	}, 120_000)

	it('reports email, unknown, too long and bad date rows with line numbers and keeps the good ones', async () => {
		const { app, cookie, params, url } = await world()
		const result = await runRoute(
			importAction,
			multipartRequest(
				url,
				cookie,
				{ intent: 'import' },
				{ name: 'file', filename: 'a.csv', chunks: csvRows(BAD_ROWS) },
			),
			params,
		)
		expect(result.status).toBe(200)
		const imported = (result.data as { importResult: ImportResult }).importResult
		expect(imported).toMatchObject({ written: true, rows: 6, inserted: 2, updated: 0, rejected: 4 })
		expect(imported.rejectedRows).toEqual([
			{ line: 3, accountId: HIDDEN_EMAIL, reason: EMAIL_IN_ACCOUNT_ID_REASON },
			{ line: 4, accountId: 'unknown', reason: expect.stringContaining('unknown') },
			{ line: 5, accountId: expect.any(String), reason: 'account id is longer than 128 characters' },
			{ line: 6, accountId: '5be24ba3f91c106033269289', reason: expect.stringContaining('RFC 3339') },
		])
		const stored = await db.select().from(storedAccounts).where(eq(storedAccounts.appId, app.id))
		expect(stored.map((row) => row.accountId).sort()).toEqual([
			'557058:0f5e3c1a-1111-2222-3333-444455556666',
			'5be24ad8b1653240376955d2',
		])
		// Nothing email-like ever lands in the ledger.
		expect(stored.some((row) => row.accountId.includes('@'))).toBe(false)
	})

	it('never echoes an email address back, whatever the rejection or the header', async () => {
		const { cookie, params, url } = await world()
		const result = await runRoute(
			importAction,
			multipartRequest(
				url,
				cookie,
				{ intent: 'import' },
				{
					name: 'file',
					filename: 'a.csv',
					chunks: csvRows([
						'someone@example.com,2026-01-01T00:00:00Z',
						'other@example.com,2026-01-01T00:00:00Z,extra',
						'"third@example.com\n',
					]),
				},
			),
			params,
		)
		expect(result.status).toBe(200)
		expect((result.data as { importResult: ImportResult }).importResult).toMatchObject({ rejected: 3 })
		expect(JSON.stringify(result.data)).not.toContain('@example.com')
		// A file without its header is refused quoting its first line: not when that line holds an email.
		const headless = await runRoute(
			importAction,
			multipartRequest(
				url,
				cookie,
				{ intent: 'import' },
				{ name: 'file', filename: 'a.csv', chunks: () => ['someone@example.com,2026-01-01T00:00:00Z\n'] },
			),
			params,
		)
		expect(headless.status).toBe(400)
		expect(JSON.stringify(headless.data)).not.toContain('@example.com')
	})

	it('rejects an updatedAt PostgreSQL cannot store (year 0000) as one row, with its line, and imports the rest', async () => {
		const { org, app, cookie, params, url } = await world()
		const result = await runRoute(
			importAction,
			multipartRequest(
				url,
				cookie,
				{ intent: 'import' },
				{
					name: 'file',
					filename: 'a.csv',
					chunks: csvRows(['acc-0,2026-01-01T00:00:00Z', 'acc-1,0000-01-01T00:00:00Z', 'acc-2,2026-01-01T00:00:00Z']),
				},
			),
			params,
		)
		expect(result.status).toBe(200)
		expect((result.data as { importResult: ImportResult }).importResult).toMatchObject({
			written: true,
			inserted: 2,
			rejected: 1,
			rejectedRows: [{ line: 3, accountId: 'acc-1', reason: expect.stringContaining('1970-01-01') }],
		})
		expect(await countAccounts(org.id, app.id)).toBe(2)
	})

	it('writes nothing in atomic mode when any row is rejected, and everything when none is', async () => {
		const { org, user, app, cookie, params, url } = await world()
		// A valid first chunk is rolled back too, not only the rows after the bad one.
		const many = Array.from({ length: 2500 }, (_, i) => `ok-${i},2026-01-01T00:00:00Z`)
		const result = await runRoute(
			importAction,
			multipartRequest(
				url,
				cookie,
				{ intent: 'import', atomic: '1' },
				{ name: 'file', filename: 'a.csv', chunks: csvRows([...many, 'bad@example.com,2026-01-01T00:00:00Z']) },
			),
			params,
		)
		expect(result.status).toBe(422)
		expect((result.data as { importResult: ImportResult }).importResult).toMatchObject({
			written: false,
			inserted: 0,
			rejected: 1,
			rejectedRows: [{ line: 2502, reason: EMAIL_IN_ACCOUNT_ID_REASON }],
		})
		expect(await countAccounts(org.id, app.id)).toBe(0)
		expect(await db.select().from(auditEvents).where(eq(auditEvents.action, 'ledger.imported'))).toHaveLength(0)

		const clean = await importText(org.id, user.id, app.id, 'accountId,updatedAt\nabc,2026-01-01T00:00:00Z\n', true)
		expect(clean).toMatchObject({ written: true, inserted: 1 })
	})

	it('upserts by account id: a second import updates updatedAt, duplicates in one file keep the last', async () => {
		const { org, user, app } = await world()
		await importText(org.id, user.id, app.id, 'accountId,updatedAt\na1,2026-01-01T00:00:00Z\na2,2026-01-01T00:00:00Z\n')
		const again = await importText(
			org.id,
			user.id,
			app.id,
			'\uFEFFaccountId,updatedAt\r\na1,2026-02-01T00:00:00Z\r\na3,2026-02-01T00:00:00Z\r\na3,2026-03-01T00:00:00+01:00\r\n',
		)
		// Three rows read: one added, one updated, and one skipped for the later row of its id (what the summary tells).
		expect(again).toMatchObject({ rows: 3, inserted: 1, updated: 1, rejected: 0 })
		const rows = await db.select().from(storedAccounts).where(eq(storedAccounts.appId, app.id))
		const byId = Object.fromEntries(rows.map((row) => [row.accountId, row.updatedAt.toISOString()]))
		expect(byId).toEqual({
			a1: '2026-02-01T00:00:00.000Z',
			a2: '2026-01-01T00:00:00.000Z',
			a3: '2026-02-28T23:00:00.000Z',
		})
	})

	it('refuses a file without the accountId,updatedAt header, and a missing file, with a message', async () => {
		const { org, app, cookie, params, url } = await world()
		const wrong = await runRoute(
			importAction,
			multipartRequest(
				url,
				cookie,
				{ intent: 'import' },
				{ name: 'file', filename: 'a.csv', chunks: () => ['email,date\nx,y\n'] },
			),
			params,
		)
		expect(wrong.status).toBe(400)
		expect(wrong.data).toMatchObject({ errors: { file: expect.stringContaining('accountId,updatedAt') } })
		const none = await runRoute(
			importAction,
			multipartRequest(url, cookie, { intent: 'import' }, { name: 'file', filename: '', chunks: () => [] }),
			params,
		)
		expect(none.status).toBe(400)
		expect(await countAccounts(org.id, app.id)).toBe(0)
	})

	it('searches and pages the ledger, and exports it as CSV', async () => {
		const { org, user, app, cookie, params, url } = await world()
		const rows = Array.from({ length: 120 }, (_, i) => `acc-${String(i).padStart(3, '0')},2026-01-01T00:00:00Z`)
		await importText(org.id, user.id, app.id, ['accountId,updatedAt', ...rows].join('\n'))
		const page1 = await runRoute(ledgerLoader, makeRequest(url, { cookie }), params)
		type Page = { ledger: { total: number; nextAfter: string | null; accounts: { accountId: string }[] } }
		const first = (page1.data as Page).ledger
		expect(first.nextAfter).toBe('acc-049')
		const page2 = await runRoute(ledgerLoader, makeRequest(`${url}?after=${first.nextAfter}`, { cookie }), params)
		const data = page2.data as Page
		expect(data.ledger.total).toBe(120)
		expect(data.ledger.accounts[0]!.accountId).toBe('acc-050')
		// A prefix search: acc-110 … acc-119.
		const search = await runRoute(ledgerLoader, makeRequest(`${url}?q=acc-11`, { cookie }), params)
		expect((search.data as { ledger: { matches: unknown } }).ledger.matches).toEqual({ count: 10, more: false })

		const csv = await runRoute(csvLoader, makeRequest(`${url}/ledger.csv`, { cookie }), params)
		expect(csv.status).toBe(200)
		expect(csv.headers.get('Content-Type')).toContain('text/csv')
		const lines = (csv.data as string).trim().split('\r\n')
		// Every cell quoted and formula-safe (csvCell): the export opens in spreadsheets.
		expect(lines[0]).toBe('"accountId","updatedAt"')
		expect(lines).toHaveLength(121)
		expect(lines[1]).toBe('"acc-000","2026-01-01T00:00:00.000Z"')
	})
})

describe('report batches', () => {
	it('never exceed 90 and cover every account exactly once, as a JSON array and NDJSON, scoped by app', async () => {
		const { org, user, app, cookie, params, url } = await world()
		const count = 2 * MAX_BATCH * 6 + 17 // several stream pages and a partial last batch
		const rows = Array.from({ length: count }, (_, i) => `id-${i},2026-01-0${(i % 9) + 1}T10:00:00+02:00`)
		await importText(org.id, user.id, app.id, ['accountId,updatedAt', ...rows].join('\n'))
		// Another app's accounts must not leak into this app's batches.
		const other = await createApp(org.id, user.id, appInput())
		await importText(org.id, user.id, other.id, 'accountId,updatedAt\nother-1,2026-01-01T00:00:00Z\n')

		const json = await runRoute(batchesLoader, makeRequest(`${url}/batches?format=json`, { cookie }), params)
		expect(json.status).toBe(200)
		const bodies = json.data as { accounts: { accountId: string; updatedAt: string }[] }[]
		const ndjson = await runRoute(batchesLoader, makeRequest(`${url}/batches?format=ndjson`, { cookie }), params)
		expect(ndjson.headers.get('Content-Type')).toContain('ndjson')
		const lines = (ndjson.data as string)
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line) as (typeof bodies)[number])
		expect(lines).toEqual(bodies)

		expect(bodies).toHaveLength(Math.ceil(count / MAX_BATCH))
		const seen = new Map<string, number>()
		for (const body of bodies) {
			expect(Object.keys(body)).toEqual(['accounts'])
			expect(body.accounts.length).toBeGreaterThan(0)
			expect(body.accounts.length).toBeLessThanOrEqual(MAX_BATCH)
			for (const account of body.accounts) {
				expect(Object.keys(account)).toEqual(['accountId', 'updatedAt'])
				expect(account.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
				seen.set(account.accountId, (seen.get(account.accountId) ?? 0) + 1)
			}
		}
		expect(seen.size).toBe(count)
		expect([...seen.values()].every((n) => n === 1)).toBe(true)
		expect(seen.has('other-1')).toBe(false)
	})

	it('is an empty JSON array for an empty ledger', async () => {
		const { cookie, params, url } = await world()
		const json = await runRoute(batchesLoader, makeRequest(`${url}/batches`, { cookie }), params)
		expect(json.data).toEqual([])
	})
})

describe('report runs and tasks', () => {
	/** Account acc-upd answered updated in one run, closed in the next: both tasks open for one account. */
	async function updatedThenClosed(orgId: string, userId: string, appId: string) {
		for (const status of ['updated', 'closed']) {
			await record(orgId, userId, appId, {
				sentAt: new Date(),
				answers: `{"accounts":[{"accountId":"acc-upd","status":"${status}"}]}`,
			})
		}
		const tasks = await db.select().from(accountActions).where(eq(accountActions.appId, appId))
		return {
			erase: tasks.find((task) => task.kind === 'erase')!,
			refresh: tasks.find((task) => task.kind === 'refresh')!,
		}
	}

	async function withLedger() {
		const w = await world()
		await importText(
			w.org.id,
			w.user.id,
			w.app.id,
			'accountId,updatedAt\n5be24ad8b1653240376955d2,2026-01-01T00:00:00Z\n5be24ba3f91c106033269289,2026-01-01T00:00:00Z\nacc-upd,2026-01-01T00:00:00Z\n',
		)
		return w
	}

	it('creates an erase task for closed and a refresh task for updated, due in the org policy days', async () => {
		const { org, user, app, cookie, params, url } = await withLedger()
		const preparedReport = await preparedId(org.id, user.id, app.id)
		await db.update(organizations).set({ taskDueDays: 10 }).where(eq(organizations.id, org.id))
		// One batch of three accounts: one answer.
		const answers = JSON.stringify({
			accounts: [
				{ accountId: '5be24ba3f91c106033269289', status: 'closed' },
				{ accountId: 'acc-upd', status: 'updated' },
			],
		})
		const result = await runRoute(
			runAction,
			makeRequest(url, {
				cookie,
				form: { intent: 'run', preparedReport, sentAt: '2026-01-20T10:00:00Z', answers, cyclePeriod: '' },
			}),
			params,
		)
		expect(result.status).toBe(200)
		const [run] = await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))
		expect(run).toMatchObject({
			orgId: org.id,
			accountCount: 3,
			batchCount: 1,
			closedCount: 1,
			updatedCount: 1,
			recordedBy: user.id,
			cyclePeriodRaw: null,
		})
		expect(run!.sentAt.toISOString()).toBe('2026-01-20T10:00:00.000Z')
		const tasks = await db.select().from(accountActions).where(eq(accountActions.appId, app.id))
		expect(tasks.map((task) => [task.accountId, task.kind]).sort()).toEqual([
			['5be24ba3f91c106033269289', 'erase'],
			['acc-upd', 'refresh'],
		])
		const days = (tasks[0]!.dueAt.getTime() - Date.now()) / 86_400_000
		expect(days).toBeGreaterThan(9)
		expect(days).toBeLessThanOrEqual(11)
		expect(await db.select().from(auditEvents).where(eq(auditEvents.action, 'report_run.recorded'))).toHaveLength(1)
	})

	it('completing an erase task removes the account; a refresh task moves its updatedAt to now', async () => {
		const { org, user, app, cookie, params, url } = await withLedger()
		await record(org.id, user.id, app.id, {
			sentAt: new Date(),
			answers:
				'[{"accounts":[{"accountId":"5be24ba3f91c106033269289","status":"closed"},{"accountId":"acc-upd","status":"updated"}]}]',
		})
		const tasks = await db.select().from(accountActions).where(eq(accountActions.appId, app.id))
		const erase = tasks.find((task) => task.kind === 'erase')!
		const refresh = tasks.find((task) => task.kind === 'refresh')!

		const done = await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'complete', taskId: erase.id } }),
			params,
		)
		expect(done.status).toBe(200)
		const remaining = await db.select().from(storedAccounts).where(eq(storedAccounts.appId, app.id))
		expect(remaining.map((row) => row.accountId).sort()).toEqual(['5be24ad8b1653240376955d2', 'acc-upd'])

		const before = Date.now()
		await completeTask(org.id, user.id, app.id, refresh.id)
		const [refreshed] = await db
			.select()
			.from(storedAccounts)
			.where(and(eq(storedAccounts.appId, app.id), eq(storedAccounts.accountId, 'acc-upd')))
		expect(refreshed!.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 1000)

		const again = await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'complete', taskId: erase.id } }),
			params,
		)
		expect(again.status).toBe(409)
		const actions = (await db.select().from(auditEvents)).map((event) => event.action)
		expect(actions).toEqual(expect.arrayContaining(['account_task.erased', 'account_task.refreshed']))
	})

	it('records a run naming accounts the ledger no longer holds, with tasks for the known ones and a warning', async () => {
		const { org, user, app, cookie, params, url } = await withLedger()
		const preparedReport = await preparedId(org.id, user.id, app.id)
		const answers = JSON.stringify({
			accounts: [
				{ accountId: 'acc-upd', status: 'updated' },
				{ accountId: 'gone-1', status: 'closed' },
				{ accountId: 'gone-2', status: 'closed' },
				{ accountId: 'gone-3', status: 'updated' },
				{ accountId: 'gone-4', status: 'closed' },
			],
		})
		const result = await runRoute(
			runAction,
			makeRequest(url, {
				cookie,
				form: { intent: 'run', preparedReport, sentAt: '2026-01-20T10:00', answers, cyclePeriod: '' },
			}),
			params,
		)
		expect(result.status).toBe(200)
		const warning = (result.data as { warning?: string }).warning
		expect(warning).toContain('4 accounts')
		expect(warning).toContain('gone-1, gone-2, gone-3, …')
		expect(warning).not.toContain('gone-4')
		const [run] = await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))
		// The run keeps Atlassian's answer whole, as evidence.
		expect(run).toMatchObject({ closedCount: 3, updatedCount: 2 })
		const tasks = await db.select().from(accountActions).where(eq(accountActions.appId, app.id))
		expect(tasks.map((task) => [task.accountId, task.kind])).toEqual([['acc-upd', 'refresh']])
		const [event] = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'report_run.recorded')))
		expect(event!.after).toMatchObject({ skippedUnknown: 4 })
	})

	it('records a run closing 12,000 accounts: no query exceeds the 65,535-parameter limit', async () => {
		const { org, user, app } = await world()
		const total = 12_000
		const ids = Array.from({ length: total }, (_, i) => `big-${String(i).padStart(5, '0')}`)
		const updatedAt = new Date('2026-01-01T00:00:00Z')
		for (let i = 0; i < total; i += 1000) {
			await db
				.insert(storedAccounts)
				.values(ids.slice(i, i + 1000).map((accountId) => ({ appId: app.id, accountId, updatedAt })))
		}
		// Batches of 90 as Atlassian answers them, NDJSON.
		const lines: string[] = []
		for (let i = 0; i < total; i += MAX_BATCH) {
			lines.push(
				JSON.stringify({ accounts: ids.slice(i, i + MAX_BATCH).map((accountId) => ({ accountId, status: 'closed' })) }),
			)
		}
		const { run, tasksCreated, skipped } = await record(org.id, user.id, app.id, {
			sentAt: new Date(),
			answers: lines.join('\n'),
		})
		expect(run).toMatchObject({ accountCount: total, closedCount: total })
		expect(tasksCreated).toBe(total)
		expect(skipped.count).toBe(0)
		const [erase] = await db
			.select({ n: count() })
			.from(accountActions)
			.where(and(eq(accountActions.appId, app.id), eq(accountActions.kind, 'erase')))
		expect(erase!.n).toBe(total)
		// A second answer for the same accounts reads the open tasks back through the same path.
		const again = await record(org.id, user.id, app.id, { sentAt: new Date(), answers: lines.join('\n') })
		expect(again.tasksCreated).toBe(0)
	}, 120_000)

	it('erasing closes the account’s other open tasks; completing a done or orphaned task is a 409 without an audit event', async () => {
		const { org, user, app, cookie, params, url } = await withLedger()
		const { erase, refresh } = await updatedThenClosed(org.id, user.id, app.id)
		await completeTask(org.id, user.id, app.id, erase.id)
		const [closedRefresh] = await db.select().from(accountActions).where(eq(accountActions.id, refresh.id))
		expect(closedRefresh!.completedAt).toBeInstanceOf(Date)
		expect(closedRefresh!.completedBy).toBe(user.id)
		const [erased] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'account_task.erased'))
		expect(erased!.after).toMatchObject({ alsoClosedTaskIds: [refresh.id] })

		const done = await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'complete', taskId: refresh.id } }),
			params,
		)
		expect(done.status).toBe(409)
		expect(done.data).toMatchObject({ formError: expect.stringContaining('already done') })

		// An account gone from the ledger some other way leaves a task with nothing to do.
		await record(org.id, user.id, app.id, {
			sentAt: new Date(),
			answers: '{"accounts":[{"accountId":"5be24ad8b1653240376955d2","status":"updated"}]}',
		})
		const [orphan] = await db
			.select()
			.from(accountActions)
			.where(and(eq(accountActions.appId, app.id), eq(accountActions.accountId, '5be24ad8b1653240376955d2')))
		await db
			.delete(storedAccounts)
			.where(and(eq(storedAccounts.appId, app.id), eq(storedAccounts.accountId, '5be24ad8b1653240376955d2')))
		const gone = await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'complete', taskId: orphan!.id } }),
			params,
		)
		expect(gone.status).toBe(409)
		expect(gone.data).toMatchObject({ formError: expect.stringContaining('no longer in this app’s ledger') })
		expect(await db.select().from(auditEvents).where(eq(auditEvents.action, 'account_task.refreshed'))).toHaveLength(0)
	})

	it('undoes a task marked done by mistake: the account is stored again as it was, its tasks open again, once', async () => {
		const { org, user, app, cookie, params, url } = await withLedger()
		const { erase, refresh } = await updatedThenClosed(org.id, user.id, app.id)
		const ledgerRow = async (accountId: string) =>
			(
				await db
					.select({ updatedAt: storedAccounts.updatedAt, createdAt: storedAccounts.createdAt })
					.from(storedAccounts)
					.where(and(eq(storedAccounts.appId, app.id), eq(storedAccounts.accountId, accountId)))
			)[0]
		const before = (await ledgerRow('acc-upd'))!
		const figuresBefore = await ledgerFigures(app.id)

		const done = await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'complete', taskId: erase.id } }),
			params,
		)
		expect(done.data).toMatchObject({ undoTaskId: erase.id })
		expect(await ledgerRow('acc-upd')).toBeUndefined()

		// Another organisation's member cannot undo it, nor can a made-up task id.
		const other = await createOrg()
		await expect(reopenTask(other.org.id, other.admin.id, app.id, erase.id)).rejects.toMatchObject({ status: 404 })
		await expect(reopenTask(org.id, user.id, app.id, randomUUID())).rejects.toMatchObject({ status: 404 })
		const undone = await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'reopen', taskId: erase.id } }),
			params,
		)
		expect(undone.status).toBe(200)
		expect(undone.data).toMatchObject({ notice: expect.stringContaining('is back in the ledger as it was') })
		// Exactly as it was: its updatedAt, when it was first stored, and the ledger's figures.
		expect(await ledgerRow('acc-upd')).toEqual(before)
		expect(await ledgerFigures(app.id)).toEqual(figuresBefore)
		const reopened = await db.select().from(accountActions).where(eq(accountActions.appId, app.id))
		for (const task of reopened)
			expect(task).toMatchObject({ completedAt: null, completedBy: null, priorUpdatedAt: null })
		const [event] = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'account_task.reopened')))
		expect(event!.after).toMatchObject({ ledgerRestored: true, tasksReopened: 2 })

		// Undone once: again is a 409 that changes nothing.
		const again = await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'reopen', taskId: erase.id } }),
			params,
		)
		expect(again.status).toBe(409)
		expect(again.data).toMatchObject({ formError: 'This task is open already.' })

		// A refresh undone gets its old updatedAt back; one written over since keeps the later write.
		await completeTask(org.id, user.id, app.id, refresh.id)
		expect((await ledgerRow('acc-upd'))!.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime())
		await reopenTask(org.id, user.id, app.id, refresh.id)
		expect(await ledgerRow('acc-upd')).toEqual(before)
		await completeTask(org.id, user.id, app.id, refresh.id)
		const later = new Date('2026-06-01T00:00:00Z')
		await db
			.update(storedAccounts)
			.set({ updatedAt: later })
			.where(and(eq(storedAccounts.appId, app.id), eq(storedAccounts.accountId, 'acc-upd')))
		await expect(reopenTask(org.id, user.id, app.id, refresh.id)).resolves.toMatchObject({ ledgerRestored: false })
		expect((await ledgerRow('acc-upd'))!.updatedAt).toEqual(later)

		// A task done before Clearance kept the ledger row cannot be undone.
		await completeTask(org.id, user.id, app.id, refresh.id)
		await db
			.update(accountActions)
			.set({ priorUpdatedAt: null, priorCreatedAt: null })
			.where(eq(accountActions.id, refresh.id))
		await expect(reopenTask(org.id, user.id, app.id, refresh.id)).rejects.toMatchObject({
			status: 409,
			message: expect.stringContaining('cannot be undone'),
		})
		// Nor a refresh whose account was erased since: it could never be done again.
		await db
			.update(accountActions)
			.set({ completedAt: null, completedBy: null })
			.where(eq(accountActions.id, refresh.id))
		await completeTask(org.id, user.id, app.id, refresh.id)
		await completeTask(org.id, user.id, app.id, erase.id)
		await expect(reopenTask(org.id, user.id, app.id, refresh.id)).rejects.toMatchObject({
			status: 409,
			message: expect.stringContaining('has left the ledger since'),
		})
		const [stillDone] = await db.select().from(accountActions).where(eq(accountActions.id, refresh.id))
		expect(stillDone!.completedAt).toBeInstanceOf(Date)
	})

	it('reads the answers from an uploaded file (NDJSON, one line per batch)', async () => {
		const { org, user, app, cookie, params, url } = await withLedger()
		// A second batch: 90 more accounts.
		const more = Array.from({ length: MAX_BATCH }, (_, i) => `more-${String(i).padStart(3, '0')},2026-01-02T00:00:00Z`)
		await importText(org.id, user.id, app.id, ['accountId,updatedAt', ...more].join('\n'))
		const preparedReport = await preparedId(org.id, user.id, app.id)
		const ndjson = '{"accounts":[]}\n{"accounts":[{"accountId":"acc-upd","status":"updated"}]}\n'
		const result = await runRoute(
			runAction,
			multipartRequest(
				url,
				cookie,
				{ intent: 'run', preparedReport, sentAt: '2026-01-20T10:00', cyclePeriod: '604800', answers: '204' },
				{ name: 'answersFile', filename: 'answers.ndjson', chunks: () => [ndjson] },
			),
			params,
		)
		expect(result.status).toBe(200)
		const [run] = await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))
		// 604800 seconds is 7 days: shorter than the 15 in force, so it waits for a person.
		expect(run).toMatchObject({
			closedCount: 0,
			updatedCount: 1,
			cyclePeriodRaw: '604800',
			cyclePeriodDays: 7,
			cyclePeriodOutcome: 'pending',
		})
		expect(run!.answers).toEqual([{ accounts: [] }, { accounts: [{ accountId: 'acc-upd', status: 'updated' }] }])
		// Per batch: its number, status and raw body, as evidence.
		expect(run!.batchAnswers).toEqual([
			{ batch: 1, status: 200, body: '{"accounts":[]}', cyclePeriod: null },
			{
				batch: 2,
				status: 200,
				body: '{"accounts":[{"accountId":"acc-upd","status":"updated"}]}',
				cyclePeriod: '604800',
			},
		])
	})

	it('answers an oversized pasted answer with a message, not a 500', async () => {
		const { app, cookie, params, url } = await withLedger()
		const result = await runRoute(
			runAction,
			multipartRequest(
				url,
				cookie,
				{ intent: 'run', sentAt: '2026-01-20T10:00', answers: 'x'.repeat(1024 * 1024 + 10) },
				{ name: 'answersFile', filename: '', chunks: () => [] },
			),
			params,
		)
		expect(result.status).toBe(413)
		expect(result.data).toMatchObject({ formError: expect.stringContaining('too large') })
		expect(await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))).toHaveLength(0)
	})

	it('refuses a run for an app that does not store personal data', async () => {
		const { org, user } = await world()
		const off = await createApp(org.id, user.id, appInput({ storesPersonalData: 'no' }))
		await importText(org.id, user.id, off.id, 'accountId,updatedAt\nabc,2026-01-01T00:00:00Z\n')
		await expect(record(org.id, user.id, off.id, { sentAt: new Date(), answers: '204' })).rejects.toMatchObject({
			status: 409,
		})
		expect(await db.select().from(reportRuns).where(eq(reportRuns.appId, off.id))).toHaveLength(0)
	})

	it('keeps the raw Cycle-Period header on the run; a longer cycle applies, a shorter one waits for a person', async () => {
		const { org, user, app } = await withLedger()
		// 20 Days (the ace-gdpr form) is longer than the 15 in force: Atlassian's header applies at once.
		await record(org.id, user.id, app.id, { sentAt: new Date(), cyclePeriod: '20 Days', answers: '204' })
		expect(await getApp(org.id, app.id)).toMatchObject({
			cycleDays: 20,
			cycleSource: 'cycle_period_header',
			atlassianCycleDays: 20,
		})
		// P7D shortens it: kept on the run, applied only once a person confirms.
		const { run } = await record(org.id, user.id, app.id, { sentAt: new Date(), cyclePeriod: 'P7D', answers: '204' })
		expect(run).toMatchObject({
			cyclePeriodRaw: 'P7D',
			cyclePeriodDays: 7,
			cyclePeriodOutcome: 'pending',
			closedCount: 0,
		})
		expect(await getApp(org.id, app.id)).toMatchObject({ cycleDays: 20, pendingCycleRunId: run.id })
		const [pendingRow] = (await dashboardRows(org.id)).rows
		expect(pendingRow!.attention).toContain('A Cycle-Period value from Atlassian waits for confirmation.')
		// Never greener than Atlassian's own clock: counted with the 7 days until confirmed.
		expect(pendingRow).toMatchObject({ daysLeft: 7, cycleDays: 20, countedCycleDays: 7 })
		expect(pendingRow!.explanation).toContain(
			'7-day cycle asked for by Atlassian’s Cycle-Period header: deadlines are counted with it until you confirm it',
		)
		await decideHeaderCycle(org.id, user.id, app.id, run.id, { decision: 'confirm' })
		expect(await getApp(org.id, app.id)).toMatchObject({
			cycleDays: 7,
			cycleSource: 'cycle_period_header',
			pendingCycleRunId: null,
		})
		const actions = (await db.select().from(auditEvents).where(eq(auditEvents.subjectId, app.id))).map(
			(event) => event.action,
		)
		expect(actions).toContain('app.cycle_header_confirmed')
	})

	it('an empty answer box is no answer: refused with what to enter, nothing recorded; 204 says “nothing to do”', async () => {
		const { org, user, app } = await withLedger()
		const prepared = await prepareReport(org.id, user.id, app.id)
		for (const answers of ['', '  \n ', '[]']) {
			await expect(
				recordRun(org.id, user.id, app.id, { sentAt: new Date(), preparedReport: { id: prepared.id }, answers }),
			).rejects.toMatchObject({ status: 400, field: 'answers', message: expect.stringContaining('enter 204') })
		}
		const runs = () => db.select({ n: count() }).from(reportRuns).where(eq(reportRuns.appId, app.id))
		expect(await runs()).toEqual([{ n: 0 }])
		const { run } = await recordRun(org.id, user.id, app.id, {
			sentAt: new Date(),
			preparedReport: { id: prepared.id },
			answers: '204',
		})
		expect(run).toMatchObject({ closedCount: 0, updatedCount: 0 })
		expect(await runs()).toEqual([{ n: 1 }])
	})

	it('keeps Atlassian’s precision: PT12H is a 12-hour cycle, never rounded up to a day', async () => {
		const { org, user, app } = await withLedger()
		const { run } = await record(org.id, user.id, app.id, { sentAt: new Date(), cyclePeriod: 'PT12H', answers: '204' })
		// Before anyone confirms, the deadline is already 12 hours out, not 15 days.
		const [pending] = (await dashboardRows(org.id)).rows
		expect(pending!.dueAt!.getTime() - run.sentAt.getTime()).toBe(12 * 3_600_000)
		await decideHeaderCycle(org.id, user.id, app.id, run.id, { decision: 'confirm' })
		expect(await getApp(org.id, app.id)).toMatchObject({ cycleDays: 0.5 })
		const [row] = (await dashboardRows(org.id)).rows
		expect(row!.dueAt!.getTime() - run.sentAt.getTime()).toBe(12 * 3_600_000)
		expect(row!.explanation).toContain('12-hour cycle')
	})

	it('asks which unit a bare number is in; refuses an impossible one; a dismissal needs a reason', async () => {
		const { org, user, app } = await withLedger()
		const { run } = await record(org.id, user.id, app.id, { sentAt: new Date(), cyclePeriod: '120', answers: '204' })
		expect(run).toMatchObject({ cyclePeriodOutcome: 'pending', cyclePeriodDays: null })
		await expect(decideHeaderCycle(org.id, user.id, app.id, run.id, { decision: 'confirm' })).rejects.toMatchObject({
			status: 400,
			field: 'unit',
		})
		await expect(
			decideHeaderCycle(org.id, user.id, app.id, run.id, { decision: 'confirm', unit: 'seconds' }),
		).rejects.toMatchObject({ status: 400 })
		await expect(
			decideHeaderCycle(org.id, user.id, app.id, run.id, { decision: 'dismiss', reason: ' ' }),
		).rejects.toMatchObject({ status: 400 })
		await decideHeaderCycle(org.id, user.id, app.id, run.id, { decision: 'confirm', unit: 'hours' })
		expect(await getApp(org.id, app.id)).toMatchObject({ cycleDays: 5, pendingCycleRunId: null })
		// Answered once: a second answer is a conflict, not a second change.
		await expect(
			decideHeaderCycle(org.id, user.id, app.id, run.id, { decision: 'confirm', unit: 'days' }),
		).rejects.toMatchObject({ status: 409 })
	})

	it('keeps an unreadable Cycle-Period on the run without touching the cycle', async () => {
		const { org, user, app } = await withLedger()
		const { run } = await record(org.id, user.id, app.id, {
			sentAt: new Date(),
			cyclePeriod: 'fortnightly',
			answers: '204',
		})
		expect(run).toMatchObject({
			cyclePeriodRaw: 'fortnightly',
			cyclePeriodOutcome: 'unreadable',
			cyclePeriodDays: null,
		})
		expect(await getApp(org.id, app.id)).toMatchObject({ cycleDays: 15, pendingCycleRunId: null })
	})

	it('refuses a bad answer, a missing prepared report and an answer naming only unknown accounts with a message and writes nothing', async () => {
		const { org, user, app, cookie, params, url } = await withLedger()
		const preparedReport = await preparedId(org.id, user.id, app.id)
		const cases: [Record<string, string>, string][] = [
			[{ answers: '{"accounts":[{"accountId":"x","status":"gone"}]}' }, 'answers'],
			[{ answers: '{"errorType":"BAD","errorMessage":"nope"}' }, 'answers'],
			// None of its accounts in the ledger: most likely another app's answer.
			[
				{
					answers:
						'{"accounts":[{"accountId":"not-in-ledger","status":"closed"},{"accountId":"other","status":"updated"}]}',
				},
				'answers',
			],
			// More answers than the prepared report has batches.
			[{ answers: '{"accounts":[]}\n{"accounts":[]}' }, 'answers'],
			[{ answers: '204', preparedReport: '' }, 'preparedReport'],
			[{ answers: '204', preparedReport: '00000000-0000-4000-8000-000000000000' }, 'preparedReport'],
			[{ answers: '204', sentAt: 'last week' }, 'sentAt'],
			[{ answers: '204', sentAt: '2999-01-01T00:00:00Z' }, 'sentAt'],
		]
		for (const [fields, field] of cases) {
			const result = await runRoute(
				runAction,
				makeRequest(url, { cookie, form: { intent: 'run', preparedReport, sentAt: '2026-01-20T10:00', ...fields } }),
				params,
			)
			expect(result.status, JSON.stringify(fields)).toBe(400)
			expect(Object.keys((result.data as { errors: object }).errors)).toEqual([field])
		}
		expect(await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))).toHaveLength(0)
		expect(await db.select().from(accountActions).where(eq(accountActions.appId, app.id))).toHaveLength(0)
	})

	it('a run restarts the cycle: an overdue app becomes on track', async () => {
		const { org, user, app } = await withLedger()
		await record(org.id, user.id, app.id, { sentAt: new Date(Date.now() - 40 * 86_400_000), answers: '204' })
		let [row] = (await dashboardRows(org.id)).rows
		expect(row).toMatchObject({ id: app.id, status: 'overdue' })
		await record(org.id, user.id, app.id, { sentAt: new Date(), answers: '204' })
		;[row] = (await dashboardRows(org.id)).rows
		expect(row).toMatchObject({ id: app.id, status: 'on_track', daysLeft: 15 })
	})
})

describe('cycle', () => {
	it('sets 7 as Atlassian’s default, a custom number, and refuses 0 and 91', async () => {
		const { org, app, cookie, params, url } = await world()
		const seven = await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'cycle', cycle: '7' } }),
			params,
		)
		expect(seven.status).toBe(200)
		expect(await getApp(org.id, app.id)).toMatchObject({ cycleDays: 7, cycleSource: 'api_default' })
		await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'cycle', cycle: 'custom', customDays: '30' } }),
			params,
		)
		expect(await getApp(org.id, app.id)).toMatchObject({ cycleDays: 30, cycleSource: 'custom' })
		for (const customDays of ['0', '91', 'ten']) {
			const bad = await runRoute(
				reportingAction,
				makeRequest(url, { cookie, form: { intent: 'cycle', cycle: 'custom', customDays } }),
				params,
			)
			expect(bad.status).toBe(400)
			expect(bad.data).toMatchObject({ errors: { customDays: expect.stringContaining('1 to 90') } })
		}
		const page = await runRoute(reportingLoader, makeRequest(url, { cookie }), params)
		expect((page.data as { status: { explanation: string } }).status.explanation).toContain(
			'30-day cycle (set by your organisation)',
		)
	})

	it('anchors on the first stored account, else the date the app was marked as storing personal data', async () => {
		const { org, user, app } = await world()
		expect(app.personalDataSince).toBeInstanceOf(Date)
		let [row] = (await dashboardRows(org.id)).rows
		expect(row!.explanation).toContain('marked as storing personal data')
		await importText(org.id, user.id, app.id, 'accountId,updatedAt\nabc,2026-01-01T00:00:00Z\n')
		;[row] = (await dashboardRows(org.id)).rows
		expect(row!.explanation).toContain(
			'the retrieval of the oldest stored data (the oldest last-updated time in the first import)',
		)

		// Turning the flag on later stamps the date; an app that never stored data needs no report.
		const off = await createApp(org.id, user.id, appInput({ storesPersonalData: 'no' }))
		expect(off.personalDataSince).toBeNull()
		const on = await updateApp(org.id, user.id, off.id, appInput({ appKey: off.appKey, storesPersonalData: 'yes' }))
		expect(on.personalDataSince).toBeInstanceOf(Date)
	})
})

describe('deadline dashboard', () => {
	it('lists apps most urgent first, filters by status and searches by name', async () => {
		const { org, user, cookie } = await world() // "Mail Bridge": due in 15 days from now
		const overdue = await createApp(org.id, user.id, appInput({ name: 'Zed Overdue' }))
		await db
			.update(apps)
			.set({ personalDataSince: new Date(Date.now() - 30 * 86_400_000) })
			.where(eq(apps.id, overdue.id))
		const soon = await createApp(org.id, user.id, appInput({ name: 'Soon App' }))
		await db
			.update(apps)
			.set({ personalDataSince: new Date(Date.now() - 13 * 86_400_000) })
			.where(eq(apps.id, soon.id))
		await createApp(org.id, user.id, appInput({ name: 'Alpha No Data', storesPersonalData: 'no' }))
		const params = { org: org.slug }
		const page = await runRoute(dashboardLoader, makeRequest(`/o/${org.slug}`, { cookie }), params)
		expect(page.status).toBe(200)
		const data = page.data as { rows: { name: string; status: string }[]; counts: Record<string, number> }
		expect(data.rows.map((row) => [row.name, row.status])).toEqual([
			['Zed Overdue', 'overdue'],
			['Soon App', 'due_soon'],
			['Mail Bridge', 'on_track'],
			['Alpha No Data', 'not_required'],
		])
		expect(data.counts).toMatchObject({ overdue: 1, due_soon: 1, on_track: 1, not_required: 1 })
		const filtered = await runRoute(dashboardLoader, makeRequest(`/o/${org.slug}?status=due_soon`, { cookie }), params)
		expect((filtered.data as typeof data).rows.map((row) => row.name)).toEqual(['Soon App'])
		const searched = await runRoute(dashboardLoader, makeRequest(`/o/${org.slug}?q=zed`, { cookie }), params)
		expect((searched.data as typeof data).rows.map((row) => row.name)).toEqual(['Zed Overdue'])
	})
})

describe('organisation isolation', () => {
	it("answers another organisation's app with 404 on the page, every action and the downloads", async () => {
		const a = await world()
		await importText(a.org.id, a.user.id, a.app.id, 'accountId,updatedAt\nsecret-1,2026-01-01T00:00:00Z\n')
		await record(a.org.id, a.user.id, a.app.id, {
			sentAt: new Date(),
			answers: '{"accounts":[{"accountId":"secret-1","status":"closed"}]}',
		})
		const [task] = await db.select().from(accountActions).where(eq(accountActions.appId, a.app.id))
		const b = await createOrg('Org B')
		const { cookie } = await cookieFor(b.admin.id)
		const params = { org: b.org.slug, appId: a.app.id }
		const url = `/o/${b.org.slug}/apps/${a.app.id}/reporting`
		expect((await runRoute(reportingLoader, makeRequest(url, { cookie }), params)).status).toBe(404)
		expect((await runRoute(ledgerLoader, makeRequest(url, { cookie }), params)).status).toBe(404)
		expect((await runRoute(batchesLoader, makeRequest(`${url}/batches`, { cookie }), params)).status).toBe(404)
		expect((await runRoute(csvLoader, makeRequest(`${url}/ledger.csv`, { cookie }), params)).status).toBe(404)
		const forms: [typeof reportingAction, Record<string, string>][] = [
			[reportingAction, { intent: 'cycle', cycle: '7' }],
			[runAction, { intent: 'run', sentAt: '2026-01-20T10:00', answers: '204' }],
			[reportingAction, { intent: 'complete', taskId: task!.id }],
		]
		for (const [handler, form] of forms) {
			expect((await runRoute(handler, makeRequest(url, { cookie, form }), params)).status).toBe(404)
		}
		const upload = multipartRequest(
			url,
			cookie,
			{ intent: 'import' },
			{ name: 'file', filename: 'a.csv', chunks: csvRows(['x1,2026-01-01T00:00:00Z']) },
		)
		expect((await runRoute(importAction, upload, params)).status).toBe(404)
		// The services refuse too, whatever the route does.
		await expect(completeTask(b.org.id, b.admin.id, a.app.id, task!.id)).rejects.toMatchObject({ status: 404 })
		const [prepared] = await db.select().from(preparedReports).where(eq(preparedReports.appId, a.app.id))
		await expect(
			recordRun(b.org.id, b.admin.id, a.app.id, {
				sentAt: new Date(),
				preparedReport: { id: prepared!.id },
				answers: '204',
			}),
		).rejects.toMatchObject({ status: 404 })
		await expect(prepareReport(b.org.id, b.admin.id, a.app.id)).rejects.toMatchObject({ status: 404 })
		expect(await countAccounts(a.org.id, a.app.id)).toBe(1)
		expect((await dashboardRows(b.org.id)).rows).toHaveLength(0)
	})

	it('lets a reviewer read the reporting page but not change it', async () => {
		const { org, app } = await world()
		const reviewer = await addMember(org.id, ['reviewer'], 'Rita Reviewer')
		const { cookie } = await cookieFor(reviewer.id)
		const params = { org: org.slug, appId: app.id }
		const url = `/o/${org.slug}/apps/${app.id}/reporting`
		expect(await runRoute(reportingLoader, makeRequest(url, { cookie }), params)).toMatchObject({
			status: 200,
			data: { canEdit: false },
		})
		const attempt = await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'cycle', cycle: '7' } }),
			params,
		)
		expect(attempt.status).toBe(403)
	})
})
