/**
 * A real calendar day written as `YYYY-MM-DD` (what `<input type="date">`
 * sends). `Date.parse` alone rolls 2026-02-31 over to 3 March and accepts
 * year 0000, which PostgreSQL then refuses; both are refused here.
 *
 * Every date a person types (ticket dates, storing-since, a report's sent
 * time, the audit filter) and every imported updatedAt is from 1970 on: no
 * date Clearance tracks is earlier, and years 0000–0099 are where JavaScript's
 * dates go wrong (`new Date(50, 5)` and `Date.UTC(50, 5)` are 1950).
 */
/** Milliseconds in a day of 24 hours (the one definition; zoned-time.ts re-exports it). */
export const DAY_MS = 24 * 60 * 60 * 1000

export const EARLIEST_YEAR = 1970

/** Shown when a date is before EARLIEST_YEAR. */
export const TOO_EARLY_MESSAGE = `Enter a real date from ${EARLIEST_YEAR} on: check the year.`

export function isCalendarDay(value: string): boolean {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
	if (!match) return false
	if (Number(match[1]) < EARLIEST_YEAR) return false
	const date = new Date(`${value}T00:00:00Z`)
	return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}

/** True when typed date text (`YYYY-MM-DD…`) names a year before EARLIEST_YEAR: said as such, not as "not a date". */
export function isBeforeEarliestYear(value: string): boolean {
	const match = /^\s*(\d{4})-\d{2}-\d{2}/.exec(value)
	return match !== null && Number(match[1]) < EARLIEST_YEAR
}

/**
 * The UTC instant of a calendar date and time, for any year: unlike
 * `Date.UTC`, a year below 100 is that year, not 1900 plus it.
 */
export function utcInstant(
	year: number,
	month: number,
	day: number,
	hour = 0,
	minute = 0,
	second = 0,
	millisecond = 0,
): Date {
	const date = new Date(0)
	date.setUTCFullYear(year, month - 1, day)
	date.setUTCHours(hour, minute, second, millisecond)
	return date
}

/**
 * The earliest instant a date from EARLIEST_YEAR on can stand for in any
 * time zone (1 January 1970 begins up to 14 hours before it does in UTC).
 * Services refuse anything earlier, whatever the form checked.
 */
export const EARLIEST_INSTANT_MS = utcInstant(EARLIEST_YEAR, 1, 1).getTime() - DAY_MS

export function isBeforeEarliestInstant(date: Date): boolean {
	return Number.isNaN(date.getTime()) || date.getTime() < EARLIEST_INSTANT_MS
}
