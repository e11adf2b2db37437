import { createHash } from 'node:crypto'
import { DAY_MS, localDateTime } from './zoned-time'

/**
 * How Clearance's own reporter behaves towards Atlassian's personal-data
 * reporting API (docs/rules.md › Personal-data reporting; Atlassian's
 * "User privacy guidelines for app developers"): when it sends, how it reads
 * each answer, how long it waits. Pure: no I/O.
 */

/** Longest Retry-After Clearance waits inside one pass; a longer one ends the pass and the run resumes later. */
export const RETRY_AFTER_CAP_SECONDS = 60
/** Retry-After waits per batch inside one pass (ace-gdpr retries a 429 without limit; Clearance does not). */
export const MAX_RATE_LIMIT_WAITS = 5
/** Retries of one batch after a 500, a 503 or a network error, inside one pass. */
export const MAX_TRANSIENT_RETRIES = 3
/** Passes a run may take (each after a pause) before it is given up as failed. */
export const MAX_RUN_ATTEMPTS = 6
/** The pause before a run that ran out of retries is tried again in a later pass. */
export const RESUME_AFTER_TRANSIENT_MS = 15 * 60 * 1000
/** After a failed run, the scheduler starts a new one no sooner than this (a person may send at once). */
export const RETRY_FAILED_AFTER_MS = 6 * 60 * 60 * 1000
/** Default hours before the due moment in which the report is sent (REPORTER_LEAD_HOURS). */
export const DEFAULT_LEAD_HOURS = 20
/** Minutes either side of a full hour that a planned send avoids (Atlassian: never on the hour or at midnight). */
export const ON_THE_HOUR_MARGIN_MINUTES = 5

export type AnswerClass =
	| 'answered' // 200: closed/updated accounts in the body
	| 'nothing' // 204: nothing to do
	| 'rate_limited' // 429: wait Retry-After seconds
	| 'transient' // 500, 502, 503, 504: back off and retry
	| 'refused' // 400: Atlassian says the request is wrong; the run fails with its errorType
	| 'unauthorised' // 401, 403: the connection is broken; a person must fix it
	| 'unexpected' // anything else

export function classifyAnswer(status: number): AnswerClass {
	if (status === 200) return 'answered'
	if (status === 204) return 'nothing'
	if (status === 429) return 'rate_limited'
	if (status === 401 || status === 403) return 'unauthorised'
	if (status === 400) return 'refused'
	if (status === 500 || status === 502 || status === 503 || status === 504) return 'transient'
	return 'unexpected'
}

/**
 * Retry-After, in seconds as Atlassian documents it for this API; an HTTP
 * date (RFC 9110 allows one) is read too. Null when absent or unreadable.
 */
export function retryAfterSeconds(value: string | null | undefined, now: Date): number | null {
	const text = value?.trim() ?? ''
	if (text === '') return null
	if (/^\d{1,9}$/.test(text)) return Number(text)
	if (!/[a-z]/i.test(text)) return null
	const at = Date.parse(text)
	if (Number.isNaN(at)) return null
	return Math.max(0, Math.ceil((at - now.getTime()) / 1000))
}

/** Exponential back-off with a fixed part per attempt (1 s, 2 s, 4 s …, at most 30 s) plus up to a quarter more. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
	const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt))
	return Math.round(base * (1 + random() / 4))
}

/** `{errorType, errorMessage}` from a 400/500 body, as Atlassian sends it; null when the body has neither. */
export function atlassianError(bodyText: string): { errorType: string | null; errorMessage: string | null } | null {
	let value: unknown
	try {
		value = JSON.parse(bodyText)
	} catch {
		return null
	}
	if (typeof value !== 'object' || value === null) return null
	const record = value as Record<string, unknown>
	const errorType = typeof record.errorType === 'string' ? clip(record.errorType, 200) : null
	const errorMessage = typeof record.errorMessage === 'string' ? clip(record.errorMessage, 500) : null
	return errorType || errorMessage ? { errorType, errorMessage } : null
}

function clip(text: string, max: number) {
	// Control characters never reach a page or a log line.
	const clean = text.replace(/\p{Cc}/gu, ' ')
	return clean.length > max ? `${clean.slice(0, max)}…` : clean
}

/** What a person reads when a batch was refused with a 400. */
export function refusedMessage(batch: number, bodyText: string): string {
	const error = atlassianError(bodyText)
	const detail = error
		? [error.errorType, error.errorMessage].filter(Boolean).join(': ')
		: bodyText.trim()
			? `“${clip(bodyText.trim(), 200)}”`
			: 'no reason given'
	return `Atlassian refused batch ${batch} as a bad request (400): ${detail}. Nothing after it was sent; check the ledger for that batch's accounts, then send again.`
}

/** A number in [0, 1) fixed for each app: its place in the sending window, so apps are not all sent at once. */
export function jitterFraction(appId: string): number {
	const digest = createHash('sha256').update(`reporter:${appId}`).digest()
	return digest.readUInt32BE(0) / 2 ** 32
}

export type PlanInput = {
	appId: string
	/** The due moment (end of the due day in the organisation's zone); null when a report is due now. */
	dueAt: Date | null
	/** The latest report's time, if any: an account is not reported more often than the cycle. */
	lastReportAt: Date | null
	cycleDays: number
	leadHours: number
	timeZone: string
}

/**
 * When the reporter plans to send: inside the last `leadHours` before the due
 * moment, never earlier than one cycle after the last report, at a place in
 * that window fixed per app (jitter), and never within a few minutes of a
 * full hour in the organisation's zone (Atlassian asks for no reports on the
 * hour or at midnight). Null when nothing tells when (no due date: send now).
 */
export function plannedSendAt(input: PlanInput): Date | null {
	if (!input.dueAt) return null
	const due = input.dueAt.getTime()
	const earliestByCycle = input.lastReportAt ? input.lastReportAt.getTime() + input.cycleDays * DAY_MS : -Infinity
	const windowStart = Math.min(due, Math.max(due - input.leadHours * 3_600_000, earliestByCycle))
	// The first half of the window: the second half is left for retries and resumes.
	const span = Math.max(0, due - windowStart) / 2
	let at = windowStart + Math.floor(jitterFraction(input.appId) * span)
	at = awayFromTheHour(at, input.timeZone, windowStart, due)
	return new Date(at)
}

function awayFromTheHour(at: number, timeZone: string, earliest: number, latest: number): number {
	const local = localDateTime(new Date(at), timeZone)
	const minute = local.minute + local.second / 60
	const margin = ON_THE_HOUR_MARGIN_MINUTES
	if (minute >= margin && minute <= 60 - margin) return at
	// Move to 7 to 12 minutes past the hour, or before it when that would pass the due moment.
	const toPast = ((minute < margin ? margin - minute : 60 - minute + margin) + 2) * 60_000
	const toBefore = ((minute < margin ? minute + margin : minute - (60 - margin)) + 2) * 60_000
	if (at + toPast <= latest) return Math.round(at + toPast)
	if (at - toBefore >= earliest) return Math.round(at - toBefore)
	return at
}

/** Whether the app's report should be sent now (a person's "Send now" skips this). */
export function isDue(planned: Date | null, now: Date): boolean {
	return planned === null || planned.getTime() <= now.getTime()
}
