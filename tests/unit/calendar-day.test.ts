import { describe, expect, it } from 'vitest'
import { isCalendarDay } from '~/domain/calendar-day'

describe('calendar days', () => {
	it.each(['2026-03-31', '2024-02-29', '1970-01-01', '9999-12-31'])('accepts %s', (value) => {
		expect(isCalendarDay(value)).toBe(true)
	})
	it.each([
		'2026-02-31',
		'2025-02-29',
		'0000-01-01',
		'1969-12-31',
		'2026-13-01',
		'2026-1-01',
		'26-01-01',
		'',
		'2026-01-01T00:00',
	])('refuses %s', (value) => {
		expect(isCalendarDay(value)).toBe(false)
	})
})
