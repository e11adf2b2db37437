import { toRfc3339, validateAccountId } from '~/domain/account-ids'
import { counted, formatNumber } from '~/domain/counts'
import { containsEmailAddress } from '~/domain/email-addresses'
import { deeperThan } from '~/domain/json-depth'
import { dueAfter } from '~/domain/reporting-cycle'

/**
 * Report payloads and answers for `POST /app/report-accounts/`
 * (docs/rules.md › Personal-data reporting). Generators, so a ledger of millions of accounts
 * streams through without being held in memory (docs/architecture.md › Scaling out).
 */

/** Atlassian takes at most 90 accounts per request (docs/rules.md › Personal-data reporting). */
export const MAX_BATCH = 90
/** No erasure deadline is published; 30 days is Clearance's internal default (docs/rules.md › Personal-data reporting). */
export const DEFAULT_TASK_DUE_DAYS = 30

export type StoredAccount = { accountId: string; updatedAt: Date }
export type ReportBody = { accounts: { accountId: string; updatedAt: string }[] }
export type SkippedAccount = { account: StoredAccount; reason: string }
export type BatchOptions = {
	/** Smaller batches are allowed (e.g. for tests or a retry); never above MAX_BATCH. */
	size?: number
	/** Told about every account left out of the payload, and why. */
	onSkipped?: (skipped: SkippedAccount) => void
}

/**
 * Yields request bodies of at most `MAX_BATCH` accounts, in input order.
 * Accounts that may not be reported (the placeholder `unknown`, anything that
 * is not an account id, an invalid date) are left out and passed to
 * `onSkipped`. The input is the ledger, unique by (app, account id), so
 * duplicates are not looked for: that would hold every id in memory.
 */
export function* batchAccounts(
	accounts: Iterable<StoredAccount>,
	options: BatchOptions = {},
): Generator<ReportBody, void, undefined> {
	const batcher = createBatcher(options)
	for (const account of accounts) {
		const full = batcher.add(account)
		if (full) yield full
	}
	const rest = batcher.flush()
	if (rest) yield rest
}

export async function* batchAccountsAsync(
	accounts: AsyncIterable<StoredAccount> | Iterable<StoredAccount>,
	options: BatchOptions = {},
): AsyncGenerator<ReportBody, void, undefined> {
	const batcher = createBatcher(options)
	for await (const account of accounts) {
		const full = batcher.add(account)
		if (full) yield full
	}
	const rest = batcher.flush()
	if (rest) yield rest
}

/**
 * The same batches as batchAccountsAsync, from a ledger read page by page
 * (streamLedgerPages): for each page, the batches it completed (the last,
 * partial one is carried into the next page's), then the rest. One await per
 * page instead of one per account, and nothing beyond one page and one batch is
 * held, however many pages there are.
 */
export async function* batchPagesAsync(
	pages: AsyncIterable<readonly StoredAccount[]>,
	options: BatchOptions = {},
): AsyncGenerator<ReportBody[], void, undefined> {
	const batcher = createBatcher(options)
	for await (const page of pages) {
		const done: ReportBody[] = []
		for (const account of page) {
			const full = batcher.add(account)
			if (full) done.push(full)
		}
		if (done.length > 0) yield done
	}
	const rest = batcher.flush()
	if (rest) yield [rest]
}

function createBatcher({ size = MAX_BATCH, onSkipped }: BatchOptions) {
	if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH) {
		throw new RangeError(`Batch size must be a whole number from 1 to ${MAX_BATCH}`)
	}
	let current: ReportBody['accounts'] = []
	return {
		add(account: StoredAccount): ReportBody | null {
			const id = validateAccountId(account.accountId)
			if (!id.ok) {
				onSkipped?.({ account, reason: id.reason })
				return null
			}
			const updatedAt = account.updatedAt
			if (!(updatedAt instanceof Date) || Number.isNaN(updatedAt.getTime())) {
				onSkipped?.({ account, reason: 'updatedAt is not a valid date' })
				return null
			}
			current.push({ accountId: id.value, updatedAt: toRfc3339(updatedAt) })
			if (current.length < size) return null
			const full = { accounts: current }
			current = []
			return full
		},
		flush(): ReportBody | null {
			if (current.length === 0) return null
			const rest = { accounts: current }
			current = []
			return rest
		},
	}
}

// --- Answers ----------------------------------------------------------------

export type AccountStatus = { accountId: string; status: 'closed' | 'updated' }
/** One batch's answer; `accounts: []` is "nothing to do" (204, or 200 with an empty list). */
export type BatchAnswer = { accounts: AccountStatus[] }

/**
 * One batch's answer as evidence (docs/rules.md › Personal-data reporting):
 * the status code, the raw body as received, and the raw Cycle-Period value
 * when the answer carried one.
 */
export type BatchEvidence = BatchAnswer & { status: 200 | 204; raw: string; cyclePeriod: string | null }
export type ParsedEvidence = { ok: true; batches: BatchEvidence[] } | { ok: false; reason: string }

/**
 * Reads what Atlassian returned, as pasted or pushed by the vendor: for one
 * batch an empty body or "204" (nothing to do) or the 200 JSON body; for a
 * whole run a JSON array of those or NDJSON, one per line. Each entry may also
 * be an envelope `{"status":200,"body":{…},"cyclePeriod":"P7D"}`. Any entry
 * that does not fit fails the whole parse: accepting part of it could
 * silently drop an erase task.
 */
export function parseReportEvidence(text: string): ParsedEvidence {
	const trimmed = typeof text === 'string' ? text.trim() : ''
	if (trimmed === '' || /^204(?:[ \t]+no content)?$/i.test(trimmed)) {
		return { ok: true, batches: [{ accounts: [], status: 204, raw: '', cyclePeriod: null }] }
	}

	const whole = tryJson(trimmed)
	if (whole.ok) {
		if (!Array.isArray(whole.value)) return collect([readAnswer(whole.value, '', trimmed)])
		return collect(whole.value.map((value, i) => readAnswer(value, `answer ${i + 1}: `, JSON.stringify(value))))
	}

	const lines = trimmed.split(/\r?\n/)
	if (lines.length === 1) return { ok: false, reason: `not valid JSON (${whole.reason})` }
	const results: ReadResult[] = []
	for (const [i, line] of lines.entries()) {
		const text = line.trim()
		if (text === '') continue
		const where = `line ${i + 1}: `
		const parsed = tryJson(text)
		results.push(
			parsed.ok
				? readAnswer(parsed.value, where, text)
				: { ok: false, reason: `${where}not valid JSON (${parsed.reason})` },
		)
	}
	return collect(results)
}

type ReadResult = { ok: true; batch: BatchEvidence } | { ok: false; reason: string }

function collect(results: ReadResult[]): ParsedEvidence {
	const batches: BatchEvidence[] = []
	for (const result of results) {
		if (!result.ok) return result
		batches.push(result.batch)
	}
	return { ok: true, batches }
}

/**
 * Nesting no answer of Atlassian's comes near (an envelope around a body around accounts is 4 deep): deeper JSON is
 * refused here, before anything walks it recursively (JSON.stringify overflowed the stack at some 10,000 levels).
 */
const MAX_JSON_DEPTH = 16

function tryJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
	let value: unknown
	try {
		value = JSON.parse(text) as unknown
	} catch (error) {
		return { ok: false, reason: error instanceof Error ? error.message : String(error) }
	}
	if (deeperThan(value, MAX_JSON_DEPTH))
		return { ok: false, reason: `nested more than ${MAX_JSON_DEPTH} levels deep, which no answer of Atlassian’s is` }
	return { ok: true, value }
}

/** Atlassian's answers and headers hold account ids, never an address: one that does is refused, not stored. */
const HOLDS_ADDRESS = 'holds an email address, which no answer of Atlassian’s does (Clearance never stores one)'

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `{"status":…, "body":…}`: an answer with its status code (and headers) as a client saw it. */
function readEnvelope(record: Record<string, unknown>, where: string): ReadResult {
	const status = record.status
	const headers = isRecord(record.headers) ? record.headers : {}
	const header = record.cyclePeriod ?? headers['cycle-period'] ?? headers['Cycle-Period']
	const cyclePeriod = typeof header === 'string' && header.trim() !== '' ? header.trim() : null
	// A header value never holds control characters (RFC 9110), and PostgreSQL cannot store a NUL.
	if (cyclePeriod !== null && /\p{Cc}/u.test(cyclePeriod)) {
		return { ok: false, reason: `${where}the Cycle-Period header holds a control character, so it is not Atlassian’s` }
	}
	if (cyclePeriod !== null && containsEmailAddress(cyclePeriod))
		return { ok: false, reason: `${where}the Cycle-Period header ${HOLDS_ADDRESS}` }
	if (status === 204) return { ok: true, batch: { accounts: [], status: 204, raw: '', cyclePeriod } }
	if (status !== 200) {
		return {
			ok: false,
			reason: `${where}Atlassian answered ${String(status)}, so that batch was not processed; re-send it`,
		}
	}
	const body = typeof record.body === 'string' ? tryJson(record.body) : { ok: true as const, value: record.body }
	if (!body.ok) return { ok: false, reason: `${where}body: not valid JSON (${body.reason})` }
	const read = readAnswer(
		body.value,
		where,
		typeof record.body === 'string' ? record.body : JSON.stringify(record.body),
	)
	return read.ok ? { ok: true, batch: { ...read.batch, cyclePeriod } } : read
}

function readAnswer(value: unknown, where: string, raw: string): ReadResult {
	if (value === 204 || value === '204')
		return { ok: true, batch: { accounts: [], status: 204, raw: '', cyclePeriod: null } }
	if (!isRecord(value)) {
		return { ok: false, reason: `${where}expected an answer such as {"accounts":[…]}` }
	}
	const record = value
	if (typeof record.status === 'number' && !('accounts' in record)) return readEnvelope(record, where)
	if ('errorType' in record || 'errorMessage' in record) {
		// Atlassian's 400/500 body: the batch was not processed and must be re-sent.
		const message = [record.errorType, record.errorMessage]
			.filter((part) => typeof part === 'string' && part !== '')
			.join(': ')
		return {
			ok: false,
			reason: `${where}Atlassian answered with an error${message ? ` (${clip(message)})` : ''}; re-send that batch`,
		}
	}
	if (!Array.isArray(record.accounts)) {
		return { ok: false, reason: `${where}expected an "accounts" list` }
	}
	const accounts = readAccounts(record.accounts, where)
	if (!accounts.ok) return accounts
	// The answer is kept as it came (evidence): only with nothing in it that Clearance may not store, written out or
	// escaped (`mary\u0040customer.example` is an address once read). Its text holds nothing outside its strings, keys
	// and literals, so the value written out again, escapes read, holds every address the text does.
	if (containsEmailAddress(JSON.stringify(value))) return { ok: false, reason: `${where}the answer ${HOLDS_ADDRESS}` }
	return {
		ok: true,
		batch: {
			accounts: accounts.accounts,
			status: accounts.accounts.length === 0 && raw === '' ? 204 : 200,
			raw,
			cyclePeriod: null,
		},
	}
}

/** The `accounts` of one answer: each `{accountId, status: closed|updated}`, or why not. */
function readAccounts(
	list: readonly unknown[],
	where: string,
): { ok: true; accounts: AccountStatus[] } | { ok: false; reason: string } {
	const accounts: AccountStatus[] = []
	for (const [i, entry] of list.entries()) {
		const at = `${where}accounts[${i}]`
		if (typeof entry !== 'object' || entry === null) {
			return { ok: false, reason: `${at}: expected {"accountId","status"}` }
		}
		const { accountId, status } = entry as Record<string, unknown>
		const id = validateAccountId(accountId)
		if (!id.ok) return { ok: false, reason: `${at}.accountId: ${id.reason}` }
		if (status !== 'closed' && status !== 'updated') {
			return {
				ok: false,
				reason: `${at}.status: expected "closed" or "updated", got ${clip(JSON.stringify(status) ?? 'nothing')}`,
			}
		}
		accounts.push({ accountId: id.value, status })
	}
	return { ok: true, accounts }
}

/**
 * One batch's answer as an API client pushes it (already JSON): the status
 * code Atlassian answered, its `accounts` (absent for a 204) and the raw
 * Cycle-Period value if the client saw one.
 */
export type ReportResponse = { status: number; accounts?: readonly unknown[] | null; cyclePeriod?: string | null }

/**
 * Reads the answers an API client pushes, one per batch sent, with the same
 * rules as a pasted answer: 200 with its accounts or 204 (nothing to do); any
 * other status means the batch was not processed and must be re-sent, and
 * refuses the whole run, as does any account that does not fit. `index` says
 * which response was refused.
 */
export function parseReportResponses(
	responses: readonly ReportResponse[],
): { ok: true; batches: BatchEvidence[] } | { ok: false; reason: string; index: number } {
	const batches: BatchEvidence[] = []
	for (const [index, response] of responses.entries()) {
		const where = `response ${index + 1}: `
		const cyclePeriod =
			typeof response.cyclePeriod === 'string' && response.cyclePeriod.trim() !== ''
				? response.cyclePeriod.trim()
				: null
		if (cyclePeriod !== null && containsEmailAddress(cyclePeriod))
			return { ok: false, index, reason: `${where}cyclePeriod ${HOLDS_ADDRESS}` }
		if (response.status === 204) {
			if (response.accounts && response.accounts.length > 0) {
				return {
					ok: false,
					index,
					reason: `${where}a 204 answer has no accounts; send the 200 answer with its accounts`,
				}
			}
			batches.push({ accounts: [], status: 204, raw: '', cyclePeriod })
			continue
		}
		if (response.status !== 200) {
			return {
				ok: false,
				index,
				reason: `${where}Atlassian answered ${response.status}, so that batch was not processed; re-send it`,
			}
		}
		const accounts = readAccounts(response.accounts ?? [], where)
		if (!accounts.ok) return { ...accounts, index }
		batches.push({
			accounts: accounts.accounts,
			status: 200,
			raw: JSON.stringify({ accounts: accounts.accounts }),
			cyclePeriod,
		})
	}
	return { ok: true, batches }
}

function clip(text: string): string {
	return text.length > 120 ? `${text.slice(0, 120)}…` : text
}

// --- Tasks ------------------------------------------------------------------

export type AccountTaskKind = 'erase' | 'refresh'
export type AccountTask = {
	accountId: string
	kind: AccountTaskKind
	/** End of the due day in the organisation's time zone (same rule as report deadlines). */
	dueAt: Date
	dueDate: string
	reason: string
}

const TASK_REASONS: Record<AccountTaskKind, string> = {
	erase: 'Atlassian reported the account closed: erase this user’s personal data.',
	refresh: 'Atlassian reported the profile changed after the reported updatedAt: refresh the stored data.',
}

/**
 * closed → erase, updated → refresh (docs/rules.md › Personal-data reporting). One task per account; closed
 * wins because erasing supersedes refreshing. Order of first appearance is
 * kept. The due date is internal policy, not an Atlassian deadline.
 */
export function tasksFromAnswers(
	answers: Iterable<BatchAnswer>,
	options: { recordedAt: Date; dueDays?: number; timeZone?: string },
): AccountTask[] {
	const { recordedAt, dueDays = DEFAULT_TASK_DUE_DAYS, timeZone = 'UTC' } = options
	if (!Number.isInteger(dueDays) || dueDays < 0) {
		throw new RangeError('dueDays must be a whole number of days, 0 or more')
	}
	const { dueAt, dueDate } = dueAfter(recordedAt, dueDays, timeZone)
	const kinds = new Map<string, AccountTaskKind>()
	for (const answer of answers) {
		for (const { accountId, status } of answer.accounts) {
			const kind: AccountTaskKind = status === 'closed' ? 'erase' : 'refresh'
			if (kinds.get(accountId) !== 'erase') kinds.set(accountId, kind)
		}
	}
	return [...kinds].map(([accountId, kind]) => ({
		accountId,
		kind,
		dueAt: new Date(dueAt),
		dueDate,
		reason: TASK_REASONS[kind],
	}))
}

/**
 * What recording these answers against a report of `batchCount` batches will do, said before it is done: one 204
 * stands for every batch, as recordRunEvidence reads it (an empty box is refused, and says nothing here); a batch with no answer given has
 * none recorded and gives no task, so fewer answers than batches is said plainly (a missed answer would be a missed
 * erase task). Null when there is nothing to say beyond the field's hint.
 */
export function answersPreview(text: string, batchCount: number): { tone: 'info' | 'warn'; text: string } | null {
	if (batchCount < 1) return null
	const parsed = parseReportEvidence(text)
	if (!parsed.ok) {
		// The JSON parser's own words (a token and a position) say nothing to a person: where, and that it is not JSON.
		const why = parsed.reason.replace(/not valid JSON \(.*\)$/s, 'not valid JSON')
		return { tone: 'warn', text: `These answers cannot be read (${why}): recording will be refused.` }
	}
	const batches = counted(batchCount, 'batch', 'batches')
	const [only] = parsed.batches
	// An empty box says nothing (the hint asks for the answers, or 204); it is not taken as an answer.
	if (text.trim() === '') return null
	if (parsed.batches.length === 1 && only?.status === 204 && only.raw === '') {
		return {
			tone: 'info',
			text:
				batchCount === 1
					? '204: the run records that Atlassian answered the batch with nothing to do.'
					: `204: the run records that Atlassian answered every one of the ${batches} with nothing to do.`,
		}
	}
	const answers = counted(parsed.batches.length, 'answer')
	if (parsed.batches.length > Math.max(1, batchCount))
		return { tone: 'warn', text: `${answers} for a report of ${batches}: recording will be refused.` }
	if (parsed.batches.length === batchCount)
		return batchCount === 1 ? null : { tone: 'info', text: `${answers}, one for each of the ${batches}.` }
	return {
		tone: 'warn',
		text: `${answers} for a report of ${batches}: ${unansweredText(batchCount - parsed.batches.length, 'will')} Give one answer per batch, in batch order (204 for a batch Atlassian answered with nothing to do).`,
	}
}

/** "the other 2 will have no answer recorded, …": what becomes of the batches a run gives no answer for. */
export function unansweredText(count: number, tense: 'will' | 'did'): string {
	const have = tense === 'will' ? 'will have' : count === 1 ? 'has' : 'have'
	return `the other ${formatNumber(count)} ${have} no answer recorded, so no erase or refresh task comes from ${count === 1 ? 'it' : 'them'}.`
}
