import { describe, expect, it } from 'vitest'
import { instantToLocalDateTime, localDateTimeToInstant } from '~/domain/zoned-time'

describe('localDateTimeToInstant', () => {
	it('reads a datetime-local value in the organisation’s zone', () => {
		expect(localDateTimeToInstant('2026-03-01T09:30', 'UTC')!.toISOString()).toBe('2026-03-01T09:30:00.000Z')
		expect(localDateTimeToInstant('2026-07-01T12:00', 'Pacific/Auckland')!.toISOString()).toBe(
			'2026-07-01T00:00:00.000Z',
		)
		expect(localDateTimeToInstant('2026-01-15T08:00:30', 'America/New_York')!.toISOString()).toBe(
			'2026-01-15T13:00:30.000Z',
		)
	})

	it('handles DST: a repeated hour takes its first instant, a skipped one moves forward', () => {
		// Europe/Berlin: 2026-10-25 02:30 happens twice (CEST then CET).
		expect(localDateTimeToInstant('2026-10-25T02:30', 'Europe/Berlin')!.toISOString()).toBe('2026-10-25T00:30:00.000Z')
		// 2026-03-29 02:30 does not exist; it becomes 03:30 CEST.
		expect(localDateTimeToInstant('2026-03-29T02:30', 'Europe/Berlin')!.toISOString()).toBe('2026-03-29T01:30:00.000Z')
	})

	it('refuses text that is not a real local date-time', () => {
		for (const text of ['', '2026-02-30T10:00', '2026-03-01', 'yesterday', '2026-03-01T25:00']) {
			expect(localDateTimeToInstant(text, 'UTC')).toBeNull()
		}
	})

	it('round-trips with instantToLocalDateTime', () => {
		const instant = new Date('2026-11-02T17:45:00Z')
		for (const zone of ['UTC', 'Pacific/Auckland', 'America/Los_Angeles', 'Asia/Kolkata']) {
			expect(localDateTimeToInstant(instantToLocalDateTime(instant, zone), zone)!.toISOString()).toBe(
				instant.toISOString(),
			)
		}
	})
})
