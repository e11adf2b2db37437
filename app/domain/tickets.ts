import { EARLIEST_YEAR, utcInstant } from './calendar-day'
import { DAY_MS, dayNumberIn, formatLocalDate, zonedToInstant } from './zoned-time'

/**
 * Atlassian support tickets (docs/rules.md › Tickets): the key a request became,
 * how long it has waited, and when to chase it. Atlassian publishes no
 * turnaround time, so Clearance only counts and prompts.
 */

/** e.g. DEVHELP-5718, AMKTHELP-40168 (docs/rules.md › Tickets). */
export const TICKET_KEY_PATTERN = /^[A-Z][A-Z0-9]+-\d+$/

/** Quiet days before Clearance prompts a follow-up; configurable per organisation. */
export const DEFAULT_FOLLOW_UP_DAYS = 10

const MAX_KEY_LENGTH = 64

export type TicketKeyResult = { ok: true; key: string } | { ok: false; message: string }

/**
 * Accepts what a vendor pastes: the key in any case (`devhelp-5718`, stored
 * uppercase as Jira shows it), surrounding spaces, or the ticket's portal URL,
 * whose last path segment is the key.
 */
export function parseTicketKey(raw: string): TicketKeyResult {
	const input = raw.trim()
	if (!input) {
		return { ok: false, message: 'Enter the ticket key from Atlassian’s confirmation, for example DEVHELP-5718.' }
	}
	const candidate = /^https?:\/\//i.test(input) ? lastPathSegment(input) : input
	// ASCII first: 'ß'.toUpperCase() is 'SS' and 'ı' becomes 'I', which would turn a non-key into one.
	const key = candidate && /^[\x21-\x7e]+$/.test(candidate) ? candidate.toUpperCase() : null
	if (key === null || key.length > MAX_KEY_LENGTH || !TICKET_KEY_PATTERN.test(key)) {
		const shown = input.length > 40 ? `${input.slice(0, 40)}…` : input
		return {
			ok: false,
			message: `“${shown}” is not a ticket key. A key is the project letters, a hyphen and the number, for example DEVHELP-5718.`,
		}
	}
	return { ok: true, key }
}

function lastPathSegment(url: string): string | null {
	try {
		const segments = new URL(url).pathname.split('/').filter(Boolean)
		return segments.at(-1) ?? null
	} catch {
		return null
	}
}

/**
 * Day number of the calendar date `instant` falls on in `timeZone`. Calendar
 * days, not 24-hour spans, because people count "opened Monday, today is
 * Thursday" as three days.
 */
const calendarDay = dayNumberIn

/** Calendar days between two instants in `timeZone`; never negative (clock skew). */
function calendarDaysBetween(from: Date, to: Date, timeZone: string): number {
	return Math.max(0, calendarDay(to, timeZone) - calendarDay(from, timeZone))
}

/**
 * Days a ticket has waited: 0 on the day it was opened. `timeZone` is an IANA
 * name (default UTC); an unknown one throws RangeError.
 */
export function daysWaiting(openedAt: Date, now: Date, timeZone = 'UTC'): number {
	return calendarDaysBetween(openedAt, now, timeZone)
}

export type FollowUp = {
	/** Prompt the vendor to chase Atlassian. */
	due: boolean
	/** Calendar days since the last activity on the ticket. */
	daysQuiet: number
	/** 0 once due. */
	daysUntilDue: number
}

/**
 * Whether an open ticket has been quiet long enough to chase. Due once
 * `quietDays` full calendar days have passed without activity — exactly 10
 * quiet days prompts ("after 10 days without activity"), 9 does not.
 */
export function needsFollowUp(input: {
	lastActivityAt: Date
	now: Date
	quietDays?: number
	timeZone?: string
}): FollowUp {
	const { lastActivityAt, now, quietDays = DEFAULT_FOLLOW_UP_DAYS, timeZone = 'UTC' } = input
	if (!Number.isInteger(quietDays) || quietDays < 1) {
		throw new RangeError(`quietDays must be a whole number of days, at least 1 (got ${quietDays})`)
	}
	const daysQuiet = calendarDaysBetween(lastActivityAt, now, timeZone)
	return { due: daysQuiet >= quietDays, daysQuiet, daysUntilDue: Math.max(0, quietDays - daysQuiet) }
}

// ── Ticket dates (docs/rules.md › Tickets) ───────────────────────────────

/**
 * The dated steps of a ticket: when it was opened and each answer from
 * Atlassian. Their dates are what an auditor checks, so they must follow
 * each other: none in the future, none before the step it answers.
 */
export const TICKET_STEP_KINDS = ['opened', 'info_requested', 'approved', 'declined', 'revoked'] as const
export type TicketStepKind = (typeof TICKET_STEP_KINDS)[number]

/** The timeline event that records each step. */
export const STEP_OF_EVENT: Record<string, TicketStepKind> = {
	record_ticket: 'opened',
	atlassian_requested_info: 'info_requested',
	atlassian_approved: 'approved',
	atlassian_declined: 'declined',
	atlassian_revoked: 'revoked',
}

/** "Atlassian’s approval cannot be dated …": the step as the subject of a sentence. */
export const STEP_SUBJECTS: Record<TicketStepKind, string> = {
	opened: 'The date the ticket was opened',
	info_requested: 'Atlassian’s question',
	approved: 'Atlassian’s approval',
	declined: 'Atlassian’s decline',
	revoked: 'Atlassian’s revocation',
}

/** "… before the ticket was opened": the step as what happened. */
export const STEP_EVENTS: Record<TicketStepKind, string> = {
	opened: 'the ticket was opened',
	info_requested: 'Atlassian asked for information',
	approved: 'Atlassian approved',
	declined: 'Atlassian declined',
	revoked: 'Atlassian revoked access',
}

/** Short names for a list of dates, e.g. in the correction form. */
export const STEP_NAMES: Record<TicketStepKind, string> = {
	opened: 'Ticket opened',
	info_requested: 'Atlassian asked for information',
	approved: 'Atlassian approved',
	declined: 'Atlassian declined',
	revoked: 'Atlassian revoked access',
}

/** The timeline event kind of a date correction; its details name the corrected event. */
export const DATE_CORRECTED = 'date_corrected'

export type TicketStep = {
	/** The timeline event that recorded the step. */
	eventId: number
	kind: TicketStepKind
	/** The date in force: the latest correction, or the date first recorded. */
	at: Date
	/** The date first recorded, when a correction replaced it. */
	correctedFrom: Date | null
}

type StepEvent = { id: number; kind: string; occurredAt: Date | string; details: unknown }

function detailsOf(event: StepEvent): Record<string, unknown> {
	return event.details && typeof event.details === 'object' ? (event.details as Record<string, unknown>) : {}
}

function dateOrNull(value: unknown): Date | null {
	if (typeof value !== 'string' && !(value instanceof Date)) return null
	const date = new Date(value)
	return Number.isNaN(date.getTime()) ? null : date
}

/**
 * The date each event is in force at: the `to` of its latest correction.
 * Corrections never edit the event they correct; they are events of their
 * own, so the original date stays on record.
 */
export function correctedDates(events: readonly StepEvent[]): Map<number, Date> {
	const corrected = new Map<number, Date>()
	for (const event of [...events].sort((a, b) => a.id - b.id)) {
		if (event.kind !== DATE_CORRECTED) continue
		const details = detailsOf(event)
		const to = dateOrNull(details.to)
		if (typeof details.eventId === 'number' && to) corrected.set(details.eventId, to)
	}
	return corrected
}

/**
 * The ticket's dated steps in the order they were recorded, each with the
 * date in force. Only the current ticket counts: steps before the last
 * `record_ticket` belonged to an earlier submission.
 */
export function ticketSteps(events: readonly StepEvent[]): TicketStep[] {
	const sorted = [...events].sort((a, b) => a.id - b.id)
	const start = sorted.findLastIndex((event) => event.kind === 'record_ticket')
	if (start < 0) return []
	const corrected = correctedDates(sorted)
	return sorted.slice(start).flatMap((event) => {
		const step = stepOf(event, corrected)
		return step ? [step] : []
	})
}

/** The step an event records, with its date in force; null for events that record no dated step. */
export function stepOf(event: StepEvent, corrected: ReadonlyMap<number, Date>): TicketStep | null {
	const kind = STEP_OF_EVENT[event.kind]
	if (!kind) return null
	// The ticket's opening date is entered as such; an answer's date is when the event happened.
	const recorded = (kind === 'opened' ? dateOrNull(detailsOf(event).openedAt) : null) ?? new Date(event.occurredAt)
	const fix = corrected.get(event.id)
	return { eventId: event.id, kind, at: fix ?? recorded, correctedFrom: fix ? recorded : null }
}

/** Events that count as activity on the ticket without being a dated step of their own. */
const ACTIVITY_KINDS = ['record_reply', 'ticket_follow_up']

/**
 * The last activity on the current ticket: its latest step (corrected dates
 * in force) or reply or follow-up. What the quiet period and "answered
 * after" count from; null without a ticket.
 */
export function lastActivity(events: readonly StepEvent[]): Date | null {
	const sorted = [...events].sort((a, b) => a.id - b.id)
	const start = sorted.findLastIndex((event) => event.kind === 'record_ticket')
	if (start < 0) return null
	const dates = [
		...ticketSteps(sorted).map((step) => step.at.getTime()),
		...sorted
			.slice(start)
			.filter((event) => ACTIVITY_KINDS.includes(event.kind))
			.map((event) => new Date(event.occurredAt).getTime()),
	]
	return new Date(Math.max(...dates))
}

export type StepDateResult = { ok: true } | { ok: false; message: string }

function formatDay(date: Date, timeZone: string) {
	return formatLocalDate(date, timeZone)
}

/**
 * Whether `at` is a possible date for a `kind` step: not after today in the
 * organisation's time zone, not before any step it follows (`earlier`) and
 * not after any step that follows it (`later`). Compared as calendar days,
 * because dates are entered as days: an answer on the day the ticket was
 * opened is fine.
 */
export function checkStepDate(input: {
	kind: TicketStepKind
	at: Date
	now: Date
	timeZone?: string
	earlier?: readonly Pick<TicketStep, 'kind' | 'at'>[]
	later?: readonly Pick<TicketStep, 'kind' | 'at'>[]
}): StepDateResult {
	const { kind, at, now, timeZone = 'UTC', earlier = [], later = [] } = input
	const day = calendarDay(at, timeZone)
	if (day > calendarDay(now, timeZone)) {
		return {
			ok: false,
			message: `${STEP_SUBJECTS[kind]} cannot be in the future: today is ${formatDay(now, timeZone)} in your organisation’s time zone.`,
		}
	}
	const before = earlier.find((step) => day < calendarDay(step.at, timeZone))
	if (before) {
		return {
			ok: false,
			message: `${STEP_SUBJECTS[kind]} cannot be dated before ${STEP_EVENTS[before.kind]} (${formatDay(before.at, timeZone)}).`,
		}
	}
	const after = later.find((step) => day > calendarDay(step.at, timeZone))
	if (after) {
		return {
			ok: false,
			message: `${STEP_SUBJECTS[kind]} cannot be dated after ${STEP_EVENTS[after.kind]} (${formatDay(after.at, timeZone)}).`,
		}
	}
	return { ok: true }
}

/**
 * The instant a date picked as a calendar day stands for: noon of that day
 * in the organisation's time zone (so it shows as that day there), or `now`
 * when noon is still to come. Null for text that is not a real day.
 */
export function dayToInstant(day: string, timeZone: string, now: Date): Date | null {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim())
	if (!match) return null
	const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])]
	if (year < EARLIEST_YEAR) return null
	const check = utcInstant(year, month, date)
	if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) return null
	const noon = new Date(
		zonedToInstant({ year, month, day: date, hour: 12, minute: 0, second: 0, millisecond: 0 }, timeZone),
	)
	// Today before noon: now. A day still to come stays in the future, for the check to refuse.
	const today = calendarDay(now, timeZone) === Math.round(check.getTime() / DAY_MS)
	return today && noon.getTime() > now.getTime() ? now : noon
}
