import { NOTHING_TO_SUBMIT } from './amendment'
import { ROLE_LABELS, type Role } from './roles'
import { parseTicketKey, STEP_OF_EVENT, type TicketStepKind } from './tickets'

/**
 * The access-request state machine (docs/rules.md › Review and four eyes).
 * Pure: the service loads the request, builds a context, asks `transition`
 * and writes the result together with the version check and audit event.
 */

export const REQUEST_STATES = [
	'draft',
	'in_review',
	'changes_requested',
	'ready_to_submit',
	'submitted',
	'info_requested',
	'approved',
	'declined',
	'revoked',
	'withdrawn',
] as const
export type RequestState = (typeof REQUEST_STATES)[number]

export const STATE_LABELS: Record<RequestState, string> = {
	draft: 'Draft',
	in_review: 'In review',
	changes_requested: 'Changes requested',
	ready_to_submit: 'Ready to submit',
	submitted: 'Submitted to Atlassian',
	info_requested: 'Atlassian wants more information',
	approved: 'Approved',
	declined: 'Declined',
	revoked: 'Access revoked',
	withdrawn: 'Withdrawn',
}

/**
 * Where the request stands, as the end of a sentence ("The request is …"):
 * badges use STATE_LABELS, sentences use this (never a lower-cased label).
 */
export const STATE_PHRASES: Record<RequestState, string> = {
	draft: 'still a draft',
	in_review: 'in review',
	changes_requested: 'back with the vendor for changes',
	ready_to_submit: 'ready to submit to Atlassian',
	submitted: 'with Atlassian',
	info_requested: 'waiting on the information Atlassian asked for',
	approved: 'approved by Atlassian',
	declined: 'declined by Atlassian',
	revoked: 'revoked by Atlassian',
	withdrawn: 'withdrawn',
}

/** Same names as the UI badge tones; declared here because domain imports nothing upward. */
export type StateTone = 'ok' | 'warn' | 'bad' | 'info' | 'neutral'

/** warn = the vendor has to act; info = waiting on someone else. */
export const STATE_TONES: Record<RequestState, StateTone> = {
	draft: 'neutral',
	in_review: 'info',
	changes_requested: 'warn',
	ready_to_submit: 'warn',
	submitted: 'info',
	info_requested: 'warn',
	approved: 'ok',
	declined: 'bad',
	revoked: 'bad',
	withdrawn: 'neutral',
}

export const REQUEST_ACTIONS = [
	'edit',
	'submit_for_review',
	'reopen',
	'request_changes',
	'complete_review',
	'record_ticket',
	'atlassian_requested_info',
	'record_reply',
	'atlassian_approved',
	'atlassian_declined',
	'atlassian_revoked',
	'withdraw',
] as const
export type RequestAction = (typeof REQUEST_ACTIONS)[number]

export const ACTION_LABELS: Record<RequestAction, string> = {
	edit: 'Edit',
	submit_for_review: 'Submit for review',
	reopen: 'Reopen for editing',
	request_changes: 'Request changes',
	complete_review: 'Complete review',
	record_ticket: 'Record ticket',
	atlassian_requested_info: 'Atlassian asked for information',
	record_reply: 'Record reply to Atlassian',
	atlassian_approved: 'Atlassian approved',
	atlassian_declined: 'Atlassian declined',
	atlassian_revoked: 'Atlassian revoked access',
	withdraw: 'Withdraw',
}

/** Checks on the request itself or on the action's input, beyond state and role. */
export type Guard = 'checklist_ready' | 'amends_something' | 'use_cases_approved' | 'comment' | 'ticket_key'

export type TransitionRule = {
	from: readonly RequestState[]
	/** 'unchanged': the action is allowed but keeps the state (editing). */
	to: RequestState | 'unchanged'
	/** Any one of these roles suffices. */
	roles: readonly Role[]
	/** The acting reviewer must not have written or edited any version of the request (see `Authorship`). */
	fourEyes: boolean
	guards: readonly Guard[]
}

const BEFORE_DECISION = [
	'draft',
	'in_review',
	'changes_requested',
	'ready_to_submit',
	'submitted',
	'info_requested',
] as const satisfies readonly RequestState[]

/** The single source of truth for who may move a request where. */
export const TRANSITIONS = {
	// Only while the vendor holds the pen; an approved request is never edited,
	// new email uses start an amendment (docs/rules.md › Appropriate use).
	edit: { from: ['draft', 'changes_requested'], to: 'unchanged', roles: ['member'], fourEyes: false, guards: [] },
	submit_for_review: {
		from: ['draft', 'changes_requested'],
		to: 'in_review',
		roles: ['member'],
		fourEyes: false,
		guards: ['checklist_ready', 'amends_something'],
	},
	// The vendor pulls a request back before it reaches Atlassian; the service
	// clears reviewer decisions, so it is reviewed again after the edit.
	reopen: { from: ['in_review', 'ready_to_submit'], to: 'draft', roles: ['member'], fourEyes: false, guards: [] },
	request_changes: {
		from: ['in_review'],
		to: 'changes_requested',
		roles: ['reviewer'],
		fourEyes: true,
		guards: ['comment'],
	},
	complete_review: {
		from: ['in_review'],
		to: 'ready_to_submit',
		roles: ['reviewer'],
		fourEyes: true,
		guards: ['use_cases_approved'],
	},
	record_ticket: {
		from: ['ready_to_submit'],
		to: 'submitted',
		roles: ['member'],
		fourEyes: false,
		guards: ['ticket_key'],
	},
	// Either side may be the one reading the ticket when Atlassian asks or is answered.
	atlassian_requested_info: {
		from: ['submitted'],
		to: 'info_requested',
		roles: ['member', 'reviewer'],
		fourEyes: false,
		guards: [],
	},
	record_reply: {
		from: ['info_requested'],
		to: 'submitted',
		roles: ['member', 'reviewer'],
		fourEyes: false,
		guards: [],
	},
	// Atlassian's verdicts are recorded by compliance (docs/rules.md › Review and four eyes),
	// so a vendor cannot mark their own request approved. Recording is not
	// deciding, so four eyes does not apply.
	atlassian_approved: {
		from: ['submitted', 'info_requested'],
		to: 'approved',
		roles: ['reviewer'],
		fourEyes: false,
		guards: [],
	},
	atlassian_declined: {
		from: ['submitted', 'info_requested'],
		to: 'declined',
		roles: ['reviewer'],
		fourEyes: false,
		guards: [],
	},
	atlassian_revoked: { from: ['approved'], to: 'revoked', roles: ['reviewer'], fourEyes: false, guards: [] },
	withdraw: { from: BEFORE_DECISION, to: 'withdrawn', roles: ['member'], fourEyes: false, guards: [] },
} as const satisfies Record<RequestAction, TransitionRule>

export type TransitionContext = {
	roles: readonly Role[]
	/** Wrote or edited any version of the request's content (four eyes). */
	isAuthor: boolean
	/** What the person did, so a four-eyes refusal can say it. */
	authorship?: Authorship | null
	/** The checklist has no failing check (warnings are fine). */
	checklistReady?: boolean
	/** An amendment that says nothing its approved request did not (`amendsNothing`); absent for a first request. */
	emptyAmendment?: boolean
	/** See `everyUseCaseApproved`. */
	allUseCasesApproved?: boolean
	comment?: string
	ticketKey?: string
}

export type TransitionErrorCode =
	| 'illegal_transition'
	| 'forbidden_role'
	| 'four_eyes'
	| 'checklist_failing'
	| 'nothing_amended'
	| 'use_cases_pending'
	| 'comment_required'
	| 'invalid_ticket_key'

export type TransitionError = { ok: false; code: TransitionErrorCode; message: string }
export type TransitionResult = { ok: true; to: RequestState } | TransitionError

function fail(code: TransitionErrorCode, message: string): TransitionError {
	return { ok: false, code, message }
}

function roleList(roles: readonly Role[]): string {
	return roles.map((role) => ROLE_LABELS[role].toLowerCase()).join(' or ')
}

/** State, role and four-eyes checks: what decides whether an action is offered at all. */
function checkAccess(state: RequestState, action: RequestAction, ctx: TransitionContext): TransitionError | null {
	const rule: TransitionRule = TRANSITIONS[action]
	if (!rule.from.includes(state)) {
		return fail(
			'illegal_transition',
			`“${ACTION_LABELS[action]}” is not possible while the request is ${STATE_PHRASES[state]}. Reload the request to see its current state.`,
		)
	}
	if (!rule.roles.some((role) => ctx.roles.includes(role))) {
		return fail(
			'forbidden_role',
			`Only a ${roleList(rule.roles)} can do “${ACTION_LABELS[action]}”. Ask someone with that role in your organisation.`,
		)
	}
	if (rule.fourEyes && ctx.isAuthor) return fail('four_eyes', fourEyesMessage(ctx.authorship, 'decide it'))
	return null
}

/** Facts about the request, known before the action's form is filled in. */
function checkRequestGuards(rule: TransitionRule, ctx: TransitionContext): TransitionError | null {
	// Absent facts count as failing: the service must have evaluated them.
	if (rule.guards.includes('checklist_ready') && ctx.checklistReady !== true) {
		return fail('checklist_failing', 'Fix the failing checks in the checklist, then submit for review.')
	}
	if (rule.guards.includes('amends_something') && ctx.emptyAmendment === true) {
		return fail('nothing_amended', NOTHING_TO_SUBMIT)
	}
	if (rule.guards.includes('use_cases_approved') && ctx.allUseCasesApproved !== true) {
		return fail(
			'use_cases_pending',
			'Approve every use case before completing the review, or request changes if one cannot be approved.',
		)
	}
	return null
}

/** The action's own input. */
function checkInputGuards(rule: TransitionRule, ctx: TransitionContext): TransitionError | null {
	if (rule.guards.includes('comment') && !ctx.comment?.trim()) {
		return fail('comment_required', 'Say what the vendor needs to change: a comment is required.')
	}
	if (rule.guards.includes('ticket_key')) {
		const parsed = parseTicketKey(ctx.ticketKey ?? '')
		if (!parsed.ok) return fail('invalid_ticket_key', parsed.message)
	}
	return null
}

/**
 * Where `action` takes a request in `state`, or why it cannot. Checks run in
 * order state → role → four eyes → guards, so the first error is the one
 * the person can least fix themselves.
 */
export function transition(state: RequestState, action: RequestAction, ctx: TransitionContext): TransitionResult {
	const rule: TransitionRule = TRANSITIONS[action]
	const error = checkAccess(state, action, ctx) ?? checkRequestGuards(rule, ctx) ?? checkInputGuards(rule, ctx)
	if (error) return error
	return { ok: true, to: rule.to === 'unchanged' ? state : rule.to }
}

export type AvailableAction = {
	action: RequestAction
	label: string
	to: RequestState
	/** Set when the action should be shown disabled, with the reason as its hint. */
	blocked: TransitionError | null
}

/**
 * The actions to show for a request: legal from `state` and allowed for the
 * person's roles. Four eyes and request facts (checklist, use cases) mark an
 * action blocked rather than hiding it, so the UI can say why; comment and
 * ticket key are form input and are checked on submit.
 */
export function availableActions(
	state: RequestState,
	ctx: Omit<TransitionContext, 'comment' | 'ticketKey'>,
): AvailableAction[] {
	return REQUEST_ACTIONS.flatMap((action) => {
		const rule: TransitionRule = TRANSITIONS[action]
		const access = checkAccess(state, action, ctx)
		if (access && access.code !== 'four_eyes') return []
		return [
			{
				action,
				label: ACTION_LABELS[action],
				to: rule.to === 'unchanged' ? state : rule.to,
				blocked: access ?? checkRequestGuards(rule, ctx),
			},
		]
	})
}

/** No action leads out of it. Approved is not terminal: Atlassian may revoke access. */
export function isTerminal(state: RequestState): boolean {
	return REQUEST_ACTIONS.every((action) => !(TRANSITIONS[action].from as readonly RequestState[]).includes(state))
}

/**
 * States in which a request is still being worked on: neither approved nor
 * ended. An amendment in one of them is returned rather than a second one
 * started beside it (docs/rules.md › Appropriate use).
 */
export const IN_PROGRESS_STATES: readonly RequestState[] = REQUEST_STATES.filter(
	(state) => state !== 'approved' && !isTerminal(state),
)

/** States in which the ticket is open at Atlassian: waiting for their answer or for ours (docs/rules.md › Tickets). */
export const TICKET_OPEN_STATES = ['submitted', 'info_requested'] as const satisfies readonly RequestState[]

export function isTicketOpen(state: string): boolean {
	return (TICKET_OPEN_STATES as readonly string[]).includes(state)
}

/** The vendor may change the request's content. */
export function isEditable(state: RequestState): boolean {
	return (TRANSITIONS.edit.from as readonly RequestState[]).includes(state)
}

/** The action that records each dated ticket step. */
export const ACTION_OF_STEP = Object.fromEntries(
	Object.entries(STEP_OF_EVENT).map(([action, kind]) => [kind, action]),
) as Record<TicketStepKind, RequestAction>

/** The roles that may correct a step's date: whoever may record the step (docs/rules.md › Tickets). */
export function stepCorrectors(kind: TicketStepKind): readonly Role[] {
	return TRANSITIONS[ACTION_OF_STEP[kind]].roles
}

export function mayCorrectStep(kind: TicketStepKind, roles: readonly Role[]): boolean {
	return stepCorrectors(kind).some((role) => roles.includes(role))
}

// --- Four eyes -----------------------------------------------------------------

/**
 * What one person did to a request's content (docs/rules.md › Review and four
 * eyes). An approved request is never edited (amendments are new requests),
 * so "since it was last approved" is the request's whole edit history: every
 * save counts, not only the creator and the last editor.
 */
export type Authorship = {
	created: boolean
	edited: boolean
	/** The versions their saves produced, oldest first; may be empty when only the last save is known. */
	versions: readonly number[]
}

/** Audit actions that write a request's content, each with the person who did it. */
export const CONTENT_AUDIT_ACTIONS = ['request.created', 'request.amendment_created', 'request.saved'] as const

/** One content event of the request's audit log: who, which action, and the version a save produced. */
export type ContentEvent = { userId: string | null; action: string; version: string | number | null }

/**
 * Who wrote or edited the request's content, and how: its creator, everyone
 * whose content event (oldest first) is in the log, and the row's last editor
 * should the log lack their save. User id → what they did.
 */
export function authorsFromEvents(
	request: { createdBy: string; updatedBy: string },
	events: readonly ContentEvent[],
): Map<string, Authorship> {
	const authors = new Map<string, Authorship>()
	const add = (userId: string, change: { created?: boolean; edited?: boolean; version?: number }) => {
		const known = authors.get(userId) ?? { created: false, edited: false, versions: [] }
		authors.set(userId, {
			created: known.created || Boolean(change.created),
			edited: known.edited || Boolean(change.edited),
			versions: change.version ? [...known.versions, change.version] : known.versions,
		})
	}
	add(request.createdBy, { created: true })
	for (const event of events) {
		if (!event.userId) continue
		if (event.action === 'request.saved') {
			const version = Number(event.version)
			add(event.userId, { edited: true, version: Number.isInteger(version) && version > 0 ? version : undefined })
		} else {
			add(event.userId, { created: true })
		}
	}
	if (request.updatedBy !== request.createdBy && !authors.get(request.updatedBy)?.edited) {
		add(request.updatedBy, { edited: true })
	}
	return authors
}

function listOfNumbers(values: readonly number[]): string {
	if (values.length <= 1) return values.join('')
	return `${values.slice(0, -1).join(', ')} and ${values.at(-1)}`
}

/** "You created this request and edited version 4 of it": what the person did, in words. */
export function describeAuthorship(authorship: Authorship): string {
	const versions = [...new Set(authorship.versions)].sort((a, b) => a - b)
	const which =
		versions.length === 0 ? '' : `${versions.length === 1 ? 'version' : 'versions'} ${listOfNumbers(versions)}`
	if (authorship.created && authorship.edited)
		return `You created this request and edited ${which ? `${which} of it` : 'it'}`
	if (authorship.created) return 'You created this request'
	return `You edited ${which ? `${which} of this request` : 'this request'}`
}

/** Why the person cannot decide: what they did, and the rule. */
export function fourEyesMessage(authorship: Authorship | null | undefined, verb: string): string {
	const what = authorship ? describeAuthorship(authorship) : 'You wrote or edited this request'
	return `${what}, so another reviewer has to ${verb} (four eyes: nobody decides a request whose content they wrote or edited in any version since it was last approved).`
}

// --- Use-case decisions -------------------------------------------------------

export type EngineOutcome = 'auto_approvable' | 'rejected' | 'needs_review'
export type ReviewerDecision = 'approved' | 'rejected'

export type UseCaseDecisionErrorCode =
	'not_in_review' | 'forbidden_role' | 'four_eyes' | 'rejected_code' | 'reason_required'

export type UseCaseDecisionResult =
	| { ok: true; decision: ReviewerDecision; reason: string | null }
	| { ok: false; code: UseCaseDecisionErrorCode; message: string }

/** A reviewer approves or rejects one use case of a request under review. */
export function decideUseCase(input: {
	requestState: RequestState
	engineOutcome: EngineOutcome
	decision: 'approve' | 'reject'
	reason?: string
	ctx: Pick<TransitionContext, 'roles' | 'isAuthor' | 'authorship'>
}): UseCaseDecisionResult {
	const { requestState, engineOutcome, decision, ctx } = input
	if (requestState !== 'in_review') {
		return {
			ok: false,
			code: 'not_in_review',
			message: `Use cases are decided only while the request is in review; it is ${STATE_PHRASES[requestState]}. Reload the request.`,
		}
	}
	if (!ctx.roles.includes('reviewer')) {
		return { ok: false, code: 'forbidden_role', message: 'Only a compliance reviewer can decide use cases.' }
	}
	if (ctx.isAuthor) {
		return { ok: false, code: 'four_eyes', message: fourEyesMessage(ctx.authorship, 'decide its use cases') }
	}
	// Atlassian rejects these uses outright (docs/rules.md › Use-case catalogue).
	if (decision === 'approve' && engineOutcome === 'rejected') {
		return {
			ok: false,
			code: 'rejected_code',
			message: 'Atlassian rejects this use case, so it cannot be approved. Reject it and ask the vendor to remove it.',
		}
	}
	const reason = input.reason?.trim() || null
	// The vendor has to know what to fix.
	if (decision === 'reject' && !reason) {
		return { ok: false, code: 'reason_required', message: 'Give a reason so the vendor knows what to change.' }
	}
	return { ok: true, decision: decision === 'approve' ? 'approved' : 'rejected', reason }
}

/**
 * Whether the review can be completed (`allUseCasesApproved`): at least one use
 * case, none rejected, and each approved — by the reviewer, or by the engine
 * for codes on Atlassian's approved list (docs/rules.md › Use-case catalogue).
 */
export function everyUseCaseApproved(
	useCases: readonly { engineOutcome: EngineOutcome; decision: ReviewerDecision | null }[],
): boolean {
	return (
		useCases.length > 0 &&
		useCases.every(
			(useCase) =>
				// A rejected code never counts, whatever was stored for it.
				useCase.engineOutcome !== 'rejected' &&
				(useCase.decision === 'approved' || (useCase.decision === null && useCase.engineOutcome === 'auto_approvable')),
		)
	)
}
