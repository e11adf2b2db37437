import { and, asc, count, desc, eq, inArray, isNull, max, min, ne, sql, type SQLWrapper } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import {
	accessRequests,
	accountActions,
	apps,
	organizations,
	reportRuns,
	storedAccounts,
	tickets,
	users,
} from '#db/schema'
import { MAX_BATCH, parseReportAnswer, tasksFromAnswers } from '~/domain/report-batches'
import {
	ATLASSIAN_API_DEFAULT_CYCLE_DAYS,
	DEFAULT_CYCLE_DAYS,
	parseCyclePeriod,
	reportingStatus,
	type CycleSource,
	type ReportingState,
	type ReportingStatus,
} from '~/domain/reporting-cycle'
import { UserFacingError } from '~/utils/errors'
import { type App } from './apps.server'
import { recordAudit } from './audit.server'
import { lockApp } from './apps.server'
import { inferCycleSource } from '~/domain/reporting-cycle'

/**
 * Personal-data reporting (domain.md, "Personal-data reporting"; design.md,
 * "Personal-data reporting"): the cycle of each app, report runs kept as
 * evidence, and the erase/refresh tasks they create. Every query is scoped by
 * organisation, and by app for stored_accounts (design.md, "Scaling out").
 */


export async function getOrgPolicy(orgId: string) {
	const [org] = await db
		.select({ timeZone: organizations.timeZone, taskDueDays: organizations.taskDueDays })
		.from(organizations)
		.where(eq(organizations.id, orgId))
	if (!org) throw new UserFacingError('No such organisation.', 404)
	return org
}

function storesPersonalData(app: Pick<App, 'storesPersonalData'>) {
	return app.storesPersonalData === 'yes'
}

function statusOf(
	app: Pick<App, 'storesPersonalData' | 'cycleDays' | 'cycleSource' | 'cycleSetAt' | 'personalDataSince'>,
	anchors: { lastReportAt: Date | null; firstStoredAccountAt: Date | null },
	timeZone: string,
	now: Date,
): ReportingStatus {
	return reportingStatus({
		storesPersonalData: storesPersonalData(app),
		cycleDays: app.cycleDays,
		cycleSource: app.cycleSource as CycleSource,
		cycleSetAt: app.cycleSetAt,
		lastReportAt: anchors.lastReportAt,
		firstStoredAccountAt: anchors.firstStoredAccountAt,
		flagSetAt: app.personalDataSince,
		now,
		timeZone,
	})
}

async function lastRunAt(orgId: string, appId: string): Promise<Date | null> {
	const [row] = await db
		.select({ at: max(reportRuns.sentAt) })
		.from(reportRuns)
		.where(and(eq(reportRuns.orgId, orgId), eq(reportRuns.appId, appId)))
	return row?.at ?? null
}

async function firstAccountAt(appId: string): Promise<Date | null> {
	const [row] = await db.select({ at: min(storedAccounts.createdAt) }).from(storedAccounts).where(eq(storedAccounts.appId, appId))
	return row?.at ?? null
}

/** Everything the reporting page shows about one app (already checked to be in the org). */
export async function getReportingOverview(orgId: string, app: App, now = new Date()) {
	const policy = await getOrgPolicy(orgId)
	const lastReportAt = await lastRunAt(orgId, app.id)
	// Only needed when no report exists yet; skipping it keeps big ledgers cheap.
	const firstStoredAccountAt = lastReportAt ? null : await firstAccountAt(app.id)
	const [accounts] = await db.select({ total: count() }).from(storedAccounts).where(eq(storedAccounts.appId, app.id))
	const accountCount = accounts?.total ?? 0
	return {
		policy,
		status: statusOf(app, { lastReportAt, firstStoredAccountAt }, policy.timeZone, now),
		accountCount,
		batchCount: Math.ceil(accountCount / MAX_BATCH),
		runs: await listRuns(orgId, app.id),
		tasks: await listOpenTasks(orgId, app.id),
	}
}

export async function listRuns(orgId: string, appId: string, limit = 50) {
	return db
		.select({
			id: reportRuns.id,
			sentAt: reportRuns.sentAt,
			accountCount: reportRuns.accountCount,
			batchCount: reportRuns.batchCount,
			closedCount: reportRuns.closedCount,
			updatedCount: reportRuns.updatedCount,
			cyclePeriodRaw: reportRuns.cyclePeriodRaw,
			cyclePeriodDays: reportRuns.cyclePeriodDays,
			recordedByName: users.name,
			createdAt: reportRuns.createdAt,
		})
		.from(reportRuns)
		.innerJoin(users, eq(users.id, reportRuns.recordedBy))
		.where(and(eq(reportRuns.orgId, orgId), eq(reportRuns.appId, appId)))
		.orderBy(desc(reportRuns.sentAt), desc(reportRuns.createdAt))
		.limit(limit)
}

export async function listOpenTasks(orgId: string, appId: string) {
	return db
		.select({
			id: accountActions.id,
			accountId: accountActions.accountId,
			kind: accountActions.kind,
			dueAt: accountActions.dueAt,
			runId: accountActions.runId,
			createdAt: accountActions.createdAt,
		})
		.from(accountActions)
		.where(and(eq(accountActions.orgId, orgId), eq(accountActions.appId, appId), isNull(accountActions.completedAt)))
		.orderBy(asc(accountActions.dueAt), asc(accountActions.accountId))
}

export async function setCycle(orgId: string, actorId: string, appId: string, days: number) {
	return db.transaction(async (tx) => {
		const current = await lockApp(tx, orgId, appId)
		const source = inferCycleSource(days)
		if (current.cycleDays === days && current.cycleSource === source) return current
		const [app] = await tx
			.update(apps)
			.set({ cycleDays: days, cycleSource: source, cycleSetAt: sql`now()`, updatedAt: sql`now()` })
			.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
			.returning()
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'app.cycle_changed',
			subjectType: 'app',
			subjectId: appId,
			before: { cycleDays: current.cycleDays, cycleSource: current.cycleSource },
			after: { cycleDays: days, cycleSource: source },
		})
		return app!
	})
}

export type RunInput = {
	sentAt: Date
	cyclePeriod?: string | null
	answers: string
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
 * (evidence, with the raw Cycle-Period header), an erase task per closed
 * account and a refresh task per updated one (due in the organisation's
 * internal-policy days), the new cycle when the header was given, and an
 * audit event. The run's sentAt becomes the cycle's anchor.
 */
export async function recordRun(orgId: string, actorId: string, appId: string, input: RunInput, now = new Date()) {
	if (input.sentAt.getTime() > now.getTime() + FUTURE_SKEW_MS) {
		throw new UserFacingError('The report cannot have been sent in the future. Check the date and time.', 400, 'sentAt')
	}
	const parsed = parseReportAnswer(input.answers)
	if (!parsed.ok) throw new UserFacingError(`Atlassian’s answer could not be read: ${parsed.reason}`, 400, 'answers')
	const raw = input.cyclePeriod?.trim() || null
	const period = raw ? parseCyclePeriod(raw) : null
	if (period && !period.ok) throw new UserFacingError(`Cycle-Period: ${period.reason}`, 400, 'cyclePeriod')

	const policy = await getOrgPolicy(orgId)
	return db.transaction(async (tx) => {
		const app = await lockApp(tx, orgId, appId)
		if (!storesPersonalData(app)) {
			throw new UserFacingError('This app is not marked as storing personal data, so it has no report to record.', 409)
		}
		const tasks = tasksFromAnswers(parsed.answers, {
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
		const [accounts] = await tx.select({ total: count() }).from(storedAccounts).where(eq(storedAccounts.appId, appId))
		const accountCount = accounts?.total ?? 0
		const closedCount = tasks.filter((task) => task.kind === 'erase').length
		const [run] = await tx
			.insert(reportRuns)
			.values({
				orgId,
				appId,
				sentAt: input.sentAt,
				accountCount,
				batchCount: Math.ceil(accountCount / MAX_BATCH),
				closedCount,
				updatedCount: tasks.length - closedCount,
				cyclePeriodRaw: raw,
				cyclePeriodDays: period?.ok ? period.days : null,
				answers: parsed.answers,
				recordedBy: actorId,
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
				fresh
					.slice(i, i + TASK_INSERT_CHUNK)
					.map((task) => ({ orgId, appId, runId: run!.id, accountId: task.accountId, kind: task.kind, dueAt: task.dueAt })),
			)
		}
		if (period?.ok) {
			await tx
				.update(apps)
				.set({ cycleDays: period.days, cycleSource: 'cycle_period_header', cycleSetAt: now, updatedAt: sql`now()` })
				.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
		}
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'report_run.recorded',
			subjectType: 'report_run',
			subjectId: run!.id,
			after: {
				appId,
				sentAt: input.sentAt.toISOString(),
				accountCount,
				batchCount: run!.batchCount,
				closedCount,
				updatedCount: run!.updatedCount,
				cyclePeriodRaw: raw,
				// A count only: account ids are not audit material.
				skippedUnknown: skippedIds.length,
				...(period?.ok ? { cycleDaysBefore: app.cycleDays, cycleDaysAfter: period.days } : {}),
			},
		})
		return {
			run: run!,
			tasksCreated: fresh.length,
			skipped: { count: skippedIds.length, sample: skippedIds.slice(0, SKIPPED_SHOWN) },
		}
	})
}

/**
 * Completes an erase task (the account leaves the ledger, and its other open
 * tasks close with it: nothing is left to refresh) or a refresh task (its
 * updatedAt becomes now), in one transaction with an audit event.
 */
export async function completeTask(orgId: string, actorId: string, appId: string, taskId: string, now = new Date()) {
	return db.transaction(async (tx) => {
		const [task] = await tx
			.select()
			.from(accountActions)
			.where(and(eq(accountActions.orgId, orgId), eq(accountActions.appId, appId), eq(accountActions.id, taskId)))
			.for('update')
		if (!task) throw new UserFacingError('No such task for this app.', 404)
		if (task.completedAt) throw new UserFacingError('This task is already done.', 409)
		// Locked so a concurrent erase cannot slip between this check and the write.
		const [account] = await tx
			.select({ accountId: storedAccounts.accountId })
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
			await tx
				.delete(storedAccounts)
				.where(and(eq(storedAccounts.appId, appId), eq(storedAccounts.accountId, task.accountId)))
			const closed = await tx
				.update(accountActions)
				.set({ completedAt: now, completedBy: actorId })
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
			await tx
				.update(storedAccounts)
				.set({ updatedAt: now })
				.where(and(eq(storedAccounts.appId, appId), eq(storedAccounts.accountId, task.accountId)))
		}
		const [done] = await tx
			.update(accountActions)
			.set({ completedAt: now, completedBy: actorId })
			.where(eq(accountActions.id, task.id))
			.returning()
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
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

// --- Deadline dashboard ----------------------------------------------------

export type DashboardRow = {
	id: string
	name: string
	appKey: string
	storesPersonalData: App['storesPersonalData']
	cycleDays: number
	status: ReportingState
	dueAt: Date | null
	dueDate: string | null
	daysLeft: number | null
	explanation: string
	lastRunAt: Date | null
	openErase: number
	openRefresh: number
	overdueTasks: number
	requestState: string | null
	ticketKey: string | null
}

const URGENCY: Record<ReportingState, number> = { overdue: 0, due_soon: 1, on_track: 2, not_required: 3 }

/**
 * Every active app of the organisation with its reporting status, most urgent
 * first: overdue, then due within 3 days, then on track, then not required;
 * within a band the nearest deadline first. Apps per organisation are few
 * (the ledger is the big table), so this is computed whole and paged after.
 */
export async function dashboardRows(orgId: string, now = new Date()): Promise<{ rows: DashboardRow[]; timeZone: string }> {
	const policy = await getOrgPolicy(orgId)
	const appRows = await db
		.select()
		.from(apps)
		.where(and(eq(apps.orgId, orgId), isNull(apps.archivedAt)))
	if (appRows.length === 0) return { rows: [], timeZone: policy.timeZone }
	const appIds = appRows.map((app) => app.id)

	const [runs, tasks, requests] = await Promise.all([
		db
			.select({ appId: reportRuns.appId, at: max(reportRuns.sentAt) })
			.from(reportRuns)
			.where(and(eq(reportRuns.orgId, orgId), inArray(reportRuns.appId, appIds)))
			.groupBy(reportRuns.appId),
		db
			.select({
				appId: accountActions.appId,
				erase: sql<number>`count(*) filter (where ${accountActions.kind} = 'erase')`.mapWith(Number),
				refresh: sql<number>`count(*) filter (where ${accountActions.kind} = 'refresh')`.mapWith(Number),
				overdue: sql<number>`count(*) filter (where ${accountActions.dueAt} < ${now.toISOString()}::timestamptz)`.mapWith(Number),
			})
			.from(accountActions)
			.where(and(eq(accountActions.orgId, orgId), inArray(accountActions.appId, appIds), isNull(accountActions.completedAt)))
			.groupBy(accountActions.appId),
		db
			.select({ appId: accessRequests.appId, state: accessRequests.state, updatedAt: accessRequests.updatedAt, ticketKey: tickets.key })
			.from(accessRequests)
			.leftJoin(tickets, and(eq(tickets.requestId, accessRequests.id), eq(tickets.orgId, orgId)))
			.where(and(eq(accessRequests.orgId, orgId), inArray(accessRequests.appId, appIds)))
			.orderBy(desc(accessRequests.updatedAt)),
	])
	const lastRun = new Map(runs.map((run) => [run.appId, run.at]))
	const withoutRun = appIds.filter((id) => !lastRun.get(id))
	// The first-account anchor only matters before the first report.
	const firstAccounts = await Promise.all(
		withoutRun.map(async (appId) => [appId, await firstAccountAt(appId)] as const),
	)
	const firstAccount = new Map(firstAccounts)
	const taskCounts = new Map(tasks.map((row) => [row.appId, row]))
	const latestRequest = new Map<string, (typeof requests)[number]>()
	for (const request of requests) if (!latestRequest.has(request.appId)) latestRequest.set(request.appId, request)

	const rows = appRows.map((app): DashboardRow => {
		const lastRunAt = lastRun.get(app.id) ?? null
		const status = statusOf(
			app,
			{ lastReportAt: lastRunAt, firstStoredAccountAt: firstAccount.get(app.id) ?? null },
			policy.timeZone,
			now,
		)
		const counts = taskCounts.get(app.id)
		const request = latestRequest.get(app.id)
		return {
			id: app.id,
			name: app.name,
			appKey: app.appKey,
			storesPersonalData: app.storesPersonalData,
			cycleDays: app.cycleDays,
			status: status.status,
			dueAt: status.dueAt,
			dueDate: status.dueDate,
			daysLeft: status.daysLeft,
			explanation: status.explanation,
			lastRunAt,
			openErase: counts?.erase ?? 0,
			openRefresh: counts?.refresh ?? 0,
			overdueTasks: counts?.overdue ?? 0,
			requestState: request?.state ?? null,
			ticketKey: request?.ticketKey ?? null,
		}
	})
	rows.sort(
		(a, b) =>
			URGENCY[a.status] - URGENCY[b.status] ||
			// No anchor at all (due now) sorts before any dated deadline.
			(a.dueAt?.getTime() ?? -Infinity) - (b.dueAt?.getTime() ?? -Infinity) ||
			a.name.localeCompare(b.name),
	)
	return { rows, timeZone: policy.timeZone }
}
