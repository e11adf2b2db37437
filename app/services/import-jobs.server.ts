import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { promisify } from 'node:util'
import { isMainThread, threadId } from 'node:worker_threads'
import { deflateRaw, inflateRaw } from 'node:zlib'
import { and, asc, desc, eq, sql } from 'drizzle-orm'
import { db, getDatabase, type Tx } from '#db/client.server'
import { importJobChunks, importJobRejections, importJobs } from '#db/schema'
import { CsvParser, type CsvRecord } from '~/domain/csv'
import { MAX_REJECTED_LISTED } from '~/schemas/reporting'
import { UserFacingError } from '~/utils/errors'
import { pacer, slicesOf, yieldToEventLoop } from '~/utils/event-loop.server'
import { isUuid } from '~/utils/ids'
import { rowsOf } from '~/utils/sql-rows.server'
import { lockApp, requireApp } from './apps.server'
import { auditActor, recordAudit, type Actor } from './audit.server'
import { importThread } from './import-thread.server'
import {
	commitStaged,
	dropStaged,
	newRowsCopyText,
	stageAccountColumns,
	upsertAccountColumns,
} from './ledger-bulk.server'
import { candidateChecker, csvCandidateReader, rawText, shown, type ImportResult } from './ledger.server'
import { noteOldestImported } from './storing-since.server'

/**
 * Ledger imports as background jobs (docs/architecture.md › Scaling out).
 * The upload is stored in pieces (import_job_chunks) so any app server can
 * read it, and the import is accepted at once. A worker claims the job (one
 * server per job: `FOR UPDATE SKIP LOCKED`, and a heartbeat that a crashed
 * server stops renewing), reads the pieces, parses the CSV across their
 * boundaries, checks every row by the ledger's rules, and writes in SHORT
 * transactions of JOB_BATCH_ROWS rows: other requests are served between them
 * (on PGlite, whose queries share the server's thread, the worker also yields
 * to the event loop). Each transaction carries the job's progress, heartbeat
 * and cursor with its rows, so a job taken over resumes where the last one
 * stopped. Atomic jobs stage the rows and commit them in one step or not at all.
 */

export type ImportJob = typeof importJobs.$inferSelect

/** Bytes per stored piece of an upload. */
export const JOB_CHUNK_BYTES = 1024 * 1024
/**
 * Rows per write transaction of a job, at most. On PGlite, whose queries share the server's thread and one
 * connection, a request waits for the whole of the transaction running when it arrives: the job sizes its
 * transactions to take about PGLITE_WRITE_MS each (from the rows per millisecond of the last one, the first of
 * PGLITE_FIRST_BATCH_ROWS), between PGLITE_MIN_BATCH_ROWS and JOB_BATCH_ROWS, with at least one per stored piece,
 * and reads nothing while one runs. PostgreSQL serves other requests on other connections: a transaction takes
 * JOB_BATCH_ROWS_POSTGRES rows (some 2.5 MB of ids and dates, read from several pieces), since each costs its
 * round trips, its statement triggers and a commit (with the next batch's COPY text built while one is written, a
 * million rows took 9.4 s instead of 12.4 in 49 transactions, one per piece: bench/profile-import.ts).
 */
export const JOB_BATCH_ROWS = 5000
export const JOB_BATCH_ROWS_POSTGRES = 50_000
const PGLITE_MIN_BATCH_ROWS = 500
const PGLITE_FIRST_BATCH_ROWS = 1000
const PGLITE_WRITE_MS = 100
/**
 * Reading, decoding and checking are synchronous: a stored piece is parsed in slices of this many bytes, and
 * the event loop handed over between slices and every YIELD_EVERY_ROWS rows, so no stretch of the job's own
 * work keeps a request (or, on PostgreSQL, the answer to the job's last statement) waiting more than a
 * millisecond or two.
 */
const PARSE_SLICE_BYTES = 32 * 1024
const YIELD_EVERY_ROWS = 500
/** A running job whose heartbeat is older than this belongs to a server that stopped: another may claim it. */
export const STALE_AFTER_SECONDS = 60
/** Uploads up to this size are imported within the request, so the form shows the summary at once. */
export const INLINE_MAX_BYTES = JOB_CHUNK_BYTES

/** This server, as a job's claimant (its import thread, `/thread-<n>` after the process id). */
export const WORKER_ID = `${hostname()}:${process.pid}${isMainThread ? '' : `/thread-${threadId}`}:${randomUUID().slice(0, 8)}`

const NOT_FOUND = 'That import is not one of this app’s.'
const INTERRUPTED_UPLOAD =
	'The upload did not arrive whole (the server stopped while receiving it). Upload the file again.'

type Cursor = { line: number; oldest: string | null }

export type JobSummary = ReturnType<typeof summarizeJob>

/** What a page or a poller shows of a job (the JSON of `…/reporting/imports/{jobId}`). */
export function summarizeJob(job: ImportJob, now = new Date()) {
	const finished = job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled'
	const seconds = job.startedAt ? ((job.finishedAt ?? now).getTime() - job.startedAt.getTime()) / 1000 : 0
	return {
		id: job.id,
		status: job.status as 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled',
		finished,
		atomic: job.atomic,
		source: job.source,
		fileName: job.fileName,
		totalBytes: job.totalBytes,
		processedBytes: job.processedBytes,
		percent: job.totalBytes > 0 ? Math.min(100, Math.floor((job.processedBytes / job.totalBytes) * 100)) : 100,
		rows: job.rows,
		inserted: job.inserted,
		updated: job.updated,
		rejected: job.rejected,
		/** Rows read per second since the job started. */
		rowsPerSecond: seconds > 0 ? Math.round(job.rows / seconds) : null,
		/** Whether any row reached the ledger (an atomic job's only when it succeeded). */
		written: job.inserted + job.updated > 0,
		cancelRequested: job.cancelRequestedAt !== null,
		error: job.error,
		createdAt: job.createdAt.toISOString(),
		startedAt: job.startedAt?.toISOString() ?? null,
		finishedAt: job.finishedAt?.toISOString() ?? null,
	}
}

// ── Accepting an upload ──────────────────────────────────────────────────

/**
 * Stores an uploaded CSV file as a job: the job row first (held by this
 * server while the bytes arrive, so no worker reads half a file), then the
 * file in pieces of `chunkBytes`, each its own short insert, then the job is
 * queued with its "import started" audit event. `inline` keeps the job
 * claimed by this server, for the caller to run at once (runImportJob).
 */
export async function createUploadJob(
	orgId: string,
	actor: Actor,
	appId: string,
	file: Blob & { name?: string },
	{ atomic, inline = false, chunkBytes = JOB_CHUNK_BYTES }: { atomic: boolean; inline?: boolean; chunkBytes?: number },
): Promise<ImportJob> {
	const app = await requireApp(orgId, appId)
	const [created] = await db
		.insert(importJobs)
		.values({
			orgId,
			appId: app.id,
			source: 'upload',
			status: 'running',
			atomic,
			fileName: file.name ? file.name.slice(0, 200) : null,
			totalBytes: file.size,
			createdBy: typeof actor === 'string' ? actor : null,
			createdByKeyId: typeof actor === 'string' ? null : actor.apiKeyId,
			claimedBy: `upload:${WORKER_ID}`,
			heartbeatAt: sql`now()`,
		})
		.returning()
	const job = created!
	try {
		let seq = 0
		let pending: Uint8Array[] = []
		let pendingBytes = 0
		const store = async (bytes: Uint8Array) => {
			// As base64 text: PGlite takes and gives a bytea parameter some fifteen times slower.
			const base64 = (await packPiece(bytes)).toString('base64')
			// The piece and the job's heartbeat in one statement (one round trip, one commit).
			await db.execute(
				sql`with piece as (
					insert into import_job_chunks (job_id, seq, data) values (${job.id}::uuid, ${seq++}, decode(${base64}, 'base64'))
				)
				update import_jobs set heartbeat_at = now() where id = ${job.id}::uuid`,
			)
		}
		const reader = (file.stream() as ReadableStream<Uint8Array>).getReader()
		for (;;) {
			const { done, value } = await reader.read()
			if (done) break
			let offset = 0
			while (offset < value.length) {
				const take = Math.min(chunkBytes - pendingBytes, value.length - offset)
				pending.push(value.subarray(offset, offset + take))
				pendingBytes += take
				offset += take
				if (pendingBytes >= chunkBytes) {
					await store(concat(pending, pendingBytes))
					pending = []
					pendingBytes = 0
				}
			}
		}
		if (pendingBytes > 0) await store(concat(pending, pendingBytes))
	} catch (error) {
		await db.delete(importJobs).where(eq(importJobs.id, job.id))
		throw error
	}
	return db.transaction(async (tx) => {
		await lockApp(tx, orgId, app.id)
		// A background job is audited when accepted; one run in the request by its outcome only.
		if (!inline)
			await recordAudit(tx, {
				orgId,
				...auditActor(actor),
				action: 'ledger.import_started',
				subjectType: 'app',
				subjectId: app.id,
				after: { atomic, bytes: file.size },
			})
		const [queued] = await tx
			.update(importJobs)
			.set(
				inline
					? { claimedBy: WORKER_ID, heartbeatAt: sql`now()`, startedAt: sql`now()` }
					: { status: 'queued', claimedBy: null, heartbeatAt: null },
			)
			.where(eq(importJobs.id, job.id))
			.returning()
		return queued!
	})
}

/**
 * A stored piece: PACKED_MARK, the piece's size as uploaded (4 bytes, big-endian), then the piece compressed
 * (raw deflate, fastest level, on libuv's threads). A CSV of ids compresses several times over, so the
 * database writes, logs and reads a fraction of the bytes, and does not compress them itself (its own
 * compression of a large value, pglz, cost it about as much CPU as storing and reading the value). A piece
 * without the mark is read as it is (stored before pieces were packed).
 */
const PACKED_MARK = Buffer.from([0, 0x43, 0x4c, 0x5a])
const deflate = promisify(deflateRaw)
const inflate = promisify(inflateRaw)

async function packPiece(bytes: Uint8Array) {
	const head = Buffer.alloc(PACKED_MARK.length + 4)
	PACKED_MARK.copy(head)
	head.writeUInt32BE(bytes.byteLength, PACKED_MARK.length)
	return Buffer.concat([head, await deflate(bytes, { level: 1 })])
}

async function unpackPiece(stored: Buffer) {
	if (stored.length < PACKED_MARK.length + 4 || !stored.subarray(0, PACKED_MARK.length).equals(PACKED_MARK))
		return stored
	const size = stored.readUInt32BE(PACKED_MARK.length)
	const bytes = await inflate(stored.subarray(PACKED_MARK.length + 4))
	if (bytes.length !== size) throw new UserFacingError(INTERRUPTED_UPLOAD, 400, 'file')
	return bytes
}

/** A stored piece's size as uploaded, in SQL (read from its head when packed, without reading the rest). */
const uploadedSize = sql`case when substring(${importJobChunks.data} from 1 for ${PACKED_MARK.length}) = decode(${PACKED_MARK.toString('hex')}, 'hex')
	then ('x' || encode(substring(${importJobChunks.data} from ${PACKED_MARK.length + 1} for 4), 'hex'))::bit(32)::bigint
	else length(${importJobChunks.data}) end`

function concat(parts: Uint8Array[], size: number) {
	if (parts.length === 1) return parts[0]!.slice()
	const out = new Uint8Array(size)
	let at = 0
	for (const part of parts) {
		out.set(part, at)
		at += part.length
	}
	return out
}

// ── Claiming ─────────────────────────────────────────────────────────────

/**
 * Takes one job for `workerId`: a queued one, or a running one whose
 * heartbeat stopped STALE_AFTER_SECONDS ago (its server crashed). One
 * statement, rows locked with SKIP LOCKED: two servers never take the same
 * job, and a job with a fresh heartbeat is never taken from its server.
 */
export async function claimImportJob(workerId: string, { jobId }: { jobId?: string } = {}): Promise<ImportJob | null> {
	const only = jobId ? sql`and id = ${jobId}::uuid` : sql``
	const [job] = await db
		.update(importJobs)
		.set({
			status: 'running',
			claimedBy: workerId,
			heartbeatAt: sql`now()`,
			startedAt: sql`coalesce(${importJobs.startedAt}, now())`,
		})
		.where(
			eq(
				importJobs.id,
				sql`(select id from import_jobs
					where (status = 'queued'
						or (status = 'running' and (heartbeat_at is null
							or heartbeat_at < now() - make_interval(secs => ${STALE_AFTER_SECONDS}))))
					${only}
					order by created_at
					limit 1
					for update skip locked)`,
			),
		)
		.returning()
	return job ?? null
}

// ── Running ──────────────────────────────────────────────────────────────

/** This worker no longer holds the job (another took it over as stale): stop without writing. */
class LostClaim extends Error {}

function actorOf(job: ImportJob): Actor {
	if (job.createdBy) return job.createdBy
	if (job.createdByKeyId) return { apiKeyId: job.createdByKeyId }
	throw new Error(`import job ${job.id} has no creator`)
}

/**
 * Runs a job this worker has claimed to its end (succeeded, failed, or
 * cancelled), in short transactions. Answers the job as it ended, or null
 * when another worker took it over meanwhile.
 */
export async function runImportJob(
	jobId: string,
	workerId: string = WORKER_ID,
	{ batchRows }: { batchRows?: number } = {},
): Promise<ImportJob | null> {
	const [job] = await db.select().from(importJobs).where(eq(importJobs.id, jobId))
	if (!job || job.status !== 'running' || job.claimedBy !== workerId) return null
	try {
		return await carryOut(job, workerId, batchRows)
	} catch (error) {
		if (error instanceof LostClaim) return null
		const message =
			error instanceof UserFacingError ? error.message : 'The import stopped on an unexpected error. Try it again.'
		if (!(error instanceof UserFacingError)) console.error(`Import job ${job.id} failed:`, error)
		return finish(job, workerId, { status: 'failed', error: message })
	}
}

/** `fixedBatchRows`: rows per transaction whatever the database (tests: a small file in many transactions). */
async function carryOut(job: ImportJob, workerId: string, fixedBatchRows?: number): Promise<ImportJob | null> {
	const [stored] = await db
		.select({
			bytes: sql<number>`coalesce(sum(${uploadedSize}), 0)::bigint`,
			pieces: sql<number>`count(*)::int`,
		})
		.from(importJobChunks)
		.where(eq(importJobChunks.jobId, job.id))
	const pieces = Number(stored?.pieces ?? 0)
	if (Number(stored?.bytes ?? 0) !== job.totalBytes) throw new UserFacingError(INTERRUPTED_UPLOAD, 400, 'file')

	const cursor = (job.cursor as Cursor | null) ?? { line: 0, oldest: null }
	// What the job's committed transactions wrote: the job's row says the same after each.
	const committed = { rows: job.rows, inserted: job.inserted, updated: job.updated, rejected: job.rejected }
	let oldest = cursor.oldest ? new Date(cursor.oldest) : null
	// What has been read so far (ahead of `committed` while a batch is being written).
	let rows = job.rows
	let rejected = job.rejected
	let lastLine = cursor.line
	let batch = new BatchColumns()
	let refused: { position: number; value: string; updatedAt: string; reason: string }[] = []
	const check = candidateChecker(new Date())
	const postgres = getDatabase().config.driver === 'postgres'
	// On PGlite the first transaction is a small one: the next are sized from it.
	let batchRows = fixedBatchRows ?? (postgres ? JOB_BATCH_ROWS_POSTGRES : PGLITE_FIRST_BATCH_ROWS)
	const pace = pacer(YIELD_EVERY_ROWS)
	// Whether the rows read are expected to be new to the ledger (none found stored so far): see upsertAccountColumns.
	let likelyNew = true

	// Writes one batch with the job's progress as it was when the batch was read, in one short transaction.
	const write = async (read: Batch): Promise<boolean> => {
		const startedAt = performance.now()
		const cancelRequested = await db.transaction(async (tx) => {
			const written = { inserted: 0, updated: 0 }
			let batchOldest = oldest
			// Sent together, without waiting for each answer (one connection runs them in this order): the app's
			// lock first, then the refused rows and the rows. A failure of any rolls the transaction back.
			const steps: Promise<unknown>[] = []
			// The commit does not wait for the disk (synchronous_commit off, this transaction only): a database
			// crash can lose the last batches, but their rows and the cursor saying they were written together, so
			// the job taken over writes them again. The job's last transaction waits (and with it, everything
			// written before). On PGlite the wait was the server's own thread's: some 80 ms a batch on a busy disk.
			steps.push(tx.execute(sql`set local synchronous_commit = off`))
			steps.push(lockApp(tx, job.orgId, job.appId))
			// The refused rows before the rows: the rows' COPY may run in a savepoint, and a statement sent while
			// it is open would be undone with it when the ledger refuses the COPY.
			if (read.refused.length > 0) {
				steps.push(
					tx
						.insert(importJobRejections)
						.values(read.refused.map((row) => ({ jobId: job.id, ...row })))
						.onConflictDoNothing()
						.then(() => undefined),
				)
			}
			// Last: nothing may be sent after it before it ends (see above).
			if (read.ids.length > 0 && !(job.atomic && read.rejected > 0)) {
				if (job.atomic) steps.push(stageAccountColumns(tx, job.id, read.ids, read.dates))
				else {
					steps.push(
						// The text built ahead is used only while the rows are still expected new (likelyNew).
						upsertAccountColumns(tx, job.appId, read.ids, read.dates, {
							likelyNew,
							newRowsText: read.newRowsText,
						}).then((counts) => {
							written.inserted = counts.inserted
							written.updated = counts.updated
							// Ids already stored: the next batches look theirs up first.
							if (counts.updated > 0 || counts.foundStored) likelyNew = false
						}),
					)
					if (read.oldest && (!batchOldest || read.oldest < batchOldest)) batchOldest = read.oldest
				}
			}
			await Promise.all(steps)
			const counts = {
				rows: read.rows,
				rejected: read.rejected,
				inserted: committed.inserted + written.inserted,
				updated: committed.updated + written.updated,
			}
			const [progress] = await tx
				.update(importJobs)
				.set({
					...counts,
					processedBytes: read.processedBytes,
					cursor: { line: read.lastLine, oldest: batchOldest?.toISOString() ?? null } satisfies Cursor,
					heartbeatAt: sql`now()`,
				})
				.where(and(eq(importJobs.id, job.id), eq(importJobs.claimedBy, workerId), eq(importJobs.status, 'running')))
				.returning({ cancelRequestedAt: importJobs.cancelRequestedAt })
			if (!progress) throw new LostClaim()
			Object.assign(committed, counts)
			oldest = batchOldest
			return progress.cancelRequestedAt !== null
		})
		const rows = read.ids.length + read.refused.length
		if (!postgres && !fixedBatchRows && rows >= 100) {
			// The next transaction sized to take about PGLITE_WRITE_MS, as this one went (growing at most twofold).
			const fits = Math.round((rows * PGLITE_WRITE_MS) / Math.max(1, performance.now() - startedAt))
			batchRows = Math.max(PGLITE_MIN_BATCH_ROWS, Math.min(JOB_BATCH_ROWS, fits, batchRows * 2))
		}
		await yieldToEventLoop()
		return cancelRequested
	}

	// One batch is written while the next is read (parsing and checking overlap the database's work);
	// a failure is kept, not left unhandled, until the reader waits for that batch.
	let writing: Promise<{ cancelled: boolean } | { failed: unknown }> | null = null
	const settle = async () => {
		if (!writing) return false
		const outcome = await writing
		writing = null
		if ('failed' in outcome) throw outcome.failed
		return outcome.cancelled
	}
	/** Hands the rows read since the last batch to the writer, once it has written the previous one; true when a cancel was asked. */
	const flush = async (processedBytes: number) => {
		const taken: Omit<Batch, 'newRowsText'> = { ...batch.columns(), refused, rows, rejected, lastLine, processedBytes }
		batch = new BatchColumns()
		refused = []
		// On PostgreSQL the COPY text of rows expected new is built while the batch before is being written.
		const newRowsText =
			postgres && likelyNew && !job.atomic ? await newRowsCopyText(job.appId, taken.ids, taken.dates) : null
		if (await settle()) return true
		const read: Batch = { ...taken, newRowsText }
		writing = write(read).then(
			(cancelled) => ({ cancelled }),
			(failed: unknown) => ({ failed }),
		)
		// On PGlite the job's transaction holds the thread's one connection: nothing is read meanwhile, so a
		// request waits for the transaction only, not for the reading done between its statements.
		return postgres ? false : settle()
	}

	const parser = new CsvParser()
	const decoder = new TextDecoder('utf-8')
	const reader = csvCandidateReader()
	let readBytes = 0
	// Checks a piece's records; a line cut by a piece's end is completed by the next piece.
	const take = async (records: CsvRecord[], processedBytes: number) => {
		for (const record of records) {
			const candidate = reader.read(record)
			if (!candidate) continue
			// Already written by a worker before this one.
			if (candidate.position <= cursor.line) continue
			rows++
			lastLine = candidate.position
			const checked = check(candidate)
			if (checked.ok) batch.add(checked.accountId, checked.updatedAt)
			else {
				rejected++
				refused.push({
					position: candidate.position,
					value: shown(rawText(candidate.accountId), checked.reason),
					updatedAt: shown(rawText(candidate.updatedAt)),
					reason: checked.reason,
				})
			}
			if (batch.size + refused.length >= batchRows) {
				if (await flush(processedBytes)) return true
			} else if (pace.due()) await yieldToEventLoop()
		}
		return false
	}

	const readPiece = async (seq: number) => {
		const [chunk] = rowsOf<{ data: string }>(
			await db.execute(
				sql`select encode(data, 'base64') as data from import_job_chunks where job_id = ${job.id}::uuid and seq = ${seq}`,
			),
		)
		if (!chunk) throw new UserFacingError(INTERRUPTED_UPLOAD, 400, 'file')
		return unpackPiece(Buffer.from(chunk.data, 'base64'))
	}
	// The next piece is read while this one is checked and written; a failure waits for its turn (or is dropped
	// when the job stops first).
	let next: Promise<Buffer> | null = pieces > 0 ? readPiece(0) : null
	next?.catch(() => {})
	try {
		for (let piece = 0; piece < pieces; piece++) {
			const bytes = await next!
			next = piece + 1 < pieces ? readPiece(piece + 1) : null
			next?.catch(() => {})
			readBytes += bytes.length
			const processedBytes = Math.max(job.processedBytes, readBytes)
			for await (const slice of slicesOf(bytes, PARSE_SLICE_BYTES)) {
				if (await take(parser.push(decoder.decode(slice, { stream: true })), processedBytes)) {
					return cancel(job, workerId, committed, oldest)
				}
			}
			// On PGlite at least one transaction per piece, so the progress moves with the file. On PostgreSQL a
			// transaction takes up to JOB_BATCH_ROWS_POSTGRES rows across pieces (a few MB: the progress still moves
			// every second or so): each costs its round trips, its statement triggers and its commit.
			if (!postgres && (batch.size > 0 || refused.length > 0) && (await flush(processedBytes))) {
				return cancel(job, workerId, committed, oldest)
			}
		}
		const rest = decoder.decode()
		if (await take([...(rest ? parser.push(rest) : []), ...parser.end()], job.totalBytes)) {
			return cancel(job, workerId, committed, oldest)
		}
		reader.end()
		if (await flush(job.totalBytes)) return cancel(job, workerId, committed, oldest)
		if (await settle()) return cancel(job, workerId, committed, oldest)
	} catch (error) {
		// The batch being written ends (committed or not) before the job is ended as failed.
		await writing
		throw error
	}
	return complete(job, workerId, committed, oldest)
}

/**
 * The rows of a batch as they are read: each id once, where it first came, with the date of its last row in the
 * file. Kept in arrays as rows come, not in a Map read back entry by entry at the end: a million rows make a
 * million fewer short-lived objects for the collector, whose pauses stop every request.
 */
class BatchColumns {
	private readonly ids: string[] = []
	private readonly times: Date[] = []
	private readonly at = new Map<string, number>()

	get size() {
		return this.ids.length
	}

	add(accountId: string, updatedAt: Date) {
		const index = this.at.get(accountId)
		if (index !== undefined) this.times[index] = updatedAt
		else {
			this.at.set(accountId, this.ids.length)
			this.ids.push(accountId)
			this.times.push(updatedAt)
		}
	}

	columns(): Pick<Batch, 'ids' | 'dates' | 'oldest'> {
		const dates: string[] = []
		let oldest: Date | null = null
		for (const time of this.times) {
			dates.push(isoOf(time))
			if (!oldest || time < oldest) oldest = time
		}
		return { ids: this.ids, dates, oldest }
	}
}

/** A batch as read: its rows (each id once, the file's last wins) and the job's progress up to its last line. */
type Batch = {
	ids: string[]
	dates: string[]
	/** The COPY text of the rows, built ahead when they are expected new to the ledger (PostgreSQL). */
	newRowsText: readonly Buffer[] | null
	oldest: Date | null
	refused: { position: number; value: string; updatedAt: string; reason: string }[]
	rows: number
	rejected: number
	lastLine: number
	processedBytes: number
}

// Most rows of a file share a few dates (and candidateChecker hands back the same Date for the same text).
let lastIsoDate: Date | null = null
let lastIso = ''
function isoOf(date: Date) {
	if (date !== lastIsoDate) {
		lastIsoDate = date
		lastIso = date.toISOString()
	}
	return lastIso
}

type Counts = { rows: number; inserted: number; updated: number; rejected: number }

/** The end of a job read whole: atomic jobs commit their staging (or drop it), every job notes its oldest row and is audited. */
async function complete(job: ImportJob, workerId: string, counts: Counts, oldestWritten: Date | null) {
	const actor = actorOf(job)
	if (job.atomic && counts.rejected > 0) {
		return finish(job, workerId, {
			status: 'failed',
			counts: { ...counts, inserted: 0, updated: 0 },
			error: `Nothing was imported: ${counts.rejected} row${counts.rejected === 1 ? ' was' : 's were'} rejected and “All or nothing” was ticked.`,
			audit: { action: 'ledger.import_refused', actor },
		})
	}
	return finish(job, workerId, {
		status: 'succeeded',
		counts,
		audit: { action: 'ledger.imported', actor },
		inTransaction: async (tx) => {
			let oldest = oldestWritten
			if (job.atomic) {
				const moved = await commitStaged(tx, job.id, job.appId)
				counts.inserted = moved.inserted
				counts.updated = moved.updated
				oldest = moved.oldest
			}
			if (oldest) await noteOldestImported(tx, job.orgId, actor, job.appId, oldest)
		},
	})
}

async function cancel(job: ImportJob, workerId: string, counts: Counts, oldest: Date | null) {
	return finish(job, workerId, {
		status: 'cancelled',
		counts: job.atomic ? { ...counts, inserted: 0, updated: 0 } : counts,
		audit: { action: 'ledger.import_cancelled', actor: actorOf(job) },
		inTransaction: async (tx) => {
			// What a non-atomic job already wrote stays, so its oldest row counts.
			if (!job.atomic && oldest) await noteOldestImported(tx, job.orgId, actorOf(job), job.appId, oldest)
		},
	})
}

/** Ends a job in one transaction: its status and counts, its audit event, its staging and uploaded pieces gone. */
async function finish(
	job: ImportJob,
	workerId: string,
	{
		status,
		counts,
		error = null,
		audit,
		inTransaction,
	}: {
		status: 'succeeded' | 'failed' | 'cancelled'
		counts?: Counts
		error?: string | null
		audit?: { action: string; actor: Actor }
		inTransaction?: (tx: Tx) => Promise<void>
	},
): Promise<ImportJob | null> {
	return db.transaction(async (tx) => {
		const [held] = await tx
			.select({ id: importJobs.id })
			.from(importJobs)
			.where(and(eq(importJobs.id, job.id), eq(importJobs.claimedBy, workerId), eq(importJobs.status, 'running')))
			.for('update')
		if (!held) return null
		await inTransaction?.(tx)
		await dropStaged(tx, job.id)
		await tx.delete(importJobChunks).where(eq(importJobChunks.jobId, job.id))
		const [ended] = await tx
			.update(importJobs)
			.set({
				...(counts ?? {}),
				status,
				error,
				processedBytes: status === 'succeeded' ? job.totalBytes : undefined,
				heartbeatAt: sql`now()`,
				finishedAt: sql`now()`,
			})
			.where(eq(importJobs.id, job.id))
			.returning()
		if (audit) {
			const after = counts ?? {
				rows: ended!.rows,
				inserted: ended!.inserted,
				updated: ended!.updated,
				rejected: ended!.rejected,
			}
			await recordAudit(tx, {
				orgId: job.orgId,
				...auditActor(audit.actor),
				action: audit.action,
				subjectType: 'app',
				subjectId: job.appId,
				// Counts only: account ids are Atlassian users' identifiers, not audit material.
				after: {
					atomic: job.atomic,
					rows: after.rows,
					inserted: after.inserted,
					updated: after.updated,
					rejected: after.rejected,
				},
			})
		}
		return ended!
	})
}

// ── The worker loop ──────────────────────────────────────────────────────

/** Forgets a job run in the request whose file was refused as a whole: nothing of it is kept. */
export async function discardImportJob(jobId: string) {
	await db.delete(importJobs).where(eq(importJobs.id, jobId))
}

/** Claims and runs jobs until none is left; the scheduler runs it too, so a crashed server's job is picked up. */
export async function runPendingImportJobs(workerId: string = WORKER_ID) {
	let ran = 0
	for (;;) {
		const job = await claimImportJob(workerId)
		if (!job) return { ran }
		await runImportJob(job.id, workerId)
		ran++
	}
}

/**
 * The scheduler's round: runs the queued jobs here, or asks this server's import thread to when it has one
 * (import-thread.server.ts) without waiting for them: an import may take minutes, and the round's other jobs
 * (reminders, email, webhooks) must not wait behind it.
 */
export async function runQueuedImportJobs(): Promise<{ ran: number } | { askedThread: true }> {
	const thread = importThread()
	if (!thread) return runPendingImportJobs()
	thread.kick()
	return { askedThread: true }
}

let draining: Promise<unknown> | null = null
let again = false

/**
 * Starts this server's worker without waiting for it (a job just queued); a kick while it runs makes it look
 * again. On the server's import thread when it has one.
 */
export function kickImportWorker() {
	const thread = importThread()
	if (thread) return thread.kick()
	if (draining) {
		again = true
		return
	}
	const drain = async () => {
		do {
			again = false
			await runPendingImportJobs()
		} while (again)
	}
	draining = drain()
		.catch((error: unknown) => console.error('Import worker failed:', error))
		.finally(() => (draining = null))
}

/** Resolves when this server's worker has nothing left to do (for tests and a graceful stop). */
export async function importWorkerIdle() {
	await importThread()?.idle()
	while (draining) await draining
}

// ── Reading and cancelling ───────────────────────────────────────────────

export async function getImportJob(orgId: string, appId: string, jobId: string): Promise<ImportJob> {
	await requireApp(orgId, appId)
	if (!isUuid(jobId)) throw new UserFacingError(NOT_FOUND, 404)
	const [job] = await db
		.select()
		.from(importJobs)
		.where(and(eq(importJobs.id, jobId), eq(importJobs.orgId, orgId), eq(importJobs.appId, appId)))
	if (!job) throw new UserFacingError(NOT_FOUND, 404)
	return job
}

/** The app's latest jobs, newest first. */
export async function listImportJobs(orgId: string, appId: string, limit = 10): Promise<ImportJob[]> {
	await requireApp(orgId, appId)
	return db
		.select()
		.from(importJobs)
		.where(and(eq(importJobs.orgId, orgId), eq(importJobs.appId, appId)))
		.orderBy(desc(importJobs.createdAt))
		.limit(limit)
}

/**
 * Asks a job to stop (audited). A queued job stops at once; a running one
 * at its next batch: what a non-atomic job already committed stays.
 */
export async function requestImportCancel(orgId: string, actor: Actor, appId: string, jobId: string) {
	await getImportJob(orgId, appId, jobId)
	return db.transaction(async (tx) => {
		await lockApp(tx, orgId, appId)
		const [job] = await tx.select().from(importJobs).where(eq(importJobs.id, jobId)).for('update')
		if (!job) throw new UserFacingError(NOT_FOUND, 404)
		if (job.status !== 'queued' && job.status !== 'running') {
			throw new UserFacingError('That import has already ended.', 409)
		}
		const queued = job.status === 'queued'
		const [updated] = await tx
			.update(importJobs)
			.set({
				cancelRequestedAt: sql`now()`,
				cancelRequestedBy: typeof actor === 'string' ? actor : null,
				...(queued ? { status: 'cancelled', finishedAt: sql`now()` } : {}),
			})
			.where(eq(importJobs.id, jobId))
			.returning()
		if (queued) await tx.delete(importJobChunks).where(eq(importJobChunks.jobId, jobId))
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: 'ledger.import_cancel_requested',
			subjectType: 'app',
			subjectId: appId,
			after: { rows: job.rows, inserted: job.inserted, updated: job.updated },
		})
		return updated!
	})
}

/** The first rejections of a job, for the summary on the page (the CSV holds them all). */
export async function firstRejections(jobId: string, limit = MAX_REJECTED_LISTED) {
	return db
		.select()
		.from(importJobRejections)
		.where(eq(importJobRejections.jobId, jobId))
		.orderBy(asc(importJobRejections.position))
		.limit(limit)
}

/** Every rejection of a job, in keyset pages: the downloadable report streams whatever its size. */
export async function* streamRejections(orgId: string, appId: string, jobId: string, pageSize = 1000) {
	await getImportJob(orgId, appId, jobId)
	let after = -1
	for (;;) {
		const page = await db
			.select()
			.from(importJobRejections)
			.where(and(eq(importJobRejections.jobId, jobId), sql`${importJobRejections.position} > ${after}`))
			.orderBy(asc(importJobRejections.position))
			.limit(pageSize)
		yield* page
		if (page.length < pageSize) return
		after = page[page.length - 1]!.position
	}
}

/** A finished job as the import form's summary (what an import in the request answered before jobs). */
export async function importResultOf(job: ImportJob): Promise<ImportResult> {
	const rejections = await firstRejections(job.id)
	const atomicRefused = job.atomic && job.rejected > 0
	return {
		atomic: job.atomic,
		written: !atomicRefused,
		rows: job.rows,
		inserted: job.inserted,
		updated: job.updated,
		rejected: job.rejected,
		rejectedRows: rejections.map((row) => ({ line: row.position, accountId: row.value, reason: row.reason })),
	}
}
