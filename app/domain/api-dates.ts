import { offsetAt } from './zoned-time'

/**
 * Dates the REST API answers with: RFC 3339 date-times carrying the
 * organisation's own offset (`2026-03-10T23:59:59.999+13:00`), so a due date
 * reads as the local end of day it is, and any client parses the instant.
 */
export function toRfc3339InZone(date: Date, timeZone: string): string {
	const ms = date.getTime()
	if (Number.isNaN(ms)) throw new RangeError('toRfc3339InZone needs a valid date')
	// Whole minutes: RFC 3339 offsets have no seconds (old local mean times did).
	const offsetMinutes = Math.round(offsetAt(ms, timeZone) / 60_000)
	const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1)
	const sign = offsetMinutes < 0 ? '-' : '+'
	const abs = Math.abs(offsetMinutes)
	return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/** Null stays null. */
export function rfc3339OrNull(date: Date | null | undefined, timeZone: string): string | null {
	return date ? toRfc3339InZone(date, timeZone) : null
}
