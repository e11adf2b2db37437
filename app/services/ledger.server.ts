import { and, asc, count, desc, eq, gt, gte, isNull, lt, sql, type SQL } from 'drizzle-orm'
import { db } from '#db/client.server'
import { accountActions, storedAccounts } from '#db/schema'
import { EMAIL_IN_ACCOUNT_ID_REASON, validateAccountId, validateUpdatedAt } from '~/domain/account-ids'
import { isBinaryRecord, isBlankRecord, type CsvRecord } from '~/domain/csv'
import { type StoredAccount } from '~/domain/report-batches'
import { MAX_REJECTED_LISTED } from '~/schemas/reporting'
import { UserFacingError } from '~/utils/errors'
import { yieldToEventLoop } from '~/utils/event-loop.server'
import { prefixCondition } from '~/utils/sql-like'
import { lockApp, requireApp } from './apps.server'
import { actorUserIdOf, auditActor, recordAudit, type Actor } from './audit.server'
import { deleteAccounts, upsertAccounts } from './ledger-bulk.server'
import { ledgerFigures } from './ledger-stats.server'
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

export function shown(value: string, reason?: string) {
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

/** The account rules (docs/rules.md › Personal-data reporting) on one candidate: the row to write, or why not. */
export function checkCandidate(
	candidate: AccountCandidate,
	now: Date,
): { ok: true; accountId: string; updatedAt: Date } | { ok: false; reason: string } {
	if (candidate.error) return { ok: false, reason: candidate.error }
	const id = validateAccountId(candidate.accountId)
	if (!id.ok) return { ok: false, reason: id.reason }
	const date = validateUpdatedAt(candidate.updatedAt, { now })
	if (!date.ok) return { ok: false, reason: date.reason }
	return { ok: true, accountId: id.value, updatedAt: date.value }
}

/**
 * checkCandidate for a long run of rows (an import job): the same rules, the
 * date of a row read once per distinct text (a file's rows mostly share a
 * handful of dates, and parsing one is most of a row's checking).
 */
export function candidateChecker(now: Date) {
	let lastRaw: unknown
	let lastDate: ReturnType<typeof validateUpdatedAt> | undefined
	return (candidate: AccountCandidate): ReturnType<typeof checkCandidate> => {
		if (candidate.error) return { ok: false, reason: candidate.error }
		const id = validateAccountId(candidate.accountId)
		if (!id.ok) return { ok: false, reason: id.reason }
		if (lastDate === undefined || typeof candidate.updatedAt !== 'string' || candidate.updatedAt !== lastRaw) {
			lastRaw = candidate.updatedAt
			lastDate = validateUpdatedAt(candidate.updatedAt, { now })
		}
		if (!lastDate.ok) return { ok: false, reason: lastDate.reason }
		return { ok: true, accountId: id.value, updatedAt: lastDate.value }
	}
}

/** A refused value as text, whatever the API sent (a number, an object, nothing). */
export function rawText(raw: unknown) {
	return typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : JSON.stringify(raw)
}

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
		const accountId = rawText(raw)
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
				const rows = [...chunk].map(([accountId, updatedAt]) => ({ accountId, updatedAt }))
				chunk = new Map()
				if (atomic && result.rejected > 0) return
				for (const row of rows) if (!oldest || row.updatedAt < oldest) oldest = row.updatedAt
				const written = await upsertAccounts(tx, appId, rows)
				result.inserted += written.inserted
				result.updated += written.updated
			}
			for await (const candidate of candidates) {
				result.rows++
				const checked = checkCandidate(candidate, now)
				if (!checked.ok) {
					reject(candidate.position, candidate.accountId, checked.reason)
					continue
				}
				chunk.set(checked.accountId, checked.updatedAt)
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
export async function* csvCandidates(records: AsyncIterable<CsvRecord>): AsyncGenerator<AccountCandidate> {
	const reader = csvCandidateReader()
	for await (const record of records) {
		const candidate = reader.read(record)
		if (candidate) yield candidate
	}
	reader.end()
}

/**
 * csvCandidates one record at a time, synchronously (the import job reads a
 * stored piece's records in one go, without an await per row): `read`
 * answers the record's candidate, or null for the header and blank lines;
 * `end` refuses a file that had no header.
 */
export function csvCandidateReader() {
	let header = true
	return {
		read(record: CsvRecord): AccountCandidate | null {
			// A binary file is refused as a whole, not reported row by row (the transaction rolls back what was written).
			if (isBinaryRecord(record)) throw new UserFacingError(NOT_CSV_TEXT, 400, 'file')
			if (isBlankRecord(record)) return null
			if (header) {
				header = false
				assertHeader(record)
				return null
			}
			const [quotedId = '', rawDate = '', ...extra] = record.fields
			// Exports guard a cell starting with '-' against spreadsheet formulas with a leading
			// apostrophe (never part of an account id): read back, it is dropped.
			const rawId = quotedId.startsWith("'") ? quotedId.slice(1) : quotedId
			if (record.error) return { position: record.line, accountId: rawId, updatedAt: rawDate, error: record.error }
			if (extra.some((field) => field.trim() !== '')) {
				return {
					position: record.line,
					accountId: rawId,
					updatedAt: rawDate,
					error: 'expected two columns: accountId,updatedAt',
				}
			}
			return { position: record.line, accountId: rawId, updatedAt: rawDate }
		},
		end() {
			if (header)
				throw new UserFacingError('The file is empty. Start it with the header accountId,updatedAt.', 400, 'file')
		},
	}
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
		const removed = await deleteAccounts(tx, appId, [id.value])
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

/** The app's stored accounts, from app_ledger_stats (kept exact by triggers): no count of the ledger. */
export async function countAccounts(orgId: string, appId: string): Promise<number> {
	await requireApp(orgId, appId)
	return (await ledgerFigures(appId)).accountCount
}

/** A search counts its matches up to this many, then says "more than" (never an unbounded count). */
export const LEDGER_MATCH_LIMIT = 1000

/** Where a ledger page starts: after an id, before an id, from an id on, the last page, or (none) the first. */
export type LedgerPosition = { after?: string; before?: string; from?: string; last?: boolean }

export type LedgerPage = {
	accounts: { accountId: string; updatedAt: Date; createdAt: Date }[]
	/** Every account of the app (app_ledger_stats). */
	total: number
	/** When searching: the matches, counted up to LEDGER_MATCH_LIMIT (`more` when there are more). */
	matches: { count: number; more: boolean } | null
	/** The ids the Previous and Next links go before and after; null when there is no such page. */
	prevBefore: string | null
	nextAfter: string | null
}

/**
 * A page of the ledger by account id, keyset-paged (docs/performance.md › Indexes): each page is a range
 * scan of the (app_id, account_id) key from where the previous one ended, whatever its depth, so the
 * last page of a million accounts costs what the first does. `q` is an account-id prefix (`_`, `%` and
 * `\` literal), served by the same key as a range (its ids compare bytewise, migration 0017), already in the
 * page's order. The total comes from app_ledger_stats; matches of a
 * search are counted up to LEDGER_MATCH_LIMIT.
 */
export async function listLedgerPage(
	orgId: string,
	appId: string,
	{ q, pageSize, ...position }: { q?: string; pageSize: number } & LedgerPosition,
): Promise<LedgerPage> {
	await requireApp(orgId, appId)
	const key = storedAccounts.accountId
	const scope = and(eq(storedAccounts.appId, appId), prefixCondition(key, q))
	const read = async (bound: SQL | undefined, backward: boolean) => {
		const rows = await db
			.select({ accountId: key, updatedAt: storedAccounts.updatedAt, createdAt: storedAccounts.createdAt })
			.from(storedAccounts)
			.where(and(scope, bound))
			.orderBy(backward ? desc(key) : asc(key))
			.limit(pageSize + 1)
		const more = rows.length > pageSize
		const page = rows.slice(0, pageSize)
		if (backward) page.reverse()
		return { page, more }
	}
	let backward = false
	let read1
	if (position.before !== undefined) {
		backward = true
		read1 = await read(lt(key, position.before), true)
		// Fewer than a page before it: that is the first page, shown full.
		if (!read1.more) {
			backward = false
			read1 = await read(undefined, false)
		}
	} else if (position.after !== undefined || position.from !== undefined) {
		read1 =
			position.after !== undefined
				? await read(gt(key, position.after), false)
				: await read(gte(key, position.from!), false)
		// Nothing after it (an old link, or a jump past the end): the last page instead.
		if (read1.page.length === 0) {
			backward = true
			read1 = await read(undefined, true)
		}
	} else if (position.last) {
		backward = true
		read1 = await read(undefined, true)
	} else {
		read1 = await read(undefined, false)
	}
	const { page, more } = read1
	const firstId = page[0]?.accountId
	const lastId = page[page.length - 1]?.accountId
	// The side the page was not read towards: one index probe for whether anything lies beyond.
	const beyond =
		firstId === undefined || lastId === undefined
			? false
			: backward
				? await exists(and(scope, gt(key, lastId)))
				: firstId !== undefined &&
					  (position.after !== undefined || position.from !== undefined || position.before !== undefined)
					? await exists(and(scope, lt(key, firstId)))
					: false
	const [figures, matches] = await Promise.all([
		ledgerFigures(appId),
		q?.trim() ? countMatches(scope) : Promise.resolve(null),
	])
	return {
		accounts: page,
		total: figures.accountCount,
		matches,
		prevBefore: (backward ? more : beyond) ? (firstId ?? null) : null,
		nextAfter: (backward ? beyond : more) ? (lastId ?? null) : null,
	}
}

async function exists(where: SQL | undefined) {
	const rows = await db
		.select({ one: sql<number>`1` })
		.from(storedAccounts)
		.where(where)
		.limit(1)
	return rows.length > 0
}

/** The matches of a search, counted up to LEDGER_MATCH_LIMIT + 1 rows of the index: never a count of the ledger. */
async function countMatches(where: SQL | undefined) {
	const found = db
		.select({ one: sql<number>`1`.as('one') })
		.from(storedAccounts)
		.where(where)
		.limit(LEDGER_MATCH_LIMIT + 1)
		.as('found')
	const [row] = await db.select({ n: count() }).from(found)
	const n = row?.n ?? 0
	return { count: Math.min(n, LEDGER_MATCH_LIMIT), more: n > LEDGER_MATCH_LIMIT }
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
	for await (const page of streamLedgerPages(orgId, appId, pageSize)) yield* page
}

/**
 * The same ledger as streamLedger, one keyset page (at most `pageSize` accounts, by account id) at a time: at
 * most one page is held, whatever the ledger's size, and a consumer that works page by page (the batches
 * download) awaits once per page instead of once per account.
 */
export async function* streamLedgerPages(
	orgId: string,
	appId: string,
	pageSize = STREAM_PAGE,
): AsyncGenerator<StoredAccount[], void, undefined> {
	await requireApp(orgId, appId)
	let after: string | null = null
	for (;;) {
		const page: StoredAccount[] = await db
			.select({ accountId: storedAccounts.accountId, updatedAt: storedAccounts.updatedAt })
			.from(storedAccounts)
			.where(and(eq(storedAccounts.appId, appId), after === null ? undefined : gt(storedAccounts.accountId, after)))
			.orderBy(asc(storedAccounts.accountId))
			.limit(pageSize)
		if (page.length > 0) yield page
		if (page.length < pageSize) return
		after = page[page.length - 1]!.accountId
		// The embedded database answers in this thread without a turn of the event loop: without this, a download of
		// a million accounts held every other request (and /healthz) until its end.
		await yieldToEventLoop()
	}
}
