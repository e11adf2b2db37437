import { and, asc, count, desc, eq, inArray, isNull, max, ne, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { db, type Database, type Tx } from '#db/client.server'
import {
	accessRequests,
	accountActions,
	apiKeys,
	appLedgerStats,
	apps,
	organizations,
	preparedReports,
	reportRuns,
	storedAccounts,
	tickets,
	users,
} from '#db/schema'
import { isBeforeEarliestInstant, TOO_EARLY_MESSAGE } from '~/domain/calendar-day'
import { counted, formatNumber } from '~/domain/counts'
import {
	CYCLE_UNITS,
	periodInUnit,
	readCyclePeriod,
	type CyclePeriodReading,
	type CycleUnit,
} from '~/domain/cycle-period'
import { containsEmailAddress } from '~/domain/email-addresses'
import { MAX_BATCH, parseReportEvidence, tasksFromAnswers, type BatchEvidence } from '~/domain/report-batches'
import { isRecordedLater } from '~/domain/report-evidence'
import {
	cycleWarnings,
	countedCycleDays,
	headerCycleOutcome,
	inferCycleSource,
	manualCycleRefusal,
	REPORTING_URGENCY,
	reportingStatus,
	type CycleSource,
	type HeaderCycleOutcome,
	type PersonalDataAnswer,
	type ReportingState,
	type ReportingStatus,
} from '~/domain/reporting-cycle'
import { IN_PROGRESS_STATES } from '~/domain/request-lifecycle'
import { NO_SUCH_ORGANISATION, UserFacingError } from '~/utils/errors'
import { isUuid } from '~/utils/ids'
import { oncePerRequest } from '~/utils/request-scope.server'
import { withTransaction } from '~/utils/transaction.server'
import { lockApp, type App } from './apps.server'
import { actorUserIdOf, auditActor, recordAudit, type Actor } from './audit.server'
import { deleteAccounts, restoreAccount, upsertAccounts } from './ledger-bulk.server'
import { ledgerFigures } from './ledger-stats.server'
import { digestLedger, findPreparedReport, listPreparedReports, type PreparedReport } from './prepared-reports.server'
import { storingSinceOf } from './storing-since.server'

/**
 * Personal-data reporting (docs/rules.md › Personal-data reporting; docs/rules.md › Reporting cycle):
 * the cycle of each app, report runs kept as
 * evidence, and the erase/refresh tasks they create. Every query is scoped by
 * organisation, and by app for stored_accounts (docs/architecture.md › Scaling out).
 */

export async function getOrgPolicy(orgId: string, conn: Database | Tx = db) {
	// Outside a transaction, once per page view (requestScope): a dashboard reads it for the page and its rows.
	return conn === db ? oncePerRequest(`policy:${orgId}`, () => readOrgPolicy(orgId, conn)) : readOrgPolicy(orgId, conn)
}

async function readOrgPolicy(orgId: string, conn: Database | Tx) {
	const [org] = await conn
		.select({ timeZone: organizations.timeZone, taskDueDays: organizations.taskDueDays })
		.from(organizations)
		.where(eq(organizations.id, orgId))
	if (!org) throw new UserFacingError(NO_SUCH_ORGANISATION, 404)
	return org
}

function storesPersonalData(app: Pick<App, 'storesPersonalData'>) {
	return app.storesPersonalData === 'yes'
}

type StatusApp = Pick<
	App,
	| 'storesPersonalData'
	| 'cycleDays'
	| 'cycleSource'
	| 'cycleSetAt'
	| 'personalDataSince'
	| 'storingSince'
	| 'storingSinceSource'
	| 'storingSinceProposed'
>

function statusOf(
	app: StatusApp,
	anchors: {
		lastReportAt: Date | null
		firstStoredAccountAt: Date | null
		pendingCycleDays?: number | null
		/** The ledger's size: read for an app that says it stores no personal data. */
		storedAccounts?: number
	},
	timeZone: string,
	now: Date,
): ReportingStatus {
	return reportingStatus({
		personalData: app.storesPersonalData as PersonalDataAnswer,
		cycleDays: app.cycleDays,
		cycleSource: app.cycleSource as CycleSource,
		cycleSetAt: app.cycleSetAt,
		pendingCycleDays: anchors.pendingCycleDays ?? null,
		lastReportAt: anchors.lastReportAt,
		storingSince: storingSinceOf(app),
		firstStoredAccountAt: anchors.firstStoredAccountAt,
		flagSetAt: app.personalDataSince,
		storedAccounts: anchors.storedAccounts ?? 0,
		now,
		timeZone,
	})
}

/**
 * An app's latest run (by when it was sent): when, its report's batch count, how many of them have an answer, and
 * whether it answers a prepared report. For one app (an id), or for each app of a query (`apps.id`, as a lateral
 * join), by the app's own index (report_runs_app_idx).
 */
function latestRunQuery(conn: Database | Tx, orgId: string, appId: string | SQLWrapper) {
	return conn
		.select({
			sentAt: reportRuns.sentAt,
			batchCount: reportRuns.batchCount,
			answered: sql<number>`jsonb_array_length(${reportRuns.batchAnswers})`.as('answered'),
			prepared: sql<boolean>`${reportRuns.preparedReportId} is not null`.as('prepared'),
		})
		.from(reportRuns)
		.where(and(eq(reportRuns.orgId, orgId), eq(reportRuns.appId, appId)))
		.orderBy(desc(reportRuns.sentAt))
		.limit(1)
}

/** Only needed before the first report, and only when nobody gave a storing-since date. */
function needsOldestAccount(app: StatusApp, lastReportAt: Date | null) {
	return !lastReportAt && !storingSinceOf(app) && storesPersonalData(app)
}

/** What a person must look at on the cycle: a header to confirm, a cycle longer than advised or than Atlassian's. */
async function cycleAttention(orgId: string, app: App) {
	const pending = app.pendingCycleRunId
		? ((
				await db
					.select({
						id: reportRuns.id,
						raw: reportRuns.cyclePeriodRaw,
						sentAt: reportRuns.sentAt,
						days: reportRuns.cyclePeriodDays,
					})
					.from(reportRuns)
					.where(and(eq(reportRuns.orgId, orgId), eq(reportRuns.id, app.pendingCycleRunId)))
			)[0] ?? null)
		: null
	const reading = pending?.raw ? readCyclePeriod(pending.raw) : null
	return {
		pendingHeader:
			pending && reading && reading.kind !== 'unreadable'
				? { runId: pending.id, sentAt: pending.sentAt, reading }
				: null,
		/** The days the pending header asks for, which the status counts with until it is answered. */
		pendingDays: pending?.days ?? null,
		warnings: cycleWarnings({ ...app, cycleSource: app.cycleSource as CycleSource }),
	}
}

/** Everything the reporting page shows about one app (already checked to be in the org). */
export async function getReportingOverview(
	orgId: string,
	app: App,
	now = new Date(),
	/** Which page of open tasks (TASK_PAGE_SIZE a page). */
	tasks: TaskPosition = {},
) {
	const policy = await getOrgPolicy(orgId)
	const [latestRun] = await latestRunQuery(db, orgId, app.id)
	const lastReportAt = latestRun?.sentAt ?? null
	// The ledger's figures from app_ledger_stats (one row, kept exact by triggers), never a count of the ledger.
	const ledger = await ledgerFigures(app.id)
	const firstStoredAccountAt = needsOldestAccount(app, lastReportAt) ? ledger.oldestUpdatedAt : null
	const accountCount = ledger.accountCount
	const [storingSinceSetBy] = app.storingSinceSetBy
		? await db.select({ name: users.name }).from(users).where(eq(users.id, app.storingSinceSetBy))
		: []
	const prepared = await listPreparedReports(orgId, app.id)
	const cycle = await cycleAttention(orgId, app)
	return {
		policy,
		status: statusOf(
			app,
			{ lastReportAt, firstStoredAccountAt, pendingCycleDays: cycle.pendingDays, storedAccounts: accountCount },
			policy.timeZone,
			now,
		),
		storingSince: storingSinceOf(app),
		storingSinceSetByName: storingSinceSetBy?.name ?? null,
		/** The latest run lacks answers for some batches: said beside the status, which the run itself sets. */
		partialRun: partialRunNote(latestRun),
		oldestAccountAt: firstStoredAccountAt,
		cycle,
		accountCount,
		batchCount: Math.ceil(accountCount / MAX_BATCH),
		preparedReports: prepared,
		latestPreparedIsCurrent: await latestPreparedIsCurrent(orgId, app.id, prepared[0], accountCount),
		runs: await listRuns(orgId, app.id),
		...(await listOpenTasks(orgId, app.id, tasks).then(({ tasks, ...taskPage }) => ({ tasks, taskPage }))),
	}
}

/** Ledgers up to this size are digested on each page view to tell whether the latest prepared report still matches. */
const DIGEST_ON_VIEW_MAX_ACCOUNTS = 20_000

/**
 * Whether the latest prepared report is still what the ledger yields (its
 * batches can be downloaded), false when the ledger changed since, null when
 * the ledger is too large to check on every view (the download checks then).
 */
async function latestPreparedIsCurrent(
	orgId: string,
	appId: string,
	latest: PreparedReport | undefined,
	accountCount: number,
) {
	if (!latest) return null
	if (latest.accountCount !== accountCount) return false
	if (accountCount > DIGEST_ON_VIEW_MAX_ACCOUNTS) return null
	try {
		return (await digestLedger(orgId, appId)).sha256 === latest.sha256
	} catch (error) {
		// The ledger changing all through the read (an import under way): not told here; the download checks again.
		if (error instanceof UserFacingError && error.status === 409) return null
		throw error
	}
}

export async function listRuns(orgId: string, appId: string, limit = 50) {
	const rows = await db
		.select({
			id: reportRuns.id,
			sentAt: reportRuns.sentAt,
			accountCount: reportRuns.accountCount,
			batchCount: reportRuns.batchCount,
			closedCount: reportRuns.closedCount,
			updatedCount: reportRuns.updatedCount,
			cyclePeriodRaw: reportRuns.cyclePeriodRaw,
			cyclePeriodDays: reportRuns.cyclePeriodDays,
			cyclePeriodOutcome: reportRuns.cyclePeriodOutcome,
			preparedReportId: reportRuns.preparedReportId,
			preparedSha256: preparedReports.sha256,
			answeredBatches: sql<number>`jsonb_array_length(${reportRuns.batchAnswers})`.mapWith(Number),
			recordedByUser: users.name,
			recordedByKey: apiKeys.name,
			sentByClearance: reportRuns.sentByClearance,
			createdAt: reportRuns.createdAt,
		})
		.from(reportRuns)
		.leftJoin(users, eq(users.id, reportRuns.recordedBy))
		.leftJoin(apiKeys, and(eq(apiKeys.id, reportRuns.recordedByKeyId), eq(apiKeys.orgId, orgId)))
		.leftJoin(preparedReports, eq(preparedReports.id, reportRuns.preparedReportId))
		.where(and(eq(reportRuns.orgId, orgId), eq(reportRuns.appId, appId)))
		.orderBy(desc(reportRuns.sentAt), desc(reportRuns.createdAt))
		.limit(limit)
	return rows.map(({ recordedByUser, recordedByKey, ...run }) => ({
		...run,
		// A person, the organisation's API key that recorded it (issue 12), or Clearance's own reporter (issue 14).
		recordedByName:
			recordedByUser ??
			(recordedByKey ? `API key “${recordedByKey}”` : run.sentByClearance ? 'Sent by Clearance' : 'Unknown'),
		recordedLater: isRecordedLater(run.sentAt, run.createdAt),
	}))
}

/** Open tasks shown per page on the reporting page: never thousands of forms at once. */
export const TASK_PAGE_SIZE = 50

/** Where a page of open tasks starts: after a task, before one, or (neither) the first page. */
export type TaskPosition = { after?: string; before?: string }

/**
 * One page of the app's open erase and refresh tasks, by due date then account id (then id: a total
 * order), keyset-paged from a task's id (the link carries that id; its row gives the sort key), served by
 * account_actions_app_open_idx. A run closing 12,000 accounts shows 50 tasks and their forms, and a total.
 */
export async function listOpenTasks(
	orgId: string,
	appId: string,
	{ after, before, pageSize = TASK_PAGE_SIZE }: TaskPosition & { pageSize?: number } = {},
) {
	const open = and(eq(accountActions.orgId, orgId), eq(accountActions.appId, appId), isNull(accountActions.completedAt))
	const sortKey = sql`(${accountActions.dueAt}, ${accountActions.accountId}, ${accountActions.id})`
	// The sort key of the task a link names (a task of this app; a task id that is not one finds nothing).
	const keyOf = (taskId: string) =>
		isUuid(taskId)
			? sql`(select a.due_at, a.account_id, a.id from account_actions a where a.id = ${taskId} and a.app_id = ${appId} and a.org_id = ${orgId})`
			: null
	const read = async (bound: SQL | undefined, backward: boolean) => {
		const rows = await db
			.select({
				id: accountActions.id,
				accountId: accountActions.accountId,
				kind: accountActions.kind,
				dueAt: accountActions.dueAt,
				runId: accountActions.runId,
				createdAt: accountActions.createdAt,
			})
			.from(accountActions)
			.where(and(open, bound))
			.orderBy(
				...(backward
					? [desc(accountActions.dueAt), desc(accountActions.accountId), desc(accountActions.id)]
					: [asc(accountActions.dueAt), asc(accountActions.accountId), asc(accountActions.id)]),
			)
			.limit(pageSize + 1)
		const more = rows.length > pageSize
		const page = rows.slice(0, pageSize)
		if (backward) page.reverse()
		return { page, more }
	}
	const beforeKey = before ? keyOf(before) : null
	const afterKey = after ? keyOf(after) : null
	let backward = beforeKey !== null
	let found = beforeKey
		? await read(sql`${sortKey} < ${beforeKey}`, true)
		: await read(afterKey ? sql`${sortKey} > ${afterKey}` : undefined, false)
	// Fewer than a page before it, or nothing after it (tasks were done meanwhile, an old link): the first page.
	if ((backward && !found.more) || (!backward && afterKey && found.page.length === 0)) {
		backward = false
		found = await read(undefined, false)
	}
	const first = found.page[0]
	const last = found.page[found.page.length - 1]
	const [counted] = await db.select({ total: count() }).from(accountActions).where(open)
	const total = counted?.total ?? 0
	// The side the page was not read towards: one index probe for whether any task lies beyond.
	const hasBefore = backward
		? found.more
		: afterKey !== null && first !== undefined && (await hasTask(open, sortKey, '<', first.id))
	const hasAfter = backward ? last !== undefined && (await hasTask(open, sortKey, '>', last.id)) : found.more
	return {
		tasks: found.page,
		total,
		prevBefore: hasBefore && first ? first.id : null,
		nextAfter: hasAfter && last ? last.id : null,
	}
}

async function hasTask(open: SQL | undefined, sortKey: SQL, side: '<' | '>', taskId: string) {
	const rows = await db
		.select({ id: accountActions.id })
		.from(accountActions)
		.where(
			and(
				open,
				sql`${sortKey} ${sql.raw(side)} (select a.due_at, a.account_id, a.id from account_actions a where a.id = ${taskId})`,
			),
		)
		.limit(1)
	return rows.length > 0
}

export type CycleInput = { cycleDays: number; confirmLonger?: boolean; reason?: string }

/**
 * A cycle a person sets. Longer than the cycle Atlassian set by header needs
 * an explicit confirmation and a reason, kept on the app and shown with the
 * cycle (docs/rules.md › Reporting cycle).
 */
export async function setCycle(
	orgId: string,
	actor: Actor,
	appId: string,
	input: CycleInput,
	/** The caller's transaction, when this is one step of a larger change (the API). */
	outer?: Tx,
) {
	const days = input.cycleDays
	const reason = input.reason?.trim() ?? ''
	return withTransaction(outer, async (tx) => {
		const current = await lockApp(tx, orgId, appId)
		const refusal = manualCycleRefusal({
			cycleDays: days,
			atlassianCycleDays: current.atlassianCycleDays,
			confirmLonger: input.confirmLonger === true,
			reason,
		})
		if (refusal) throw new UserFacingError(refusal, 400, 'reason')
		const source = inferCycleSource(days)
		const longer = current.atlassianCycleDays != null && days > current.atlassianCycleDays
		const cycleReason = longer ? reason : null
		if (current.cycleDays === days && current.cycleSource === source && current.cycleReason === cycleReason)
			return current
		const [app] = await tx
			.update(apps)
			.set({ cycleDays: days, cycleSource: source, cycleReason, cycleSetAt: sql`now()`, updatedAt: sql`now()` })
			.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
			.returning()
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: 'app.cycle_changed',
			subjectType: 'app',
			subjectId: appId,
			before: { cycleDays: current.cycleDays, cycleSource: current.cycleSource, cycleReason: current.cycleReason },
			after: {
				cycleDays: days,
				cycleSource: source,
				cycleReason,
				...(longer ? { longerThanAtlassian: current.atlassianCycleDays } : {}),
			},
		})
		return app!
	})
}

/** Applies a cycle Atlassian set by header (confirmed or clear), in the caller's transaction. */
async function applyHeaderCycle(tx: Tx, orgId: string, appId: string, days: number, at: Date) {
	await tx
		.update(apps)
		.set({
			cycleDays: days,
			cycleSource: 'cycle_period_header',
			cycleSetAt: at,
			cycleReason: null,
			atlassianCycleDays: days,
			pendingCycleRunId: null,
			updatedAt: sql`now()`,
		})
		.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
}

export type RunInput = {
	sentAt: Date
	/** The prepared report whose batches were sent: by id (the page) or SHA-256 (a client). */
	preparedReport: { id: string } | { sha256: string }
	cyclePeriod?: string | null
	answers: string
}

/** A run whose answers are already read (the API pushes them as JSON: parseReportResponses). */
export type RunEvidenceInput = Omit<RunInput, 'answers'> & { batches: BatchEvidence[] }

export type RecordedRun = {
	run: typeof reportRuns.$inferSelect
	cycle: { outcome: HeaderCycleOutcome | null; reading: CyclePeriodReading | null }
	tasksCreated: number
	tasksCreatedByKind: { erase: number; refresh: number }
	/** How many batches an answer was given for; the others have no answer recorded and gave no task. */
	answeredBatches: number
	skipped: { count: number; sample: string[] }
	/** The app's reporting status with this run recorded: the next report counts from it. */
	status: ReportingStatus
}

export type RunOptions = {
	now?: Date
	/** Also done inside the run's transaction, with what was recorded (the API's Idempotency-Key answer). */
	alsoInTransaction?: (tx: Tx, recorded: RecordedRun & { prepared: PreparedReport }) => Promise<void>
	/**
	 * Refuse a run of the same prepared report sent at the same time (the page:
	 * a second click would double the evidence). The API leaves it to its
	 * Idempotency-Key, as its contract says.
	 */
	refuseTwin?: boolean
	/** Sent by Clearance's own reporter (issue 14): neither a person nor a key recorded it; `actor` is who asked, if anyone. */
	sentByClearance?: boolean
}

/** Rows per account_actions insert: 6 parameters each stays far below PostgreSQL's 65,535. */
export const TASK_INSERT_CHUNK = 1000
/** Skipped account ids named in the warning. */
const SKIPPED_SHOWN = 3

/**
 * `col = any($1::text[])`: one array parameter however long the list, where
 * inArray binds one parameter per id and fails past 65,535. sql.param keeps
 * drizzle from spreading the array into a list.
 */
function anyOf(column: SQLWrapper, ids: readonly string[]) {
	return sql`${column} = any(${sql.param(ids)}::text[])`
}

function sample(ids: readonly string[]) {
	return `${ids.slice(0, SKIPPED_SHOWN).join(', ')}${ids.length > SKIPPED_SHOWN ? ', …' : ''}`
}

/** Minutes of clock skew allowed between the vendor's machine and ours. */
const FUTURE_SKEW_MS = 5 * 60 * 1000

/**
 * Records a report run with Atlassian's answers in ONE transaction: the run
 * (evidence: the prepared report it answers, with that report's account and
 * batch counts; per batch the status, raw body and raw Cycle-Period), an
 * erase task per closed account and a refresh task per updated one (due in
 * the organisation's internal-policy days), what the Cycle-Period header does
 * to the cycle (applied, or waiting for a person), and an audit event. The
 * run's sentAt becomes the cycle's anchor.
 */
export async function recordRun(orgId: string, actor: Actor, appId: string, input: RunInput, now = new Date()) {
	assertSentAt(input.sentAt, now)
	// An empty box is no answer: taken as "nothing to do", a second press of the button after a run was recorded (the
	// form empties itself) recorded that Atlassian answered nothing. "Nothing to do" is said as Atlassian says it: 204.
	if (input.answers.trim() === '') throw new UserFacingError(NO_ANSWERS, 400, 'answers')
	const parsed = parseReportEvidence(input.answers)
	if (!parsed.ok) throw new UserFacingError(`Atlassian’s answer could not be read: ${parsed.reason}`, 400, 'answers')
	// An empty list ("[]") answers no batch either.
	if (parsed.batches.length === 0) throw new UserFacingError(NO_ANSWERS, 400, 'answers')
	const { answers: _answers, ...rest } = input
	return recordRunEvidence(orgId, actor, appId, { ...rest, batches: parsed.batches }, { now, refuseTwin: true })
}

const NO_ANSWERS =
	'Paste Atlassian’s answers (or choose the file). If Atlassian answered every batch with nothing to do, enter 204.'

function assertSentAt(sentAt: Date, now: Date) {
	if (isBeforeEarliestInstant(sentAt)) throw new UserFacingError(TOO_EARLY_MESSAGE, 400, 'sentAt')
	if (sentAt.getTime() > now.getTime() + FUTURE_SKEW_MS) {
		throw new UserFacingError('The report cannot have been sent in the future. Check the date and time.', 400, 'sentAt')
	}
}

/** recordRun for answers already read, one BatchEvidence per batch answered (the API). */
export async function recordRunEvidence(
	orgId: string,
	/** Null only for a run Clearance sent on its own schedule (`sentByClearance`). */
	actor: Actor | null,
	appId: string,
	input: RunEvidenceInput,
	{ now = new Date(), alsoInTransaction, refuseTwin = false, sentByClearance = false }: RunOptions = {},
): Promise<RecordedRun & { prepared: PreparedReport }> {
	if (actor === null && !sentByClearance)
		throw new Error('A run is recorded by a person or a key, or sent by Clearance')
	assertSentAt(input.sentAt, now)
	if (input.cyclePeriod && containsEmailAddress(input.cyclePeriod))
		throw new UserFacingError(
			'That Cycle-Period value holds an email address, which Atlassian’s header never does: enter the header’s value only.',
			400,
			'cyclePeriod',
		)
	let batches = input.batches
	// A header given for the whole run, else the last one a batch carried.
	const raw =
		input.cyclePeriod?.trim() || [...batches].reverse().find((batch) => batch.cyclePeriod)?.cyclePeriod || null
	const reading = raw ? readCyclePeriod(raw) : null
	const prepared = await findPreparedReport(orgId, appId, input.preparedReport, actor)
	// One "nothing to do" (a bare 204, or an empty body from Atlassian) stands for every batch, as the page says.
	const [only] = batches
	if (batches.length === 1 && only && only.status === 204 && only.raw === '' && prepared.batchCount > 1) {
		batches = Array.from({ length: prepared.batchCount }, () => ({ ...only }))
	}
	if (batches.length > Math.max(1, prepared.batchCount)) {
		throw new UserFacingError(
			`${counted(batches.length, 'answer')} were given for a report of ${counted(prepared.batchCount, 'batch', 'batches')}: Atlassian answers once per batch.`,
			400,
			'answers',
		)
	}

	const policy = await getOrgPolicy(orgId)
	return db.transaction(async (tx) => {
		const app = await lockApp(tx, orgId, appId)
		if (!storesPersonalData(app)) {
			throw new UserFacingError('This app is not marked as storing personal data, so it has no report to record.', 409)
		}
		// The same report sent at the same time is one run: recording it twice would double the evidence.
		const [twin] = !refuseTwin
			? []
			: await tx
					.select({ id: reportRuns.id })
					.from(reportRuns)
					.where(
						and(
							eq(reportRuns.orgId, orgId),
							eq(reportRuns.preparedReportId, prepared.id),
							eq(reportRuns.sentAt, input.sentAt),
						),
					)
					.limit(1)
		if (twin) {
			throw new UserFacingError(
				'This run is already recorded: the same prepared report, sent at the same time. Check the list of runs.',
				409,
			)
		}
		const tasks = tasksFromAnswers(batches, {
			recordedAt: now,
			dueDays: policy.taskDueDays,
			timeZone: policy.timeZone,
		})
		const answeredIds = tasks.map((task) => task.accountId)
		const knownIds = new Set<string>()
		if (answeredIds.length > 0) {
			const known = await tx
				.select({ accountId: storedAccounts.accountId })
				.from(storedAccounts)
				.where(and(eq(storedAccounts.appId, appId), anyOf(storedAccounts.accountId, answeredIds)))
			for (const row of known) knownIds.add(row.accountId)
			// None known: most likely the wrong app's answer was pasted.
			if (knownIds.size === 0) {
				throw new UserFacingError(
					`None of the ${answeredIds.length} account${answeredIds.length === 1 ? '' : 's'} in the answer is in this app’s ledger (${sample(answeredIds)}). Check that it is this app’s answer.`,
					400,
					'answers',
				)
			}
		}
		// Accounts erased since the batches were downloaded need no task; the run is still evidence.
		const skippedIds = answeredIds.filter((id) => !knownIds.has(id))
		const knownTasks = tasks.filter((task) => knownIds.has(task.accountId))
		const closedCount = tasks.filter((task) => task.kind === 'erase').length
		const outcome = reading ? headerCycleOutcome(reading, app.cycleDays, app.cycleSource as CycleSource) : null
		// Answers map to batches by position only when every batch was answered.
		const numbered = batches.length === prepared.batchCount
		const [run] = await tx
			.insert(reportRuns)
			.values({
				orgId,
				appId,
				sentAt: input.sentAt,
				preparedReportId: prepared.id,
				accountCount: prepared.accountCount,
				batchCount: prepared.batchCount,
				closedCount,
				updatedCount: tasks.length - closedCount,
				cyclePeriodRaw: raw,
				cyclePeriodDays:
					reading?.kind === 'clear'
						? reading.days
						: reading?.kind === 'unclear'
							? (reading.likely?.days ?? null)
							: null,
				cyclePeriodOutcome: outcome,
				answers: batches.map(({ accounts }) => ({ accounts })),
				batchAnswers: batches.map((batch, i) => ({
					batch: numbered ? i + 1 : null,
					status: batch.status,
					body: batch.raw,
					cyclePeriod: batch.cyclePeriod ?? (raw && i === batches.length - 1 ? raw : null),
				})),
				recordedBy: sentByClearance || actor === null ? null : actorUserIdOf(actor),
				recordedByKeyId: sentByClearance || actor === null || typeof actor === 'string' ? null : actor.apiKeyId,
				sentByClearance,
			})
			.returning()

		// An account already waiting for the same task keeps its first (earlier) due date.
		const open =
			knownTasks.length === 0
				? []
				: await tx
						.select({ accountId: accountActions.accountId, kind: accountActions.kind })
						.from(accountActions)
						.where(
							and(
								eq(accountActions.orgId, orgId),
								eq(accountActions.appId, appId),
								isNull(accountActions.completedAt),
								anyOf(
									accountActions.accountId,
									knownTasks.map((task) => task.accountId),
								),
							),
						)
		const openKeys = new Set(open.map((task) => `${task.kind}:${task.accountId}`))
		const fresh = knownTasks.filter((task) => !openKeys.has(`${task.kind}:${task.accountId}`))
		for (let i = 0; i < fresh.length; i += TASK_INSERT_CHUNK) {
			await tx.insert(accountActions).values(
				fresh.slice(i, i + TASK_INSERT_CHUNK).map((task) => ({
					orgId,
					appId,
					runId: run!.id,
					accountId: task.accountId,
					kind: task.kind,
					dueAt: task.dueAt,
				})),
			)
		}
		if (reading?.kind === 'clear' && outcome === 'applied') {
			await applyHeaderCycle(tx, orgId, appId, reading.days, now)
		} else if (reading?.kind === 'clear' && outcome === 'unchanged') {
			await tx
				.update(apps)
				.set({ atlassianCycleDays: reading.days })
				.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
		} else if (outcome === 'pending') {
			await tx
				.update(apps)
				.set({ pendingCycleRunId: run!.id })
				.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
		}
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: 'report_run.recorded',
			subjectType: 'report_run',
			subjectId: run!.id,
			after: {
				appId,
				sentAt: input.sentAt.toISOString(),
				...(sentByClearance ? { sentByClearance: true } : {}),
				preparedReportId: prepared.id,
				preparedSha256: prepared.sha256,
				accountCount: prepared.accountCount,
				batchCount: prepared.batchCount,
				answeredBatches: batches.length,
				closedCount,
				updatedCount: run!.updatedCount,
				cyclePeriodRaw: raw,
				cyclePeriodOutcome: outcome,
				recordedLater: isRecordedLater(input.sentAt, now),
				// A count only: account ids are not audit material.
				skippedUnknown: skippedIds.length,
				...(outcome === 'applied' && reading?.kind === 'clear'
					? { cycleDaysBefore: app.cycleDays, cycleDaysAfter: reading.days }
					: {}),
			},
		})
		// The status with this run in: the next report is due one cycle after the latest sentAt (cycle as it now stands).
		const [current] = await tx
			.select()
			.from(apps)
			.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
		const [latest] = await tx
			.select({ at: max(reportRuns.sentAt) })
			.from(reportRuns)
			.where(and(eq(reportRuns.orgId, orgId), eq(reportRuns.appId, appId)))
		const recorded: RecordedRun = {
			run: run!,
			cycle: { outcome, reading },
			tasksCreated: fresh.length,
			tasksCreatedByKind: {
				erase: fresh.filter((task) => task.kind === 'erase').length,
				refresh: fresh.filter((task) => task.kind === 'refresh').length,
			},
			answeredBatches: batches.length,
			skipped: { count: skippedIds.length, sample: skippedIds.slice(0, SKIPPED_SHOWN) },
			status: statusOf(
				current!,
				{
					lastReportAt: latest?.at ?? input.sentAt,
					firstStoredAccountAt: null,
					pendingCycleDays: outcome === 'pending' ? run!.cyclePeriodDays : null,
				},
				policy.timeZone,
				now,
			),
		}
		if (alsoInTransaction) await alsoInTransaction(tx, { ...recorded, prepared })
		return { ...recorded, prepared }
	})
}

export type HeaderDecision = { decision: 'confirm'; unit?: CycleUnit } | { decision: 'dismiss'; reason: string }

/**
 * A person answers a Cycle-Period value that waits for them: confirm it (for a
 * bare number, in the unit Atlassian meant) and it becomes the app's cycle;
 * or dismiss it with a reason, and the cycle stays. Audited either way.
 */
export async function decideHeaderCycle(
	orgId: string,
	actorId: string,
	appId: string,
	runId: string,
	input: HeaderDecision,
	now = new Date(),
) {
	return db.transaction(async (tx) => {
		const app = await lockApp(tx, orgId, appId)
		if (!app.pendingCycleRunId || app.pendingCycleRunId !== runId) {
			throw new UserFacingError(
				'No Cycle-Period value from that run is waiting for an answer (it may already have been answered).',
				409,
			)
		}
		const [run] = await tx
			.select({ raw: reportRuns.cyclePeriodRaw })
			.from(reportRuns)
			.where(and(eq(reportRuns.orgId, orgId), eq(reportRuns.appId, appId), eq(reportRuns.id, runId)))
		const reading = run?.raw ? readCyclePeriod(run.raw) : null
		if (!reading || reading.kind === 'unreadable')
			throw new UserFacingError('That run’s Cycle-Period value cannot be applied.', 409)
		if (input.decision === 'dismiss') {
			const reason = input.reason.trim()
			if (!reason) throw new UserFacingError('Say why the cycle Atlassian sent does not apply.', 400, 'reason')
			await tx
				.update(apps)
				.set({ pendingCycleRunId: null, updatedAt: sql`now()` })
				.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
			await tx.update(reportRuns).set({ cyclePeriodOutcome: 'dismissed' }).where(eq(reportRuns.id, runId))
			await recordAudit(tx, {
				orgId,
				actorUserId: actorId,
				action: 'app.cycle_header_dismissed',
				subjectType: 'app',
				subjectId: appId,
				after: { runId, cyclePeriodRaw: reading.raw, reason, cycleDays: app.cycleDays },
			})
			return { cycleDays: app.cycleDays, applied: false }
		}
		let days: number
		if (reading.kind === 'clear') {
			days = reading.days
		} else {
			if (!input.unit || !CYCLE_UNITS.includes(input.unit)) {
				throw new UserFacingError(`Say which unit “${reading.raw}” is in.`, 400, 'unit')
			}
			const period = periodInUnit(reading.number, input.unit)
			if (!period.ok) throw new UserFacingError(`That cannot be the cycle: ${period.reason}.`, 400, 'unit')
			days = period.days
		}
		await applyHeaderCycle(tx, orgId, appId, days, now)
		await tx
			.update(reportRuns)
			.set({ cyclePeriodOutcome: 'applied', cyclePeriodDays: days })
			.where(eq(reportRuns.id, runId))
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'app.cycle_header_confirmed',
			subjectType: 'app',
			subjectId: appId,
			before: { cycleDays: app.cycleDays, cycleSource: app.cycleSource },
			after: {
				runId,
				cyclePeriodRaw: reading.raw,
				unit: input.unit ?? null,
				cycleDays: days,
				cycleSource: 'cycle_period_header',
			},
		})
		return { cycleDays: days, applied: true }
	})
}

/**
 * The app's lock, then the task's row, locked: a 404 when the task is not this app's (of this organisation). Every
 * write to an app's ledger holds the app's lock (imports, pushes, removals do): the ledger figures' trigger reads
 * the oldest updatedAt back, and beside an import still open it would miss that import's rows (app_ledger_stats,
 * migration 0010). Taken first, as the others take it.
 */
async function lockTask(tx: Tx, orgId: string, appId: string, taskId: string) {
	await lockApp(tx, orgId, appId)
	const [task] = await tx
		.select()
		.from(accountActions)
		.where(and(eq(accountActions.orgId, orgId), eq(accountActions.appId, appId), eq(accountActions.id, taskId)))
		.for('update')
	if (!task) throw new UserFacingError('No such task for this app.', 404)
	return task
}

/**
 * Completes an erase task (the account leaves the ledger, and its other open
 * tasks close with it: nothing is left to refresh) or a refresh task (its
 * updatedAt becomes now), in one transaction with an audit event.
 */
export async function completeTask(orgId: string, actor: Actor, appId: string, taskId: string, now = new Date()) {
	return db.transaction(async (tx) => {
		const task = await lockTask(tx, orgId, appId, taskId)
		if (task.completedAt) throw new UserFacingError('This task is already done.', 409)
		// Locked so a concurrent erase cannot slip between this check and the write.
		const [account] = await tx
			.select({ updatedAt: storedAccounts.updatedAt, createdAt: storedAccounts.createdAt })
			.from(storedAccounts)
			.where(and(eq(storedAccounts.appId, appId), eq(storedAccounts.accountId, task.accountId)))
			.for('update')
		if (!account) {
			throw new UserFacingError(
				`Account ${task.accountId} is no longer in this app’s ledger (it was erased), so this task has nothing left to do.`,
				409,
			)
		}
		let alsoClosed: string[] = []
		if (task.kind === 'erase') {
			// The ledger's one bulk path (ledger-bulk.server.ts), for one account or many.
			await deleteAccounts(tx, appId, [task.accountId])
			const closed = await tx
				.update(accountActions)
				.set({ completedAt: now, completedBy: actorUserIdOf(actor) })
				.where(
					and(
						eq(accountActions.orgId, orgId),
						eq(accountActions.appId, appId),
						eq(accountActions.accountId, task.accountId),
						isNull(accountActions.completedAt),
						ne(accountActions.id, task.id),
					),
				)
				.returning({ id: accountActions.id })
			alsoClosed = closed.map((row) => row.id)
		} else {
			// Locked above, so this upsert updates it.
			await upsertAccounts(tx, appId, [{ accountId: task.accountId, updatedAt: now }])
		}
		const [done] = await tx
			.update(accountActions)
			.set({
				completedAt: now,
				completedBy: actorUserIdOf(actor),
				priorUpdatedAt: account.updatedAt,
				priorCreatedAt: account.createdAt,
			})
			.where(eq(accountActions.id, task.id))
			.returning()
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: task.kind === 'erase' ? 'account_task.erased' : 'account_task.refreshed',
			subjectType: 'account_action',
			subjectId: task.id,
			before: { completedAt: null },
			after: {
				appId,
				kind: task.kind,
				completedAt: now.toISOString(),
				...(alsoClosed.length > 0 ? { alsoClosedTaskIds: alsoClosed } : {}),
			},
		})
		return done!
	})
}

/**
 * Undoes a task marked done by mistake, in one transaction with an audit event: the task (and the account's tasks
 * its erase closed with it) is open again, and the account's ledger row is as it was before: an erased account is
 * stored again with its updatedAt and first-stored time, a refreshed one gets its old updatedAt back unless the
 * ledger has changed it since. A task whose ledger row Clearance did not keep, or a refresh of an account erased
 * since, cannot be undone.
 */
export async function reopenTask(orgId: string, actor: Actor, appId: string, taskId: string) {
	return db.transaction(async (tx) => {
		const task = await lockTask(tx, orgId, appId, taskId)
		const { completedAt, priorUpdatedAt, priorCreatedAt } = task
		if (!completedAt) throw new UserFacingError('This task is open already.', 409)
		if (!priorUpdatedAt || !priorCreatedAt)
			throw new UserFacingError(
				'Clearance did not keep what this task changed (it was closed with another task, or before undoing was possible), so it cannot be undone.',
				409,
			)
		const [account] = await tx
			.select({ updatedAt: storedAccounts.updatedAt })
			.from(storedAccounts)
			.where(and(eq(storedAccounts.appId, appId), eq(storedAccounts.accountId, task.accountId)))
			.for('update')
		// A refresh reopened for an account erased since could never be done again: the erase is what to undo.
		if (task.kind === 'refresh' && !account)
			throw new UserFacingError(
				`Account ${task.accountId} has left the ledger since (it was erased), so its refresh cannot be reopened.`,
				409,
			)
		const restored = { accountId: task.accountId, updatedAt: priorUpdatedAt, createdAt: priorCreatedAt }
		// An erased account stored again since (an import) keeps what it holds now; a refreshed one keeps a later write.
		const ledgerAsLeft = task.kind === 'erase' ? !account : account?.updatedAt.getTime() === completedAt.getTime()
		if (ledgerAsLeft) await restoreAccount(tx, appId, restored)
		// The account's other tasks its erase closed: done in the same instant, without a prior row of their own.
		const closedWith =
			task.kind === 'erase'
				? await tx
						.select({ id: accountActions.id })
						.from(accountActions)
						.where(
							and(
								eq(accountActions.orgId, orgId),
								eq(accountActions.appId, appId),
								eq(accountActions.accountId, task.accountId),
								eq(accountActions.completedAt, completedAt),
								isNull(accountActions.priorUpdatedAt),
								ne(accountActions.id, task.id),
							),
						)
				: []
		const reopened = [task.id, ...closedWith.map((row) => row.id)]
		await tx
			.update(accountActions)
			.set({ completedAt: null, completedBy: null, priorUpdatedAt: null, priorCreatedAt: null })
			.where(and(eq(accountActions.orgId, orgId), inArray(accountActions.id, reopened)))
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: 'account_task.reopened',
			subjectType: 'account_action',
			subjectId: task.id,
			before: { completedAt: completedAt.toISOString() },
			after: {
				appId,
				kind: task.kind,
				completedAt: null,
				ledgerRestored: ledgerAsLeft,
				tasksReopened: reopened.length,
			},
		})
		return { ...task, completedAt: null, ledgerRestored: ledgerAsLeft }
	})
}

// --- Deadline dashboard ----------------------------------------------------

export type DashboardRow = {
	id: string
	name: string
	appKey: string
	storesPersonalData: App['storesPersonalData']
	cycleDays: number
	/** The cycle its deadline is counted with: a shorter one Atlassian asked for, until confirmed (countedCycleDays). */
	countedCycleDays: number
	status: ReportingState
	dueAt: Date | null
	dueDate: string | null
	daysLeft: number | null
	/** Why this status, in one sentence. */
	headline: string
	explanation: string
	/** What else waits for a person: a Cycle-Period to confirm, an earlier storing-since date, a long cycle. */
	attention: string[]
	lastRunAt: Date | null
	openErase: number
	openRefresh: number
	overdueTasks: number
	/** When the next open task falls overdue (ms since the epoch), or null: overdueTasks changes then. */
	nextTaskDue: number | null
	requestState: string | null
	ticketKey: string | null
	/** An amendment of the approved request shown, under way: its state and its own ticket, or null. */
	amendmentState: string | null
	amendmentTicketKey: string | null
}

/**
 * Every active app of the organisation with its reporting status, most urgent
 * first: overdue, then answer needed, then due within 3 days, then on track,
 * then not required; within a band the nearest deadline first. Apps per
 * organisation are few (the ledger is the big table), so this is computed
 * whole and paged after.
 */
export async function dashboardRows(
	orgId: string,
	now = new Date(),
	/** One app only, archived or not (the API's answer about one app); or these apps, archived or not. */
	only?: { appId: string } | { appIds: string[] },
	/** The caller's transaction, when the rows are read inside one (the dashboard's deadlines). */
	conn: Database | Tx = db,
): Promise<{ rows: DashboardRow[]; timeZone: string }> {
	const policy = await getOrgPolicy(orgId, conn)
	const appIds = only && 'appIds' in only ? only.appIds : null
	if (appIds?.length === 0) return { rows: [], timeZone: policy.timeZone }
	const appId = only && 'appId' in only ? only.appId : null
	// Each app's latest run: one row per app, whatever its runs.
	const latestRun = latestRunQuery(conn, orgId, apps.id).as('latest_run')
	// Each app with its ledger's oldest updatedAt (app_ledger_stats, one row per app), the days a pending
	// Cycle-Period header asks for (the run that carried it) and its latest run: one query whatever the number of apps.
	const joined = await conn
		.select({
			app: apps,
			oldestUpdatedAt: appLedgerStats.oldestUpdatedAt,
			accountCount: appLedgerStats.accountCount,
			pendingDays: reportRuns.cyclePeriodDays,
			latestRun: {
				sentAt: latestRun.sentAt,
				batchCount: latestRun.batchCount,
				answered: latestRun.answered,
				prepared: latestRun.prepared,
			},
		})
		.from(apps)
		.leftJoin(appLedgerStats, eq(appLedgerStats.appId, apps.id))
		.leftJoin(reportRuns, and(eq(reportRuns.orgId, orgId), eq(reportRuns.id, apps.pendingCycleRunId)))
		.leftJoinLateral(latestRun, sql`true`)
		.where(
			and(
				eq(apps.orgId, orgId),
				appId ? eq(apps.id, appId) : appIds ? inArray(apps.id, appIds) : isNull(apps.archivedAt),
			),
		)
	if (joined.length === 0) return { rows: [], timeZone: policy.timeZone }
	const appRows = joined.map((row) => row.app)
	// The organisation's rows (or the one app's): the maps below pick each app's. Not an `in (…)` list of
	// every app id — 10,000 parameters cost more than the rows of archived apps they would leave out.
	const ofApp = (column: typeof reportRuns.appId | typeof accountActions.appId | typeof accessRequests.appId) =>
		appId ? eq(column, appId) : appIds ? inArray(column, appIds) : undefined

	const [tasks, requests] = await Promise.all([
		conn
			.select({
				appId: accountActions.appId,
				erase: sql<number>`count(*) filter (where ${accountActions.kind} = 'erase')`.mapWith(Number),
				refresh: sql<number>`count(*) filter (where ${accountActions.kind} = 'refresh')`.mapWith(Number),
				overdue:
					sql<number>`count(*) filter (where ${accountActions.dueAt} < ${now.toISOString()}::timestamptz)`.mapWith(
						Number,
					),
				// When the next of them falls overdue (ms since the epoch): the row's counts change then.
				nextDue: sql<
					number | null
				>`extract(epoch from min(${accountActions.dueAt}) filter (where ${accountActions.dueAt} >= ${now.toISOString()}::timestamptz)) * 1000`.mapWith(
					(value) => (value === null ? null : Number(value)),
				),
			})
			.from(accountActions)
			.where(and(eq(accountActions.orgId, orgId), ofApp(accountActions.appId), isNull(accountActions.completedAt)))
			.groupBy(accountActions.appId),
		conn
			.select({
				id: accessRequests.id,
				appId: accessRequests.appId,
				state: accessRequests.state,
				amendsRequestId: accessRequests.amendsRequestId,
				updatedAt: accessRequests.updatedAt,
				ticketKey: tickets.key,
			})
			.from(accessRequests)
			.leftJoin(tickets, and(eq(tickets.requestId, accessRequests.id), eq(tickets.orgId, orgId)))
			.where(and(eq(accessRequests.orgId, orgId), ofApp(accessRequests.appId)))
			.orderBy(desc(accessRequests.updatedAt)),
	])
	const lastRun = new Map(joined.map((row) => [row.app.id, row.latestRun?.sentAt ?? null]))
	// A latest run recorded with fewer answers than its report's batches: the accounts the others listed got no task.
	const partialRun = new Map(
		joined.flatMap(({ app, latestRun: run }) => {
			const note = partialRunNote(run)
			return note ? [[app.id, [note]] as const] : []
		}),
	)
	// The oldest-account anchor only matters before the first report, without a storing-since date.
	const oldestAccount = new Map(
		joined.flatMap((row) =>
			needsOldestAccount(row.app, lastRun.get(row.app.id) ?? null) ? [[row.app.id, row.oldestUpdatedAt] as const] : [],
		),
	)
	const storedAccounts = new Map(joined.map((row) => [row.app.id, Number(row.accountCount ?? 0)]))
	const pendingDays = new Map(
		joined.flatMap((row) =>
			row.app.pendingCycleRunId && row.pendingDays != null ? [[row.app.id, row.pendingDays] as const] : [],
		),
	)
	const taskCounts = new Map(tasks.map((row) => [row.appId, row]))
	const latestRequest = new Map<string, (typeof requests)[number]>()
	for (const request of requests) if (!latestRequest.has(request.appId)) latestRequest.set(request.appId, request)
	// An amendment under way (the latest one, newest first) does not hide the approval it amends: the row says both,
	// whichever of them changed last. A decided or withdrawn amendment is the request shown as it stands.
	const requestById = new Map(requests.map((request) => [request.id, request]))
	const amendmentUnderWay = new Map<string, (typeof requests)[number]>()
	for (const request of requests)
		if (request.amendsRequestId && IN_PROGRESS_STATES.includes(request.state) && !amendmentUnderWay.has(request.appId))
			amendmentUnderWay.set(request.appId, request)
	const shownRequest = (appId: string) => {
		const amendment = amendmentUnderWay.get(appId)
		const amended = amendment ? requestById.get(amendment.amendsRequestId!) : undefined
		return amendment && amended?.state === 'approved'
			? { request: amended, amendment }
			: { request: latestRequest.get(appId), amendment: undefined }
	}

	const rows = appRows.map((app): DashboardRow => {
		const lastRunAt = lastRun.get(app.id) ?? null
		const status = statusOf(
			app,
			{
				lastReportAt: lastRunAt,
				firstStoredAccountAt: oldestAccount.get(app.id) ?? null,
				pendingCycleDays: pendingDays.get(app.id),
				storedAccounts: storedAccounts.get(app.id) ?? 0,
			},
			policy.timeZone,
			now,
		)
		const counts = taskCounts.get(app.id)
		const { request, amendment } = shownRequest(app.id)
		return {
			id: app.id,
			name: app.name,
			appKey: app.appKey,
			storesPersonalData: app.storesPersonalData,
			cycleDays: app.cycleDays,
			countedCycleDays: countedCycleDays(app.cycleDays, pendingDays.get(app.id)),
			status: status.status,
			dueAt: status.dueAt,
			dueDate: status.dueDate,
			daysLeft: status.daysLeft,
			headline: status.headline,
			explanation: status.explanation,
			attention: storesPersonalData(app) ? [...attentionOf(app), ...(partialRun.get(app.id) ?? [])] : [],
			lastRunAt,
			openErase: counts?.erase ?? 0,
			openRefresh: counts?.refresh ?? 0,
			overdueTasks: counts?.overdue ?? 0,
			nextTaskDue: counts?.nextDue ?? null,
			requestState: request?.state ?? null,
			ticketKey: request?.ticketKey ?? null,
			amendmentState: amendment?.state ?? null,
			amendmentTicketKey: amendment?.ticketKey ?? null,
		}
	})
	rows.sort(
		(a, b) =>
			REPORTING_URGENCY[a.status] - REPORTING_URGENCY[b.status] ||
			// No anchor at all (due now) sorts before any dated deadline.
			(a.dueAt?.getTime() ?? -Infinity) - (b.dueAt?.getTime() ?? -Infinity) ||
			a.name.localeCompare(b.name),
	)
	return { rows, timeZone: policy.timeZone }
}

/** What a latest run recorded with fewer answers than its report's batches left undone; null for any other run. */
function partialRunNote(
	run: { prepared: boolean; answered: number | string; batchCount: number } | null | undefined,
): string | null {
	const answered = Number(run?.answered)
	if (!run?.prepared || !(answered < run.batchCount)) return null
	return `The last report run has Atlassian’s answers for ${formatNumber(answered)} of ${counted(run.batchCount, 'batch', 'batches')}: accounts the others listed got no erase or refresh task.`
}

function attentionOf(app: App): string[] {
	const notes: string[] = []
	if (app.pendingCycleRunId) notes.push('A Cycle-Period value from Atlassian waits for confirmation.')
	if (app.storingSinceProposed)
		notes.push('An import holds accounts older than the storing-since date: confirm which date applies.')
	return [...notes, ...cycleWarnings({ ...app, cycleSource: app.cycleSource as CycleSource })]
}
