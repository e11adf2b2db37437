/**
 * What an app may use Atlassian users' email for today, and whether its own
 * record still agrees with what Atlassian approved (docs/rules.md ›
 * Appropriate use; Atlassian's Email API guidelines: Atlassian may audit an
 * app and remove it from the allowlist). Pure: the service loads the events.
 */

import { appTypeText } from './request-text'
import { capitalise } from './text'

/** One approval or revocation by Atlassian of one of the app's requests. */
export type AccessEvent = {
	requestId: string
	kind: 'approved' | 'revoked'
	/** When it happened at Atlassian (the corrected date, if corrected). */
	at: Date
	/** Recording order, which breaks ties between events of the same day. */
	seq: number
}

export type AppAccess =
	| { status: 'none' }
	| { status: 'approved'; requestId: string; approvedAt: Date }
	/** Access revoked and no request approved since: no approved scope at all. */
	| { status: 'revoked'; requestId: string; revokedAt: Date }

/**
 * The app's access from its requests' approvals and revocations. Atlassian
 * revokes an app's access, not one request's: a revocation ends the scope
 * of every earlier approval (an older approved request does not come back),
 * and only a request approved after it gives the app a scope again.
 * Ordered by when it happened, then by recording order.
 */
export function appAccess(events: readonly AccessEvent[]): AppAccess {
	const ordered = [...events].sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq)
	let access: AppAccess = { status: 'none' }
	for (const event of ordered) {
		access =
			event.kind === 'approved'
				? { status: 'approved', requestId: event.requestId, approvedAt: event.at }
				: { status: 'revoked', requestId: event.requestId, revokedAt: event.at }
	}
	return access
}

/** What an approved request of the app means now, for its own page. */
export type ApprovalStanding =
	| { standing: 'in_force' }
	/** A later approval (an amendment) is the app's scope now. */
	| { standing: 'superseded'; byRequestId: string; at: Date }
	/** Atlassian revoked the app's access after this approval. */
	| { standing: 'revoked'; byRequestId: string; at: Date }

export function approvalStanding(access: AppAccess, requestId: string): ApprovalStanding {
	if (access.status === 'approved') {
		return access.requestId === requestId
			? { standing: 'in_force' }
			: { standing: 'superseded', byRequestId: access.requestId, at: access.approvedAt }
	}
	if (access.status === 'revoked') return { standing: 'revoked', byRequestId: access.requestId, at: access.revokedAt }
	// No approval on record at all: nothing contradicts the request's own state.
	return { standing: 'in_force' }
}

// ── The app record against its approved request ────────────────────────────

export type AppPersonalDataAnswer = 'yes' | 'no' | 'undecided'

/** The app's answer a request approved with this answer stands for (null: the request did not say). */
export function answerOfRequest(storesPersonalData: boolean | null): 'yes' | 'no' | null {
	if (storesPersonalData === null) return null
	return storesPersonalData ? 'yes' : 'no'
}

const APP_SAYS: Record<AppPersonalDataAnswer, string> = {
	yes: 'it stores personal data',
	no: 'it stores no personal data',
	undecided: 'it is not decided whether it stores personal data',
}

export type PersonalDataConflict = {
	app: AppPersonalDataAnswer
	approved: 'yes' | 'no'
	message: string
}

/**
 * Whether the app record contradicts its approved request about personal
 * data (Atlassian approved the request, with its answer, so the request is
 * the reference): any difference, including an app that went back to "not
 * decided". Null when they agree or there is no approved answer.
 */
export function personalDataConflict(
	appAnswer: AppPersonalDataAnswer,
	approvedStoresPersonalData: boolean | null,
): PersonalDataConflict | null {
	const approved = answerOfRequest(approvedStoresPersonalData)
	if (approved === null || approved === appAnswer) return null
	return {
		app: appAnswer,
		approved,
		message: `The app record says ${APP_SAYS[appAnswer]}, but the approved request says ${APP_SAYS[approved]}: submit an amendment or correct the app.`,
	}
}

/**
 * Whether the app record is no longer the app Atlassian approved: another app type (an approval of a Forge app
 * does not cover a script using an API token) or another app key. Null when they agree.
 */
export function identityConflict(
	app: { appType: string; appKey: string },
	approved: { appType: string | null; appKey: string },
): string | null {
	const differences: string[] = []
	if (approved.appType && approved.appType !== app.appType)
		differences.push(
			`the app record says “${appTypeText(app.appType)}”, the approved request “${appTypeText(approved.appType)}”`,
		)
	if (approved.appKey && approved.appKey !== app.appKey)
		differences.push(`the app key is “${app.appKey}”, the approved request’s “${approved.appKey}”`)
	if (differences.length === 0) return null
	return `${capitalise(differences.join('; '))}. Atlassian approved the app as the request described it: submit an amendment or correct the app.`
}
