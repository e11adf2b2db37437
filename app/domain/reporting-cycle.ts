/**
 * Personal-data reporting cycle arithmetic (domain.md, "Personal-data
 * reporting"; design.md, "Personal-data reporting"). Pure: values in, values
 * out; time zones through `Intl.DateTimeFormat` only.
 *
 * Due instant: a report is due by the END of the local calendar day that lies
 * `cycleDays` days after the anchor's local day, in the organisation's time
 * zone (`dueAt` is that day's last millisecond). Why end of day rather than
 * the anchor's wall-clock time:
 * - "overdue" and "daysLeft < 0" then mean the same thing, and "due today"
 *   (daysLeft 0) is never already overdue;
 * - local dates never run backwards, so a later report never moves the due
 *   date earlier (wall-clock times do run backwards in the autumn DST hour);
 * - a deadline of "Wed 9 Dec" is what a calendar feed and a person expect.
 * The cost: up to one day more slack than Atlassian's own clock may allow;
 * DUE_SOON_DAYS warns well before that matters.
 */

/** "Report every 15 days" (domain.md: the Email API guidelines). */
export const DEFAULT_CYCLE_DAYS = 15
/** Atlassian's reporting-API docs give a default cycle of 7 days (domain.md). */
export const ATLASSIAN_API_DEFAULT_CYCLE_DAYS = 7
export const MIN_CYCLE_DAYS = 1
/** Upper bound so a mistyped header or setting cannot silence reporting for months. */
export const MAX_CYCLE_DAYS = 90
/** The dashboard's "due within 3 days" band (design.md). */
export const DUE_SOON_DAYS = 3

export const CYCLE_SOURCES = ['guideline', 'api_default', 'cycle_period_header', 'custom'] as const
export type CycleSource = (typeof CYCLE_SOURCES)[number]

export type ReportingState = 'overdue' | 'due_soon' | 'on_track' | 'not_required'
export type AnchorKind = 'last_report' | 'first_account' | 'flag_set'
export type ReportingAnchor = { kind: AnchorKind; at: Date }

export type ReportingStatusInput = {
	storesPersonalData: boolean
	cycleDays: number
	/** Why this cycle applies; inferred from `cycleDays` (15, 7, else custom) when absent. */
	cycleSource?: CycleSource
	/** When the cycle was last changed (shown for `cycle_period_header`). */
	cycleSetAt?: Date | null
	lastReportAt?: Date | null
	firstStoredAccountAt?: Date | null
	flagSetAt?: Date | null
	now: Date
	/** IANA zone of the organisation, e.g. `Pacific/Auckland`. */
	timeZone: string
}

export type ReportingStatus = {
	status: ReportingState
	/** Last millisecond of the due day in the organisation's time zone. */
	dueAt: Date | null
	/** The due day as `YYYY-MM-DD` in the organisation's time zone (for all-day calendar events). */
	dueDate: string | null
	/** Calendar days from today to the due day (0 = due today, negative = overdue). */
	daysLeft: number | null
	anchor: ReportingAnchor | null
	explanation: string
}

const DAY_MS = 24 * 60 * 60 * 1000

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

export function validateCycleDays(
	raw: unknown,
): { ok: true; value: number } | { ok: false; reason: string } {
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
	if (typeof value !== 'number' || !Number.isInteger(value)) {
		return { ok: false, reason: 'the cycle must be a whole number of days' }
	}
	if (value < MIN_CYCLE_DAYS || value > MAX_CYCLE_DAYS) {
		return {
			ok: false,
			reason: `the cycle must be between ${MIN_CYCLE_DAYS} and ${MAX_CYCLE_DAYS} days`,
		}
	}
	return { ok: true, value }
}

/** Says which cycle applies and why (domain.md: "The screen always says which cycle applies and why"). */
export function cycleLabel(
	cycleDays: number,
	source: CycleSource = inferCycleSource(cycleDays),
	setAt: Date | null = null,
	timeZone = 'UTC',
): string {
	const days = `${cycleDays}-day cycle`
	// A source that contradicts the number would put a false reason on screen.
	if (source === 'guideline' && cycleDays === DEFAULT_CYCLE_DAYS) {
		return `${days} (Email API guideline)`
	}
	if (source === 'api_default' && cycleDays === ATLASSIAN_API_DEFAULT_CYCLE_DAYS) {
		return `${days} (Atlassian reporting API default)`
	}
	if (source === 'cycle_period_header') {
		return setAt && isValidDate(setAt)
			? `${days} set by Atlassian's Cycle-Period header on ${formatLocalDate(setAt, timeZone)}`
			: `${days} set by Atlassian's Cycle-Period header`
	}
	return `${days} (set by your organisation)`
}

/** 15 is the guideline's figure and 7 Atlassian's API default; any other number is the organisation's choice. */
export function inferCycleSource(cycleDays: number): CycleSource {
	if (cycleDays === DEFAULT_CYCLE_DAYS) return 'guideline'
	if (cycleDays === ATLASSIAN_API_DEFAULT_CYCLE_DAYS) return 'api_default'
	return 'custom'
}

/**
 * Throws RangeError on an invalid cycle, time zone or date: those are
 * programming or storage errors, and a silently wrong deadline is worse.
 */
export function reportingStatus(input: ReportingStatusInput): ReportingStatus {
	const { cycleDays, now, timeZone } = input
	const cycle = validateCycleDays(cycleDays)
	if (!cycle.ok) throw new RangeError(`Invalid cycleDays ${cycleDays}: ${cycle.reason}`)
	assertTimeZone(timeZone)
	assertDate(now, 'now')

	if (!input.storesPersonalData) {
		return {
			status: 'not_required',
			dueAt: null,
			dueDate: null,
			daysLeft: null,
			anchor: null,
			explanation:
				'No report due: the app does not store personal data of Atlassian users, so the reporting API does not apply.',
		}
	}

	const label = cycleLabel(cycleDays, input.cycleSource, input.cycleSetAt ?? null, timeZone)
	const anchor = pickAnchor(input)
	if (!anchor) {
		// Nothing to count from: the conservative reading is "report now".
		return {
			status: 'overdue',
			dueAt: null,
			dueDate: null,
			daysLeft: null,
			anchor: null,
			explanation: `${label}. No report, stored account or personal-data date is recorded to count from, so a report is due now.`,
		}
	}

	const { dueAt, dueDate } = dueAfter(anchor.at, cycleDays, timeZone)
	const daysLeft = calendarDaysBetween(now, dueAt, timeZone)
	const status: ReportingState =
		now.getTime() > dueAt.getTime()
			? 'overdue'
			: daysLeft <= DUE_SOON_DAYS
			? 'due_soon'
			: 'on_track'

	const since = `${ANCHOR_PHRASES[anchor.kind]} on ${formatInTimeZone(anchor.at, timeZone)}`
	const explanation = [
		`${label}.`,
		`Next report due by the end of ${formatLocalDate(dueAt, timeZone)} (${timeZone}),`,
		`${cycleDays} ${plural(cycleDays, 'day')} after ${since}.`,
		statusPhrase(daysLeft),
	].join(' ')

	return { status, dueAt, dueDate, daysLeft, anchor, explanation }
}

const ANCHOR_PHRASES: Record<AnchorKind, string> = {
	last_report: 'the last report',
	first_account: 'the first stored account (no report recorded yet)',
	flag_set: 'the app was marked as storing personal data (no report or stored account yet)',
}

function statusPhrase(daysLeft: number): string {
	if (daysLeft < 0) return `Overdue by ${-daysLeft} ${plural(-daysLeft, 'day')}.`
	if (daysLeft === 0) return 'Due today.'
	return `Due in ${daysLeft} ${plural(daysLeft, 'day')}.`
}

function plural(n: number, word: string): string {
	return n === 1 ? word : `${word}s`
}

/** Last report, else first stored account, else the flag date (design.md). */
function pickAnchor(input: ReportingStatusInput): ReportingAnchor | null {
	const candidates: [AnchorKind, Date | null | undefined][] = [
		['last_report', input.lastReportAt],
		['first_account', input.firstStoredAccountAt],
		['flag_set', input.flagSetAt],
	]
	for (const [kind, at] of candidates) {
		if (at == null) continue
		assertDate(at, kind)
		return { kind, at }
	}
	return null
}

/**
 * The deadline `days` calendar days after `from`'s local day, in `timeZone`:
 * the last millisecond of that local day. Also used for erase/refresh tasks so
 * every deadline in the app means the same thing.
 */
export function dueAfter(
	from: Date,
	days: number,
	timeZone: string,
): { dueAt: Date; dueDate: string } {
	assertDate(from, 'from')
	assertTimeZone(timeZone)
	const local = localDateTime(from, timeZone)
	const dueDay = addLocalDays({ ...local, hour: 0, minute: 0, second: 0, millisecond: 0 }, days)
	const nextDayStart = zonedToInstant(addLocalDays(dueDay, 1), timeZone)
	return { dueAt: new Date(nextDayStart - 1), dueDate: dateKey(dueDay) }
}

/** Whole calendar days from `from`'s local date to `to`'s local date in `timeZone`. */
export function calendarDaysBetween(from: Date, to: Date, timeZone: string): number {
	return dayNumber(localDateTime(to, timeZone)) - dayNumber(localDateTime(from, timeZone))
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

// ICU only knows most abbreviations in the locale where they are used
// (CET in en-GB, NZDT in en-AU, IST in en-IN); "GMT+13" is the fallback.
const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN'] as const

function zoneAbbreviation(date: Date, timeZone: string): string {
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

// Intl.DateTimeFormat construction is slow; property tests and dashboards call this a lot.
const formatters = new Map<string, Intl.DateTimeFormat>()

function cachedFormatter(
	timeZone: string,
	kind: string,
	make: () => Intl.DateTimeFormat,
): Intl.DateTimeFormat {
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

function localDateTime(date: Date, timeZone: string): LocalDateTime {
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

function addLocalDays(local: LocalDateTime, days: number): LocalDateTime {
	return fromUtcMs(utcMs({ ...local, day: local.day + days }))
}

function dayNumber(local: LocalDateTime): number {
	return Math.round(utcMs({ ...local, hour: 0, minute: 0, second: 0, millisecond: 0 }) / DAY_MS)
}

function dateKey(local: LocalDateTime): string {
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

function isValidDate(date: unknown): date is Date {
	return date instanceof Date && !Number.isNaN(date.getTime())
}

function assertDate(date: unknown, name: string): asserts date is Date {
	if (!isValidDate(date)) throw new RangeError(`Invalid date for ${name}`)
}

function assertTimeZone(timeZone: string): void {
	if (!isValidTimeZone(timeZone)) throw new RangeError(`Unknown time zone "${timeZone}"`)
}

// --- Cycle-Period header ---------------------------------------------------

export type CyclePeriodResult =
	| { ok: true; days: number; seconds: number }
	| { ok: false; reason: string }

const ISO_NUMBER = String.raw`(\d+(?:[.,]\d+)?)`
const ISO_DURATION = new RegExp(
	`^([+-])?P(?:${ISO_NUMBER}Y)?(?:${ISO_NUMBER}M)?(?:${ISO_NUMBER}W)?(?:${ISO_NUMBER}D)?` +
		`(?:T(?:${ISO_NUMBER}H)?(?:${ISO_NUMBER}M)?(?:${ISO_NUMBER}S)?)?$`,
	'i',
)

/** Half a day: the shortest period that rounds to a whole day. */
export const MIN_CYCLE_PERIOD_SECONDS = 43_200

/**
 * Interprets Atlassian's `Cycle-Period` response header. Its format is not in
 * the sources we hold (domain.md, "The cycle length"); implementations in the
 * wild read integer seconds ("604800") or an ISO-8601 duration ("P7D",
 * "PT168H", "P1W", "P1DT12H"). Days are rounded to the nearest whole day
 * (half a day rounds up); less than half a day is refused, not rounded up to
 * 1. The caller shows the days before the cycle changes.
 */
export function parseCyclePeriod(raw: string): CyclePeriodResult {
	const value = typeof raw === 'string' ? raw.trim() : ''
	if (value === '') return { ok: false, reason: 'the Cycle-Period header is empty' }
	const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value

	let seconds: number
	let negative = false
	const number = /^([+-])?(\d+(?:\.\d+)?)$/.exec(value)
	const iso = number ? null : ISO_DURATION.exec(value)
	if (number) {
		negative = number[1] === '-'
		seconds = Number(number[2])
	} else if (iso) {
		const [, sign, years, months, weeks, days, hours, minutes, secs] = iso
		const hasDate = [years, months, weeks, days].some((part) => part !== undefined)
		const hasTime = [hours, minutes, secs].some((part) => part !== undefined)
		// "P" or "P1DT" carry no (or a dangling) time part: not a duration.
		if ((!hasDate && !hasTime) || (/T/i.test(value) && !hasTime)) {
			return { ok: false, reason: notADuration(shown) }
		}
		if (isoNumber(years) !== 0 || isoNumber(months) !== 0) {
			return {
				ok: false,
				reason: `"${shown}" uses years or months, which have no fixed length in days`,
			}
		}
		negative = sign === '-'
		seconds =
			isoNumber(weeks) * 7 * 86400 +
			isoNumber(days) * 86400 +
			isoNumber(hours) * 3600 +
			isoNumber(minutes) * 60 +
			isoNumber(secs)
	} else {
		return { ok: false, reason: notADuration(shown) }
	}

	if (!Number.isFinite(seconds)) return { ok: false, reason: notADuration(shown) }
	if (negative && seconds !== 0) {
		return { ok: false, reason: `"${shown}" is a negative cycle period` }
	}
	if (seconds === 0) return { ok: false, reason: `"${shown}" is a zero-length cycle period` }
	// Rounding e.g. 7 (seconds) up to a 1-day cycle would hide a likely unit mistake.
	if (seconds < MIN_CYCLE_PERIOD_SECONDS) {
		return {
			ok: false,
			reason: `"${shown}" is shorter than half a day: if Atlassian meant days, enter it as P7D`,
		}
	}
	const days = Math.max(MIN_CYCLE_DAYS, Math.round(seconds / 86400))
	if (days > MAX_CYCLE_DAYS) {
		return {
			ok: false,
			reason: `"${shown}" means ${days} days; cycles longer than ${MAX_CYCLE_DAYS} days are not accepted`,
		}
	}
	return { ok: true, days, seconds }
}

function isoNumber(part: string | undefined): number {
	return part === undefined ? 0 : Number(part.replace(',', '.'))
}

function notADuration(shown: string): string {
	return `"${shown}" is neither a number of seconds nor an ISO-8601 duration such as P7D`
}
