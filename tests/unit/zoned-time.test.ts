import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
	formatInTimeZone,
	instantToLocalDateTime,
	intlLocalDateTime,
	intlZoneAbbreviation,
	localDateTime,
	localDateTimeToInstant,
} from '~/domain/zoned-time'

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

describe('localDateTime remembers offsets per quarter hour', () => {
	// Zones with half- and quarter-hour offsets, 30-minute DST, a skipped day (Apia, 2011-12-30),
	// changes of standard offset (Caracas 2016), and local mean time before 1900.
	const zones = [
		'UTC',
		'Europe/Berlin',
		'Europe/London',
		'America/New_York',
		'America/St_Johns',
		'America/Caracas',
		'Pacific/Auckland',
		'Pacific/Chatham',
		'Pacific/Apia',
		'Australia/Lord_Howe',
		'Asia/Kathmandu',
		'Africa/Casablanca',
	]
	const sameAsIntl = (ms: number, zone: string) => {
		const date = new Date(ms)
		expect(localDateTime(date, zone)).toEqual(intlLocalDateTime(date, zone))
		// Asked twice: the second answer comes from the remembered offset.
		expect(localDateTime(date, zone)).toEqual(intlLocalDateTime(date, zone))
	}

	it('gives what Intl gives at any instant from 1850 to 2100', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: Date.parse('1850-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') }),
				fc.constantFrom(...zones),
				(ms, zone) => sameAsIntl(ms, zone),
			),
			{ numRuns: 3000 },
		)
	})

	it('gives what Intl gives on both sides of a transition, to the millisecond', () => {
		const transitions: [string, string][] = [
			['Europe/Berlin', '2026-03-29T01:00:00Z'],
			['Europe/Berlin', '2026-10-25T01:00:00Z'],
			['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
			['Pacific/Apia', '2011-12-30T10:00:00Z'],
			['America/Caracas', '2016-05-01T06:30:00Z'],
			['Pacific/Chatham', '2026-04-04T14:00:00Z'],
		]
		for (const [zone, at] of transitions) {
			const ms = Date.parse(at)
			for (const delta of [-60_000, -1000, -1, 0, 1, 1000, 60_000, 7 * 60_000, 14 * 60_000 + 59_999]) {
				sameAsIntl(ms + delta, zone)
			}
		}
	})

	it('names the zone as Intl does, on both sides of a transition', () => {
		for (const at of [
			'2026-03-29T00:59:59.999Z',
			'2026-03-29T01:00:00Z',
			'2026-10-25T00:59:59Z',
			'2026-10-25T01:00:00Z',
		]) {
			const ms = Date.parse(at)
			expect(formatInTimeZone(new Date(ms), 'Europe/Berlin').endsWith(intlZoneAbbreviation(ms, 'Europe/Berlin'))).toBe(
				true,
			)
		}
		expect(formatInTimeZone(new Date('2026-03-29T00:30:00Z'), 'Europe/Berlin')).toBe('29 Mar 2026, 01:30 CET')
		expect(formatInTimeZone(new Date('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toBe('29 Mar 2026, 03:30 CEST')
	})

	it('refuses an unknown zone as Intl does', () => {
		expect(() => localDateTime(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError)
	})
})
