import { and, asc, eq, inArray } from 'drizzle-orm'
import { db, type Database, type Tx } from '#db/client.server'
import { accessRequests, apps, organizations, requestEvents, tickets } from '#db/schema'
import { isTicketOpen, TICKET_OPEN_STATES } from '~/domain/request-lifecycle'
import {
	DATE_CORRECTED,
	daysWaiting,
	needsFollowUp,
	STEP_OF_EVENT,
	ticketSteps,
	type FollowUp,
	type TicketStep,
} from '~/domain/tickets'

export type TicketRow = typeof tickets.$inferSelect

export type TicketView = TicketRow & {
	open: boolean
	/** When Atlassian answered the ticket (its approval or decline, as dated), once it has. */
	answeredAt: Date | null
	/** Days from opening to now while open; to Atlassian's answer once answered (else to the last activity). */
	daysWaiting: number
	followUp: FollowUp | null
	/** The opening date and Atlassian's answers, each with the date in force (corrections applied). */
	steps: TicketStep[]
}

/** Event kinds that date the ticket: its steps, replies and follow-ups, and corrections of their dates. */
const TICKET_EVENT_KINDS = [...Object.keys(STEP_OF_EVENT), 'record_reply', 'ticket_follow_up', DATE_CORRECTED]

/** The request's events that date its ticket, oldest first (for `ticketSteps` and `lastActivity`). */
export async function ticketEvents(q: Tx | Database, orgId: string, requestId: string) {
	return q
		.select({
			id: requestEvents.id,
			kind: requestEvents.kind,
			occurredAt: requestEvents.occurredAt,
			details: requestEvents.details,
		})
		.from(requestEvents)
		.where(
			and(
				eq(requestEvents.orgId, orgId),
				eq(requestEvents.requestId, requestId),
				inArray(requestEvents.kind, TICKET_EVENT_KINDS),
			),
		)
		.orderBy(asc(requestEvents.id))
}

/**
 * The request's ticket with days waiting and, while it is open, whether it
 * has been quiet long enough to chase (docs/rules.md › Tickets; the quiet period
 * is the org's `followUpDays`).
 */
export async function getTicket(orgId: string, requestId: string, now = new Date()): Promise<TicketView | null> {
	const [row] = await db
		.select({
			ticket: tickets,
			state: accessRequests.state,
			followUpDays: organizations.followUpDays,
			timeZone: organizations.timeZone,
		})
		.from(tickets)
		.innerJoin(accessRequests, eq(accessRequests.id, tickets.requestId))
		.innerJoin(organizations, eq(organizations.id, tickets.orgId))
		.where(and(eq(tickets.orgId, orgId), eq(tickets.requestId, requestId)))
	if (!row) return null
	const open = isTicketOpen(row.state)
	const steps = ticketSteps(await ticketEvents(db, orgId, requestId))
	// Atlassian's answer as dated (corrections applied), not when it was recorded here.
	const answeredAt = steps.find((step) => step.kind === 'approved' || step.kind === 'declined')?.at ?? null
	return {
		...row.ticket,
		steps,
		open,
		answeredAt: open ? null : answeredAt,
		daysWaiting: daysWaiting(row.ticket.openedAt, open ? now : (answeredAt ?? row.ticket.lastActivityAt), row.timeZone),
		followUp: open
			? needsFollowUp({
					lastActivityAt: row.ticket.lastActivityAt,
					now,
					quietDays: row.followUpDays,
					timeZone: row.timeZone,
				})
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
		.where(and(eq(tickets.orgId, orgId), inArray(accessRequests.state, [...TICKET_OPEN_STATES])))
	return rows.flatMap((row) => {
		const followUp = needsFollowUp({
			lastActivityAt: row.lastActivityAt,
			now,
			quietDays: row.followUpDays,
			timeZone: row.timeZone,
		})
		if (!followUp.due) return []
		return [
			{
				requestId: row.requestId,
				key: row.key,
				appName: row.appName,
				daysQuiet: followUp.daysQuiet,
				lastActivityAt: row.lastActivityAt,
			},
		]
	})
}
