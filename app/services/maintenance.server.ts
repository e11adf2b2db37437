import { sql } from 'drizzle-orm'
import { db } from '#db/client.server'
import { rowsOf } from '~/utils/sql-rows.server'
import { deleteExpiredIdempotencyKeys } from './api-idempotency.server'
import { deleteExpiredSessions } from './auth.server'
import { refreshEveryMarkedOrganisation } from './dashboard.server'
import { deleteExpiredRateLimits } from './rate-limit.server'

/**
 * Housekeeping the server runs at start and every 10 minutes: expired
 * sessions, limit rows nobody reads any more and stored API answers older
 * than IDEMPOTENCY_RETENTION_DAYS are deleted (a session is also refused,
 * and deleted, when its cookie comes back after expiry); the marks left by
 * changes are computed into each organisation's dashboard version (decision
 * 034), so they do not pile up where nobody opens it; tables that grew or
 * shrank since the planner last measured them are measured again.
 */
export async function runMaintenance(now = new Date()) {
	await deleteExpiredSessions(now)
	const rateLimits = await deleteExpiredRateLimits()
	const idempotencyKeys = await deleteExpiredIdempotencyKeys(now)
	const organisationsMarked = await refreshEveryMarkedOrganisation(now)
	const analysed = await refreshPlannerStatistics()
	return { rateLimits, idempotencyKeys, organisationsMarked, analysed }
}

/**
 * The embedded database runs no autovacuum, so nothing else keeps the planner's statistics: an organisation
 * that grew from ten apps to ten thousand was still planned as if it had none (a nested loop of 10,000 index
 * probes where one hash join does; docs/performance.md › Planner statistics). Each table with data that was
 * never measured, or whose size moved by more than a fifth (and 10 pages) since it was, is analysed. On
 * PostgreSQL autovacuum has usually done it first, and then nothing is stale.
 */
export async function refreshPlannerStatistics(): Promise<string[]> {
	const stale = rowsOf<{ name: string }>(
		await db.execute(sql`select c.relname as name
			from pg_class c join pg_namespace n on n.oid = c.relnamespace
			where n.nspname = current_schema() and c.relkind = 'r' and pg_relation_size(c.oid) > 0
				and (c.reltuples < 0
					or abs(pg_relation_size(c.oid) / current_setting('block_size')::int - c.relpages)
						> greatest(c.relpages / 5, 10))
			order by 1`),
	).map((row) => row.name)
	for (const name of stale) await db.execute(sql`analyze ${sql.identifier(name)}`)
	return stale
}
