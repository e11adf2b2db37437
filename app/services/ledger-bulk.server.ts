import { sql } from 'drizzle-orm'
import { type Tx } from '#db/client.server'
import { rowsOf } from '~/utils/sql-rows.server'

/**
 * The one bulk write path of the ledger: the CSV import (in the request or
 * as a background job) and the API's push all write stored accounts here.
 * Each call is ONE statement whatever the number of rows: the ids and dates
 * go as two array parameters that `unnest` turns into rows, so a batch costs
 * one round trip and two bound parameters (never 65,535), on PostgreSQL and
 * PGlite alike. The per-app figures are kept by the ledger's triggers
 * (migration 0010), so nothing here counts the ledger. The caller holds the
 * transaction and has checked that the app is the organisation's.
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
 * upsertAccounts for rows already held as two columns, the ids and their
 * updatedAt as ISO text (the import job builds these while it reads, instead
 * of an object per row).
 */
export async function upsertAccountColumns(
	tx: Tx,
	appId: string,
	ids: readonly string[],
	dates: readonly string[],
): Promise<{ inserted: number; updated: number }> {
	if (ids.length === 0) return { inserted: 0, updated: 0 }
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

/** Removes accounts from an app's ledger in one statement; answers the ids removed. */
export async function deleteAccounts(tx: Tx, appId: string, accountIds: readonly string[]): Promise<string[]> {
	if (accountIds.length === 0) return []
	const result = await tx.execute(sql`
		delete from stored_accounts
		where app_id = ${appId}::uuid and account_id = any(${sql.param([...accountIds])}::text[])
		returning account_id`)
	return rowsOf<{ account_id: string }>(result).map((row) => row.account_id)
}
