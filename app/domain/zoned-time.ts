/**
 * Reads a wall-clock time typed into a `datetime-local` field as a time in
 * the organisation's zone (docs/architecture.md › Time and dates: dates are stored in UTC and shown in the
 * organisation's time zone). Pure: Intl only.
 */

import { DAY_MS, EARLIEST_YEAR, utcInstant } from './calendar-day'

export { DAY_MS }

export type LocalDateTime = {
	year: number
	month: number
	day: number
	hour: number
	minute: number
	second: number
	millisecond: number
}

export function isValidTimeZone(timeZone: string): boolean {
	if (typeof timeZone !== 'string' || timeZone.trim() === '') return false
	try {
		partsFormatter(timeZone)
		return true
	} catch {
		return false
	}
}

/** The zone's own spelling ("europe/berlin" → "Europe/Berlin"); null when the runtime knows no such zone. */
export function canonicalTimeZone(timeZone: string): string | null {
	if (!isValidTimeZone(timeZone)) return null
	return new Intl.DateTimeFormat('en', { timeZone: timeZone.trim() }).resolvedOptions().timeZone
}

/** The zones offered when choosing one: UTC, then every IANA zone the runtime knows (Intl.supportedValuesOf). */
export function timeZoneChoices(): string[] {
	const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
	return ['UTC', ...zones.filter((zone) => zone !== 'UTC')]
}

/** Whole calendar days from `from`'s local date to `to`'s local date in `timeZone`. */
export function calendarDaysBetween(from: Date, to: Date, timeZone: string): number {
	return dayNumber(localDateTime(to, timeZone)) - dayNumber(localDateTime(from, timeZone))
}

/** The number of the calendar day `date` falls on in `timeZone` (days since 1970-01-01). */
export function dayNumberIn(date: Date, timeZone: string): number {
	return dayNumber(localDateTime(date, timeZone))
}

/** The local date of `date` in `timeZone`, as `YYYY-MM-DD`. */
export function localDateOf(date: Date, timeZone: string): string {
	return dateKey(localDateTime(date, timeZone))
}

/** "9 Dec 2026, 23:59 NZDT": date, 24-hour time and zone abbreviation, for display. */
export function formatInTimeZone(date: Date, timeZone: string): string {
	const when = cachedFormatter(
		timeZone,
		'display',
		() =>
			new Intl.DateTimeFormat('en-GB', {
				timeZone,
				day: 'numeric',
				month: 'short',
				year: 'numeric',
				hour: '2-digit',
				minute: '2-digit',
				hourCycle: 'h23',
			}),
	).format(date)
	return `${when} ${zoneAbbreviation(date, timeZone)}`
}

/** "Wed 9 Dec 2026" in `timeZone`. */
export function formatLocalDate(date: Date, timeZone: string): string {
	return cachedFormatter(
		timeZone,
		'date',
		() =>
			new Intl.DateTimeFormat('en-GB', {
				timeZone,
				weekday: 'short',
				day: 'numeric',
				month: 'short',
				year: 'numeric',
			}),
	)
		.format(date)
		.replace(',', '')
}

/** A calendar day (`YYYY-MM-DD`, already the organisation's day) in the same words as formatLocalDate: "Wed 9 Dec 2026". */
export function formatCalendarDate(day: string): string {
	const instant = new Date(`${day}T00:00:00Z`)
	return isValidDate(instant) ? formatLocalDate(instant, 'UTC') : day
}

// ICU only knows most abbreviations in the locale where they are used
// (CET in en-GB, NZDT in en-AU, IST in en-IN); "GMT+13" is the fallback.
const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN'] as const

function zoneAbbreviation(date: Date, timeZone: string): string {
	return inSteadyBucket(abbreviations, date.getTime(), timeZone, (instant) => intlZoneAbbreviation(instant, timeZone))
}

/** The zone's abbreviation asked of Intl every time: the reference `formatInTimeZone`'s remembered one is tested against. */
export function intlZoneAbbreviation(instant: number, timeZone: string): string {
	const date = new Date(instant)
	let fallback = ''
	for (const locale of ABBREVIATION_LOCALES) {
		const name =
			cachedFormatter(
				timeZone,
				`tz-${locale}`,
				() => new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }),
			)
				.formatToParts(date)
				.find((part) => part.type === 'timeZoneName')?.value ?? ''
		if (name && !/^GMT[-+\u2212]/.test(name)) return name
		fallback ||= name
	}
	return fallback || timeZone
}

// Intl's formatToParts costs microseconds a call, and a dashboard of 10,000 apps converts each deadline
// several times. A zone's offset (and its abbreviation) changes only at transitions, never twice within
// a quarter of an hour: when the value at a quarter hour's first and last millisecond agree, it holds for
// every instant in between and is remembered; a quarter hour holding a transition is asked of Intl each time.
const BUCKET_MS = 15 * 60_000
const BUCKET_CACHE_LIMIT = 20_000
const offsets = new Map<string, number | null>()
const abbreviations = new Map<string, string | null>()

function inSteadyBucket<T extends string | number>(
	cache: Map<string, T | null>,
	instant: number,
	timeZone: string,
	compute: (instant: number) => T,
): T {
	const bucket = Math.floor(instant / BUCKET_MS)
	const key = `${timeZone}|${bucket}`
	const known = cache.get(key)
	if (known != null) return known
	if (known === null) return compute(instant)
	const first = compute(bucket * BUCKET_MS)
	const steady = first === compute((bucket + 1) * BUCKET_MS - 1)
	if (cache.size >= BUCKET_CACHE_LIMIT) cache.clear()
	cache.set(key, steady ? first : null)
	return steady ? first : compute(instant)
}

// Intl.DateTimeFormat construction is slow; property tests and dashboards call this a lot.
const formatters = new Map<string, Intl.DateTimeFormat>()

function cachedFormatter(timeZone: string, kind: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
	const key = `${kind}|${timeZone}`
	let formatter = formatters.get(key)
	if (!formatter) {
		formatter = make()
		formatters.set(key, formatter)
	}
	return formatter
}

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
	return cachedFormatter(
		timeZone,
		'parts',
		() =>
			new Intl.DateTimeFormat('en-US', {
				timeZone,
				year: 'numeric',
				month: 'numeric',
				day: 'numeric',
				hour: 'numeric',
				minute: 'numeric',
				second: 'numeric',
				hourCycle: 'h23',
			}),
	)
}

const MIN_FAST_MS = Date.parse('0001-01-02T00:00:00Z')
const MAX_FAST_MS = Date.parse('9999-12-30T00:00:00Z')

export function localDateTime(date: Date, timeZone: string): LocalDateTime {
	const ms = date.getTime()
	// Outside years 1–9999 Intl and Date name years differently (eras): ask Intl itself.
	if (!Number.isFinite(ms) || ms < MIN_FAST_MS || ms > MAX_FAST_MS) return intlLocalDateTime(date, timeZone)
	partsFormatter(timeZone) // an unknown zone throws here, as Intl does
	return fromUtcMs(ms + inSteadyBucket(offsets, ms, timeZone, (instant) => intlOffset(instant, timeZone)))
}

function intlOffset(instant: number, timeZone: string): number {
	return utcMs(intlLocalDateTime(new Date(instant), timeZone)) - instant
}

/** `localDateTime` asked of Intl every time (no remembered offsets): the reference the fast path is tested against. */
export function intlLocalDateTime(date: Date, timeZone: string): LocalDateTime {
	const fields: Record<string, number> = {}
	for (const part of partsFormatter(timeZone).formatToParts(date)) {
		if (part.type !== 'literal') fields[part.type] = Number(part.value)
	}
	const ms = date.getTime()
	return {
		year: fields.year ?? NaN,
		month: fields.month ?? NaN,
		day: fields.day ?? NaN,
		hour: fields.hour ?? NaN,
		minute: fields.minute ?? NaN,
		second: fields.second ?? NaN,
		millisecond: ((ms % 1000) + 1000) % 1000,
	}
}

/** Treats local fields as if they were UTC; safe for years below 100 and day overflow. */
function utcMs(local: LocalDateTime): number {
	const date = new Date(0)
	date.setUTCFullYear(local.year, local.month - 1, local.day)
	date.setUTCHours(local.hour, local.minute, local.second, local.millisecond)
	return date.getTime()
}

function fromUtcMs(ms: number): LocalDateTime {
	const date = new Date(ms)
	return {
		year: date.getUTCFullYear(),
		month: date.getUTCMonth() + 1,
		day: date.getUTCDate(),
		hour: date.getUTCHours(),
		minute: date.getUTCMinutes(),
		second: date.getUTCSeconds(),
		millisecond: date.getUTCMilliseconds(),
	}
}

export function addLocalDays(local: LocalDateTime, days: number): LocalDateTime {
	return fromUtcMs(utcMs({ ...local, day: local.day + days }))
}

function dayNumber(local: LocalDateTime): number {
	return Math.round(utcMs({ ...local, hour: 0, minute: 0, second: 0, millisecond: 0 }) / DAY_MS)
}

export function dateKey(local: LocalDateTime): string {
	const pad = (n: number, width = 2) => String(n).padStart(width, '0')
	return `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}`
}

/** Milliseconds the zone is ahead of UTC at `instant`. */
export function offsetAt(instant: number, timeZone: string): number {
	return utcMs(localDateTime(new Date(instant), timeZone)) - instant
}

function sameWallClock(a: LocalDateTime, b: LocalDateTime): boolean {
	return (
		a.year === b.year &&
		a.month === b.month &&
		a.day === b.day &&
		a.hour === b.hour &&
		a.minute === b.minute &&
		a.second === b.second
	)
}

/**
 * The instant a local wall-clock time denotes in `timeZone`. Like Temporal's
 * "compatible" rule: a time that occurs twice (autumn) takes the earlier
 * instant, a time skipped by a spring-forward gap moves forward by the gap
 * (so "midnight" on a day that starts at 01:00 is 01:00).
 */
export function zonedToInstant(local: LocalDateTime, timeZone: string): number {
	const guess = utcMs(local)
	const before = offsetAt(guess - DAY_MS, timeZone)
	const after = offsetAt(guess + DAY_MS, timeZone)
	const matches = [...new Set([before, after, offsetAt(guess, timeZone)])]
		.map((offset) => guess - offset)
		.filter((instant) => sameWallClock(localDateTime(new Date(instant), timeZone), local))
	if (matches.length > 0) return Math.min(...matches)
	return guess - before
}

export function isValidDate(date: unknown): date is Date {
	return date instanceof Date && !Number.isNaN(date.getTime())
}

export function assertDate(date: unknown, name: string): asserts date is Date {
	if (!isValidDate(date)) throw new RangeError(`Invalid date for ${name}`)
}

export function assertTimeZone(timeZone: string): void {
	if (!isValidTimeZone(timeZone)) throw new RangeError(`Unknown time zone "${timeZone}"`)
}

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
	const local = {
		year: Number(y),
		month: Number(mo),
		day: Number(d),
		hour: Number(h),
		minute: Number(mi),
		second: Number(s),
		millisecond: 0,
	}
	return new Date(zonedToInstant(local, timeZone))
}

/** The instant as a `datetime-local` value in `timeZone` (to prefill the field). */
export function instantToLocalDateTime(date: Date, timeZone: string): string {
	const local = new Date(date.getTime() + offsetAt(date.getTime(), timeZone))
	return local.toISOString().slice(0, 16)
}
