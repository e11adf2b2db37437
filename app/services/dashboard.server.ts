import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { appDeadlineMarks, appDeadlines, appDeadlineVersions, orgViewMarks } from '#db/schema'
import { summariseDue, type DueSummary } from '~/components/reporting-chart'
import { type ReportingState } from '~/domain/reporting-cycle'
import { hasNul } from '~/domain/text'
import { localDateOf } from '~/domain/zoned-time'
import { type DashboardFilter } from '~/schemas/reporting'
import { BoundedMap } from '~/utils/bounded-map'
import { likePattern } from '~/utils/sql-like'
import { rowsOf } from '~/utils/sql-rows.server'
import { dashboardRows, getOrgPolicy, type DashboardRow } from './reporting.server'

/**
 * The dashboard at thousands of apps (issue 16; docs/performance.md › The dashboard at thousands of apps).
 *
 * Each app's deadline is computed by the domain rules (dashboardRows → reportingStatus) and kept in
 * app_deadlines; the status is then read against the clock in SQL, so counting, filtering, paging and the
 * chart cost a few aggregate statements over small rows, not the rules run for every app at every view.
 * A change to anything a deadline rests on leaves a mark (triggers, migration 0012, in the writer's own
 * transaction); marked apps are computed again here before anything is read. The rows shown on the page
 * are computed afresh from their inputs, so what a person reads is never a kept value.
 */

/** Above this many marked apps the whole organisation is computed in one pass (as dashboardRows does). */
const MARKED_IN_ONE_LIST = 500

export type DeadlineBasis = 'dated' | 'due_now' | 'answer_needed' | 'not_required'

/** What a dashboard row's status rests on, without the clock. */
export function deadlineOf(row: Pick<DashboardRow, 'status' | 'dueAt'>, timeZone: string) {
	const basis: DeadlineBasis =
		row.status === 'not_required'
			? 'not_required'
			: row.status === 'answer_needed'
				? 'answer_needed'
				: row.dueAt
					? 'dated'
					: 'due_now'
	return { basis, dueAt: row.dueAt, dueDay: row.dueAt ? localDateOf(row.dueAt, timeZone) : null }
}

/**
 * Whether any app of the organisation is marked (or anything else its dashboard shows: org_view_marks), and the
 * version its kept deadlines and dashboards are at: one statement.
 */
async function deadlineState(orgId: string): Promise<{ pending: boolean; version: number }> {
	const [state] = rowsOf<{ pending: boolean; version: string | number }>(
		await db.execute(sql`select
			(exists (select 1 from ${appDeadlineMarks} where ${appDeadlineMarks.orgId} = ${orgId})
				or exists (select 1 from ${orgViewMarks} where ${orgViewMarks.orgId} = ${orgId})) as pending,
			coalesce((select ${appDeadlineVersions.version} from ${appDeadlineVersions}
				where ${appDeadlineVersions.orgId} = ${orgId}), 0) as version`),
	)
	return { pending: Boolean(state?.pending), version: Number(state?.version ?? 0) }
}

/**
 * Computes again the deadlines of the organisation's marked apps, then removes exactly the marks it read (and the
 * organisation's view marks) and moves the organisation's version. One transaction under the organisation's
 * advisory lock, so two views never write an older computation over a newer one; a change committed meanwhile
 * leaves its own mark for the next view. Answers the number of apps computed.
 */
export async function refreshDeadlines(orgId: string, now = new Date()): Promise<number> {
	return (await deadlineState(orgId)).pending ? refreshMarked(orgId, now) : 0
}

/**
 * Computes the marks of every organisation that has some (the server's housekeeping, every 10 minutes), so marks
 * left in an organisation whose dashboard nobody opens do not pile up. Answers the number of organisations.
 */
export async function refreshEveryMarkedOrganisation(now = new Date()): Promise<number> {
	const marked = rowsOf<{ org_id: string }>(
		await db.execute(sql`select distinct org_id from ${appDeadlineMarks}
			union select distinct org_id from ${orgViewMarks}`),
	)
	for (const { org_id } of marked) await refreshDeadlines(org_id, now)
	return marked.length
}

function refreshMarked(orgId: string, now: Date): Promise<number> {
	return db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`deadlines:${orgId}`}, 0))`)
		const marks = await tx
			.select({ id: appDeadlineMarks.id, appId: appDeadlineMarks.appId })
			.from(appDeadlineMarks)
			.where(eq(appDeadlineMarks.orgId, orgId))
		const viewMarks = await tx.select({ id: orgViewMarks.id }).from(orgViewMarks).where(eq(orgViewMarks.orgId, orgId))
		if (marks.length === 0 && viewMarks.length === 0) return 0
		const appIds = [...new Set(marks.map((mark) => mark.appId))]
		if (appIds.length > 0) {
			const { rows, timeZone } = await dashboardRows(
				orgId,
				now,
				appIds.length > MARKED_IN_ONE_LIST ? undefined : { appIds },
				tx,
			)
			await writeDeadlines(tx, orgId, rows, timeZone)
		}
		// Exactly the marks read: one committed since (its id may be lower: ids are not given in commit order) stays.
		for (let from = 0; from < marks.length; from += 5_000) {
			const ids = marks.slice(from, from + 5_000).map((mark) => mark.id)
			await tx.delete(appDeadlineMarks).where(and(eq(appDeadlineMarks.orgId, orgId), inArray(appDeadlineMarks.id, ids)))
		}
		for (let from = 0; from < viewMarks.length; from += 5_000) {
			const ids = viewMarks.slice(from, from + 5_000).map((mark) => mark.id)
			await tx.delete(orgViewMarks).where(and(eq(orgViewMarks.orgId, orgId), inArray(orgViewMarks.id, ids)))
		}
		// Whatever the marks were for (an archived or renamed app changes no deadline but does change the
		// dashboard), the version moves: a kept dashboard answer is only ever used under its own version.
		await tx
			.insert(appDeadlineVersions)
			.values({ orgId, version: 1 })
			.onConflictDoUpdate({
				target: appDeadlineVersions.orgId,
				set: { version: sql`${appDeadlineVersions.version} + 1` },
			})
		return appIds.length
	})
}

async function writeDeadlines(tx: Tx, orgId: string, rows: DashboardRow[], timeZone: string) {
	for (let from = 0; from < rows.length; from += 1_000) {
		const values = rows.slice(from, from + 1_000).map((row) => ({ appId: row.id, orgId, ...deadlineOf(row, timeZone) }))
		await tx
			.insert(appDeadlines)
			.values(values)
			.onConflictDoUpdate({
				target: appDeadlines.appId,
				set: {
					basis: sql`excluded.basis`,
					dueAt: sql`excluded.due_at`,
					dueDay: sql`excluded.due_day`,
					computedAt: sql`now()`,
				},
			})
	}
}

/** The status of each app against the clock, in SQL: the same reading as reportingStatus. */
function statusSql(now: Date, today: string): SQL<ReportingState> {
	return sql<ReportingState>`case d.basis
		when 'not_required' then 'not_required'
		when 'answer_needed' then 'answer_needed'
		when 'due_now' then 'overdue'
		else case
			when ${now.toISOString()}::timestamptz > d.due_at then 'overdue'
			when d.due_day - ${today}::date <= 3 then 'due_soon'
			else 'on_track'
		end
	end`
}

export type DashboardQuery = { status: DashboardFilter; q: string; page: number }

export type DashboardPage = {
	timeZone: string
	appCount: number
	counts: Record<ReportingState, number>
	chart: DueSummary
	/** Apps matching the filter, and this page of them (most urgent first). */
	total: number
	rows: DashboardRow[]
	/**
	 * The first instant after the view at which the clock alone changes what it shows (ms since the epoch), or null:
	 * an app's deadline passing or a shown task falling overdue. The day turning in the organisation's zone too.
	 */
	changesAt: number | null
}

/**
 * One page of the organisation's active apps by urgency, the counts per status and the chart: the same
 * order and figures as dashboardRows, in a bounded number of statements whatever the number of apps.
 */
export async function dashboardPage(
	orgId: string,
	query: DashboardQuery,
	{ pageSize, chartDays }: { pageSize: number; chartDays: number },
	now = new Date(),
): Promise<DashboardPage> {
	const state = await deadlineState(orgId)
	if (state.pending) await refreshMarked(orgId, now)
	const { timeZone } = await getOrgPolicy(orgId)
	const today = localDateOf(now, timeZone)
	const key = JSON.stringify([orgId, query.status, query.q, query.page, pageSize, chartDays])
	const entry = state.pending ? undefined : keptAnswers.get(key)
	const answer =
		entry && holds(entry, state.version, today, now)
			? entry.answer
			: keep(key, await answerOf(orgId, query, { pageSize, chartDays }, now, today), today, now)
	const counts: Record<ReportingState, number> = {
		overdue: 0,
		answer_needed: 0,
		due_soon: 0,
		on_track: 0,
		not_required: 0,
	}
	for (const row of answer.counts) counts[row.status] = row.n
	// The rows a person reads are computed afresh (headline, tasks, request), in the page's order.
	const fresh = answer.ids.length === 0 ? [] : (await dashboardRows(orgId, now, { appIds: answer.ids })).rows
	const byId = new Map(fresh.map((row) => [row.id, row]))
	const rows = answer.ids.flatMap((id) => byId.get(id) ?? [])
	const instants = [answer.nextChange, ...rows.map((row) => row.nextTaskDue)].filter((at) => at !== null)
	return {
		timeZone,
		appCount: Object.values(counts).reduce((sum, n) => sum + n, 0),
		counts,
		chart: chartOf(answer.chart, chartDays),
		total: answer.total,
		rows,
		changesAt: instants.length === 0 ? null : Math.min(...instants),
	}
}

/** What the one statement answers: the counts, the chart's days, the filtered total and the page's ids. */
type Answer = {
	counts: CountRow[]
	chart: ChartRow[]
	total: number
	ids: string[]
	/** The organisation's version in the statement's own snapshot. */
	version: number
	/** The first kept deadline still ahead (ms since the epoch): the next moment an app's status changes. */
	nextChange: number | null
}

/**
 * Dashboard answers this server computed, each kept while it provably still holds (holds()): the same
 * version of the kept deadlines, the same day in the organisation's zone, and no app's deadline passed
 * since. Repeat views of a busy dashboard then skip the statement that reads every app; each server keeps
 * its own, and the version in the database keeps servers that share it exact.
 */
type KeptAnswer = { answer: Answer; today: string; from: number; until: number }
const keptAnswers = new BoundedMap<string, KeptAnswer>(500)

function holds(entry: KeptAnswer, version: number, today: string, now: Date) {
	const at = now.getTime()
	return entry.answer.version === version && entry.today === today && at >= entry.from && at < entry.until
}

function keep(key: string, answer: Answer, today: string, now: Date) {
	keptAnswers.set(key, { answer, today, from: now.getTime(), until: answer.nextChange ?? Infinity })
	return answer
}

async function answerOf(
	orgId: string,
	query: DashboardQuery,
	{ pageSize, chartDays }: { pageSize: number; chartDays: number },
	now: Date,
	today: string,
): Promise<Answer> {
	const needle = query.q.trim()
	const matches = and(
		query.status === 'all' ? undefined : sql`status = ${query.status}`,
		// As the search box does everywhere (searchCondition): anywhere in the name or key, any case; a NUL finds nothing.
		!needle
			? undefined
			: hasNul(needle)
				? sql`false`
				: sql`(name ilike ${likePattern(needle)} or app_key ilike ${likePattern(needle)})`,
	)
	// Without a filter, the page and its total are read from every active app (no copy of them all).
	const matching = matches ? sql`matching` : sql`s`
	// One statement: the organisation's active apps with their status against the clock are read once (the
	// CTE), then counted per status, summarised per day for the chart, filtered, counted and paged.
	const [answer] = rowsOf<Omit<Answer, 'nextChange'> & { next_change: number | null }>(
		await db.execute(sql`with s as materialized (
				select a.id, a.name, a.app_key, d.basis, d.due_at, d.due_day, ${statusSql(now, today)} as status
				from apps a join app_deadlines d on d.app_id = a.id
				where a.org_id = ${orgId} and d.org_id = ${orgId} and a.archived_at is null
			)${matches ? sql`, matching as (select * from s where ${matches})` : sql``}
			select
				(select coalesce(json_agg(json_build_object('status', status, 'n', n)), '[]')
					from (select status, count(*)::int as n from s group by 1) c) as counts,
				(select coalesce(json_agg(json_build_object('status', status, 'days_left', days_left, 'due_day', due_day,
						'n', n, 'names', names)), '[]')
					from (select status, (due_day - ${today}::date)::int as days_left, due_day::text as due_day, count(*)::int as n,
							(array_agg(name order by due_at nulls first, lower(name), name, id))[1:3] as names
						from s where basis = 'due_now' or due_day - ${today}::date <= ${chartDays}
						group by 1, 2, 3) g) as chart,
				(select count(*)::int from ${matching}) as total,
				(select coalesce(json_agg(id order by urgency, due_at nulls first, lower_name, name, id), '[]')
					from (select id, ${URGENCY} as urgency, due_at, lower(name) as lower_name, name from ${matching}
						order by urgency, due_at nulls first, lower_name, name, id
						limit ${pageSize} offset ${(query.page - 1) * pageSize}) p) as ids,
				coalesce((select ${appDeadlineVersions.version} from ${appDeadlineVersions}
					where ${appDeadlineVersions.orgId} = ${orgId}), 0)::float8 as version,
				(select extract(epoch from min(due_at)) * 1000 from s
					where basis = 'dated' and due_at >= ${now.toISOString()}::timestamptz)::float8 as next_change`),
	)
	if (!answer) throw new Error('The dashboard statement answered no row.')
	const { next_change, ...rest } = answer
	return { ...rest, version: Number(rest.version), nextChange: next_change === null ? null : Number(next_change) }
}

type CountRow = { status: ReportingState; n: number }
type ChartRow = { status: ReportingState; days_left: number | null; due_day: string | null; n: number; names: string[] }

/** Most urgent first, as dashboardRows orders: overdue, answer needed, due soon, on track, not required. */
const URGENCY = sql.raw(`case status when 'overdue' then 0 when 'answer_needed' then 1 when 'due_soon' then 2
	when 'on_track' then 3 else 4 end`)

/** The chart's groups from SQL's per-day counts: the same summary summariseDue makes from every row. */
function chartOf(groups: ChartRow[], horizon: number): DueSummary {
	const summary = summariseDue([], horizon)
	const overdue = groups
		.filter((group) => group.status === 'overdue')
		// Nothing to count from first, then the oldest deadline: the dashboard's order.
		.sort((a, b) => (a.days_left ?? -Infinity) - (b.days_left ?? -Infinity))
	summary.overdue = {
		count: overdue.reduce((sum, group) => sum + group.n, 0),
		names: overdue.flatMap((group) => group.names).slice(0, 3),
	}
	summary.days = groups
		.filter(
			(group) =>
				(group.status === 'due_soon' || group.status === 'on_track') &&
				group.days_left !== null &&
				group.days_left >= 0,
		)
		.map((group) => ({ daysLeft: group.days_left!, dueDate: group.due_day, count: group.n, names: group.names }))
		.sort((a, b) => a.daysLeft - b.daysLeft)
	return summary
}
