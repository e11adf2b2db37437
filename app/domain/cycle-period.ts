/**
 * Reading Atlassian's `Cycle-Period` response header (docs/rules.md ›
 * Cycle-Period header). Its format is documented nowhere and real clients
 * read it four ways, so Clearance keeps the raw value, reads what is
 * unambiguous, and asks a person about the rest:
 *
 * - ISO-8601 durations (`P7D`, `PT12H`, `P1W`, `P1DT12H`): clear, exact;
 * - `<n> Days` (the ace-gdpr library's form): clear, days;
 * - a bare integer of 3600 or more: clear, seconds (`604800` is 7 days);
 * - a bare integer from 1 to 90: read as days, but unclear: confirm;
 * - any other bare number (0, 91–3599, decimals): unclear, applied only when a
 *   person says which unit.
 *
 * The length is kept to the second: a period is never rounded up (PT12H is
 * half a day, not one). Pure: no I/O.
 */

export const DAY_SECONDS = 86_400
/** The shortest cycle Clearance applies: a shorter one is almost surely a misread unit. */
export const MIN_CYCLE_SECONDS = 3_600
/** The longest: a mistyped value must not silence reporting for months. */
export const MAX_CYCLE_SECONDS = 90 * DAY_SECONDS

export const CYCLE_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const
export type CycleUnit = (typeof CYCLE_UNITS)[number]
const UNIT_SECONDS: Record<CycleUnit, number> = { seconds: 1, minutes: 60, hours: 3_600, days: DAY_SECONDS }

export type CyclePeriodForm = 'iso_duration' | 'days_text' | 'seconds'

export type CyclePeriodReading =
	/** Unambiguous: may be applied (a person still confirms one that shortens the cycle). */
	| { kind: 'clear'; raw: string; form: CyclePeriodForm; seconds: number; days: number }
	/**
	 * A bare number whose unit is not known. `likely` is the reading Clearance
	 * proposes (1–90 as days), null when a person must pick the unit.
	 */
	| { kind: 'unclear'; raw: string; number: number; likely: { seconds: number; days: number } | null; reason: string }
	/** Not a period at all, or out of range: kept on the run, never applied. */
	| { kind: 'unreadable'; raw: string; reason: string }

const ISO_NUMBER = String.raw`(\d{1,9}(?:[.,]\d{1,9})?)`
// Anchored, no nested quantifiers and bounded digit runs: linear in the input.
const ISO_DURATION = new RegExp(
	`^P(?:${ISO_NUMBER}Y)?(?:${ISO_NUMBER}M)?(?:${ISO_NUMBER}W)?(?:${ISO_NUMBER}D)?` +
		`(?:T(?:${ISO_NUMBER}H)?(?:${ISO_NUMBER}M)?(?:${ISO_NUMBER}S)?)?$`,
	'i',
)
const DAYS_TEXT = /^(\d{1,9}(?:\.\d{1,9})?) ?days?$/i
const BARE_NUMBER = /^(\d{1,12}(?:\.\d{1,9})?)$/
/** A header value longer than this is not a period; it is clipped when shown. */
const MAX_RAW = 64

export function readCyclePeriod(input: string): CyclePeriodReading {
	const raw = typeof input === 'string' ? input.trim() : ''
	const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw
	if (raw === '') return { kind: 'unreadable', raw, reason: 'the header is empty' }
	if (raw.length > MAX_RAW) return { kind: 'unreadable', raw, reason: `“${shown}” is too long to be a period` }

	const bare = BARE_NUMBER.exec(raw)
	if (bare) {
		const number = Number(bare[1])
		if (Number.isInteger(number) && number >= MIN_CYCLE_SECONDS) {
			return clear(raw, 'seconds', number)
		}
		if (Number.isInteger(number) && number >= 1 && number <= 90) {
			return {
				kind: 'unclear',
				raw,
				number,
				likely: { seconds: number * DAY_SECONDS, days: number },
				reason: `“${shown}” has no unit: read as ${number} ${number === 1 ? 'day' : 'days'}, but ${number} seconds is also possible. Confirm the unit.`,
			}
		}
		return {
			kind: 'unclear',
			raw,
			number,
			likely: null,
			reason: `“${shown}” has no unit and fits neither days nor seconds: say which unit Atlassian meant.`,
		}
	}

	const days = DAYS_TEXT.exec(raw)
	if (days) return clear(raw, 'days_text', Number(days[1]) * DAY_SECONDS)

	const iso = ISO_DURATION.exec(raw)
	if (iso) {
		const [, years, months, weeks, isoDays, hours, minutes, seconds] = iso
		const hasDate = [years, months, weeks, isoDays].some((part) => part !== undefined)
		const hasTime = [hours, minutes, seconds].some((part) => part !== undefined)
		// "P" or "P1DT" carry no (or a dangling) time part: not a duration.
		if ((!hasDate && !hasTime) || (/T/i.test(raw) && !hasTime)) return notAPeriod(raw, shown)
		if (isoNumber(years) !== 0 || isoNumber(months) !== 0) {
			return { kind: 'unreadable', raw, reason: `“${shown}” uses years or months, which have no fixed length` }
		}
		const total =
			isoNumber(weeks) * 7 * DAY_SECONDS +
			isoNumber(isoDays) * DAY_SECONDS +
			isoNumber(hours) * 3_600 +
			isoNumber(minutes) * 60 +
			isoNumber(seconds)
		return clear(raw, 'iso_duration', total)
	}
	return notAPeriod(raw, shown)
}

/** A bare number with the unit a person chose; null with the reason when out of range. */
export function periodInUnit(
	number: number,
	unit: CycleUnit,
): { ok: true; seconds: number; days: number } | { ok: false; reason: string } {
	const seconds = Math.round(number * UNIT_SECONDS[unit])
	const range = checkRange(seconds)
	return range
		? { ok: false, reason: `${number} ${unit} ${range}` }
		: { ok: true, seconds, days: seconds / DAY_SECONDS }
}

function clear(raw: string, form: CyclePeriodForm, exactSeconds: number): CyclePeriodReading {
	const seconds = Math.round(exactSeconds)
	const range = checkRange(seconds)
	const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw
	if (range) return { kind: 'unreadable', raw, reason: `“${shown}” ${range}` }
	return { kind: 'clear', raw, form, seconds, days: seconds / DAY_SECONDS }
}

function checkRange(seconds: number): string | null {
	if (!Number.isFinite(seconds) || seconds <= 0) return 'is not a positive length'
	if (seconds < MIN_CYCLE_SECONDS) return 'is shorter than an hour, too short to be a reporting cycle'
	if (seconds > MAX_CYCLE_SECONDS) return 'is longer than 90 days, more than Clearance accepts as a cycle'
	return null
}

function isoNumber(part: string | undefined): number {
	return part === undefined ? 0 : Number(part.replace(',', '.'))
}

function notAPeriod(raw: string, shown: string): CyclePeriodReading {
	return {
		kind: 'unreadable',
		raw,
		reason: `“${shown}” is none of the forms seen: P7D, 7 Days, or a number of seconds such as 604800`,
	}
}

/** "7 days", "12 hours", "1.5 days", "1 day 6 hours": a cycle length for people. */
export function describeCycle(days: number): string {
	const seconds = Math.round(days * DAY_SECONDS)
	if (seconds % DAY_SECONDS === 0) return plural(seconds / DAY_SECONDS, 'day')
	if (seconds < DAY_SECONDS) {
		return seconds % 3_600 === 0 ? plural(seconds / 3_600, 'hour') : plural(Math.round(seconds / 60), 'minute')
	}
	const whole = Math.floor(seconds / DAY_SECONDS)
	const rest = seconds - whole * DAY_SECONDS
	return rest % 3_600 === 0
		? `${plural(whole, 'day')} ${plural(rest / 3_600, 'hour')}`
		: `${plural(whole, 'day')} ${plural(Math.round(rest / 60), 'minute')}`
}

/** "15-day cycle", "12-hour cycle", "cycle of 1 day 12 hours". */
export function cycleName(days: number): string {
	const seconds = Math.round(days * DAY_SECONDS)
	if (seconds % DAY_SECONDS === 0) return `${seconds / DAY_SECONDS}-day cycle`
	if (seconds < DAY_SECONDS && seconds % 3_600 === 0) return `${seconds / 3_600}-hour cycle`
	return `cycle of ${describeCycle(days)}`
}

function plural(n: number, word: string) {
	return `${n} ${n === 1 ? word : `${word}s`}`
}
