import { aliasedTable, and, asc, eq, inArray, sql } from 'drizzle-orm'
import { db, type Database, type Tx } from '#db/client.server'
import {
	accessRequests,
	apps,
	auditEvents,
	memberships,
	organizations,
	requestEvents,
	requestUseCases,
	tickets,
	users,
} from '#db/schema'
import { answerOfRequest } from '~/domain/approved-scope'
import { isBeforeEarliestYear, TOO_EARLY_MESSAGE } from '~/domain/calendar-day'
import {
	authorsFromEvents,
	CONTENT_AUDIT_ACTIONS,
	decideUseCase,
	isTicketOpen,
	STATE_PHRASES,
	mayCorrectStep,
	stepCorrectors,
	transition,
	everyUseCaseApproved,
	type Authorship,
	type RequestAction,
	type RequestState,
	type TransitionErrorCode,
	type UseCaseDecisionErrorCode,
} from '~/domain/request-lifecycle'
import { ROLE_LABELS, type Role } from '~/domain/roles'
import {
	checkStepDate,
	correctedDates,
	DATE_CORRECTED,
	dayToInstant,
	lastActivity,
	parseTicketKey,
	STEP_NAMES,
	STEP_OF_EVENT,
	stepOf,
	ticketSteps,
	type TicketStepKind,
} from '~/domain/tickets'
import { UserFacingError } from '~/utils/errors'
import { isUuid } from '~/utils/ids'
import { amendmentBasis } from './amendments.server'
import { lockApp, personalDataSince } from './apps.server'
import { auditRefusals, recordAudit } from './audit.server'
import { membersWithRole, notify, type NotificationKind } from './notifications.server'
import { evaluateSaved, type RequestRow, type UseCaseRow } from './requests.server'
import { ticketEvents } from './tickets.server'

const NOT_FOUND = 'No such request in this organisation.'

/** Shown on a version mismatch; nothing was written (docs/architecture.md › Transactions and concurrency: "the other is told"). */
export const STALE_MESSAGE =
	'Someone else changed this request after you opened it, so nothing was saved. Reload the page to see the current state, then try again.'

export type Actor = { id: string; roles: readonly Role[] }

/** Input of a transition, beyond the action itself. Each lands in the event's `details`. */
export type TransitionInput = {
	/** Reviewer's comment when sending back; optional note otherwise. */
	comment?: string
	/** The opening date as an instant (`openedAt`) or as the calendar day a person picked (`openedOn`). */
	ticket?: { key: string; url?: string | null; openedAt?: Date; openedOn?: string }
	/** What Atlassian asked, the reply, approved scopes, decline/revocation reason… */
	details?: Record<string, string | string[] | null>
	/** When it happened at Atlassian (defaults to now)… */
	occurredAt?: Date
	/** …or the calendar day a person picked, read in the organisation's time zone. */
	answeredOn?: string
}

/** The form field that carries each dated step's date, for field-level messages. */
const DATE_FIELDS: Record<TicketStepKind, string> = {
	opened: 'openedOn',
	info_requested: 'askedOn',
	approved: 'approvedOn',
	declined: 'declinedOn',
	revoked: 'revokedOn',
}

// Who fixes what decides the status: a role or four-eyes refusal is 403,
// a state or freshness problem 409, missing input 400 (with its field).
const TRANSITION_STATUS: Record<
	TransitionErrorCode | UseCaseDecisionErrorCode,
	{ status: 400 | 403 | 409; field?: string }
> = {
	illegal_transition: { status: 409 },
	not_in_review: { status: 409 },
	forbidden_role: { status: 403 },
	four_eyes: { status: 403 },
	checklist_failing: { status: 409 },
	nothing_amended: { status: 409 },
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

type AuthoredRequest = Pick<RequestRow, 'id' | 'createdBy' | 'updatedBy'>

/**
 * Who wrote or edited each request's content, and how (docs/rules.md › Review
 * and four eyes): its creator and everyone who saved any version, read from
 * the append-only audit log — not only the creator and last editor on the row.
 */
export async function requestAuthors(
	q: Tx | Database,
	orgId: string,
	requests: readonly AuthoredRequest[],
): Promise<Map<string, Map<string, Authorship>>> {
	const byRequest = new Map<string, Map<string, Authorship>>()
	if (requests.length === 0) return byRequest
	const rows = await q
		.select({
			requestId: auditEvents.subjectId,
			userId: auditEvents.actorUserId,
			action: auditEvents.action,
			version: sql<string | null>`${auditEvents.after} ->> 'version'`,
		})
		.from(auditEvents)
		.where(
			and(
				eq(auditEvents.orgId, orgId),
				eq(auditEvents.subjectType, 'access_request'),
				inArray(
					auditEvents.subjectId,
					requests.map((request) => request.id),
				),
				inArray(auditEvents.action, [...CONTENT_AUDIT_ACTIONS]),
			),
		)
		.orderBy(asc(auditEvents.id))
	for (const request of requests) {
		byRequest.set(
			request.id,
			authorsFromEvents(
				request,
				rows.filter((row) => row.requestId === request.id),
			),
		)
	}
	return byRequest
}

/** The authors of one request: user id → what they did. */
export async function authorsOf(q: Tx | Database, orgId: string, request: AuthoredRequest) {
	return (await requestAuthors(q, orgId, [request])).get(request.id) ?? new Map<string, Authorship>()
}

/** What this person wrote of the request, or null when four eyes lets them decide it. */
export async function authorshipOf(
	orgId: string,
	request: AuthoredRequest,
	userId: string,
): Promise<Authorship | null> {
	return (await authorsOf(db, orgId, request)).get(userId) ?? null
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
			return {
				kind: 'request_submitted',
				audience: 'reviewers',
				message: `The request for ${appName} is waiting for your review.`,
			}
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
			return {
				kind: 'atlassian_answered',
				audience: 'authors',
				message: `Atlassian asked for more information about ${appName}.`,
			}
		case 'atlassian_approved':
			return {
				kind: 'atlassian_answered',
				audience: 'authors',
				message: `Atlassian approved Email API access for ${appName}.`,
			}
		case 'atlassian_declined':
			return {
				kind: 'atlassian_answered',
				audience: 'authors',
				message: `Atlassian declined the request for ${appName}.`,
			}
		case 'atlassian_revoked':
			return {
				kind: 'atlassian_answered',
				audience: 'authors',
				message: `Atlassian revoked Email API access for ${appName}.`,
			}
		default:
			return null
	}
}

async function orgSlugOf(tx: Tx, orgId: string) {
	const [row] = await tx.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, orgId))
	return row?.slug ?? ''
}

async function orgTimeZone(tx: Tx, orgId: string) {
	const [row] = await tx
		.select({ timeZone: organizations.timeZone })
		.from(organizations)
		.where(eq(organizations.id, orgId))
	return row?.timeZone ?? 'UTC'
}

/** The instant of a picked day, or a 400 on its field. */
function instantOf(day: string, timeZone: string, now: Date, field: string) {
	const at = dayToInstant(day, timeZone, now)
	if (!at)
		throw new UserFacingError(
			isBeforeEarliestYear(day) ? TOO_EARLY_MESSAGE : 'Enter the date as a real date, like 2026-03-31.',
			400,
			field,
		)
	return at
}

/** Refuses a date that cannot be (docs/rules.md › Tickets), with the reason on the date's field. */
function assertStepDate(input: Parameters<typeof checkStepDate>[0], field: string) {
	const checked = checkStepDate(input)
	if (!checked.ok) throw new UserFacingError(checked.message, 400, field)
}

/**
 * When the dated step `action` records happened: the picked day or the
 * given instant, checked against today and the ticket's earlier steps.
 */
async function stepDate(
	tx: Tx,
	orgId: string,
	requestId: string,
	action: RequestAction,
	input: TransitionInput,
	now: Date,
) {
	const kind = STEP_OF_EVENT[action]
	if (!kind) return input.occurredAt ?? now
	const field = DATE_FIELDS[kind]
	const timeZone = await orgTimeZone(tx, orgId)
	if (kind === 'opened') {
		const day = input.ticket?.openedOn
		const openedAt = day !== undefined ? instantOf(day, timeZone, now, field) : (input.ticket?.openedAt ?? now)
		assertStepDate({ kind, at: openedAt, now, timeZone }, field)
		return openedAt
	}
	const at =
		input.answeredOn !== undefined ? instantOf(input.answeredOn, timeZone, now, field) : (input.occurredAt ?? now)
	assertStepDate({ kind, at, now, timeZone, earlier: ticketSteps(await ticketEvents(tx, orgId, requestId)) }, field)
	return at
}

/**
 * Atlassian approved the request with its personal-data answer: the app
 * record takes that answer (docs/rules.md › Personal-data reporting) through
 * the same rule as an edit of the app, with its own audit event.
 */
async function applyApprovedAnswer(tx: Tx, orgId: string, actorId: string, request: RequestRow) {
	const answer = answerOfRequest(request.storesPersonalData)
	if (!answer) return
	const app = await lockApp(tx, orgId, request.appId)
	if (app.storesPersonalData === answer) return
	const [saved] = await tx
		.update(apps)
		.set({
			storesPersonalData: answer,
			...personalDataSince(app, { storesPersonalData: answer }),
			// A form opened before the approval must not silently put the old answer back.
			version: app.version + 1,
			updatedAt: sql`now()`,
		})
		.where(and(eq(apps.orgId, orgId), eq(apps.id, app.id)))
		.returning()
	await recordAudit(tx, {
		orgId,
		actorUserId: actorId,
		action: 'app.personal_data_set_from_request',
		subjectType: 'app',
		subjectId: app.id,
		before: { storesPersonalData: app.storesPersonalData, personalDataSince: app.personalDataSince },
		after: { storesPersonalData: answer, personalDataSince: saved!.personalDataSince, requestId: request.id },
	})
}

/**
 * Moves a request through the lifecycle: one transaction that locks the row,
 * checks the version, asks the state machine, applies the action's own
 * writes (ticket, cleared decisions), bumps the version and records the
 * timeline event, the audit event and notifications (docs/architecture.md › Transactions and concurrency).
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
	const refusal = {
		orgId,
		actorUserId: actor.id,
		roles: actor.roles,
		subjectType: 'access_request',
		subjectId: requestId,
	}
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
		const authors = await authorsOf(tx, orgId, request)
		const authorship = authors.get(actor.id) ?? null
		const detail = { ...request, useCases, app: { id: request.appId, name: request.appName } }
		const result = transition(request.state, action, {
			roles: actor.roles,
			isAuthor: authorship !== null,
			authorship,
			// Recomputed rather than trusting the stored flag, in case the engine changed since the save.
			checklistReady: evaluateSaved(detail).ready,
			// Only where it can refuse: read in the transaction, with the request locked.
			emptyAmendment: action === 'submit_for_review' && (await amendmentBasis(orgId, detail, { q: tx })).empty,
			allUseCasesApproved: everyUseCaseApproved(useCases),
			comment: input.comment,
			ticketKey: input.ticket?.key,
		})
		if (!result.ok) refuse(result.code, result.message)

		const now = new Date()
		const stepAt = await stepDate(tx, orgId, request.id, action, input, now)
		// The ticket's step is the day it was opened; its event is when that was recorded.
		const occurredAt = action === 'record_ticket' ? (input.occurredAt ?? now) : stepAt
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
			const openedAt = stepAt
			await tx
				.insert(tickets)
				.values({
					orgId,
					requestId: request.id,
					key: parsed.key,
					url: input.ticket.url || null,
					openedAt,
					lastActivityAt: openedAt,
					createdBy: actor.id,
				})
				.onConflictDoUpdate({
					// A request reopened after a ticket was recorded keeps one ticket row.
					target: tickets.requestId,
					set: { key: parsed.key, url: input.ticket.url || null, openedAt, lastActivityAt: openedAt },
				})
			Object.assign(details, { ticketKey: parsed.key, url: input.ticket.url || null, openedAt: openedAt.toISOString() })
		} else if (
			[
				'atlassian_requested_info',
				'record_reply',
				'atlassian_approved',
				'atlassian_declined',
				'atlassian_revoked',
			].includes(action)
		) {
			await touchTicket(tx, orgId, request.id, occurredAt)
		}
		if (action === 'atlassian_approved') await applyApprovedAnswer(tx, orgId, actor.id, request)

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
					? [...authors.keys()]
					: (await membersWithRole(tx, orgId, 'reviewer')).filter((id) => !authors.has(id))
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

/** A ticket change counts as activity: it restarts the quiet period (docs/rules.md › Tickets). */
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
export function recordTicketNote(
	orgId: string,
	actor: Actor,
	requestId: string,
	expectedVersion: number,
	note: string,
) {
	const refusal = {
		orgId,
		actorUserId: actor.id,
		roles: actor.roles,
		subjectType: 'access_request',
		subjectId: requestId,
	}
	return auditRefusals({ ...refusal, action: 'request.action_refused', attempted: { attempted: 'ticket_note' } }, () =>
		recordTicketNoteOnce(orgId, actor, requestId, expectedVersion, note),
	)
}

async function recordTicketNoteOnce(
	orgId: string,
	actor: Actor,
	requestId: string,
	expectedVersion: number,
	note: string,
) {
	return db.transaction(async (tx) => {
		const { request } = await lockRequest(tx, orgId, requestId, expectedVersion)
		if (!isTicketOpen(request.state)) {
			throw new UserFacingError(
				`A follow-up can be recorded only while the ticket is open; the request is ${STATE_PHRASES[request.state]}. Reload the request.`,
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
	const refusal = {
		orgId,
		actorUserId: actor.id,
		roles: actor.roles,
		subjectType: 'access_request',
		subjectId: requestId,
	}
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
		const authorship = (await authorsOf(tx, orgId, request)).get(actor.id) ?? null
		const result = decideUseCase({
			requestState: request.state,
			engineOutcome: useCase.engineOutcome,
			decision: input.decision,
			reason: input.reason,
			ctx: { roles: actor.roles, isAuthor: authorship !== null, authorship },
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

/**
 * Corrects the date of one of the ticket's steps: when it was opened or
 * when Atlassian answered (docs/rules.md › Tickets). Nothing recorded is
 * edited: the correction is an event of its own, with who, why and the old
 * and new date, and the corrected date is the one in force from then on.
 * Whoever may record a step may correct its date; the new date is checked
 * like a new one, against today and the steps before and after it.
 */
export function correctTicketDate(
	orgId: string,
	actor: Actor,
	requestId: string,
	expectedVersion: number,
	input: { eventId: number; day: string; reason: string },
) {
	const refusal = {
		orgId,
		actorUserId: actor.id,
		roles: actor.roles,
		subjectType: 'access_request',
		subjectId: requestId,
	}
	return auditRefusals(
		{ ...refusal, action: 'request.action_refused', attempted: { attempted: DATE_CORRECTED, eventId: input.eventId } },
		() => correctTicketDateOnce(orgId, actor, requestId, expectedVersion, input),
	)
}

async function correctTicketDateOnce(
	orgId: string,
	actor: Actor,
	requestId: string,
	expectedVersion: number,
	input: { eventId: number; day: string; reason: string },
) {
	return db.transaction(async (tx) => {
		const { request } = await lockRequest(tx, orgId, requestId, expectedVersion)
		const steps = ticketSteps(await ticketEvents(tx, orgId, request.id))
		const index = steps.findIndex((step) => step.eventId === input.eventId)
		const step = steps[index]
		if (!step)
			throw new UserFacingError(
				'That date is not on this request’s ticket. Reload the request and choose it again.',
				409,
			)
		if (!mayCorrectStep(step.kind, actor.roles)) {
			const who = stepCorrectors(step.kind)
				.map((role) => ROLE_LABELS[role].toLowerCase())
				.join(' or ')
			throw new UserFacingError(
				`Only a ${who} can correct the date “${STEP_NAMES[step.kind]}”, as only they can record it.`,
				403,
			)
		}
		const reason = input.reason.trim()
		if (!reason)
			throw new UserFacingError('Say why the date is corrected, for example “typed the wrong month”.', 400, 'reason')
		const now = new Date()
		const timeZone = await orgTimeZone(tx, orgId)
		const at = instantOf(input.day, timeZone, now, 'correctedOn')
		if (dayKey(at, timeZone) === dayKey(step.at, timeZone)) {
			throw new UserFacingError('That is already the date on record: choose the date it should be.', 400, 'correctedOn')
		}
		assertStepDate(
			{ kind: step.kind, at, now, timeZone, earlier: steps.slice(0, index), later: steps.slice(index + 1) },
			'correctedOn',
		)
		const correction = {
			eventId: step.eventId,
			step: step.kind,
			from: step.at.toISOString(),
			to: at.toISOString(),
			reason,
		}
		await tx.insert(requestEvents).values({
			orgId,
			requestId: request.id,
			kind: DATE_CORRECTED,
			fromState: request.state,
			toState: request.state,
			actorUserId: actor.id,
			occurredAt: now,
			details: correction,
		})
		// The ticket row holds the dates in force, so the counters follow the correction.
		const last = lastActivity(await ticketEvents(tx, orgId, request.id))
		await tx
			.update(tickets)
			.set({ ...(step.kind === 'opened' ? { openedAt: at } : {}), ...(last ? { lastActivityAt: last } : {}) })
			.where(and(eq(tickets.orgId, orgId), eq(tickets.requestId, request.id)))
		const saved = await bumpVersion(tx, request, request.state)
		await recordAudit(tx, {
			orgId,
			actorUserId: actor.id,
			action: 'ticket.date_corrected',
			subjectType: 'access_request',
			subjectId: request.id,
			before: { eventId: step.eventId, step: step.kind, date: correction.from, version: request.version },
			after: { eventId: step.eventId, step: step.kind, date: correction.to, reason, version: saved.version },
		})
		return saved
	})
}

function dayKey(at: Date, timeZone: string) {
	return at.toLocaleDateString('en-CA', { timeZone })
}

// ── Reading ─────────────────────────────────────────────────────────────

const actorUsers = aliasedTable(users, 'actor')

/**
 * The request's timeline, oldest first, with who did each step and when it
 * was recorded. A dated ticket step carries the date in force (`step.at`)
 * and, once corrected, the date first recorded (`step.correctedFrom`).
 */
export async function listRequestEvents(orgId: string, requestId: string) {
	if (!isUuid(requestId)) return []
	const rows = await db
		.select({
			id: requestEvents.id,
			kind: requestEvents.kind,
			fromState: requestEvents.fromState,
			toState: requestEvents.toState,
			occurredAt: requestEvents.occurredAt,
			recordedAt: requestEvents.createdAt,
			details: requestEvents.details,
			actorName: actorUsers.name,
		})
		.from(requestEvents)
		.leftJoin(actorUsers, eq(actorUsers.id, requestEvents.actorUserId))
		.where(and(eq(requestEvents.orgId, orgId), eq(requestEvents.requestId, requestId)))
		.orderBy(asc(requestEvents.id))
	const corrected = correctedDates(rows)
	return rows.map((row) => ({ ...row, step: stepOf(row, corrected) }))
}

/**
 * Who could review this request: reviewers of the org other than its
 * authors. Empty means review cannot proceed, and the page says why.
 */
export async function eligibleReviewers(orgId: string, request: AuthoredRequest) {
	const [rows, authors] = await Promise.all([
		db
			.select({ userId: memberships.userId, name: users.name })
			.from(memberships)
			.innerJoin(users, eq(users.id, memberships.userId))
			.where(and(eq(memberships.orgId, orgId), sql`'reviewer' = any(${memberships.roles})`)),
		authorsOf(db, orgId, request),
	])
	return rows.filter((row) => !authors.has(row.userId))
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
	useCases: Pick<
		UseCaseRow,
		'id' | 'code' | 'description' | 'engineOutcome' | 'suggestedCode' | 'decision' | 'decisionReason'
	>[]
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
		? await db
				.select()
				.from(requestUseCases)
				.where(inArray(requestUseCases.requestId, ids))
				.orderBy(asc(requestUseCases.position))
		: []
	const authors = await requestAuthors(
		db,
		orgId,
		rows.map((row) => row.request),
	)
	return rows.map((row) => ({
		id: row.request.id,
		appName: row.appName,
		appId: row.request.appId,
		version: row.request.version,
		checklistReady: row.request.checklistReady,
		submittedAt: row.submittedAt,
		authorName: row.authorName,
		isAuthor: authors.get(row.request.id)?.has(viewerId) ?? false,
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
