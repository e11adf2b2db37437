import { and, desc, eq, like, lt, sql } from 'drizzle-orm'
import { auditEvents, users } from '#db/schema'
import { db, type Database, type Tx } from '#db/client.server'

export interface AuditEntry {
	orgId: string
	actorUserId: string | null
	action: string
	subjectType: string
	subjectId: string
	before?: unknown
	after?: unknown
}

/**
 * Writes one audit event inside the caller's transaction, so the event and
 * the change it describes commit (or roll back) together.
 */
export async function recordAudit(tx: Tx | Database, entry: AuditEntry) {
	await tx.insert(auditEvents).values({
		orgId: entry.orgId,
		actorUserId: entry.actorUserId,
		action: entry.action,
		subjectType: entry.subjectType,
		subjectId: entry.subjectId,
		before: entry.before ?? null,
		after: entry.after ?? null,
	})
}

export async function listAuditEvents(
	orgId: string,
	{ limit = 50, beforeId }: { limit?: number; beforeId?: number } = {},
) {
	return db
		.select()
		.from(auditEvents)
		.where(
			and(
				eq(auditEvents.orgId, orgId),
				beforeId ? lt(auditEvents.id, beforeId) : undefined,
			),
		)
		.orderBy(desc(auditEvents.id))
		.limit(limit)
}

export type AuditFilter = {
	action?: string
	actorUserId?: string
	/** Inclusive calendar dates (YYYY-MM-DD) in the organisation's time zone. */
	from?: string
	to?: string
}

/**
 * The org's audit events matching `filter`, newest first, keyset-paged by
 * id (`beforeId`), with the actor's name. Dates are read in the org's time
 * zone, so "from 3 March" means 3 March where the auditor is.
 */
export async function searchAuditEvents(
	orgId: string,
	timeZone: string,
	filter: AuditFilter,
	{ limit = 50, beforeId }: { limit?: number; beforeId?: number } = {},
) {
	const rows = await db
		.select({
			id: auditEvents.id,
			action: auditEvents.action,
			subjectType: auditEvents.subjectType,
			subjectId: auditEvents.subjectId,
			before: auditEvents.before,
			after: auditEvents.after,
			createdAt: auditEvents.createdAt,
			actorUserId: auditEvents.actorUserId,
			actorName: users.name,
			actorEmail: users.email,
		})
		.from(auditEvents)
		.leftJoin(users, eq(users.id, auditEvents.actorUserId))
		.where(
			and(
				eq(auditEvents.orgId, orgId),
				filter.action ? like(auditEvents.action, `${filter.action.replace(/[\\%_]/g, '\\$&')}%`) : undefined,
				filter.actorUserId ? eq(auditEvents.actorUserId, filter.actorUserId) : undefined,
				filter.from ? sql`${auditEvents.createdAt} >= (${filter.from}::date)::timestamp at time zone ${timeZone}` : undefined,
				filter.to ? sql`${auditEvents.createdAt} < (${filter.to}::date + 1)::timestamp at time zone ${timeZone}` : undefined,
				beforeId ? lt(auditEvents.id, beforeId) : undefined,
			),
		)
		.orderBy(desc(auditEvents.id))
		.limit(limit + 1)
	return { events: rows.slice(0, limit), nextBeforeId: rows.length > limit ? rows[limit - 1]!.id : null }
}

/** Distinct actions and actors of the org, for the filter's pick lists. */
export async function auditFilterOptions(orgId: string) {
	const actions = await db
		.selectDistinct({ action: auditEvents.action })
		.from(auditEvents)
		.where(eq(auditEvents.orgId, orgId))
		.orderBy(auditEvents.action)
	const actors = await db
		.selectDistinct({ id: users.id, name: users.name })
		.from(auditEvents)
		.innerJoin(users, eq(users.id, auditEvents.actorUserId))
		.where(eq(auditEvents.orgId, orgId))
		.orderBy(users.name)
	return { actions: actions.map((row) => row.action), actors }
}
