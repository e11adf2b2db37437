import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm'
import { type z } from 'zod'
import { db, type Tx } from '#db/client.server'
import { accountActions, organizations } from '#db/schema'
import { rfc3339OrNull, toRfc3339InZone } from '~/domain/api-dates'
import { isBeforeEarliestInstant } from '~/domain/calendar-day'
import { type CycleSource } from '~/domain/reporting-cycle'
import {
	type ApiAppCreateSchema,
	type ApiAppSchema,
	type ApiAppUpdateSchema,
	type ApiTaskQuerySchema,
	type ApiTaskSchema,
} from '~/schemas/api'
import { type AppInput, type PersonalDataAnswer } from '~/schemas/apps'
import { NO_SUCH_ORGANISATION, UserFacingError } from '~/utils/errors'
import { isUuid } from '~/utils/ids'
import { createAppIn, listApps, requireApp, updateAppIn, withDuplicateKeyAsConflict, type App } from './apps.server'
import { type Actor } from './audit.server'
import { ledgerFiguresOf } from './ledger-stats.server'
import { completeTask, dashboardRows, setCycle, type DashboardRow } from './reporting.server'
import { setStoringSince, storingSinceOf } from './storing-since.server'

/**
 * What the REST API reads and writes (docs/architecture.md › REST API), in
 * its own JSON shapes (app/schemas/api.ts), built on the same services the
 * pages use: the status is the dashboard's, a write is the form's.
 */

export type ApiApp = z.infer<typeof ApiAppSchema>
export type ApiTask = z.infer<typeof ApiTaskSchema>

async function timeZoneOf(orgId: string) {
	const [org] = await db
		.select({ timeZone: organizations.timeZone })
		.from(organizations)
		.where(eq(organizations.id, orgId))
	if (!org) throw new UserFacingError(NO_SUCH_ORGANISATION, 404)
	return org.timeZone
}

function personalDataOf(answer: App['storesPersonalData']): boolean | null {
	return answer === 'yes' ? true : answer === 'no' ? false : null
}

function answerOf(value: boolean | null | undefined): PersonalDataAnswer {
	return value === true ? 'yes' : value === false ? 'no' : 'undecided'
}

/** Accounts per app from app_ledger_stats (never a count of the ledger); an app without a row has none. */
async function accountCounts(appIds: string[]) {
	const figures = await ledgerFiguresOf(appIds)
	return new Map([...figures].map(([appId, row]) => [appId, row.accountCount]))
}

function toApiApp(app: App, row: DashboardRow, accounts: number, timeZone: string, now: Date): ApiApp {
	const status = row.status
	const dueNow = status === 'overdue' && !row.dueAt
	return {
		id: app.id,
		name: app.name,
		appKey: app.appKey,
		appType: app.appType,
		products: app.products as ApiApp['products'],
		marketplaceListingUrl: app.marketplaceListingUrl,
		privacyPolicyUrl: app.privacyPolicyUrl,
		termsOfUseUrl: app.termsOfUseUrl,
		storesPersonalData: personalDataOf(app.storesPersonalData),
		storingSince: rfc3339OrNull(storingSinceOf(app)?.at, timeZone),
		version: app.version,
		archived: app.archivedAt !== null,
		reporting: {
			status,
			headline: row.headline,
			cycleDays: app.cycleDays,
			cycleSource: app.cycleSource as CycleSource,
			// Due now when nothing is recorded to count from (docs/rules.md › Personal-data reporting).
			nextDueAt:
				status === 'answer_needed' || status === 'not_required'
					? null
					: dueNow
						? toRfc3339InZone(now, timeZone)
						: rfc3339OrNull(row.dueAt, timeZone),
			lastReportedAt: rfc3339OrNull(row.lastRunAt, timeZone),
			accounts,
			openTasks: row.openErase + row.openRefresh,
		},
	}
}

/** The organisation's active apps with their reporting status, most urgent first (the dashboard's order). */
export async function listApiApps(orgId: string, now = new Date()): Promise<ApiApp[]> {
	const [{ rows, timeZone }, appRows] = await Promise.all([dashboardRows(orgId, now), listApps(orgId)])
	const byId = new Map(appRows.map((app) => [app.id, app]))
	const counts = await accountCounts(rows.map((row) => row.id))
	return rows.flatMap((row) => {
		const app = byId.get(row.id)
		return app ? [toApiApp(app, row, counts.get(row.id) ?? 0, timeZone, now)] : []
	})
}

/** One app of the organisation (archived ones too), or a 404. */
export async function getApiApp(orgId: string, appId: string, now = new Date()): Promise<ApiApp> {
	const app = await requireApp(orgId, appId)
	const { rows, timeZone } = await dashboardRows(orgId, now, { appId: app.id })
	const row = rows[0]
	if (!row) throw new UserFacingError('No such app in this organisation.', 404)
	const counts = await accountCounts([app.id])
	return toApiApp(app, row, counts.get(app.id) ?? 0, timeZone, now)
}

type AppCreate = z.output<typeof ApiAppCreateSchema>
type AppUpdate = z.output<typeof ApiAppUpdateSchema>
type Extras = Pick<AppCreate, 'storingSince' | 'cycleDays' | 'cycleReason'>

/** The app's details, its storing-since date and its cycle: one transaction, one audit event each. */
async function saveWithExtras(orgId: string, actor: Actor, extras: Extras, write: (tx: Tx) => Promise<App>, now: Date) {
	return withDuplicateKeyAsConflict(() =>
		db.transaction(async (tx) => {
			const app = await write(tx)
			if (extras.storingSince !== undefined) {
				const at = new Date(extras.storingSince)
				const same =
					app.storingSince?.getTime() === at.getTime() &&
					app.storingSinceSource === 'person' &&
					!app.storingSinceProposed
				if (!same) await setStoringSince(orgId, actor, app.id, at, now, tx)
			}
			if (extras.cycleDays !== undefined) {
				await setCycle(
					orgId,
					actor,
					app.id,
					{
						cycleDays: extras.cycleDays,
						confirmLonger: extras.cycleReason !== undefined,
						reason: extras.cycleReason ?? '',
					},
					tx,
				)
			}
			return app
		}),
	)
}

/** Registers an app as the form does (same rules), with its storing-since date and cycle when given. */
export async function createApiApp(orgId: string, actor: Actor, body: AppCreate, now = new Date()): Promise<ApiApp> {
	const input: AppInput = {
		name: body.name,
		appKey: body.appKey,
		appType: body.appType,
		products: body.products,
		marketplaceListingUrl: body.marketplaceListingUrl ?? null,
		privacyPolicyUrl: body.privacyPolicyUrl ?? null,
		termsOfUseUrl: body.termsOfUseUrl ?? null,
		storesPersonalData: answerOf(body.storesPersonalData),
	}
	const app = await saveWithExtras(orgId, actor, body, (tx) => createAppIn(tx, orgId, actor, input), now)
	return getApiApp(orgId, app.id, now)
}

/** Changes the fields sent and leaves the others; `version`, when sent, must still be the app's. */
export async function updateApiApp(
	orgId: string,
	actor: Actor,
	appId: string,
	body: AppUpdate,
	now = new Date(),
): Promise<ApiApp> {
	const current = await requireApp(orgId, appId)
	const input: AppInput = {
		name: body.name ?? current.name,
		appKey: body.appKey ?? current.appKey,
		appType: body.appType ?? current.appType,
		products: body.products ?? (current.products as AppInput['products']),
		marketplaceListingUrl:
			body.marketplaceListingUrl === undefined ? current.marketplaceListingUrl : body.marketplaceListingUrl,
		privacyPolicyUrl: body.privacyPolicyUrl === undefined ? current.privacyPolicyUrl : body.privacyPolicyUrl,
		termsOfUseUrl: body.termsOfUseUrl === undefined ? current.termsOfUseUrl : body.termsOfUseUrl,
		storesPersonalData:
			body.storesPersonalData === undefined ? current.storesPersonalData : answerOf(body.storesPersonalData),
	}
	await saveWithExtras(orgId, actor, body, (tx) => updateAppIn(tx, orgId, actor, current.id, input, body.version), now)
	return getApiApp(orgId, current.id, now)
}

// ── Tasks ───────────────────────────────────────────────────────────────

type TaskRow = typeof accountActions.$inferSelect

function toApiTask(task: TaskRow, timeZone: string): ApiTask {
	return {
		id: task.id,
		appId: task.appId,
		kind: task.kind,
		accountId: task.accountId,
		dueAt: toRfc3339InZone(task.dueAt, timeZone),
		status: task.completedAt ? 'done' : 'open',
		completedAt: rfc3339OrNull(task.completedAt, timeZone),
	}
}

type TaskQuery = z.output<typeof ApiTaskQuerySchema>

function encodeCursor(task: TaskRow) {
	return Buffer.from(JSON.stringify([task.dueAt.toISOString(), task.id])).toString('base64url')
}

function decodeCursor(cursor: string): { dueAt: Date; id: string } {
	try {
		const [dueAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
		const date = new Date(String(dueAt))
		// Only a date this API could have given: PostgreSQL refuses years before 1 or past 9999 in ISO form (a 500).
		if (
			typeof dueAt === 'string' &&
			!isBeforeEarliestInstant(date) &&
			date.getUTCFullYear() <= 9999 &&
			isUuid(String(id))
		)
			return { dueAt: date, id: String(id) }
	} catch {}
	throw new UserFacingError('That cursor is not one this API gave: start again without it.', 400, 'cursor')
}

/** The organisation's erase and refresh tasks, by due date then id, a page at a time. */
export async function listApiTasks(orgId: string, query: TaskQuery) {
	const timeZone = await timeZoneOf(orgId)
	const after = query.cursor ? decodeCursor(query.cursor) : null
	const rows = await db
		.select()
		.from(accountActions)
		.where(
			and(
				eq(accountActions.orgId, orgId),
				query.appId ? eq(accountActions.appId, query.appId) : undefined,
				query.status === 'open'
					? isNull(accountActions.completedAt)
					: query.status === 'done'
						? isNotNull(accountActions.completedAt)
						: undefined,
				after
					? sql`(${accountActions.dueAt}, ${accountActions.id}) > (${after.dueAt.toISOString()}::timestamptz, ${after.id}::uuid)`
					: undefined,
			),
		)
		.orderBy(asc(accountActions.dueAt), asc(accountActions.id))
		.limit(query.limit + 1)
	const page = rows.slice(0, query.limit)
	return {
		tasks: page.map((task) => toApiTask(task, timeZone)),
		nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!) : null,
	}
}

async function findTask(orgId: string, taskId: string) {
	if (!isUuid(taskId)) return null
	const [task] = await db
		.select()
		.from(accountActions)
		.where(and(eq(accountActions.orgId, orgId), eq(accountActions.id, taskId)))
	return task ?? null
}

/**
 * The vendor's job confirms an erase or a refresh (as the reporting page's
 * Done button does). Completing a task already done answers it as it is,
 * so a retried call is harmless.
 */
export async function completeApiTask(orgId: string, actor: Actor, taskId: string, now = new Date()): Promise<ApiTask> {
	const task = await findTask(orgId, taskId)
	if (!task) throw new UserFacingError('No such task in this organisation.', 404)
	const timeZone = await timeZoneOf(orgId)
	if (task.completedAt) return toApiTask(task, timeZone)
	try {
		const done = await completeTask(orgId, actor, task.appId, task.id, now)
		return toApiTask(done, timeZone)
	} catch (error) {
		// Completed by someone else between the read above and the lock (a retry racing its original, or
		// the reporting page's Done button): answered as done, like any other retry, not as a 409.
		if (!(error instanceof UserFacingError) || error.status !== 409) throw error
		const current = await findTask(orgId, taskId)
		if (!current?.completedAt) throw error
		return toApiTask(current, timeZone)
	}
}
