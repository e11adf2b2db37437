/**
 * Reads a wall-clock time typed into a `datetime-local` field as a time in
 * the organisation's zone (docs/architecture.md › Time and dates: dates are stored in UTC and shown in the
 * organisation's time zone). Pure: Intl only.
 */

import { EARLIEST_YEAR, utcInstant } from './calendar-day'
import { offsetAt, zonedToInstant } from './reporting-cycle'

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/

/**
 * `2026-03-01T09:30` in `timeZone` → the instant. A time skipped by a DST gap
 * moves forward by the gap; a repeated hour takes its first occurrence.
 * Null when the text is not a `datetime-local` value, names no real date, or
 * a year before EARLIEST_YEAR (`0000-01-01T00:00` must never reach the
 * database as a year BC, nor `0050` as 1950).
 */
export function localDateTimeToInstant(text: string, timeZone: string): Date | null {
	const match = LOCAL.exec(text.trim())
	if (!match) return null
	const [, y, mo, d, h, mi, s = '0'] = match
	if (Number(y) < EARLIEST_YEAR) return null
	const check = utcInstant(Number(y), Number(mo), Number(d))
	if (
		check.getUTCFullYear() !== Number(y) ||
		check.getUTCMonth() !== Number(mo) - 1 ||
		check.getUTCDate() !== Number(d) ||
		Number(h) > 23 ||
		Number(mi) > 59 ||
		Number(s) > 59
	) {
		return null
	}
	const local = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s), millisecond: 0 }
	return new Date(zonedToInstant(local, timeZone))
}

/** The instant as a `datetime-local` value in `timeZone` (to prefill the field). */
export function instantToLocalDateTime(date: Date, timeZone: string): string {
	const local = new Date(date.getTime() + offsetAt(date.getTime(), timeZone))
	return local.toISOString().slice(0, 16)
}
