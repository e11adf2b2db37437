import { and, eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import {
	apps,
	auditEvents,
	importJobChunks,
	importJobRejections,
	importJobs,
	importJobStaged,
	storedAccounts,
} from '#db/schema'
import { EMAIL_IN_ACCOUNT_ID_REASON } from '~/domain/account-ids'
import { action as importAction } from '~/routes/o.$org.apps.$appId_.reporting_.import'
import { loader as jobsLoader } from '~/routes/o.$org.apps.$appId_.reporting_.imports'
import { loader as jobLoader } from '~/routes/o.$org.apps.$appId_.reporting_.imports_.$jobId'
import { loader as rejectionsLoader } from '~/routes/o.$org.apps.$appId_.reporting_.imports_.$jobId_.rejections[.]csv'
import {
	claimImportJob,
	createUploadJob,
	requestImportCancel,
	runImportJob,
	type JobSummary,
} from '~/services/import-jobs.server'
import { HIDDEN_EMAIL } from '~/services/ledger.server'
import { cookieFor, createOrgWithLedgerApp, makeRequest, runRoute, uploadRequest } from '../fixtures/world'

// Issue 16 point 2: imports run as background jobs in short transactions.

async function world() {
	const { org, admin, app } = await createOrgWithLedgerApp()
	const { cookie } = await cookieFor(admin.id)
	const params = { org: org.slug, appId: app.id }
	return { org, user: admin, app, cookie, params, base: `/o/${org.slug}/apps/${app.id}/reporting` }
}

function csvFile(rows: string[], name = 'accounts.csv') {
	return new File([['accountId,updatedAt', ...rows].join('\r\n') + '\r\n'], name, { type: 'text/csv' })
}

const goodRows = (count: number, prefix = 'acc') =>
	Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, '0')},2026-01-0${1 + (i % 5)}T00:00:00Z`)

async function ledgerIds(appId: string) {
	const rows = await db
		.select({ accountId: storedAccounts.accountId })
		.from(storedAccounts)
		.where(eq(storedAccounts.appId, appId))
	return rows.map((row) => row.accountId).sort()
}

async function auditActions(orgId: string) {
	const rows = await db.select().from(auditEvents).where(eq(auditEvents.orgId, orgId))
	return rows.filter((row) => row.action.startsWith('ledger.'))
}

// Each test runs whole imports through the background worker (up to 40,000 rows, or a file in 97-byte pieces): seconds
// idle, past the project's 30 s on a busy 2-core machine (runs at load 20-40 cut two of them off).
describe('import jobs', { timeout: 120_000 }, () => {
	it('imports a file stored in many pieces, completing lines cut by a piece’s end', async () => {
		const { org, user, app } = await world()
		const rows = goodRows(300)
		// 97-byte pieces: nearly every line is cut in two, and so is the two-byte “é” of a refused value.
		const file = csvFile([...rows, 'caf\u00e9-id,2026-01-01T00:00:00Z'])
		const job = await createUploadJob(org.id, user.id, app.id, file, { atomic: false, chunkBytes: 97 })
		expect(job).toMatchObject({ status: 'queued', totalBytes: file.size })
		const [pieces] = await db
			.select({ n: sql<number>`count(*)::int` })
			.from(importJobChunks)
			.where(eq(importJobChunks.jobId, job.id))
		expect(pieces!.n).toBe(Math.ceil(file.size / 97))

		const claimed = await claimImportJob('worker-a', { jobId: job.id })
		expect(claimed).toMatchObject({ status: 'running', claimedBy: 'worker-a' })
		const ended = await runImportJob(job.id, 'worker-a')
		expect(ended).toMatchObject({
			status: 'succeeded',
			rows: 301,
			inserted: 300,
			updated: 0,
			rejected: 1,
			processedBytes: file.size,
		})
		expect(await ledgerIds(app.id)).toEqual(rows.map((row) => row.split(',')[0]).sort())
		const [rejection] = await db.select().from(importJobRejections).where(eq(importJobRejections.jobId, job.id))
		// Decoded whole although its bytes lay in two pieces.
		expect(rejection).toMatchObject({ position: 302, value: 'caf\u00e9-id' })
		// The uploaded pieces are gone once the job ends.
		expect(await db.select().from(importJobChunks).where(eq(importJobChunks.jobId, job.id))).toHaveLength(0)
		const events = await auditActions(org.id)
		expect(events.map((event) => event.action).sort()).toEqual(['ledger.import_started', 'ledger.imported'])
		expect(events.find((event) => event.action === 'ledger.imported')!.after).toEqual({
			atomic: false,
			rows: 301,
			inserted: 300,
			updated: 0,
			rejected: 1,
		})
	})

	it('an id twice in a file is stored once with its last row’s date; the oldest date noted is of what was stored', async () => {
		const { org, user, app } = await world()
		// Within the first batch (a thousand rows on PGlite, more on PostgreSQL, where a batch that large goes by
		// COPY). `dup-a`'s first row is the oldest of the file, but its last row replaces it: the app's first stored
		// date comes from what the ledger holds.
		const rows = goodRows(1200).map((row) => row.replace(/2026-01-0\d/, '2026-02-01'))
		const file = csvFile([
			'dup-a,2026-01-01T00:00:00Z',
			...rows.slice(0, 400),
			'dup-b,2026-01-20T00:00:00Z',
			...rows.slice(400, 800),
			'dup-a,2026-03-10T00:00:00Z',
			...rows.slice(800),
		])
		const job = await createUploadJob(org.id, user.id, app.id, file, { atomic: false })
		await claimImportJob('worker-a', { jobId: job.id })
		expect(await runImportJob(job.id, 'worker-a')).toMatchObject({
			status: 'succeeded',
			rows: 1203,
			inserted: 1202,
			updated: 0,
			rejected: 0,
		})
		const stored = await db
			.select({ accountId: storedAccounts.accountId, updatedAt: storedAccounts.updatedAt })
			.from(storedAccounts)
			.where(and(eq(storedAccounts.appId, app.id), sql`${storedAccounts.accountId} like 'dup-%'`))
		expect(stored.map((row) => [row.accountId, row.updatedAt.toISOString()]).sort()).toEqual([
			['dup-a', '2026-03-10T00:00:00.000Z'],
			['dup-b', '2026-01-20T00:00:00.000Z'],
		])
		const [noted] = await db.select({ storingSince: apps.storingSince }).from(apps).where(eq(apps.id, app.id))
		expect(noted!.storingSince?.toISOString()).toBe('2026-01-20T00:00:00.000Z')
	})

	it('counts exactly when a later batch holds ids the ledger already stores', async () => {
		const { org, user, app } = await world()
		// Batches of 1,000 rows (each goes by COPY, on PostgreSQL its text built while the one before is written,
		// until a batch finds stored ids): the third batch's ids are stored already, with an older date, and it
		// holds three refused rows, which stay listed when its COPY is refused and the batch written again.
		const rows = goodRows(4000)
		const refused = ['bad@example.org,2026-01-01T00:00:00Z', 'has space,2026-01-01T00:00:00Z', 'ok-id,not-a-date']
		await db.insert(storedAccounts).values(
			rows.slice(2000, 3000).map((row) => ({
				appId: app.id,
				accountId: row.split(',')[0]!,
				updatedAt: new Date('2025-06-01T00:00:00Z'),
			})),
		)
		const file = csvFile([...rows.slice(0, 2500), ...refused, ...rows.slice(2500)])
		const job = await createUploadJob(org.id, user.id, app.id, file, { atomic: false })
		await claimImportJob('worker-a', { jobId: job.id })
		expect(await runImportJob(job.id, 'worker-a', { batchRows: 1000 })).toMatchObject({
			status: 'succeeded',
			rows: 4003,
			inserted: 3000,
			updated: 1000,
			rejected: 3,
		})
		const listed = await db.select().from(importJobRejections).where(eq(importJobRejections.jobId, job.id))
		expect(listed.map((row) => row.position).sort((a, b) => a - b)).toEqual([2502, 2503, 2504])
		const [stored] = await db
			.select({ n: sql<number>`count(*)::int`, oldest: sql<string>`min(${storedAccounts.updatedAt})::text` })
			.from(storedAccounts)
			.where(eq(storedAccounts.appId, app.id))
		expect(stored!.n).toBe(4000)
		// Every row has its file's date: the stored ones were updated, none kept its 2025 date.
		expect(new Date(stored!.oldest).toISOString()).toBe('2026-01-01T00:00:00.000Z')
	})

	it('stores the pieces compressed, and fails a job whose upload did not arrive whole before writing a row', async () => {
		const { org, user, app } = await world()
		const file = csvFile(goodRows(2000))
		const job = await createUploadJob(org.id, user.id, app.id, file, { atomic: false, chunkBytes: 16 * 1024 })
		const [stored] = await db
			.select({
				pieces: sql<number>`count(*)::int`,
				bytes: sql<number>`sum(length(${importJobChunks.data}))::int`,
				last: sql<number>`max(${importJobChunks.seq})::int`,
			})
			.from(importJobChunks)
			.where(eq(importJobChunks.jobId, job.id))
		expect(stored!.pieces).toBe(Math.ceil(file.size / (16 * 1024)))
		// A CSV of ids compresses several times over: the database holds a fraction of the file.
		expect(stored!.bytes).toBeLessThan(file.size / 3)

		// The server stopped while storing the file: its last piece never arrived.
		await db
			.delete(importJobChunks)
			.where(and(eq(importJobChunks.jobId, job.id), eq(importJobChunks.seq, stored!.last)))
		await claimImportJob('worker-a', { jobId: job.id })
		const ended = await runImportJob(job.id, 'worker-a')
		expect(ended).toMatchObject({ status: 'failed', inserted: 0 })
		expect(ended!.error).toMatch(/did not arrive whole/)
		expect(await ledgerIds(app.id)).toEqual([])
	})

	it('keeps every rejected row, not only the first 50, and serves them all as CSV without email addresses', async () => {
		const { org, user, app, cookie, params, base } = await world()
		const bad = Array.from({ length: 120 }, (_, i) =>
			i % 2 === 0
				? `person${i}@example.com,2026-01-01T00:00:00Z`
				: i === 1
					? `bad id 1,someone@example.com`
					: `bad id ${i},2026-01-01T00:00:00Z`,
		)
		const job = await createUploadJob(org.id, user.id, app.id, csvFile([...goodRows(10), ...bad]), {
			atomic: false,
			inline: true,
		})
		const ended = await runImportJob(job.id)
		expect(ended).toMatchObject({ status: 'succeeded', inserted: 10, rejected: 120 })
		const stored = await db.select().from(importJobRejections).where(eq(importJobRejections.jobId, job.id))
		expect(stored).toHaveLength(120)
		expect(stored.filter((row) => row.value === HIDDEN_EMAIL)).toHaveLength(60)
		expect(JSON.stringify(stored)).not.toContain('@example.com')
		// An address in the updatedAt column is not kept either (line 13: header, ten good rows, then the bad ones).
		expect(stored.find((row) => row.position === 13)).toMatchObject({ value: 'bad id 1', updatedAt: HIDDEN_EMAIL })

		const answer = await runRoute(
			rejectionsLoader,
			makeRequest(`${base}/imports/${job.id}/rejections.csv`, { cookie }),
			{ ...params, jobId: job.id },
		)
		const text = answer.data as string
		const lines = text.trim().split('\r\n')
		expect(lines).toHaveLength(121)
		expect(lines[0]).toBe('"line","accountId","reason","updatedAt"')
		expect(lines[1]).toContain(EMAIL_IN_ACCOUNT_ID_REASON)
		expect(text).not.toContain('@example.com')
		// The last refused line of the file (header on line 1, ten good rows, then the bad ones), with its updatedAt.
		expect(lines[120]).toMatch(/^"131","bad id 119",".+","2026-01-01T00:00:00Z"$/)
	})

	it('stops a job asked to cancel between its batches and says what it had already written', async () => {
		const { org, user, app } = await world()
		const rows = goodRows(400)
		const job = await createUploadJob(org.id, user.id, app.id, csvFile(rows), { atomic: false, chunkBytes: 512 })
		await claimImportJob('worker-a', { jobId: job.id })
		// Batches of 10 rows (on PostgreSQL a batch would otherwise take the whole file).
		const running = runImportJob(job.id, 'worker-a', { batchRows: 10 })
		// Asked while the job runs: it stops at its next batch.
		await requestImportCancel(org.id, user.id, app.id, job.id)
		const ended = (await running)!
		expect(ended.status).toBe('cancelled')
		expect(ended.inserted).toBeGreaterThan(0)
		expect(ended.inserted).toBeLessThan(400)
		// What was committed stays, exactly as the job says.
		expect(await ledgerIds(app.id)).toHaveLength(ended.inserted)
		const events = await auditActions(org.id)
		expect(events.map((event) => event.action)).toEqual(
			expect.arrayContaining(['ledger.import_cancel_requested', 'ledger.import_cancelled']),
		)
		expect(events.find((event) => event.action === 'ledger.import_cancelled')!.after).toMatchObject({
			inserted: ended.inserted,
		})
		// A job that has ended cannot be cancelled again.
		await expect(requestImportCancel(org.id, user.id, app.id, job.id)).rejects.toMatchObject({ status: 409 })
	})

	it('atomic: one refused row writes nothing; a clean file writes everything in one step', async () => {
		const { org, user, app } = await world()
		const bad = await createUploadJob(
			org.id,
			user.id,
			app.id,
			csvFile([...goodRows(300), 'bad@example.com,2026-01-01T00:00:00Z']),
			{ atomic: true, chunkBytes: 1024 },
		)
		await claimImportJob('worker-a', { jobId: bad.id })
		const refused = await runImportJob(bad.id, 'worker-a')
		expect(refused).toMatchObject({ status: 'failed', inserted: 0, updated: 0, rejected: 1, rows: 301 })
		expect(refused!.error).toContain('Nothing was imported')
		expect(await ledgerIds(app.id)).toEqual([])
		expect(await db.select().from(importJobStaged).where(eq(importJobStaged.jobId, bad.id))).toHaveLength(0)
		expect((await auditActions(org.id)).map((event) => event.action)).not.toContain('ledger.imported')

		const clean = await createUploadJob(org.id, user.id, app.id, csvFile(goodRows(300)), {
			atomic: true,
			chunkBytes: 1024,
		})
		await claimImportJob('worker-a', { jobId: clean.id })
		// Staged across several transactions, the ledger untouched until the end.
		const done = await runImportJob(clean.id, 'worker-a')
		expect(done).toMatchObject({ status: 'succeeded', inserted: 300, rejected: 0 })
		expect(await ledgerIds(app.id)).toHaveLength(300)
		expect(await db.select().from(importJobStaged).where(eq(importJobStaged.jobId, clean.id))).toHaveLength(0)
	})

	it('never lets a second worker take a job with a fresh heartbeat, but takes over a stale one', async () => {
		const { org, user, app } = await world()
		const job = await createUploadJob(org.id, user.id, app.id, csvFile(goodRows(50)), { atomic: false })
		expect(await claimImportJob('worker-a', { jobId: job.id })).toMatchObject({ claimedBy: 'worker-a' })
		expect(await claimImportJob('worker-b', { jobId: job.id })).toBeNull()
		// worker-a's server stopped two minutes ago.
		await db
			.update(importJobs)
			.set({ heartbeatAt: sql`now() - interval '2 minutes'` })
			.where(eq(importJobs.id, job.id))
		expect(await claimImportJob('worker-b', { jobId: job.id })).toMatchObject({ claimedBy: 'worker-b' })
		// The first worker, were it still alive, no longer holds the job: it writes nothing.
		expect(await runImportJob(job.id, 'worker-a')).toBeNull()
		expect(await ledgerIds(app.id)).toEqual([])
		expect(await runImportJob(job.id, 'worker-b')).toMatchObject({ status: 'succeeded', inserted: 50 })
	})

	it('resumes a taken-over job after the last line its first worker committed', async () => {
		const { org, user, app } = await world()
		const job = await createUploadJob(org.id, user.id, app.id, csvFile(goodRows(100)), { atomic: false })
		await claimImportJob('worker-b', { jobId: job.id })
		// As a crashed worker left it: the first 40 rows (lines 2–41) written, its cursor there.
		await db.insert(storedAccounts).values(
			goodRows(40).map((row) => ({
				appId: app.id,
				accountId: row.split(',')[0]!,
				updatedAt: new Date(row.split(',')[1]!),
			})),
		)
		await db
			.update(importJobs)
			.set({ rows: 40, inserted: 40, cursor: { line: 41, oldest: '2026-01-01T00:00:00.000Z' } })
			.where(eq(importJobs.id, job.id))
		const ended = await runImportJob(job.id, 'worker-b')
		expect(ended).toMatchObject({ status: 'succeeded', rows: 100, inserted: 100, updated: 0 })
		expect(await ledgerIds(app.id)).toHaveLength(100)
	})

	it('serves other queries between the job’s transactions', async () => {
		const { org, user, app } = await world()
		const job = await createUploadJob(org.id, user.id, app.id, csvFile(goodRows(2000)), {
			atomic: false,
			chunkBytes: 2048,
		})
		await claimImportJob('worker-a', { jobId: job.id })
		const order: string[] = []
		// Batches of 200 rows (on PostgreSQL the whole file would otherwise be one).
		const running = runImportJob(job.id, 'worker-a', { batchRows: 200 }).then((ended) => {
			order.push('job ended')
			return ended
		})
		// Sent once the job has started: with the import in one transaction it would wait for its end.
		const [seen] = await db
			.select({ n: sql<number>`count(*)::int` })
			.from(storedAccounts)
			.where(eq(storedAccounts.appId, app.id))
		order.push('query answered')
		expect(await running).toMatchObject({ status: 'succeeded', inserted: 2000 })
		expect(order).toEqual(['query answered', 'job ended'])
		expect(seen!.n).toBeLessThan(2000)
	})

	it('the import route cancels a queued job at once, audited, and refuses another app’s job', async () => {
		const { org, user, app, cookie, params, base } = await world()
		const job = await createUploadJob(org.id, user.id, app.id, csvFile(goodRows(5)), { atomic: false })
		const answer = await runRoute(
			importAction,
			makeRequest(`${base}/import`, { cookie, form: { intent: 'cancel-import', jobId: job.id } }),
			params,
		)
		expect(answer.status).toBe(200)
		expect(answer.data).toMatchObject({
			intent: 'cancel-import',
			importJob: { status: 'cancelled', finished: true, cancelRequested: true },
			notice: expect.stringContaining('nothing was written'),
		})
		expect(await ledgerIds(app.id)).toEqual([])
		expect((await auditActions(org.id)).map((event) => event.action)).toContain('ledger.import_cancel_requested')
		const other = await world()
		const refused = await runRoute(
			importAction,
			makeRequest(`${other.base}/import`, { cookie: other.cookie, form: { intent: 'cancel-import', jobId: job.id } }),
			other.params,
		)
		expect(refused.status).toBe(404)
	})

	it('the route accepts a large upload at once and its job is readable as JSON until it ends', async () => {
		const { app, cookie, params, base } = await world()
		// Past INLINE_MAX_BYTES: queued and imported in the background.
		const rows = Array.from({ length: 40_000 }, (_, i) => `id-${String(i).padStart(6, '0')},2026-01-01T00:00:00Z`)
		const form = new FormData()
		form.set('intent', 'import')
		form.set('file', csvFile(rows, 'big.csv'))
		const { importWorkerIdle } = await import('~/services/import-jobs.server')
		const answer = await runRoute(importAction, uploadRequest(`${base}/import`, cookie, form), params)
		expect(answer.status).toBe(202)
		const accepted = (answer.data as { importJob: JobSummary }).importJob
		expect(accepted).toMatchObject({ status: 'queued', finished: false, fileName: 'big.csv' })
		await importWorkerIdle()
		const polled = await runRoute(jobLoader, makeRequest(`${base}/imports/${accepted.id}`, { cookie }), {
			...params,
			jobId: accepted.id,
		})
		const json = polled.data as JobSummary
		expect(json).toMatchObject({ id: accepted.id, status: 'succeeded', finished: true, inserted: 40_000, percent: 100 })
		const list = await runRoute(jobsLoader, makeRequest(`${base}/imports`, { cookie }), params)
		const { jobs } = list.data as { jobs: JobSummary[] }
		expect(jobs.map((job) => job.id)).toEqual([accepted.id])
		expect(await ledgerIds(app.id)).toHaveLength(40_000)
		// Another app's URL does not show it.
		const missing = await runRoute(
			jobLoader,
			makeRequest(`${base}/imports/00000000-0000-4000-8000-000000000000`, { cookie }),
			{ ...params, jobId: '00000000-0000-4000-8000-000000000000' },
		)
		expect(missing.status).toBe(404)
		expect(
			await db
				.select()
				.from(importJobs)
				.where(and(eq(importJobs.id, accepted.id))),
		).toHaveLength(1)
	})
})
