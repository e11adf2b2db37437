import { and, desc, eq, lt } from 'drizzle-orm'
import { auditEvents } from '#db/schema'
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
