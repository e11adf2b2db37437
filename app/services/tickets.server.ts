import { and, eq, inArray } from 'drizzle-orm'
import { db } from '#db/client.server'
import { accessRequests, apps, organizations, tickets } from '#db/schema'
import { daysWaiting, needsFollowUp, type FollowUp } from '~/domain/tickets'

export type TicketRow = typeof tickets.$inferSelect

/** States in which the ticket is open at Atlassian: waiting for their answer or for ours. */
export const OPEN_TICKET_STATES = ['submitted', 'info_requested'] as const

export type TicketView = TicketRow & { open: boolean; daysWaiting: number; followUp: FollowUp | null }

/**
 * The request's ticket with days waiting and, while it is open, whether it
 * has been quiet long enough to chase (domain.md › Tickets; the quiet period
 * is the org's `followUpDays`).
 */
export async function getTicket(
	orgId: string,
	requestId: string,
	now = new Date(),
): Promise<TicketView | null> {
	const [row] = await db
		.select({ ticket: tickets, state: accessRequests.state, followUpDays: organizations.followUpDays, timeZone: organizations.timeZone })
		.from(tickets)
		.innerJoin(accessRequests, eq(accessRequests.id, tickets.requestId))
		.innerJoin(organizations, eq(organizations.id, tickets.orgId))
		.where(and(eq(tickets.orgId, orgId), eq(tickets.requestId, requestId)))
	if (!row) return null
	const open = (OPEN_TICKET_STATES as readonly string[]).includes(row.state)
	return {
		...row.ticket,
		open,
		// Once Atlassian has answered, the wait ended at the last recorded activity.
		daysWaiting: daysWaiting(row.ticket.openedAt, open ? now : row.ticket.lastActivityAt, row.timeZone),
		followUp: open
			? needsFollowUp({ lastActivityAt: row.ticket.lastActivityAt, now, quietDays: row.followUpDays, timeZone: row.timeZone })
			: null,
	}
}

export type QuietTicket = {
	requestId: string
	key: string
	appName: string
	daysQuiet: number
	lastActivityAt: Date
}

/** Open tickets of the org with no activity for `followUpDays` or more. */
export async function listQuietTickets(orgId: string, now = new Date()): Promise<QuietTicket[]> {
	const rows = await db
		.select({
			requestId: tickets.requestId,
			key: tickets.key,
			lastActivityAt: tickets.lastActivityAt,
			appName: apps.name,
			followUpDays: organizations.followUpDays,
			timeZone: organizations.timeZone,
		})
		.from(tickets)
		.innerJoin(accessRequests, eq(accessRequests.id, tickets.requestId))
		.innerJoin(apps, eq(apps.id, accessRequests.appId))
		.innerJoin(organizations, eq(organizations.id, tickets.orgId))
		.where(and(eq(tickets.orgId, orgId), inArray(accessRequests.state, [...OPEN_TICKET_STATES])))
	return rows.flatMap((row) => {
		const followUp = needsFollowUp({
			lastActivityAt: row.lastActivityAt,
			now,
			quietDays: row.followUpDays,
			timeZone: row.timeZone,
		})
		if (!followUp.due) return []
		return [{ requestId: row.requestId, key: row.key, appName: row.appName, daysQuiet: followUp.daysQuiet, lastActivityAt: row.lastActivityAt }]
	})
}
