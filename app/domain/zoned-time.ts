/**
 * Reads a wall-clock time typed into a `datetime-local` field as a time in
 * the organisation's zone (design.md: dates are stored in UTC and shown in the
 * organisation's time zone). Pure: Intl only.
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string) {
	let value = formatters.get(timeZone)
	if (!value) {
		value = new Intl.DateTimeFormat('en-US', {
			timeZone,
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric',
			hourCycle: 'h23',
		})
		formatters.set(timeZone, value)
	}
	return value
}

/** Milliseconds the zone is ahead of UTC at `instant`. */
function offsetAt(instant: number, timeZone: string): number {
	const parts: Record<string, number> = {}
	for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
		if (part.type !== 'literal') parts[part.type] = Number(part.value)
	}
	const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!)
	return asUtc - Math.floor(instant / 1000) * 1000
}

/**
 * `2026-03-01T09:30` in `timeZone` → the instant. A time skipped by a DST gap
 * moves forward by the gap; a repeated hour takes its first occurrence.
 * Null when the text is not a `datetime-local` value or names no real date.
 */
export function localDateTimeToInstant(text: string, timeZone: string): Date | null {
	const match = LOCAL.exec(text.trim())
	if (!match) return null
	const [, y, mo, d, h, mi, s = '0'] = match
	const guess = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
	const check = new Date(guess)
	if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59) {
		return null
	}
	// Earlier offset first, so a repeated (autumn) hour resolves to its first instant.
	const candidates = [offsetAt(guess - 86_400_000, timeZone), offsetAt(guess + 86_400_000, timeZone)]
		.sort((a, b) => b - a)
		.map((offset) => guess - offset)
		.filter((instant) => offsetAt(instant, timeZone) === guess - instant)
	if (candidates.length > 0) return new Date(Math.min(...candidates))
	// In a spring-forward gap: shift by the gap (the offset before it).
	return new Date(guess - offsetAt(guess - 86_400_000, timeZone))
}

/** The instant as a `datetime-local` value in `timeZone` (to prefill the field). */
export function instantToLocalDateTime(date: Date, timeZone: string): string {
	const local = new Date(date.getTime() + offsetAt(date.getTime(), timeZone))
	return local.toISOString().slice(0, 16)
}
