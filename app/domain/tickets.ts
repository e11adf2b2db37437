/**
 * Atlassian support tickets (domain.md, "Tickets"): the key a request became,
 * how long it has waited, and when to chase it. Atlassian publishes no
 * turnaround time, so Clearance only counts and prompts.
 */

/** e.g. DEVHELP-5718, AMKTHELP-40168 (domain.md, "Tickets"). */
export const TICKET_KEY_PATTERN = /^[A-Z][A-Z0-9]+-\d+$/

/** Quiet days before Clearance prompts a follow-up; configurable per organisation. */
export const DEFAULT_FOLLOW_UP_DAYS = 10

const MAX_KEY_LENGTH = 64
const DAY_MS = 24 * 60 * 60 * 1000

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
function calendarDay(instant: Date, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
	}).formatToParts(instant)
	const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value)
	return Math.round(Date.UTC(part('year'), part('month') - 1, part('day')) / DAY_MS)
}

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
