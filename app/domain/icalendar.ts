/**
 * An iCalendar (RFC 5545) writer for feeds of all-day events: what the
 * calendar feed needs and nothing more. Pure: values in, text out.
 *
 * RFC 5545 rules it keeps:
 * - §3.1 content lines end in CRLF and are folded so that no line is longer
 *   than 75 octets (not characters): a continuation line starts with one
 *   space, and a multi-byte UTF-8 character is never split;
 * - §3.3.11 TEXT values escape backslash, semicolon, comma and newline;
 *   other control characters are not allowed in TEXT, so they are dropped;
 * - §3.3.4 an all-day event is `DTSTART;VALUE=DATE` with an exclusive
 *   `DTEND;VALUE=DATE` on the next day (a floating date: the same day in
 *   every viewer's zone, which is what a due day in the organisation's zone means);
 * - §3.6.1 every VEVENT has UID and DTSTAMP (UTC);
 * - §3.6.6 a DISPLAY alarm has ACTION, TRIGGER and DESCRIPTION.
 * Calendar properties from RFC 7986 (NAME, REFRESH-INTERVAL) are written
 * beside the X-WR-* ones Google Calendar and Outlook read.
 */

export const CRLF = '\r\n'
/** RFC 5545 §3.1: "Lines of text SHOULD NOT be longer than 75 octets, excluding the line break." */
export const MAX_LINE_OCTETS = 75

export type CalendarEvent = {
	/** Globally unique and stable for the same subject and day, e.g. `report-<appId>-20260317@clearance`. */
	uid: string
	/** The all-day event's day, `YYYY-MM-DD`. */
	date: string
	summary: string
	description?: string
	/** An absolute http(s) link to where the work is done. */
	url?: string
	/** A display alarm this many days before the day starts (1: the day before). */
	alarmDaysBefore?: number
	categories?: string[]
}

export type Calendar = {
	/** RFC 5545 §3.7.3, e.g. `-//Clearance//Reporting deadlines//EN`. */
	prodId: string
	name: string
	description?: string
	/** The IANA zone the dates are in, for clients that show it (X-WR-TIMEZONE). */
	timeZone?: string
	/** How often a subscriber should fetch the feed again, in minutes. */
	refreshMinutes?: number
	events: readonly CalendarEvent[]
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** `2026-03-17` → `20260317` (RFC 5545 §3.3.4 DATE); throws on anything else. */
export function icsDate(date: string): string {
	const match = DATE.exec(date)
	if (!match) throw new Error(`not a calendar date: ${JSON.stringify(date)}`)
	const [, year, month, day] = match
	const check = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))
	if (check.getUTCFullYear() !== Number(year) || check.getUTCMonth() + 1 !== Number(month)) {
		throw new Error(`not a calendar date: ${JSON.stringify(date)}`)
	}
	return `${year}${month}${day}`
}

/** The day after `date` (both `YYYY-MM-DD`): the exclusive end of an all-day event. */
export function nextDay(date: string): string {
	icsDate(date)
	const [year, month, day] = date.split('-').map(Number) as [number, number, number]
	return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10)
}

/** An instant as a UTC DATE-TIME, `20260317T101500Z` (RFC 5545 §3.3.5, form #2). */
export function icsDateTimeUtc(instant: Date): string {
	return instant
		.toISOString()
		.replace(/\.\d{3}Z$/, 'Z')
		.replace(/[-:]/g, '')
}

/**
 * A TEXT value (RFC 5545 §3.3.11): `\` `;` `,` escaped, any line break as
 * `\n`, and the control characters TEXT may not hold (all but tab) dropped.
 */
export function escapeText(value: string): string {
	return value
		.replace(/\\/g, '\\\\')
		.replace(/;/g, '\\;')
		.replace(/,/g, '\\,')
		.replace(/\r\n|\r|\n/g, '\\n')

		.replace(/[\u0000-\u0008\u000A-\u001F\u007F]/g, '')
}

const encoder = new TextEncoder()

/**
 * Folds one content line (RFC 5545 §3.1): each physical line at most 75
 * octets, continuation lines starting with a space (which counts), split
 * between characters only, so UTF-8 stays valid. Returns the lines joined by CRLF.
 */
export function foldLine(line: string): string {
	if (encoder.encode(line).length <= MAX_LINE_OCTETS) return line
	const lines: string[] = []
	let current = ''
	let octets = 0
	for (const character of line) {
		const size = encoder.encode(character).length
		if (octets + size > MAX_LINE_OCTETS) {
			lines.push(current)
			current = ' '
			octets = 1
		}
		current += character
		octets += size
	}
	lines.push(current)
	return lines.join(CRLF)
}

/** A URI value may hold no line break or control character; anything else is refused rather than written broken. */
function uri(value: string): string {
	if (/[\u0000-\u001F\u007F\s]/.test(value) || !/^https?:\/\//i.test(value)) {
		throw new Error(`not an http(s) URL for a calendar: ${JSON.stringify(value)}`)
	}
	return value
}

/** A property value that is not TEXT (UID is TEXT too, but must also be one line). */
function uid(value: string): string {
	if (value.trim() === '') throw new Error('an event needs a UID')
	return escapeText(value)
}

function eventLines(event: CalendarEvent, stamp: string): string[] {
	const lines = [
		'BEGIN:VEVENT',
		`UID:${uid(event.uid)}`,
		`DTSTAMP:${stamp}`,
		`DTSTART;VALUE=DATE:${icsDate(event.date)}`,
		`DTEND;VALUE=DATE:${icsDate(nextDay(event.date))}`,
		`SUMMARY:${escapeText(event.summary)}`,
	]
	if (event.description) lines.push(`DESCRIPTION:${escapeText(event.description)}`)
	if (event.url) lines.push(`URL:${uri(event.url)}`)
	if (event.categories?.length) lines.push(`CATEGORIES:${event.categories.map(escapeText).join(',')}`)
	// A deadline is not busy time: it must not block meetings.
	lines.push('TRANSP:TRANSPARENT')
	if (event.alarmDaysBefore !== undefined) {
		const days = event.alarmDaysBefore
		if (!Number.isInteger(days) || days < 0) throw new Error(`alarmDaysBefore must be a whole number ≥ 0: ${days}`)
		lines.push(
			'BEGIN:VALARM',
			'ACTION:DISPLAY',
			`TRIGGER:${days === 0 ? 'PT0S' : `-P${days}D`}`,
			`DESCRIPTION:${escapeText(event.summary)}`,
			'END:VALARM',
		)
	}
	lines.push('END:VEVENT')
	return lines
}

/** The whole calendar as iCalendar text: CRLF line ends, folded, ending in CRLF. */
export function writeCalendar(calendar: Calendar, now: Date): string {
	const stamp = icsDateTimeUtc(now)
	const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${escapeText(calendar.prodId)}`, 'CALSCALE:GREGORIAN']
	lines.push('METHOD:PUBLISH', `NAME:${escapeText(calendar.name)}`, `X-WR-CALNAME:${escapeText(calendar.name)}`)
	if (calendar.description) {
		lines.push(`DESCRIPTION:${escapeText(calendar.description)}`, `X-WR-CALDESC:${escapeText(calendar.description)}`)
	}
	if (calendar.timeZone) lines.push(`X-WR-TIMEZONE:${escapeText(calendar.timeZone)}`)
	if (calendar.refreshMinutes) {
		const minutes = Math.max(1, Math.round(calendar.refreshMinutes))
		lines.push(`REFRESH-INTERVAL;VALUE=DURATION:PT${minutes}M`, `X-PUBLISHED-TTL:PT${minutes}M`)
	}
	for (const event of calendar.events) lines.push(...eventLines(event, stamp))
	lines.push('END:VCALENDAR')
	return lines.map(foldLine).join(CRLF) + CRLF
}
