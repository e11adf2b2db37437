import { and, asc, count, eq, gt, ilike, sql } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { storedAccounts } from '#db/schema'
import { EMAIL_IN_ACCOUNT_ID_REASON, validateAccountId, validateUpdatedAt } from '~/domain/account-ids'
import { isBlankRecord, type CsvRecord } from '~/domain/csv'
import { type StoredAccount } from '~/domain/report-batches'
import { MAX_REJECTED_LISTED } from '~/schemas/reporting'
import { UserFacingError } from '~/utils/errors'
import { recordAudit } from './audit.server'
import { likePattern } from '~/utils/sql-like'
import { getApp, lockApp } from './apps.server'
import { noteOldestImported } from './storing-since.server'

/**
 * The account ledger of an app: Atlassian account ids with `updatedAt`, never
 * an email address (domain.md, "Emails are never stored"). The only table that
 * grows with Atlassian's end users, so every query here is scoped by app and
 * bulk paths stream (design.md, "Scaling out"). Every function takes the
 * organisation and checks that the app is one of its own (a miss is a 404),
 * whatever the caller checked before.
 */

/** Rows per upsert statement: one round trip per thousand rows, not per row. */
export const IMPORT_CHUNK = 1000
/** Rows per keyset page when streaming the ledger out. */
export const STREAM_PAGE = 1000

export const CSV_HEADER = ['accountId', 'updatedAt'] as const

export type RejectedRow = { line: number; accountId: string; reason: string }
export type ImportResult = {
	atomic: boolean
	/** False when atomic mode refused the file: nothing was written. */
	written: boolean
	rows: number
	inserted: number
	updated: number
	rejected: number
	rejectedRows: RejectedRow[]
}

class AtomicRollback extends Error {}

/** `%` and `_` typed into the search box mean themselves. */
/** Shown instead of a rejected value that may be an email address (domain.md, "Emails are never stored"). */
export const HIDDEN_EMAIL = '(looks like an email address — not shown)'

/** Valid ids never hold '@', so hiding every such value loses nothing and catches emails under any reason. */
function shown(value: string, reason?: string) {
	return reason === EMAIL_IN_ACCOUNT_ID_REASON || value.includes('@') ? HIDDEN_EMAIL : clip(value)
}

function clip(text: string, max = 80) {
	return text.length > max ? `${text.slice(0, max)}…` : text
}

/**
 * Imports `accountId,updatedAt` rows, upserting by account id in chunks of
 * IMPORT_CHUNK inside ONE transaction with its audit event. Atomic mode keeps
 * reading (to report every bad row) but writes nothing once a row is
 * rejected, and rolls back what was written before it.
 */
export async function importAccounts(
	orgId: string,
	actorId: string,
	appId: string,
	records: AsyncIterable<CsvRecord>,
	{ atomic, now = new Date() }: { atomic: boolean; now?: Date },
): Promise<ImportResult> {
	const result: ImportResult = {
		atomic,
		written: true,
		rows: 0,
		inserted: 0,
		updated: 0,
		rejected: 0,
		rejectedRows: [],
	}
	const reject = (line: number, accountId: string, reason: string) => {
		result.rejected++
		if (result.rejectedRows.length < MAX_REJECTED_LISTED) {
			result.rejectedRows.push({ line, accountId: shown(accountId, reason), reason })
		}
	}
	try {
		await db.transaction(async (tx) => {
			// The app is the organisation's (404 otherwise), and one import at a time writes to it.
			await lockApp(tx, orgId, appId)
			// Later rows win; a Map also keeps one id from meeting itself in one statement.
			let chunk = new Map<string, Date>()
			// The oldest updatedAt written: data retrieved then has been stored since.
			let oldest: Date | null = null
			const flush = async () => {
				if (chunk.size === 0) return
				const rows = [...chunk].map(([accountId, updatedAt]) => ({ appId, accountId, updatedAt }))
				chunk = new Map()
				if (atomic && result.rejected > 0) return
				for (const row of rows) if (!oldest || row.updatedAt < oldest) oldest = row.updatedAt
				const written = await upsertChunk(tx, rows)
				result.inserted += written.inserted
				result.updated += written.updated
			}
			let header = true
			for await (const record of records) {
				if (isBlankRecord(record)) continue
				if (header) {
					header = false
					assertHeader(record)
					continue
				}
				result.rows++
				const [quotedId = '', rawDate = '', ...extra] = record.fields
				// Exports guard a cell starting with '-' against spreadsheet formulas with a leading
				// apostrophe (never part of an account id): read back, it is dropped.
				const rawId = quotedId.startsWith("'") ? quotedId.slice(1) : quotedId
				if (record.error) {
					reject(record.line, rawId, record.error)
					continue
				}
				if (extra.some((field) => field.trim() !== '')) {
					reject(record.line, rawId, 'expected two columns: accountId,updatedAt')
					continue
				}
				const id = validateAccountId(rawId)
				if (!id.ok) {
					reject(record.line, rawId, id.reason)
					continue
				}
				const date = validateUpdatedAt(rawDate, { now })
				if (!date.ok) {
					reject(record.line, rawId, date.reason)
					continue
				}
				chunk.set(id.value, date.value)
				if (chunk.size >= IMPORT_CHUNK) await flush()
			}
			if (header) throw new UserFacingError('The file is empty. Start it with the header accountId,updatedAt.', 400, 'file')
			await flush()
			if (atomic && result.rejected > 0) throw new AtomicRollback()
			if (oldest) await noteOldestImported(tx, orgId, actorId, appId, oldest)
			await recordAudit(tx, {
				orgId,
				actorUserId: actorId,
				action: 'ledger.imported',
				subjectType: 'app',
				subjectId: appId,
				// Counts only: account ids are Atlassian users' identifiers, not audit material.
				after: { atomic, rows: result.rows, inserted: result.inserted, updated: result.updated, rejected: result.rejected },
			})
		})
	} catch (error) {
		if (!(error instanceof AtomicRollback)) throw error
		return { ...result, written: false, inserted: 0, updated: 0 }
	}
	return result
}

function assertHeader(record: CsvRecord) {
	const names = record.fields.map((field) => field.trim().toLowerCase())
	if (names.length === 2 && names[0] === 'accountid' && names[1] === 'updatedat') return
	throw new UserFacingError(
		`Line ${record.line}: the first line must be the header accountId,updatedAt (found “${shown(record.fields.join(','))}”).`,
		400,
		'file',
	)
}

/** One multi-row `insert … on conflict do update`; `xmax = 0` tells a fresh row from an updated one. */
async function upsertChunk(tx: Tx, rows: { appId: string; accountId: string; updatedAt: Date }[]) {
	const written = await tx
		.insert(storedAccounts)
		.values(rows)
		.onConflictDoUpdate({
			target: [storedAccounts.appId, storedAccounts.accountId],
			set: { updatedAt: sql`excluded.updated_at` },
		})
		.returning({ inserted: sql<boolean>`(xmax = 0)` })
	const inserted = written.filter((row) => row.inserted === true).length
	return { inserted, updated: written.length - inserted }
}

/** The organisation's app, or a 404: the ledger of another organisation's app is never read. */
async function assertOwnApp(orgId: string, appId: string) {
	if (!(await getApp(orgId, appId))) throw new UserFacingError('No such app in this organisation.', 404)
}

export async function countAccounts(orgId: string, appId: string): Promise<number> {
	await assertOwnApp(orgId, appId)
	const [row] = await db.select({ total: count() }).from(storedAccounts).where(eq(storedAccounts.appId, appId))
	return row?.total ?? 0
}

/** A page of the ledger, by account id; `q` matches any part of the id. */
export async function listLedgerPage(
	orgId: string,
	appId: string,
	{ q, page, pageSize }: { q?: string; page: number; pageSize: number },
) {
	await assertOwnApp(orgId, appId)
	const search = q?.trim()
	const where = and(eq(storedAccounts.appId, appId), search ? ilike(storedAccounts.accountId, likePattern(search)) : undefined)
	const offset = (Math.max(1, Math.floor(page)) - 1) * pageSize
	const [rows, [totals]] = await Promise.all([
		db
			.select({ accountId: storedAccounts.accountId, updatedAt: storedAccounts.updatedAt, createdAt: storedAccounts.createdAt })
			.from(storedAccounts)
			.where(where)
			.orderBy(asc(storedAccounts.accountId))
			.limit(pageSize)
			.offset(offset),
		db.select({ total: count() }).from(storedAccounts).where(where),
	])
	return { accounts: rows, total: totals?.total ?? 0 }
}

/**
 * Every account of the app, by account id, read in keyset pages of
 * STREAM_PAGE: memory stays flat for a million accounts, and each page is an
 * index range scan on the (app_id, account_id) key.
 */
export async function* streamLedger(
	orgId: string,
	appId: string,
	pageSize = STREAM_PAGE,
): AsyncGenerator<StoredAccount, void, undefined> {
	await assertOwnApp(orgId, appId)
	let after: string | null = null
	for (;;) {
		const page: StoredAccount[] = await db
			.select({ accountId: storedAccounts.accountId, updatedAt: storedAccounts.updatedAt })
			.from(storedAccounts)
			.where(and(eq(storedAccounts.appId, appId), after === null ? undefined : gt(storedAccounts.accountId, after)))
			.orderBy(asc(storedAccounts.accountId))
			.limit(pageSize)
		yield* page
		if (page.length < pageSize) return
		after = page[page.length - 1]!.accountId
	}
}
