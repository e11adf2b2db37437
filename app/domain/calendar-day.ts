/**
 * A real calendar day written as `YYYY-MM-DD` (what `<input type="date">`
 * sends). `Date.parse` alone rolls 2026-02-31 over to 3 March and accepts
 * year 0000, which PostgreSQL then refuses; both are refused here.
 */
export const EARLIEST_YEAR = 1970

export function isCalendarDay(value: string): boolean {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
	if (!match) return false
	if (Number(match[1]) < EARLIEST_YEAR) return false
	const date = new Date(`${value}T00:00:00Z`)
	return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}
