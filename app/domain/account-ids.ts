/**
 * Atlassian account ids and the `updatedAt` stamps reported with them
 * (docs/rules.md › Personal-data reporting). Clearance stores account ids and
 * dates only, never an Atlassian user's email address
 * (docs/rules.md › Emails are never stored).
 */

export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string }

export const MAX_ACCOUNT_ID_LENGTH = 128
/** Atlassian's placeholder for a user it cannot identify; never reported (docs/rules.md › Personal-data reporting). */
export const PLACEHOLDER_ACCOUNT_ID = 'unknown'

export const EMAIL_IN_ACCOUNT_ID_REASON = 'this looks like an email address — store account ids only'

// Atlassian's documented format (docs/rules.md › Personal-data reporting):
// letters, digits, '-' and ':'. Real ids are 24 hex digits or "557058:<uuid>".
const ACCOUNT_ID = /^[A-Za-z0-9:-]+$/

export function validateAccountId(raw: unknown): Validated<string> {
	if (typeof raw !== 'string') return { ok: false, reason: 'account id must be text' }
	const value = raw.trim()
	if (value === '') return { ok: false, reason: 'account id is empty' }
	// Checked before the character rule so the user learns why, not just that it failed.
	if (value.includes('@')) return { ok: false, reason: EMAIL_IN_ACCOUNT_ID_REASON }
	if (value.toLowerCase() === PLACEHOLDER_ACCOUNT_ID) {
		return {
			ok: false,
			reason: 'Atlassian forbids reporting the placeholder account id unknown',
		}
	}
	if (value.length > MAX_ACCOUNT_ID_LENGTH) {
		return {
			ok: false,
			reason: `account id is longer than ${MAX_ACCOUNT_ID_LENGTH} characters`,
		}
	}
	if (!ACCOUNT_ID.test(value)) {
		return {
			ok: false,
			reason: "account id may contain only letters, digits, ':' and '-' (Atlassian's format)",
		}
	}
	return { ok: true, value }
}

// RFC 3339 section 5.6 (T/Z may be lower case; the section's note allows a
// space separator). A bare date is accepted too, see validateUpdatedAt.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2}))?$/

/** 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, the instants updatedAt may take. */
export const MIN_UPDATED_AT_MS = 0
export const MAX_UPDATED_AT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/**
 * An RFC 3339 date-time with `Z` or an offset. A bare date (`2026-03-01`) is
 * accepted as 00:00:00Z of that day: an earlier `updatedAt` can only make
 * Atlassian answer "updated" for more accounts, never hide a change. A
 * date-time without a zone is refused: its instant is unknowable.
 * With `now`, a future stamp is refused, because it would suppress "updated"
 * answers for changes made in between.
 */
export function validateUpdatedAt(raw: unknown, options: { now?: Date } = {}): Validated<Date> {
	let value: Date
	if (raw instanceof Date) {
		if (Number.isNaN(raw.getTime())) return { ok: false, reason: 'updatedAt is not a valid date' }
		value = raw
	} else if (typeof raw === 'string') {
		const parsed = parseDateTime(raw.trim())
		if (!parsed.ok) return parsed
		value = parsed.value
	} else {
		return { ok: false, reason: 'updatedAt must be an RFC 3339 date-time' }
	}
	// PostgreSQL refuses year 0 and Atlassian's body needs four digits: outside this range a row would fail the whole import.
	if (value.getTime() < MIN_UPDATED_AT_MS || value.getTime() > MAX_UPDATED_AT_MS) {
		return { ok: false, reason: 'updatedAt must be between 1970-01-01 and 9999-12-31' }
	}
	if (options.now && value.getTime() > options.now.getTime()) {
		return { ok: false, reason: 'updatedAt is in the future' }
	}
	return { ok: true, value }
}

function parseDateTime(text: string): Validated<Date> {
	const match = DATE_TIME.exec(text)
	if (!match) {
		const reason = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)
			? 'updatedAt needs a time zone: end it with Z or an offset such as +02:00'
			: 'updatedAt must be an RFC 3339 date-time such as 2026-03-01T09:30:00Z'
		return { ok: false, reason }
	}
	const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = match
	const year = Number(y)
	const month = Number(mo)
	const day = Number(d)
	const hour = Number(h)
	const minute = Number(mi)
	const second = Number(s)
	if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
		return { ok: false, reason: `updatedAt has no such date: ${y}-${mo}-${d}` }
	}
	// Leap seconds (:60) are refused: JavaScript dates cannot hold them.
	if (hour > 23 || minute > 59 || second > 59) {
		return { ok: false, reason: `updatedAt has no such time: ${h}:${mi}:${s}` }
	}
	let offsetMinutes = 0
	if (zone !== 'Z' && zone !== 'z') {
		const offsetHours = Number(zone.slice(1, 3))
		const offsetMins = Number(zone.slice(4, 6))
		if (offsetHours > 23 || offsetMins > 59) {
			return { ok: false, reason: `updatedAt has an impossible offset: ${zone}` }
		}
		offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins)
	}
	// Sub-millisecond digits are truncated: Date holds milliseconds.
	const ms = Number(fraction.slice(0, 3).padEnd(3, '0'))
	const date = new Date(0)
	date.setUTCFullYear(year, month - 1, day)
	date.setUTCHours(hour, minute, second, ms)
	return { ok: true, value: new Date(date.getTime() - offsetMinutes * 60_000) }
}

function daysInMonth(year: number, month: number): number {
	const date = new Date(0)
	date.setUTCFullYear(year, month, 0)
	return date.getUTCDate()
}

/** RFC 3339 in UTC with milliseconds, the form Atlassian's reporting body takes. */
export function toRfc3339(date: Date): string {
	const ms = date.getTime()
	// The range validateUpdatedAt accepts: one rule for what goes in and what goes out.
	if (Number.isNaN(ms) || ms < MIN_UPDATED_AT_MS || ms > MAX_UPDATED_AT_MS) {
		throw new RangeError('toRfc3339 needs a valid date between 1970-01-01 and 9999-12-31')
	}
	return date.toISOString()
}
