import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'
import { count, eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { db, getDatabase } from '#db/client.server'
import { importJobs, storedAccounts } from '#db/schema'
import { action as importAction } from '~/routes/o.$org.apps.$appId_.reporting_.import'
import {
	createUploadJob,
	importWorkerIdle,
	kickImportWorker,
	runQueuedImportJobs,
	WORKER_ID,
	type JobSummary,
} from '~/services/import-jobs.server'
import { clearImportThread, importThread, startImportThread, type ImportThread } from '~/services/import-thread.server'
import { bundleServer, importThreadEntry } from '../../scripts/server-bundle'
import { cookieFor, createOrgWithLedgerApp, runRoute, uploadRequest } from '../fixtures/world'

// Decision 030: on PostgreSQL the production server runs its import jobs on a thread of its own, from the entry the
// build bundles beside the server's (the same job code, its own connections). PGlite's database lives in the
// server's thread, so there the jobs stay in it (and the thread is never started).
const root = path.resolve(import.meta.dirname, '../..')
const postgres = getDatabase().config.driver === 'postgres'

describe.runIf(postgres)('the import thread', { timeout: 120_000 }, () => {
	let buildDir: string
	let thread: ImportThread | null = null

	beforeAll(async () => {
		// Inside the project, as a build is: the bundle imports its packages from the project's node_modules.
		mkdirSync(path.join(root, '.data'), { recursive: true })
		buildDir = mkdtempSync(path.join(root, '.data', 'import-thread-build-'))
		await bundleServer(root, buildDir)
	}, 120_000)

	afterEach(async () => {
		await thread?.stop()
		thread = null
		clearImportThread()
	})

	afterAll(() => rmSync(buildDir, { recursive: true, force: true }))

	const csvFile = (count: number) =>
		new File(
			[
				[
					'accountId,updatedAt',
					...Array.from({ length: count }, (_, i) => `id-${String(i).padStart(6, '0')},2026-01-01T00:00:00Z`),
				].join('\r\n') + '\r\n',
			],
			'big.csv',
			{ type: 'text/csv' },
		)

	async function jobOf(id: string) {
		const [job] = await db.select().from(importJobs).where(eq(importJobs.id, id))
		return job!
	}

	async function storedCount(appId: string) {
		const [row] = await db.select({ n: count() }).from(storedAccounts).where(eq(storedAccounts.appId, appId))
		return row?.n ?? 0
	}

	it('imports an upload accepted by the route on the thread, not on the thread that answered the request', async () => {
		const { org, admin, app } = await createOrgWithLedgerApp()
		const { cookie } = await cookieFor(admin.id)
		thread = startImportThread(importThreadEntry(buildDir))
		expect(importThread()).toBe(thread)
		const form = new FormData()
		form.set('intent', 'import')
		// Past INLINE_MAX_BYTES: queued and imported in the background.
		form.set('file', csvFile(40_000))
		const base = `/o/${org.slug}/apps/${app.id}/reporting`
		const answer = await runRoute(importAction, uploadRequest(`${base}/import`, cookie, form), {
			org: org.slug,
			appId: app.id,
		})
		expect(answer.status).toBe(202)
		const accepted = (answer.data as { importJob: JobSummary }).importJob
		await importWorkerIdle()
		const job = await jobOf(accepted.id)
		expect(job).toMatchObject({ status: 'succeeded', inserted: 40_000, rejected: 0 })
		// Claimed by another thread of this very process.
		expect(job.claimedBy).not.toBe(WORKER_ID)
		expect(job.claimedBy).toMatch(new RegExp(`^${hostname()}:${process.pid}/thread-\\d+:`))
		expect(await storedCount(app.id)).toBe(40_000)
	})

	it('runs the jobs the scheduler finds queued on the thread too, without holding the scheduler’s round', async () => {
		const { org, admin, app } = await createOrgWithLedgerApp()
		thread = startImportThread(importThreadEntry(buildDir))
		const queued = await createUploadJob(org.id, admin.id, app.id, csvFile(5_000), { atomic: false })
		expect(await runQueuedImportJobs()).toEqual({ askedThread: true })
		await importWorkerIdle()
		const job = await jobOf(queued.id)
		expect(job.status).toBe('succeeded')
		expect(job.claimedBy).toMatch(/\/thread-\d+:/)
		expect(await storedCount(app.id)).toBe(5_000)
	})

	it('a thread that fails says so, and its jobs run in the server’s thread at once', async () => {
		const { org, admin, app } = await createOrgWithLedgerApp()
		const queued = await createUploadJob(org.id, admin.id, app.id, csvFile(3_000), { atomic: false })
		thread = startImportThread(path.join(buildDir, 'no-such-entry.mjs'), { onFailure: kickImportWorker })
		kickImportWorker()
		await vi.waitFor(async () => expect((await jobOf(queued.id)).status).toBe('succeeded'), {
			timeout: 60_000,
			interval: 100,
		})
		expect(importThread()).toBeNull()
		expect(await jobOf(queued.id)).toMatchObject({ claimedBy: WORKER_ID, inserted: 3_000 })
		expect(console.error).toHaveBeenCalledWith(
			'The import thread failed; imports run in the server thread now:',
			expect.any(Error),
		)
		vi.mocked(console.error).mockClear()
	})

	it('once the thread is stopped (the server shutting down), the process starts no import, in any thread', async () => {
		const { org, admin, app } = await createOrgWithLedgerApp()
		const stopped = startImportThread(importThreadEntry(buildDir))
		await stopped.stop()
		const queued = await createUploadJob(org.id, admin.id, app.id, csvFile(3_000), { atomic: false })
		kickImportWorker()
		expect(await runQueuedImportJobs()).toEqual({ askedThread: true })
		await importWorkerIdle()
		// Left queued for another server, or this one restarted.
		expect(await jobOf(queued.id)).toMatchObject({ status: 'queued', inserted: 0 })
		expect(await storedCount(app.id)).toBe(0)
	})
})
