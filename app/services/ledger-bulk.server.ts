import { type Writable } from 'node:stream'
import { sql } from 'drizzle-orm'
import { type Tx } from '#db/client.server'
import { yieldToEventLoop } from '~/utils/event-loop.server'
import { rowsOf } from '~/utils/sql-rows.server'
import type { Transaction as PGliteTransaction } from '@electric-sql/pglite'
import type postgres from 'postgres'

/**
 * The one bulk write path of the ledger: the CSV import (in the request or
 * as a background job) and the API's push all write stored accounts here.
 * A call costs a bounded number of statements whatever the number of rows:
 * the ids and dates go as two array parameters that `unnest` turns into rows
 * (two bound parameters, never 65,535), or, for a large batch on PostgreSQL,
 * as a COPY. The per-app figures are kept by the ledger's triggers
 * (migration 0010, COPY included), so nothing here counts the ledger. The
 * caller holds the transaction and the app's lock (lockApp), and has checked
 * that the app is the organisation's.
 */

export type LedgerRow = { accountId: string; updatedAt: Date }

// The dates go as text[] and are cast row by row: postgres.js cannot send a timestamptz[] parameter of strings.
function arrays(rows: readonly LedgerRow[]) {
	return {
		ids: rows.map((row) => row.accountId),
		dates: rows.map((row) => row.updatedAt.toISOString()),
	}
}

/**
 * A text[] parameter. Ids and ISO dates hold no comma (docs/rules.md › Personal-data reporting: an account
 * id is letters, digits, ':', '-' and '_'), so they go as ONE text joined by commas that `string_to_array`
 * splits: the driver then sends one string instead of escaping each of 20,000 elements. Anything else (an
 * empty value, a comma) goes as an array parameter.
 */
function textArray(values: readonly string[]) {
	if (values.every((value) => value !== '' && !value.includes(',')))
		return sql`string_to_array(${values.join(',')}::text, ',')`
	return sql`${sql.param([...values])}::text[]`
}

/**
 * Upserts rows by account id (each id at most once per call: the caller
 * keeps the last of a file's duplicates); `xmax = 0` tells a fresh row from
 * an updated one.
 */
export async function upsertAccounts(
	tx: Tx,
	appId: string,
	rows: readonly LedgerRow[],
): Promise<{ inserted: number; updated: number }> {
	const { ids, dates } = arrays(rows)
	return upsertAccountColumns(tx, appId, ids, dates)
}

/**
 * Batches from this many rows go by COPY on PostgreSQL: below it, the one upsert statement costs fewer round
 * trips than the lookup, the COPY and the update.
 */
export const COPY_FROM_ROWS = 1000

/** Text that goes in a COPY text-format field as it is (no tab, newline, backslash or carriage return). */
const COPY_SAFE = /^[^\t\n\r\\]+$/

/** The driver's own transaction behind a drizzle transaction (postgres.js or PGlite). */
function driverTransaction(tx: Tx) {
	return (tx as unknown as { session?: { client?: { query?: unknown; unsafe?: unknown } } }).session?.client
}

/** PGlite's own transaction behind a drizzle transaction, for COPY from a blob; null on PostgreSQL. */
function pgliteTransaction(tx: Tx): PGliteTransaction | null {
	const client = driverTransaction(tx)
	return typeof client?.query === 'function' && typeof client.unsafe !== 'function'
		? (client as PGliteTransaction)
		: null
}

/** The PostgreSQL connection behind a transaction (postgres.js), for COPY; null on PGlite. */
function copyConnection(tx: Tx): postgres.TransactionSql | null {
	const client = driverTransaction(tx)
	return typeof client?.unsafe === 'function' ? (client as postgres.TransactionSql) : null
}

/**
 * upsertAccounts for rows already held as two columns, the ids and their
 * updatedAt as ISO text (the import job builds these while it reads, instead
 * of an object per row).
 *
 * A large batch on PostgreSQL: the ids the app's ledger already holds are
 * looked up (one index probe each), the new rows go by COPY straight into the
 * ledger and the others are updated. COPY writes its rows in groups, where an
 * `INSERT … ON CONFLICT` inserts them one by one, each after its own conflict
 * check: the database spends about a quarter less CPU on a batch of new rows
 * (bench/profile-import.ts). Sound only under the app's lock, which every
 * writer of the ledger takes: no other transaction can add one of these ids
 * between the lookup and the COPY.
 */
export async function upsertAccountColumns(
	tx: Tx,
	appId: string,
	ids: readonly string[],
	dates: readonly string[],
	{ likelyNew = false, newRowsText = null }: { likelyNew?: boolean; newRowsText?: readonly Buffer[] | null } = {},
): Promise<{ inserted: number; updated: number; foundStored?: boolean }> {
	if (ids.length === 0) return { inserted: 0, updated: 0 }
	const connection = ids.length >= COPY_FROM_ROWS ? copyConnection(tx) : null
	if (connection && copySafe(ids, dates)) {
		if (likelyNew) {
			// None of these ids is expected in the ledger (an import whose earlier batches found none): the
			// batch goes by COPY without looking them up (an index probe each, some 15% of the COPY's own work),
			// in a savepoint (postgres.js's own, so the refusal stays inside it). When the ledger's key refuses
			// one after all, the COPY is undone and the batch written the usual way, which fails again if the
			// refusal was for another reason. The text may have been built beforehand (newRowsCopyText).
			const text = newRowsText ?? (await copyText(appId, ids, dates, null))
			try {
				await connection.savepoint((saved) => copyIn(saved, COPY_LEDGER, text))
				return { inserted: ids.length, updated: 0 }
			} catch {
				// Rolled back to the savepoint: the transaction goes on.
			}
			return { ...(await copyAccountColumns(tx, connection, appId, ids, dates)), foundStored: true }
		}
		return copyAccountColumns(tx, connection, appId, ids, dates)
	}
	const lite = likelyNew && ids.length >= COPY_FROM_ROWS ? pgliteTransaction(tx) : null
	if (lite && copySafe(ids, dates)) {
		// PGlite: the same COPY of rows expected new, from a blob, in a savepoint of its own; a refusal falls back
		// to the upsert below. Its rows cost the database about a third of the upsert's (bench: a 1,000,000-row
		// COPY in 14 s, the import's upserts in 52 s).
		const text = newRowsText ?? (await copyText(appId, ids, dates, null))
		await lite.query('savepoint ledger_copy')
		try {
			await lite.query(COPY_LEDGER_FROM_BLOB, [], {
				blob: new Blob(text as unknown as BlobPart[]),
			})
			await lite.query('release savepoint ledger_copy')
			return { inserted: ids.length, updated: 0 }
		} catch {
			await lite.query('rollback to savepoint ledger_copy')
		}
		return { ...(await upsertByStatement(tx, appId, ids, dates)), foundStored: true }
	}
	return upsertByStatement(tx, appId, ids, dates)
}

/** One `INSERT … ON CONFLICT` of the rows, from two array parameters. */
async function upsertByStatement(tx: Tx, appId: string, ids: readonly string[], dates: readonly string[]) {
	const result = await tx.execute(sql`
		with written as (
			insert into stored_accounts (app_id, account_id, updated_at)
			select ${appId}::uuid, id, at::timestamptz
			from unnest(${textArray(ids)}, ${textArray(dates)}) as given(id, at)
			on conflict (app_id, account_id) do update set updated_at = excluded.updated_at
			returning (xmax = 0) as fresh
		)
		select count(*) filter (where fresh)::int as inserted, count(*)::int as total from written`)
	const [row] = rowsOf<{ inserted: number; total: number }>(result)
	const inserted = Number(row?.inserted ?? 0)
	return { inserted, updated: Number(row?.total ?? 0) - inserted }
}

function copySafe(ids: readonly string[], dates: readonly string[]) {
	return ids.every((id) => COPY_SAFE.test(id)) && dates.every((date) => COPY_SAFE.test(date))
}

/**
 * The COPY text upsertAccountColumns sends for rows expected new to the ledger (`likelyNew`), built ahead by a
 * caller with time to spare (the import job builds a batch's while the one before is written: 1.1 s of 12 for a
 * million rows, otherwise spent inside the write transaction); null when such a batch would not go by COPY.
 */
export async function newRowsCopyText(appId: string, ids: readonly string[], dates: readonly string[]) {
	return ids.length >= COPY_FROM_ROWS && copySafe(ids, dates) ? copyText(appId, ids, dates, null) : null
}

/** Rows of COPY text built and sent at a time, with a turn of the event loop between two (requests wait less). */
const COPY_CHUNK_ROWS = 2000
const COPY_LEDGER = 'copy stored_accounts (app_id, account_id, updated_at) from stdin'
/** PGlite reads a COPY's data from the blob passed with the query. */
const COPY_LEDGER_FROM_BLOB = "copy stored_accounts (app_id, account_id, updated_at) from '/dev/blob'"

/**
 * The COPY text of the rows at `only` (all rows when null), written COPY_CHUNK_ROWS rows at a time straight into
 * a buffer (no string per row for the collector, and nothing to flatten and encode when it is sent), with a turn
 * of the event loop between two, before the COPY starts (so the data and its end go out together).
 */
async function copyText(appId: string, ids: readonly string[], dates: readonly string[], only: number[] | null) {
	const count = only ? only.length : ids.length
	const prefix = `${appId}\t`
	const prefixBytes = Buffer.byteLength(prefix)
	const chunks: Buffer[] = []
	for (let from = 0; from < count; from += COPY_CHUNK_ROWS) {
		if (from > 0) await yieldToEventLoop()
		const to = Math.min(count, from + COPY_CHUNK_ROWS)
		let size = 0
		for (let next = from; next < to; next++) {
			const at = only ? only[next]! : next
			size += prefixBytes + Buffer.byteLength(ids[at]!) + Buffer.byteLength(dates[at]!) + 2
		}
		const chunk = Buffer.allocUnsafe(size)
		let offset = 0
		for (let next = from; next < to; next++) {
			const at = only ? only[next]! : next
			offset += chunk.write(prefix, offset)
			offset += chunk.write(ids[at]!, offset)
			chunk[offset++] = 9 // tab
			offset += chunk.write(dates[at]!, offset)
			chunk[offset++] = 10 // newline
		}
		chunks.push(chunk)
	}
	return chunks
}

/**
 * Sends the `chunks` of COPY text to a `COPY … FROM STDIN` on the transaction's connection and resolves once the
 * database has taken every row. postgres.js's writable never settles when the database refuses the COPY after its last row
 * (porsager/postgres#1173): so a statement is queued right behind it on the same connection, which fails when
 * the COPY failed (the transaction is then aborted) and the caller's transaction rolls back instead of waiting
 * for ever.
 */
async function copyIn(connection: postgres.TransactionSql, statement: string, chunks: readonly Buffer[]) {
	const writable = (await connection.unsafe(statement).writable()) as Writable & {
		_final: (callback: (error?: Error | null) => void) => void
	}
	const finished = new Promise<void>((resolve, reject) => {
		writable.on('finish', resolve)
		writable.on('error', reject)
	})
	finished.catch(() => {})
	// The end of the data is on its way once postgres.js's own final step has run: queries may follow it.
	const sendsEnd = writable._final.bind(writable)
	const ended = new Promise<void>((resolve) => {
		writable._final = (callback) => {
			sendsEnd(callback)
			resolve()
		}
	})
	for (const chunk of chunks) writable.write(chunk)
	writable.end()
	await Promise.race([ended, finished])
	try {
		await connection`select 1`
	} catch (error) {
		throw new Error('The database refused the COPY into the ledger (its reason is in the database log).', {
			cause: error,
		})
	}
	await finished
}

async function copyAccountColumns(
	tx: Tx,
	connection: postgres.TransactionSql,
	appId: string,
	ids: readonly string[],
	dates: readonly string[],
): Promise<{ inserted: number; updated: number }> {
	// A join on unnest, not `account_id = any(…)`: for 20,000 ids against a million stored, planned in 7 ms instead
	// of 12–52 ms (the planner weighs each element of an `any` list; decision 027) and run in 46 ms instead of 287.
	const held = rowsOf<{ account_id: string }>(
		await tx.execute(sql`
			select s.account_id from unnest(${textArray(ids)}) as given(id)
			join stored_accounts s on s.app_id = ${appId}::uuid and s.account_id = given.id`),
	)
	const known = new Set(held.map((row) => row.account_id))
	const fresh: number[] = []
	const updatedIds: string[] = []
	const updatedDates: string[] = []
	for (let at = 0; at < ids.length; at++) {
		if (known.has(ids[at]!)) {
			updatedIds.push(ids[at]!)
			updatedDates.push(dates[at]!)
		} else fresh.push(at)
	}
	if (fresh.length > 0) await copyIn(connection, COPY_LEDGER, await copyText(appId, ids, dates, fresh))
	if (updatedIds.length > 0) {
		await tx.execute(sql`
			update stored_accounts set updated_at = given.at::timestamptz
			from unnest(${textArray(updatedIds)}, ${textArray(updatedDates)}) as given(id, at)
			where stored_accounts.app_id = ${appId}::uuid and stored_accounts.account_id = given.id`)
	}
	return { inserted: fresh.length, updated: updatedIds.length }
}

/** Stages rows of an atomic import job (later rows of the same id win), written to the ledger only by commitStaged. */
export async function stageAccounts(tx: Tx, jobId: string, rows: readonly LedgerRow[]) {
	const { ids, dates } = arrays(rows)
	await stageAccountColumns(tx, jobId, ids, dates)
}

/** stageAccounts for rows held as two columns (ids, updatedAt as ISO text). */
export async function stageAccountColumns(tx: Tx, jobId: string, ids: readonly string[], dates: readonly string[]) {
	if (ids.length === 0) return
	await tx.execute(sql`
		insert into import_job_staged (job_id, account_id, updated_at)
		select ${jobId}::uuid, id, at::timestamptz
		from unnest(${textArray(ids)}, ${textArray(dates)}) as given(id, at)
		on conflict (job_id, account_id) do update set updated_at = excluded.updated_at`)
}

/**
 * Moves every staged row of a job into the ledger in one statement and drops
 * the staging: called in the one transaction that makes an atomic import all
 * or nothing. Answers the counts and the oldest updatedAt written.
 */
export async function commitStaged(tx: Tx, jobId: string, appId: string) {
	const result = await tx.execute(sql`
		with written as (
			insert into stored_accounts (app_id, account_id, updated_at)
			select ${appId}::uuid, account_id, updated_at from import_job_staged where job_id = ${jobId}::uuid
			on conflict (app_id, account_id) do update set updated_at = excluded.updated_at
			returning (xmax = 0) as fresh, updated_at
		)
		select count(*) filter (where fresh)::int as inserted, count(*)::int as total, min(updated_at) as oldest
		from written`)
	const [row] = rowsOf<{ inserted: number; total: number; oldest: string | Date | null }>(result)
	await dropStaged(tx, jobId)
	const inserted = Number(row?.inserted ?? 0)
	return {
		inserted,
		updated: Number(row?.total ?? 0) - inserted,
		oldest: row?.oldest ? new Date(row.oldest) : null,
	}
}

export async function dropStaged(tx: Tx, jobId: string) {
	await tx.execute(sql`delete from import_job_staged where job_id = ${jobId}::uuid`)
}

/**
 * One account's ledger row exactly as it was (its updatedAt and when it was first stored): put back when it is no
 * longer stored, given its old updatedAt when it is. For undoing a task marked done by mistake (reopenTask).
 */
export async function restoreAccount(
	tx: Tx,
	appId: string,
	row: { accountId: string; updatedAt: Date; createdAt: Date },
): Promise<void> {
	await tx.execute(sql`
		insert into stored_accounts (app_id, account_id, updated_at, created_at)
		values (${appId}::uuid, ${row.accountId}, ${row.updatedAt.toISOString()}::timestamptz, ${row.createdAt.toISOString()}::timestamptz)
		on conflict (app_id, account_id) do update set updated_at = excluded.updated_at`)
}

/** Removes accounts from an app's ledger in one statement; answers the ids removed. */
export async function deleteAccounts(tx: Tx, appId: string, accountIds: readonly string[]): Promise<string[]> {
	if (accountIds.length === 0) return []
	const result = await tx.execute(sql`
		delete from stored_accounts
		where app_id = ${appId}::uuid and account_id = any(${sql.param([...accountIds])}::text[])
		returning account_id`)
	return rowsOf<{ account_id: string }>(result).map((row) => row.account_id)
}
