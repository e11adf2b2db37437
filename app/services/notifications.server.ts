import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { memberships, notifications } from '#db/schema'
import { can, type Role } from '~/domain/roles'
import { listQuietTickets, type QuietTicket } from './tickets.server'

export type NotificationKind =
	| 'request_submitted'
	| 'request_sent_back'
	| 'request_decided'
	| 'atlassian_answered'
	/** A reminder of the scheduled pass (issue 13); the email digest lists these. */
	| 'reminder'

export type NewNotification = {
	orgId: string
	userIds: readonly string[]
	kind: NotificationKind
	message: string
	/** The request it is about; reminders about an app name none. */
	requestId?: string | null
	link: string
	/** Written as already read (a reminder kept for a person's email digest while their in-app channel is off). */
	readAt?: Date
}

/** Written in the caller's transaction, so a notification exists only for a change that committed. */
export async function notify(tx: Tx, notification: NewNotification) {
	const userIds = [...new Set(notification.userIds)]
	if (userIds.length === 0) return
	await tx.insert(notifications).values(
		userIds.map((userId) => ({
			orgId: notification.orgId,
			userId,
			kind: notification.kind,
			message: notification.message,
			link: notification.link,
			requestId: notification.requestId ?? null,
			readAt: notification.readAt ?? null,
		})),
	)
}

/** Members of the org holding `role`, for fan-out (e.g. every reviewer when a request is submitted). */
export async function membersWithRole(tx: Tx, orgId: string, role: Role) {
	const rows = await tx
		.select({ userId: memberships.userId })
		.from(memberships)
		.where(and(eq(memberships.orgId, orgId), sql`${role} = any(${memberships.roles})`))
	return rows.map((row) => row.userId)
}

export async function listNotifications(orgId: string, userId: string, { limit = 100 } = {}) {
	return db
		.select()
		.from(notifications)
		.where(and(eq(notifications.orgId, orgId), eq(notifications.userId, userId)))
		.orderBy(desc(notifications.createdAt))
		.limit(limit)
}

/**
 * Quiet tickets are computed on read (docs/architecture.md › Scaling out: no scheduler needed for a
 * prompt); they concern whoever records tickets, the vendors.
 */
export async function followUpsFor(orgId: string, roles: readonly Role[], now = new Date()): Promise<QuietTicket[]> {
	if (!can(roles, 'requests:edit')) return []
	return listQuietTickets(orgId, now)
}

export async function unreadCount(orgId: string, userId: string, roles: readonly Role[], now = new Date()) {
	const [row] = await db
		.select({ count: sql<number>`count(*)::int` })
		.from(notifications)
		.where(and(eq(notifications.orgId, orgId), eq(notifications.userId, userId), isNull(notifications.readAt)))
	const quiet = await followUpsFor(orgId, roles, now)
	return (row?.count ?? 0) + quiet.length
}

/** Marks one notification (or all, with `null`) read; only the owner's own rows. */
export async function markRead(orgId: string, userId: string, notificationId: string | null) {
	await db
		.update(notifications)
		.set({ readAt: sql`now()` })
		.where(
			and(
				eq(notifications.orgId, orgId),
				eq(notifications.userId, userId),
				isNull(notifications.readAt),
				notificationId ? eq(notifications.id, notificationId) : undefined,
			),
		)
}
