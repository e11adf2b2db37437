import { and, asc, count, eq, gt, isNull, sql } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { accountActions, storedAccounts } from '#db/schema'
import { EMAIL_IN_ACCOUNT_ID_REASON, validateAccountId, validateUpdatedAt } from '~/domain/account-ids'
import { isBinaryRecord, isBlankRecord, type CsvRecord } from '~/domain/csv'
import { type StoredAccount } from '~/domain/report-batches'
import { MAX_REJECTED_LISTED } from '~/schemas/reporting'
import { UserFacingError } from '~/utils/errors'
import { searchCondition } from '~/utils/sql-like'
import { lockApp, requireApp } from './apps.server'
import { actorUserIdOf, auditActor, recordAudit, type Actor } from './audit.server'
import { noteOldestImported } from './storing-since.server'

/**
 * The account ledger of an app: Atlassian account ids with `updatedAt`, never
 * an email address (docs/rules.md › Emails are never stored). The only table that
 * grows with Atlassian's end users, so every query here is scoped by app and
 * bulk paths stream (docs/architecture.md › Scaling out). Every function takes the
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

/** Shown instead of a rejected value that may be an email address (docs/rules.md › Emails are never stored). */
export const HIDDEN_EMAIL = '(looks like an email address — not shown)'

/** Valid ids never hold '@', so hiding every such value loses nothing and catches emails under any reason. */
function looksLikeEmail(value: string, reason?: string) {
	return reason === EMAIL_IN_ACCOUNT_ID_REASON || value.includes('@')
}

function shown(value: string, reason?: string) {
	return looksLikeEmail(value, reason) ? HIDDEN_EMAIL : clip(value)
}

function clip(text: string, max = 80) {
	return text.length > max ? `${text.slice(0, max)}…` : text
}

/**
 * One account to write, however it arrived: a CSV line or an entry of the
 * API's JSON body. `position` says where (the line, or the 0-based index);
 * `error` is a problem its reader found before the account rules ran.
 */
export type AccountCandidate = { position: number; accountId: unknown; updatedAt: unknown; error?: string }

/** A refused candidate; `hidden` when its value looks like an email address and must never be echoed. */
export type RefusedAccount = { position: number; accountId: string; hidden: boolean; reason: string }

export type WriteAccountsResult = Omit<ImportResult, 'rejectedRows'> & { refused: RefusedAccount[] }

/**
 * The one write path of the ledger (the CSV import and the API's JSON push
 * both come here): every candidate is checked by the same rules
 * (docs/rules.md › Personal-data reporting: account id format, no email
 * address, updatedAt with a zone, not in the future), then upserted by
 * account id in chunks of IMPORT_CHUNK inside ONE transaction with its audit
 * event; the oldest updatedAt written proposes or sets "storing since".
 * Atomic mode keeps reading (to report every bad entry) but writes nothing
 * once one is refused, and rolls back what was written before it.
 */
export async function writeAccounts(
	orgId: string,
	actor: Actor,
	appId: string,
	candidates: AsyncIterable<AccountCandidate> | Iterable<AccountCandidate>,
	{
		atomic,
		now = new Date(),
		listRefused = MAX_REJECTED_LISTED,
	}: { atomic: boolean; now?: Date; listRefused?: number },
): Promise<WriteAccountsResult> {
	const result: WriteAccountsResult = {
		atomic,
		written: true,
		rows: 0,
		inserted: 0,
		updated: 0,
		rejected: 0,
		refused: [],
	}
	const reject = (position: number, raw: unknown, reason: string) => {
		result.rejected++
		if (result.refused.length >= listRefused) return
		const accountId = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : JSON.stringify(raw)
		result.refused.push({ position, accountId, hidden: looksLikeEmail(accountId, reason), reason })
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
			for await (const candidate of candidates) {
				result.rows++
				if (candidate.error) {
					reject(candidate.position, candidate.accountId, candidate.error)
					continue
				}
				const id = validateAccountId(candidate.accountId)
				if (!id.ok) {
					reject(candidate.position, candidate.accountId, id.reason)
					continue
				}
				const date = validateUpdatedAt(candidate.updatedAt, { now })
				if (!date.ok) {
					reject(candidate.position, candidate.accountId, date.reason)
					continue
				}
				chunk.set(id.value, date.value)
				if (chunk.size >= IMPORT_CHUNK) await flush()
			}
			await flush()
			if (atomic && result.rejected > 0) throw new AtomicRollback()
			if (oldest) await noteOldestImported(tx, orgId, actor, appId, oldest)
			await recordAudit(tx, {
				orgId,
				...auditActor(actor),
				action: 'ledger.imported',
				subjectType: 'app',
				subjectId: appId,
				// Counts only: account ids are Atlassian users' identifiers, not audit material.
				after: {
					atomic,
					rows: result.rows,
					inserted: result.inserted,
					updated: result.updated,
					rejected: result.rejected,
				},
			})
		})
	} catch (error) {
		if (!(error instanceof AtomicRollback)) throw error
		return { ...result, written: false, inserted: 0, updated: 0 }
	}
	return result
}

/**
 * Imports `accountId,updatedAt` rows of a CSV file through writeAccounts:
 * the header is required, blank lines are skipped, each line is one
 * candidate with its line number.
 */
export async function importAccounts(
	orgId: string,
	actor: Actor,
	appId: string,
	records: AsyncIterable<CsvRecord>,
	{ atomic, now = new Date() }: { atomic: boolean; now?: Date },
): Promise<ImportResult> {
	const { refused, ...result } = await writeAccounts(orgId, actor, appId, csvCandidates(records), { atomic, now })
	return {
		...result,
		rejectedRows: refused.map((row) => ({
			line: row.position,
			accountId: row.hidden ? HIDDEN_EMAIL : clip(row.accountId),
			reason: row.reason,
		})),
	}
}

export const NOT_CSV_TEXT =
	'This file is not a CSV text file: it holds binary data, like an image or a spreadsheet workbook. Save the ledger as “CSV UTF-8” with the header accountId,updatedAt and upload that file.'

/** The CSV file's lines as candidates; a missing or wrong header, or binary data, refuses the whole file. */
async function* csvCandidates(records: AsyncIterable<CsvRecord>): AsyncGenerator<AccountCandidate> {
	let header = true
	for await (const record of records) {
		// A binary file is refused as a whole, not reported row by row (the transaction rolls back what was written).
		if (isBinaryRecord(record)) throw new UserFacingError(NOT_CSV_TEXT, 400, 'file')
		if (isBlankRecord(record)) continue
		if (header) {
			header = false
			assertHeader(record)
			continue
		}
		const [quotedId = '', rawDate = '', ...extra] = record.fields
		// Exports guard a cell starting with '-' against spreadsheet formulas with a leading
		// apostrophe (never part of an account id): read back, it is dropped.
		const rawId = quotedId.startsWith("'") ? quotedId.slice(1) : quotedId
		if (record.error) {
			yield { position: record.line, accountId: rawId, updatedAt: rawDate, error: record.error }
		} else if (extra.some((field) => field.trim() !== '')) {
			yield {
				position: record.line,
				accountId: rawId,
				updatedAt: rawDate,
				error: 'expected two columns: accountId,updatedAt',
			}
		} else {
			yield { position: record.line, accountId: rawId, updatedAt: rawDate }
		}
	}
	if (header) throw new UserFacingError('The file is empty. Start it with the header accountId,updatedAt.', 400, 'file')
}

/** One account the API pushes (`{"accountId","updatedAt"}`); its 0-based index is its position. */
export type PushedAccount = { accountId: unknown; updatedAt: unknown }

/**
 * The API's push of stored accounts (`POST /api/v1/apps/{appId}/accounts`):
 * the same rules and the same write as the CSV import, every refusal listed
 * with its 0-based index.
 */
export function pushAccounts(
	orgId: string,
	actor: Actor,
	appId: string,
	accounts: readonly PushedAccount[],
	options: { atomic: boolean; now?: Date },
) {
	const candidates = accounts.map((account, index): AccountCandidate => ({
		position: index,
		accountId: account.accountId,
		updatedAt: account.updatedAt,
	}))
	return writeAccounts(orgId, actor, appId, candidates, { ...options, listRefused: accounts.length })
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

/**
 * The app erased a person's data on its own, so it need not report that
 * account any more (docs/rules.md › Personal-data reporting): the account
 * leaves the ledger and its open erase or refresh tasks close with it, in one
 * transaction with an audit event (counts, not the account id).
 */
export async function removeErasedAccount(
	orgId: string,
	actor: Actor,
	appId: string,
	accountId: string,
	now = new Date(),
) {
	const id = validateAccountId(accountId)
	if (!id.ok) throw new UserFacingError(`That is not an account id: ${id.reason}.`, 400, 'accountId')
	return db.transaction(async (tx) => {
		await lockApp(tx, orgId, appId)
		const removed = await tx
			.delete(storedAccounts)
			.where(and(eq(storedAccounts.appId, appId), eq(storedAccounts.accountId, id.value)))
			.returning({ accountId: storedAccounts.accountId })
		if (removed.length === 0) throw new UserFacingError('That account is not in this app’s ledger.', 404)
		const closed = await tx
			.update(accountActions)
			.set({ completedAt: now, completedBy: actorUserIdOf(actor) })
			.where(
				and(
					eq(accountActions.orgId, orgId),
					eq(accountActions.appId, appId),
					eq(accountActions.accountId, id.value),
					isNull(accountActions.completedAt),
				),
			)
			.returning({ id: accountActions.id })
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: 'ledger.account_erased',
			subjectType: 'app',
			subjectId: appId,
			after: { erased: 1, tasksClosed: closed.length },
		})
		return { accountId: id.value, tasksClosed: closed.length }
	})
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

export async function countAccounts(orgId: string, appId: string): Promise<number> {
	await requireApp(orgId, appId)
	const [row] = await db.select({ total: count() }).from(storedAccounts).where(eq(storedAccounts.appId, appId))
	return row?.total ?? 0
}

/** A page of the ledger, by account id; `q` matches any part of the id. */
export async function listLedgerPage(
	orgId: string,
	appId: string,
	{ q, page, pageSize }: { q?: string; page: number; pageSize: number },
) {
	await requireApp(orgId, appId)
	const where = and(eq(storedAccounts.appId, appId), searchCondition([storedAccounts.accountId], q))
	const offset = (Math.max(1, Math.floor(page)) - 1) * pageSize
	const [rows, [totals]] = await Promise.all([
		db
			.select({
				accountId: storedAccounts.accountId,
				updatedAt: storedAccounts.updatedAt,
				createdAt: storedAccounts.createdAt,
			})
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
	await requireApp(orgId, appId)
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
