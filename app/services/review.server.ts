import { aliasedTable, and, asc, eq, inArray, sql } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { accessRequests, apps, memberships, organizations, requestEvents, requestUseCases, tickets, users } from '#db/schema'
import {
	decideUseCase,
	STATE_LABELS,
	transition,
	useCasesApproved,
	type RequestAction,
	type RequestState,
	type TransitionErrorCode,
	type UseCaseDecisionErrorCode,
} from '~/domain/request-lifecycle'
import { type Role } from '~/domain/roles'
import { parseTicketKey } from '~/domain/tickets'
import { UserFacingError } from '~/utils/errors'
import { auditRefusals, recordAudit } from './audit.server'
import { membersWithRole, notify, type NotificationKind } from './notifications.server'
import { evaluateSaved, type RequestRow, type UseCaseRow } from './requests.server'
import { OPEN_TICKET_STATES } from './tickets.server'
import { isUuid } from '~/utils/ids'

const NOT_FOUND = 'No such request in this organisation.'

/** Shown on a version mismatch; nothing was written (design.md › lifecycle: "the other is told"). */
export const STALE_MESSAGE =
	'Someone else changed this request after you opened it, so nothing was saved. Reload the page to see the current state, then try again.'

export type Actor = { id: string; roles: readonly Role[] }

/** Input of a transition, beyond the action itself. Each lands in the event's `details`. */
export type TransitionInput = {
	/** Reviewer's comment when sending back; optional note otherwise. */
	comment?: string
	ticket?: { key: string; url?: string | null; openedAt: Date }
	/** What Atlassian asked, the reply, approved scopes, decline/revocation reason… */
	details?: Record<string, string | string[] | null>
	/** When it happened at Atlassian (defaults to now). */
	occurredAt?: Date
}

// Who fixes what decides the status: a role or four-eyes refusal is 403,
// a state or freshness problem 409, missing input 400 (with its field).
const TRANSITION_STATUS: Record<TransitionErrorCode | UseCaseDecisionErrorCode, { status: 400 | 403 | 409; field?: string }> = {
	illegal_transition: { status: 409 },
	not_in_review: { status: 409 },
	forbidden_role: { status: 403 },
	four_eyes: { status: 403 },
	checklist_failing: { status: 409 },
	use_cases_pending: { status: 409 },
	rejected_code: { status: 409 },
	comment_required: { status: 400, field: 'comment' },
	reason_required: { status: 400, field: 'reason' },
	invalid_ticket_key: { status: 400, field: 'ticketKey' },
}

function refuse(code: TransitionErrorCode | UseCaseDecisionErrorCode, message: string): never {
	const { status, field } = TRANSITION_STATUS[code]
	throw new UserFacingError(message, status, field)
}

/**
 * Locks the request row for the rest of the transaction and checks the
 * version the form carried. A concurrent writer waits here for the lock,
 * then sees the bumped version and is refused.
 */
async function lockRequest(tx: Tx, orgId: string, requestId: string, expectedVersion: number) {
	if (!isUuid(requestId)) throw new UserFacingError(NOT_FOUND, 404)
	const [request] = await tx
		.select()
		.from(accessRequests)
		.where(and(eq(accessRequests.id, requestId), eq(accessRequests.orgId, orgId)))
		.for('update')
	if (!request) throw new UserFacingError(NOT_FOUND, 404)
	if (request.version !== expectedVersion) throw new UserFacingError(STALE_MESSAGE, 409)
	const useCases = await tx
		.select()
		.from(requestUseCases)
		.where(eq(requestUseCases.requestId, requestId))
		.orderBy(asc(requestUseCases.position))
	return { request, useCases }
}

/** Four eyes (design.md › Who uses it): created or last edited the request. */
export function isAuthorOf(request: Pick<RequestRow, 'createdBy' | 'updatedBy'>, userId: string) {
	return request.createdBy === userId || request.updatedBy === userId
}

async function bumpVersion(tx: Tx, request: RequestRow, state: RequestState) {
	const [saved] = await tx
		.update(accessRequests)
		.set({ state, version: request.version + 1, updatedAt: sql`now()` })
		.where(and(eq(accessRequests.id, request.id), eq(accessRequests.version, request.version)))
		.returning()
	// The row is locked, so this only guards against a bug elsewhere.
	if (!saved) throw new UserFacingError(STALE_MESSAGE, 409)
	return saved
}

function requestLink(orgSlug: string, requestId: string) {
	return `/o/${orgSlug}/requests/${requestId}`
}

/** Who hears about an action, and what they read (issue 5 › notifications). */
function notificationFor(
	action: RequestAction,
	appName: string,
	details: Record<string, unknown>,
): { kind: NotificationKind; audience: 'authors' | 'reviewers'; message: string } | null {
	switch (action) {
		case 'submit_for_review':
			return { kind: 'request_submitted', audience: 'reviewers', message: `The request for ${appName} is waiting for your review.` }
		case 'request_changes':
			return {
				kind: 'request_sent_back',
				audience: 'authors',
				message: `The request for ${appName} was sent back for changes: ${String(details.comment ?? '')}`,
			}
		case 'complete_review':
			return {
				kind: 'request_decided',
				audience: 'authors',
				message: `Every use case of the request for ${appName} is approved: it is ready to send to Atlassian.`,
			}
		case 'atlassian_requested_info':
			return { kind: 'atlassian_answered', audience: 'authors', message: `Atlassian asked for more information about ${appName}.` }
		case 'atlassian_approved':
			return { kind: 'atlassian_answered', audience: 'authors', message: `Atlassian approved Email API access for ${appName}.` }
		case 'atlassian_declined':
			return { kind: 'atlassian_answered', audience: 'authors', message: `Atlassian declined the request for ${appName}.` }
		case 'atlassian_revoked':
			return { kind: 'atlassian_answered', audience: 'authors', message: `Atlassian revoked Email API access for ${appName}.` }
		default:
			return null
	}
}

async function orgSlugOf(tx: Tx, orgId: string) {
	const [row] = await tx.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, orgId))
	return row?.slug ?? ''
}

/**
 * Moves a request through the lifecycle: one transaction that locks the row,
 * checks the version, asks the state machine, applies the action's own
 * writes (ticket, cleared decisions), bumps the version and records the
 * timeline event, the audit event and notifications (design.md › lifecycle).
 */
export function applyTransition(
	orgId: string,
	actor: Actor,
	requestId: string,
	expectedVersion: number,
	action: RequestAction,
	input: TransitionInput = {},
) {
	// A refusal for who is asking (four eyes, a role) is recorded after the rollback (docs/rules.md › Audit trail).
	const refusal = { orgId, actorUserId: actor.id, roles: actor.roles, subjectType: 'access_request', subjectId: requestId }
	return auditRefusals({ ...refusal, action: 'request.action_refused', attempted: { attempted: action } }, () =>
		applyTransitionOnce(orgId, actor, requestId, expectedVersion, action, input),
	)
}

async function applyTransitionOnce(
	orgId: string,
	actor: Actor,
	requestId: string,
	expectedVersion: number,
	action: RequestAction,
	input: TransitionInput,
) {
	return db.transaction(async (tx) => {
		const { request, useCases } = await lockRequest(tx, orgId, requestId, expectedVersion)
		const result = transition(request.state, action, {
			roles: actor.roles,
			isAuthor: isAuthorOf(request, actor.id),
			// Recomputed rather than trusting the stored flag, in case the engine changed since the save.
			checklistReady: evaluateSaved({ ...request, useCases, app: { id: request.appId, name: request.appName } }).ready,
			allUseCasesApproved: useCasesApproved(useCases),
			comment: input.comment,
			ticketKey: input.ticket?.key,
		})
		if (!result.ok) refuse(result.code, result.message)

		const occurredAt = input.occurredAt ?? new Date()
		const details: Record<string, unknown> = { ...input.details }
		if (input.comment?.trim()) details.comment = input.comment.trim()

		if (action === 'reopen') {
			// Edited content is reviewed again from scratch.
			await tx
				.update(requestUseCases)
				.set({ decision: null, decisionReason: null, decidedBy: null, decidedAt: null })
				.where(eq(requestUseCases.requestId, request.id))
		}
		if (action === 'record_ticket' && input.ticket) {
			const parsed = parseTicketKey(input.ticket.key)
			if (!parsed.ok) refuse('invalid_ticket_key', parsed.message)
			await tx
				.insert(tickets)
				.values({
					orgId,
					requestId: request.id,
					key: parsed.key,
					url: input.ticket.url || null,
					openedAt: input.ticket.openedAt,
					lastActivityAt: input.ticket.openedAt,
					createdBy: actor.id,
				})
				.onConflictDoUpdate({
					// A request reopened after a ticket was recorded keeps one ticket row.
					target: tickets.requestId,
					set: { key: parsed.key, url: input.ticket.url || null, openedAt: input.ticket.openedAt, lastActivityAt: input.ticket.openedAt },
				})
			Object.assign(details, { ticketKey: parsed.key, url: input.ticket.url || null, openedAt: input.ticket.openedAt.toISOString() })
		} else if (['atlassian_requested_info', 'record_reply', 'atlassian_approved', 'atlassian_declined', 'atlassian_revoked'].includes(action)) {
			await touchTicket(tx, orgId, request.id, occurredAt)
		}

		const saved = await bumpVersion(tx, request, result.to)
		await tx.insert(requestEvents).values({
			orgId,
			requestId: request.id,
			kind: action,
			fromState: request.state,
			toState: result.to,
			actorUserId: actor.id,
			occurredAt,
			details,
		})
		await recordAudit(tx, {
			orgId,
			actorUserId: actor.id,
			action: `request.${action}`,
			subjectType: 'access_request',
			subjectId: request.id,
			before: { state: request.state, version: request.version },
			after: { state: saved.state, version: saved.version, ...details },
		})
		const note = notificationFor(action, request.appName, details)
		if (note) {
			const audience =
				note.audience === 'authors'
					? [request.createdBy, request.updatedBy]
					: (await membersWithRole(tx, orgId, 'reviewer')).filter((id) => !isAuthorOf(request, id))
			await notify(tx, {
				orgId,
				userIds: audience.filter((id) => id !== actor.id),
				kind: note.kind,
				message: note.message,
				requestId: request.id,
				link: requestLink(await orgSlugOf(tx, orgId), request.id),
			})
		}
		return saved
	})
}

/** A ticket change counts as activity: it restarts the quiet period (domain.md › Tickets). */
async function touchTicket(tx: Tx, orgId: string, requestId: string, at: Date) {
	await tx
		.update(tickets)
		.set({ lastActivityAt: sql`greatest(${tickets.lastActivityAt}, ${at.toISOString()}::timestamptz)` })
		.where(and(eq(tickets.orgId, orgId), eq(tickets.requestId, requestId)))
}

/**
 * The vendor chased Atlassian (or Atlassian replied without changing the
 * status): a timeline entry that restarts the quiet period. Same locking
 * and version rules as a transition; the state does not change.
 */
export function recordTicketNote(orgId: string, actor: Actor, requestId: string, expectedVersion: number, note: string) {
	const refusal = { orgId, actorUserId: actor.id, roles: actor.roles, subjectType: 'access_request', subjectId: requestId }
	return auditRefusals({ ...refusal, action: 'request.action_refused', attempted: { attempted: 'ticket_note' } }, () =>
		recordTicketNoteOnce(orgId, actor, requestId, expectedVersion, note),
	)
}

async function recordTicketNoteOnce(orgId: string, actor: Actor, requestId: string, expectedVersion: number, note: string) {
	return db.transaction(async (tx) => {
		const { request } = await lockRequest(tx, orgId, requestId, expectedVersion)
		if (!(OPEN_TICKET_STATES as readonly string[]).includes(request.state)) {
			throw new UserFacingError(
				`A follow-up can be recorded only while the ticket is open; the request is ${STATE_LABELS[request.state].toLowerCase()}. Reload the request.`,
				409,
			)
		}
		if (!actor.roles.includes('member') && !actor.roles.includes('reviewer')) {
			throw new UserFacingError('Only a vendor or a compliance reviewer can record ticket activity.', 403)
		}
		const text = note.trim()
		if (!text) throw new UserFacingError('Say what you asked or what Atlassian said.', 400, 'note')
		const now = new Date()
		await touchTicket(tx, orgId, request.id, now)
		const saved = await bumpVersion(tx, request, request.state)
		await tx.insert(requestEvents).values({
			orgId,
			requestId: request.id,
			kind: 'ticket_follow_up',
			fromState: request.state,
			toState: request.state,
			actorUserId: actor.id,
			occurredAt: now,
			details: { note: text },
		})
		await recordAudit(tx, {
			orgId,
			actorUserId: actor.id,
			action: 'ticket.follow_up',
			subjectType: 'access_request',
			subjectId: request.id,
			before: { version: request.version },
			after: { version: saved.version, note: text },
		})
		return saved
	})
}

/**
 * A reviewer approves or rejects one use case (issue 5 › reviewer queue).
 * Same transaction rules as a transition; the domain refuses four eyes,
 * rejected catalogue codes and a rejection without a reason.
 */
export function decideUseCaseOf(
	orgId: string,
	actor: Actor,
	requestId: string,
	expectedVersion: number,
	input: { useCaseId: string; decision: 'approve' | 'reject'; reason?: string },
) {
	const refusal = { orgId, actorUserId: actor.id, roles: actor.roles, subjectType: 'access_request', subjectId: requestId }
	const attempted = { attempted: input.decision, useCaseId: input.useCaseId }
	return auditRefusals({ ...refusal, action: 'request.decide_refused', attempted }, () =>
		decideUseCaseOnce(orgId, actor, requestId, expectedVersion, input),
	)
}

async function decideUseCaseOnce(
	orgId: string,
	actor: Actor,
	requestId: string,
	expectedVersion: number,
	input: { useCaseId: string; decision: 'approve' | 'reject'; reason?: string },
) {
	return db.transaction(async (tx) => {
		const { request, useCases } = await lockRequest(tx, orgId, requestId, expectedVersion)
		const useCase = useCases.find((row) => row.id === input.useCaseId)
		if (!useCase) throw new UserFacingError('That use case is not part of this request. Reload the request.', 404)
		const result = decideUseCase({
			requestState: request.state,
			engineOutcome: useCase.engineOutcome,
			decision: input.decision,
			reason: input.reason,
			ctx: { roles: actor.roles, isAuthor: isAuthorOf(request, actor.id) },
		})
		if (!result.ok) refuse(result.code, result.message)
		const now = new Date()
		await tx
			.update(requestUseCases)
			.set({ decision: result.decision, decisionReason: result.reason, decidedBy: actor.id, decidedAt: now })
			.where(eq(requestUseCases.id, useCase.id))
		const saved = await bumpVersion(tx, request, request.state)
		const what = { useCaseId: useCase.id, code: useCase.code, description: useCase.description }
		await tx.insert(requestEvents).values({
			orgId,
			requestId: request.id,
			kind: 'use_case_decided',
			fromState: request.state,
			toState: request.state,
			actorUserId: actor.id,
			occurredAt: now,
			details: { ...what, decision: result.decision, reason: result.reason },
		})
		await recordAudit(tx, {
			orgId,
			actorUserId: actor.id,
			action: 'request.use_case_decided',
			subjectType: 'access_request',
			subjectId: request.id,
			before: { ...what, decision: useCase.decision, reason: useCase.decisionReason, version: request.version },
			after: { ...what, decision: result.decision, reason: result.reason, version: saved.version },
		})
		return saved
	})
}

// ── Reading ─────────────────────────────────────────────────────────────

const actorUsers = aliasedTable(users, 'actor')

/** The request's timeline, oldest first, with who did each step. */
export async function listRequestEvents(orgId: string, requestId: string) {
	if (!isUuid(requestId)) return []
	return db
		.select({
			id: requestEvents.id,
			kind: requestEvents.kind,
			fromState: requestEvents.fromState,
			toState: requestEvents.toState,
			occurredAt: requestEvents.occurredAt,
			details: requestEvents.details,
			actorName: actorUsers.name,
		})
		.from(requestEvents)
		.leftJoin(actorUsers, eq(actorUsers.id, requestEvents.actorUserId))
		.where(and(eq(requestEvents.orgId, orgId), eq(requestEvents.requestId, requestId)))
		.orderBy(asc(requestEvents.id))
}

/**
 * Who could review this request: reviewers of the org other than its
 * authors. Empty means review cannot proceed, and the page says why.
 */
export async function eligibleReviewers(orgId: string, request: Pick<RequestRow, 'createdBy' | 'updatedBy'>) {
	const rows = await db
		.select({ userId: memberships.userId, name: users.name })
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.where(and(eq(memberships.orgId, orgId), sql`'reviewer' = any(${memberships.roles})`))
	return rows.filter((row) => !isAuthorOf(request, row.userId))
}

export type QueueItem = {
	id: string
	appName: string
	appId: string
	version: number
	checklistReady: boolean
	submittedAt: Date
	authorName: string
	isAuthor: boolean
	amendsRequestId: string | null
	useCases: Pick<UseCaseRow, 'id' | 'code' | 'description' | 'engineOutcome' | 'suggestedCode' | 'decision' | 'decisionReason'>[]
}

/** Requests in review, the longest-waiting first (issue 5 › reviewer queue). */
export async function listReviewQueue(orgId: string, viewerId: string): Promise<QueueItem[]> {
	const submittedAt = sql<Date>`coalesce((select max(${requestEvents.occurredAt}) from ${requestEvents} where ${requestEvents.requestId} = ${accessRequests.id} and ${requestEvents.kind} = 'submit_for_review'), ${accessRequests.updatedAt})`
	const rows = await db
		.select({
			request: accessRequests,
			appName: apps.name,
			authorName: users.name,
			submittedAt: submittedAt.mapWith((value: string | Date) => new Date(value)),
		})
		.from(accessRequests)
		.innerJoin(apps, eq(apps.id, accessRequests.appId))
		.innerJoin(users, eq(users.id, accessRequests.createdBy))
		.where(and(eq(accessRequests.orgId, orgId), eq(accessRequests.state, 'in_review')))
		.orderBy(asc(submittedAt), asc(accessRequests.createdAt))
	const ids = rows.map((row) => row.request.id)
	const useCases = ids.length
		? await db.select().from(requestUseCases).where(inArray(requestUseCases.requestId, ids)).orderBy(asc(requestUseCases.position))
		: []
	return rows.map((row) => ({
		id: row.request.id,
		appName: row.appName,
		appId: row.request.appId,
		version: row.request.version,
		checklistReady: row.request.checklistReady,
		submittedAt: row.submittedAt,
		authorName: row.authorName,
		isAuthor: isAuthorOf(row.request, viewerId),
		amendsRequestId: row.request.amendsRequestId,
		useCases: useCases
			.filter((useCase) => useCase.requestId === row.request.id)
			.map(({ id, code, description, engineOutcome, suggestedCode, decision, decisionReason }) => ({
				id,
				code,
				description,
				engineOutcome,
				suggestedCode,
				decision,
				decisionReason,
			})),
	}))
}
