import { describe, expect, it } from 'vitest'
import {
	ACTION_LABELS,
	authorsFromEvents,
	availableActions,
	decideUseCase,
	describeAuthorship,
	fourEyesMessage,
	IN_PROGRESS_STATES,
	isEditable,
	isTicketOpen,
	mayCorrectStep,
	isTerminal,
	REQUEST_ACTIONS,
	REQUEST_STATES,
	STATE_LABELS,
	STATE_TONES,
	transition,
	TRANSITIONS,
	everyUseCaseApproved,
	type EngineOutcome,
	type RequestAction,
	type RequestState,
	type TransitionContext,
} from '~/domain/request-lifecycle'
import { ROLES, type Role } from '~/domain/roles'

/**
 * The expected machine, written out independently of TRANSITIONS:
 * from, action, to, the roles that may act (m = member, r = reviewer).
 * Anything not listed is illegal. `same` = the state does not change.
 */
const EXPECTED = `
	draft              edit                      same               m
	changes_requested  edit                      same               m
	draft              submit_for_review         in_review          m
	changes_requested  submit_for_review         in_review          m
	in_review          reopen                    draft              m
	ready_to_submit    reopen                    draft              m
	in_review          request_changes           changes_requested  r
	in_review          complete_review           ready_to_submit    r
	ready_to_submit    record_ticket             submitted          m
	submitted          atlassian_requested_info  info_requested     m,r
	info_requested     record_reply              submitted          m,r
	submitted          atlassian_approved        approved           r
	info_requested     atlassian_approved        approved           r
	submitted          atlassian_declined        declined           r
	info_requested     atlassian_declined        declined           r
	approved           atlassian_revoked         revoked            r
	draft              withdraw                  withdrawn          m
	in_review          withdraw                  withdrawn          m
	changes_requested  withdraw                  withdrawn          m
	ready_to_submit    withdraw                  withdrawn          m
	submitted          withdraw                  withdrawn          m
	info_requested     withdraw                  withdrawn          m
`

type Expected = { to: RequestState; roles: Role[] }
const ROLE_CODES: Record<string, Role> = { m: 'member', r: 'reviewer', a: 'admin' }

const expected = new Map<string, Expected>()
for (const line of EXPECTED.trim().split('\n')) {
	const [from, action, to, roles] = line.trim().split(/\s+/)
	if (!from || !action || !to || !roles) throw new Error(`bad table line: ${line}`)
	expected.set(`${from} ${action}`, {
		to: (to === 'same' ? from : to) as RequestState,
		roles: roles.split(',').map((code) => ROLE_CODES[code]!),
	})
}

const FOUR_EYES_ACTIONS: RequestAction[] = ['request_changes', 'complete_review']

/** Every subset of roles, including none. */
const ROLE_SETS: Role[][] = Array.from({ length: 1 << ROLES.length }, (_, mask) =>
	ROLES.filter((_, i) => mask & (1 << i)),
)

/** Every guard satisfied, so only state, role and four eyes decide. */
function passing(roles: Role[], isAuthor: boolean): TransitionContext {
	return {
		roles,
		isAuthor,
		checklistReady: true,
		allUseCasesApproved: true,
		comment: 'Please describe the functionality in more detail.',
		ticketKey: 'DEVHELP-5718',
	}
}

describe('the expected table', () => {
	it('only names known states and actions', () => {
		for (const key of expected.keys()) {
			const [from, action] = key.split(' ')
			expect(REQUEST_STATES).toContain(from)
			expect(REQUEST_ACTIONS).toContain(action)
		}
		for (const { to } of expected.values()) expect(REQUEST_STATES).toContain(to)
	})
})

describe('transition: every state × action × role set × authorship', () => {
	const cases = REQUEST_STATES.flatMap((state) =>
		REQUEST_ACTIONS.flatMap((action) =>
			ROLE_SETS.flatMap((roles) => [false, true].map((isAuthor) => ({ state, action, roles, isAuthor }))),
		),
	)

	it('covers all combinations', () => {
		expect(cases).toHaveLength(10 * 12 * 8 * 2)
	})

	it.each(cases)('$state --$action--> as $roles (author: $isAuthor)', ({ state, action, roles, isAuthor }) => {
		const result = transition(state, action, passing(roles, isAuthor))
		const rule = expected.get(`${state} ${action}`)
		if (!rule) {
			expect(result).toMatchObject({ ok: false, code: 'illegal_transition' })
		} else if (!rule.roles.some((role) => roles.includes(role))) {
			expect(result).toMatchObject({ ok: false, code: 'forbidden_role' })
		} else if (isAuthor && FOUR_EYES_ACTIONS.includes(action)) {
			expect(result).toMatchObject({ ok: false, code: 'four_eyes' })
		} else {
			expect(result).toEqual({ ok: true, to: rule.to })
		}
		if (!result.ok) expect(result.message.length).toBeGreaterThan(20)
	})
})

describe('four eyes', () => {
	const reviewer: Role[] = ['reviewer']
	const memberReviewer: Role[] = ['member', 'reviewer']

	it('a reviewer who wrote or last edited the request cannot decide it', () => {
		for (const action of FOUR_EYES_ACTIONS) {
			const result = transition('in_review', action, passing(memberReviewer, true))
			expect(result).toMatchObject({ ok: false, code: 'four_eyes' })
			if (!result.ok) expect(result.message).toMatch(/another reviewer/)
		}
	})

	it('another reviewer can', () => {
		expect(transition('in_review', 'complete_review', passing(reviewer, false))).toEqual({
			ok: true,
			to: 'ready_to_submit',
		})
	})

	it('does not stop an author from recording Atlassian’s answer (recording is not deciding)', () => {
		expect(transition('submitted', 'atlassian_approved', passing(memberReviewer, true))).toEqual({
			ok: true,
			to: 'approved',
		})
	})

	it('admin does not stand in for a reviewer', () => {
		expect(transition('in_review', 'complete_review', passing(['admin'], false))).toMatchObject({
			code: 'forbidden_role',
		})
	})
})

describe('guards', () => {
	const member: Role[] = ['member']
	const reviewer: Role[] = ['reviewer']

	it('submitting needs a checklist with no failing check', () => {
		for (const from of ['draft', 'changes_requested'] as const) {
			expect(
				transition(from, 'submit_for_review', { roles: member, isAuthor: true, checklistReady: false }),
			).toMatchObject({
				ok: false,
				code: 'checklist_failing',
			})
			// Unknown counts as failing: the service must evaluate the checklist.
			expect(transition(from, 'submit_for_review', { roles: member, isAuthor: true })).toMatchObject({
				code: 'checklist_failing',
			})
			expect(transition(from, 'submit_for_review', { roles: member, isAuthor: true, checklistReady: true })).toEqual({
				ok: true,
				to: 'in_review',
			})
		}
	})

	it('completing the review needs every use case approved', () => {
		expect(
			transition('in_review', 'complete_review', { roles: reviewer, isAuthor: false, allUseCasesApproved: false }),
		).toMatchObject({ ok: false, code: 'use_cases_pending' })
		expect(transition('in_review', 'complete_review', { roles: reviewer, isAuthor: false })).toMatchObject({
			code: 'use_cases_pending',
		})
	})

	it('requesting changes needs a comment that is not blank', () => {
		for (const comment of [undefined, '', '   \n\t']) {
			expect(transition('in_review', 'request_changes', { roles: reviewer, isAuthor: false, comment })).toMatchObject({
				ok: false,
				code: 'comment_required',
			})
		}
		expect(
			transition('in_review', 'request_changes', {
				roles: reviewer,
				isAuthor: false,
				comment: 'Add the policy excerpt.',
			}),
		).toEqual({ ok: true, to: 'changes_requested' })
	})

	it('recording a ticket needs a valid key', () => {
		for (const ticketKey of [undefined, '', 'DEVHELP', '5718', 'DEVHELP 5718', 'D-1', '1DEV-2']) {
			const result = transition('ready_to_submit', 'record_ticket', { roles: member, isAuthor: true, ticketKey })
			expect(result).toMatchObject({ ok: false, code: 'invalid_ticket_key' })
			if (!result.ok) expect(result.message).toMatch(/DEVHELP-5718/)
		}
		expect(
			transition('ready_to_submit', 'record_ticket', { roles: member, isAuthor: true, ticketKey: 'devhelp-5718' }),
		).toEqual({
			ok: true,
			to: 'submitted',
		})
	})

	it('reports the state before the role, and the role before four eyes and guards', () => {
		expect(transition('approved', 'request_changes', { roles: [], isAuthor: true })).toMatchObject({
			code: 'illegal_transition',
		})
		expect(transition('in_review', 'request_changes', { roles: ['member'], isAuthor: true })).toMatchObject({
			code: 'forbidden_role',
		})
		expect(transition('in_review', 'request_changes', { roles: reviewer, isAuthor: true })).toMatchObject({
			code: 'four_eyes',
		})
	})

	it('an approved request is never edited', () => {
		expect(transition('approved', 'edit', passing(member, true))).toMatchObject({ code: 'illegal_transition' })
		expect(isEditable('approved')).toBe(false)
	})
})

describe('state helpers', () => {
	it('only draft and changes_requested are editable', () => {
		for (const state of REQUEST_STATES) {
			expect(isEditable(state)).toBe(state === 'draft' || state === 'changes_requested')
		}
	})

	it('declined, revoked and withdrawn are terminal; approved can still be revoked', () => {
		for (const state of REQUEST_STATES) {
			expect(isTerminal(state)).toBe(['declined', 'revoked', 'withdrawn'].includes(state))
		}
	})

	it('labels and tones cover every state and action', () => {
		expect(Object.keys(STATE_LABELS).sort()).toEqual([...REQUEST_STATES].sort())
		expect(Object.keys(STATE_TONES).sort()).toEqual([...REQUEST_STATES].sort())
		expect(Object.keys(ACTION_LABELS).sort()).toEqual([...REQUEST_ACTIONS].sort())
		expect(Object.keys(TRANSITIONS).sort()).toEqual([...REQUEST_ACTIONS].sort())
		expect(STATE_TONES.approved).toBe('ok')
		expect(STATE_TONES.declined).toBe('bad')
		expect(STATE_TONES.revoked).toBe('bad')
	})
})

describe('availableActions', () => {
	it('offers a vendor the actions of the state', () => {
		const actions = availableActions('draft', { roles: ['member'], isAuthor: true, checklistReady: true })
		expect(actions.map((a) => a.action)).toEqual(['edit', 'submit_for_review', 'withdraw'])
		expect(actions.every((a) => a.blocked === null)).toBe(true)
		expect(actions.find((a) => a.action === 'edit')?.to).toBe('draft')
	})

	it('shows submit blocked, with the reason, while the checklist fails', () => {
		const submit = availableActions('draft', { roles: ['member'], isAuthor: true, checklistReady: false }).find(
			(a) => a.action === 'submit_for_review',
		)
		expect(submit?.blocked?.code).toBe('checklist_failing')
	})

	it('shows review actions blocked by four eyes rather than hiding them', () => {
		const actions = availableActions('in_review', {
			roles: ['member', 'reviewer'],
			isAuthor: true,
			allUseCasesApproved: true,
		})
		expect(actions.map((a) => [a.action, a.blocked?.code ?? null])).toEqual([
			['reopen', null],
			['request_changes', 'four_eyes'],
			['complete_review', 'four_eyes'],
			['withdraw', null],
		])
	})

	it('does not check form input (comment, ticket key) before the form is filled', () => {
		const actions = availableActions('in_review', { roles: ['reviewer'], isAuthor: false, allUseCasesApproved: false })
		expect(actions.map((a) => [a.action, a.blocked?.code ?? null])).toEqual([
			['request_changes', null],
			['complete_review', 'use_cases_pending'],
		])
		expect(availableActions('ready_to_submit', { roles: ['member'], isAuthor: true }).map((a) => a.blocked)).toEqual([
			null,
			null,
			null,
		])
	})

	it('agrees with transition for every state and role set', () => {
		for (const state of REQUEST_STATES) {
			for (const roles of ROLE_SETS) {
				for (const isAuthor of [false, true]) {
					const ctx = passing(roles, isAuthor)
					const offered = availableActions(state, ctx)
					for (const action of REQUEST_ACTIONS) {
						const result = transition(state, action, ctx)
						const entry = offered.find((a) => a.action === action)
						if (result.ok) expect(entry).toEqual({ action, label: ACTION_LABELS[action], to: result.to, blocked: null })
						else if (result.code === 'four_eyes') expect(entry?.blocked?.code).toBe('four_eyes')
						else expect(entry).toBeUndefined()
					}
				}
			}
		}
	})

	it('offers nothing to someone without roles or in a terminal state', () => {
		for (const state of REQUEST_STATES) expect(availableActions(state, { roles: [], isAuthor: false })).toEqual([])
		for (const state of ['declined', 'revoked', 'withdrawn'] as const) {
			expect(availableActions(state, passing(['member', 'reviewer', 'admin'], false))).toEqual([])
		}
	})
})

describe('decideUseCase', () => {
	const reviewer = { roles: ['reviewer'] as Role[], isAuthor: false }
	const outcomes: EngineOutcome[] = ['auto_approvable', 'rejected', 'needs_review']

	it('a reviewer approves a pre-approved or custom use case', () => {
		for (const engineOutcome of ['auto_approvable', 'needs_review'] as const) {
			expect(decideUseCase({ requestState: 'in_review', engineOutcome, decision: 'approve', ctx: reviewer })).toEqual({
				ok: true,
				decision: 'approved',
				reason: null,
			})
		}
	})

	it('a code on Atlassian’s rejected list can never be approved', () => {
		expect(
			decideUseCase({
				requestState: 'in_review',
				engineOutcome: 'rejected',
				decision: 'approve',
				reason: 'fine',
				ctx: reviewer,
			}),
		).toMatchObject({ ok: false, code: 'rejected_code' })
	})

	it('rejecting needs a reason, which is returned trimmed', () => {
		for (const engineOutcome of outcomes) {
			for (const reason of [undefined, '', '  ']) {
				expect(
					decideUseCase({ requestState: 'in_review', engineOutcome, decision: 'reject', reason, ctx: reviewer }),
				).toMatchObject({
					ok: false,
					code: 'reason_required',
				})
			}
			expect(
				decideUseCase({
					requestState: 'in_review',
					engineOutcome,
					decision: 'reject',
					reason: '  Marketing use. ',
					ctx: reviewer,
				}),
			).toEqual({ ok: true, decision: 'rejected', reason: 'Marketing use.' })
		}
	})

	it('four eyes: not on a request the reviewer wrote or last edited', () => {
		for (const decision of ['approve', 'reject'] as const) {
			expect(
				decideUseCase({
					requestState: 'in_review',
					engineOutcome: 'needs_review',
					decision,
					reason: 'x',
					ctx: { roles: ['member', 'reviewer'], isAuthor: true },
				}),
			).toMatchObject({ ok: false, code: 'four_eyes' })
		}
	})

	it('only reviewers decide', () => {
		for (const roles of ROLE_SETS.filter((set) => !set.includes('reviewer'))) {
			expect(
				decideUseCase({
					requestState: 'in_review',
					engineOutcome: 'needs_review',
					decision: 'approve',
					ctx: { roles, isAuthor: false },
				}),
			).toMatchObject({ ok: false, code: 'forbidden_role' })
		}
	})

	it('only while the request is in review', () => {
		for (const requestState of REQUEST_STATES.filter((state) => state !== 'in_review')) {
			expect(
				decideUseCase({ requestState, engineOutcome: 'needs_review', decision: 'approve', ctx: reviewer }),
			).toMatchObject({ ok: false, code: 'not_in_review' })
		}
	})
})

describe('everyUseCaseApproved', () => {
	it('needs at least one use case', () => {
		expect(everyUseCaseApproved([])).toBe(false)
	})

	it('counts the engine’s pre-approval and the reviewer’s approval', () => {
		expect(
			everyUseCaseApproved([
				{ engineOutcome: 'auto_approvable', decision: null },
				{ engineOutcome: 'needs_review', decision: 'approved' },
			]),
		).toBe(true)
	})

	it('waits for custom use cases and stops at any rejection', () => {
		expect(everyUseCaseApproved([{ engineOutcome: 'needs_review', decision: null }])).toBe(false)
		expect(everyUseCaseApproved([{ engineOutcome: 'auto_approvable', decision: 'rejected' }])).toBe(false)
		expect(everyUseCaseApproved([{ engineOutcome: 'rejected', decision: null }])).toBe(false)
		expect(everyUseCaseApproved([{ engineOutcome: 'rejected', decision: 'approved' }])).toBe(false)
	})
})

describe('four eyes over the whole history (issue 9, finding 6)', () => {
	it('says what the person did, in words', () => {
		expect(describeAuthorship({ created: true, edited: false, versions: [] })).toBe('You created this request')
		expect(describeAuthorship({ created: false, edited: true, versions: [2] })).toBe(
			'You edited version 2 of this request',
		)
		expect(describeAuthorship({ created: false, edited: true, versions: [4, 2, 7, 4] })).toBe(
			'You edited versions 2, 4 and 7 of this request',
		)
		expect(describeAuthorship({ created: true, edited: true, versions: [3] })).toBe(
			'You created this request and edited version 3 of it',
		)
		expect(describeAuthorship({ created: false, edited: true, versions: [] })).toBe('You edited this request')
	})

	it('a refusal names the rule: any version since the last approval', () => {
		const authorship = { created: false, edited: true, versions: [2] }
		const result = transition('in_review', 'complete_review', {
			roles: ['reviewer'],
			isAuthor: true,
			authorship,
			allUseCasesApproved: true,
		})
		expect(result).toEqual({
			ok: false,
			code: 'four_eyes',
			message: fourEyesMessage(authorship, 'decide it'),
		})
		expect(fourEyesMessage(authorship, 'decide it')).toBe(
			'You edited version 2 of this request, so another reviewer has to decide it (four eyes: nobody decides a request whose content they wrote or edited in any version since it was last approved).',
		)
		expect(
			decideUseCase({
				requestState: 'in_review',
				engineOutcome: 'needs_review',
				decision: 'approve',
				ctx: { roles: ['reviewer'], isAuthor: true, authorship },
			}),
		).toMatchObject({ ok: false, code: 'four_eyes', message: expect.stringContaining('You edited version 2') })
	})
})

describe('who may correct a ticket date', () => {
	it('whoever may record the step', () => {
		expect(mayCorrectStep('opened', ['member'])).toBe(true)
		expect(mayCorrectStep('opened', ['reviewer'])).toBe(false)
		expect(mayCorrectStep('info_requested', ['reviewer'])).toBe(true)
		expect(mayCorrectStep('approved', ['member'])).toBe(false)
		expect(mayCorrectStep('approved', ['reviewer'])).toBe(true)
		expect(mayCorrectStep('revoked', ['admin'])).toBe(false)
	})
})

describe('which states are still open (moved out of the services)', () => {
	it('an amendment is in progress in every state but approved and the ended ones', () => {
		expect([...IN_PROGRESS_STATES].sort()).toEqual(
			['draft', 'in_review', 'changes_requested', 'ready_to_submit', 'submitted', 'info_requested'].sort(),
		)
	})

	it('the ticket is open while Atlassian has it or waits for our reply, not before or after', () => {
		expect(REQUEST_STATES.filter(isTicketOpen)).toEqual(['submitted', 'info_requested'])
	})
})

describe('authorsFromEvents: four eyes over every version', () => {
	const request = { createdBy: 'ann', updatedBy: 'ann' }

	it('the creator, and everyone who saved a version, with the versions they made', () => {
		const authors = authorsFromEvents(request, [
			{ userId: 'ann', action: 'request.created', version: null },
			{ userId: 'bob', action: 'request.saved', version: '2' },
			{ userId: 'ann', action: 'request.saved', version: '3' },
			{ userId: 'bob', action: 'request.saved', version: 4 },
		])
		expect(Object.fromEntries(authors)).toEqual({
			ann: { created: true, edited: true, versions: [3] },
			bob: { created: false, edited: true, versions: [2, 4] },
		})
	})

	it('an amendment’s creator counts as its creator; an event without a person is skipped', () => {
		const authors = authorsFromEvents(request, [
			{ userId: 'cat', action: 'request.amendment_created', version: null },
			{ userId: null, action: 'request.saved', version: '2' },
		])
		expect(Object.fromEntries(authors)).toEqual({
			ann: { created: true, edited: false, versions: [] },
			cat: { created: true, edited: false, versions: [] },
		})
	})

	it('the row’s last editor counts even when the log lacks their save; a version that is not one is left out', () => {
		const authors = authorsFromEvents({ createdBy: 'ann', updatedBy: 'dan' }, [
			{ userId: 'eve', action: 'request.saved', version: 'x' },
		])
		expect(authors.get('dan')).toEqual({ created: false, edited: true, versions: [] })
		expect(authors.get('eve')).toEqual({ created: false, edited: true, versions: [] })
	})
})
