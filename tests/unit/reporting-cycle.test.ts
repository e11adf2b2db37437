import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
	ATLASSIAN_API_DEFAULT_CYCLE_DAYS,
	DEFAULT_CYCLE_DAYS,
	DUE_SOON_DAYS,
	MAX_CYCLE_DAYS,
	MIN_CYCLE_DAYS,
	calendarDaysBetween,
	cycleLabel,
	dueAfter,
	formatInTimeZone,
	isValidTimeZone,
	localDateOf,
	reportingStatus,
	validateCycleDays,
	type ReportingStatusInput,
} from '~/domain/reporting-cycle'

const at = (iso: string) => new Date(iso)
const plusMs = (date: Date, ms: number) => new Date(date.getTime() + ms)

function status(overrides: Partial<ReportingStatusInput> & { now: Date }) {
	return reportingStatus({
		personalData: 'yes',
		cycleDays: DEFAULT_CYCLE_DAYS,
		timeZone: 'UTC',
		...overrides,
	})
}

describe('constants', () => {
	it('match docs/rules.md › Reporting cycle', () => {
		expect(DEFAULT_CYCLE_DAYS).toBe(15)
		expect(ATLASSIAN_API_DEFAULT_CYCLE_DAYS).toBe(7)
		expect(MIN_CYCLE_DAYS).toBe(1)
		expect(MAX_CYCLE_DAYS).toBe(90)
		expect(DUE_SOON_DAYS).toBe(3)
	})
})

describe('reportingStatus boundaries (UTC)', () => {
	// Reported 1 June 10:00Z; 15 days on is 16 June, due by the end of that day.
	const lastReportAt = at('2026-06-01T10:00:00Z')
	const dueAt = at('2026-06-16T23:59:59.999Z')

	it('is due by the end of the local day one cycle after the anchor', () => {
		const result = status({ lastReportAt, now: at('2026-06-02T00:00:00Z') })
		expect(result.dueAt?.toISOString()).toBe(dueAt.toISOString())
		expect(result.dueDate).toBe('2026-06-16')
		expect(result.anchor).toEqual({ kind: 'last_report', at: lastReportAt })
	})

	it('is due_soon with 0 days left on the due day, up to and including the due instant', () => {
		for (const now of [at('2026-06-16T00:00:00Z'), at('2026-06-16T12:00:00Z'), dueAt]) {
			const result = status({ lastReportAt, now })
			expect(result.status).toBe('due_soon')
			expect(result.daysLeft).toBe(0)
			expect(result.explanation).toContain('Due today.')
		}
	})

	it('is not overdue one second after anchor + 15 × 24 h (end-of-day rule)', () => {
		const result = status({ lastReportAt, now: at('2026-06-16T10:00:01Z') })
		expect(result.status).toBe('due_soon')
	})

	it('is overdue one second past the due instant', () => {
		const result = status({ lastReportAt, now: plusMs(dueAt, 1000) })
		expect(result.status).toBe('overdue')
		expect(result.daysLeft).toBe(-1)
		expect(result.explanation).toContain('Overdue by 1 day.')
	})

	it('is overdue one millisecond past the due instant', () => {
		expect(status({ lastReportAt, now: plusMs(dueAt, 1) }).status).toBe('overdue')
	})

	it('counts overdue days', () => {
		const result = status({ lastReportAt, now: at('2026-06-20T08:00:00Z') })
		expect(result.status).toBe('overdue')
		expect(result.daysLeft).toBe(-4)
		expect(result.explanation).toContain('Overdue by 4 days.')
	})

	it('is due_soon with exactly 3 days left, at any time of that day', () => {
		for (const now of [at('2026-06-13T00:00:00Z'), at('2026-06-13T23:59:59.999Z')]) {
			const result = status({ lastReportAt, now })
			expect(result.daysLeft).toBe(3)
			expect(result.status).toBe('due_soon')
			expect(result.explanation).toContain('Due in 3 days.')
		}
	})

	it('is on_track with 4 days left, at any time of that day', () => {
		for (const now of [at('2026-06-12T00:00:00Z'), at('2026-06-12T23:59:59.999Z')]) {
			const result = status({ lastReportAt, now })
			expect(result.daysLeft).toBe(4)
			expect(result.status).toBe('on_track')
		}
	})

	it('has a full cycle left on the day of the report', () => {
		const result = status({ lastReportAt, now: lastReportAt })
		expect(result.daysLeft).toBe(15)
		expect(result.status).toBe('on_track')
	})

	it('honours a 1-day and a 90-day cycle', () => {
		expect(status({ lastReportAt, cycleDays: 1, now: lastReportAt }).dueDate).toBe('2026-06-02')
		expect(status({ lastReportAt, cycleDays: 90, now: lastReportAt }).dueDate).toBe('2026-08-30')
	})
})

describe('reportingStatus in the organisation’s time zone', () => {
	it('Pacific/Auckland: the local date, not the UTC date, starts the count', () => {
		// 2026-11-24T20:00Z is 25 Nov 09:00 NZDT (UTC+13).
		const lastReportAt = at('2026-11-24T20:00:00Z')
		const base = { lastReportAt, timeZone: 'Pacific/Auckland' }
		const result = status({ ...base, now: lastReportAt })
		expect(result.dueDate).toBe('2026-12-10')
		expect(result.dueAt?.toISOString()).toBe('2026-12-10T10:59:59.999Z')
		// Midnight starting 10 Dec in Auckland is still 9 Dec in UTC.
		const dueDay = status({ ...base, now: at('2026-12-09T11:00:00Z') })
		expect(dueDay.daysLeft).toBe(0)
		expect(dueDay.status).toBe('due_soon')
		const dayBefore = status({ ...base, now: at('2026-12-09T10:59:59Z') })
		expect(dayBefore.daysLeft).toBe(1)
		const late = status({ ...base, now: at('2026-12-10T11:00:00Z') })
		expect(late.status).toBe('overdue')
		expect(late.daysLeft).toBe(-1)
	})

	it('America/New_York: a late-evening report counts from its local day', () => {
		// 2026-06-01T03:00Z is 31 May 23:00 EDT.
		const result = status({
			lastReportAt: at('2026-06-01T03:00:00Z'),
			timeZone: 'America/New_York',
			now: at('2026-06-01T03:00:00Z'),
		})
		expect(result.dueDate).toBe('2026-06-15')
		expect(result.dueAt?.toISOString()).toBe('2026-06-16T03:59:59.999Z')
	})

	it('Europe/Berlin: an early-morning report counts from its local day', () => {
		// 2026-06-01T22:30Z is 2 June 00:30 CEST.
		const result = status({
			lastReportAt: at('2026-06-01T22:30:00Z'),
			cycleDays: 7,
			timeZone: 'Europe/Berlin',
			now: at('2026-06-01T22:30:00Z'),
		})
		expect(result.dueDate).toBe('2026-06-09')
		expect(result.dueAt?.toISOString()).toBe('2026-06-09T21:59:59.999Z')
	})
})

describe('cycles spanning DST changes', () => {
	const cases: [string, string, number, string, string][] = [
		// zone, last report, cycle, due date, due instant (end of local day, new offset)
		['Europe/Berlin', '2026-03-20T09:00:00Z', 15, '2026-04-04', '2026-04-04T21:59:59.999Z'],
		['Europe/Berlin', '2026-10-20T08:00:00Z', 15, '2026-11-04', '2026-11-04T22:59:59.999Z'],
		['America/New_York', '2026-03-01T17:00:00Z', 15, '2026-03-16', '2026-03-17T03:59:59.999Z'],
		['America/New_York', '2026-10-25T16:00:00Z', 15, '2026-11-09', '2026-11-10T04:59:59.999Z'],
		// Auckland's DST ends in April and starts in September.
		['Pacific/Auckland', '2026-03-29T20:00:00Z', 7, '2026-04-06', '2026-04-06T11:59:59.999Z'],
		['Pacific/Auckland', '2026-09-19T21:00:00Z', 15, '2026-10-05', '2026-10-05T10:59:59.999Z'],
	]
	it.each(cases)('%s from %s, %i days → %s', (timeZone, report, days, dueDate, dueAt) => {
		const result = status({ lastReportAt: at(report), cycleDays: days, timeZone, now: at(report) })
		expect(result.dueDate).toBe(dueDate)
		expect(result.dueAt?.toISOString()).toBe(dueAt)
		expect(result.daysLeft).toBe(days)
	})

	it('counts calendar days across a 23-hour day (Berlin, 29 March 2026)', () => {
		// Now 28 Mar 23:30 CET; due by the end of 30 Mar: 2 calendar days, < 48 h away.
		const now = at('2026-03-28T22:30:00Z')
		const { dueAt } = dueAfter(at('2026-03-15T12:00:00Z'), 15, 'Europe/Berlin')
		expect(dueAt.toISOString()).toBe('2026-03-30T21:59:59.999Z')
		expect(calendarDaysBetween(now, dueAt, 'Europe/Berlin')).toBe(2)
	})

	it('counts calendar days across a 25-hour day (New York, 1 November 2026)', () => {
		// Now 31 Oct 00:30 EDT; due by the end of 1 Nov: 1 calendar day, > 48 h away.
		const now = at('2026-10-31T04:30:00Z')
		const { dueAt } = dueAfter(at('2026-10-17T12:00:00Z'), 15, 'America/New_York')
		expect(dueAt.toISOString()).toBe('2026-11-02T04:59:59.999Z')
		expect(calendarDaysBetween(now, dueAt, 'America/New_York')).toBe(1)
	})

	it('daysLeft counts calendar days, not 24-hour periods, across a 23-hour day', () => {
		// Berlin, now 28 Mar 23:30 CET; due by the end of 30 Mar, under 48 hours away.
		const result = status({
			lastReportAt: at('2026-03-15T12:00:00Z'),
			timeZone: 'Europe/Berlin',
			now: at('2026-03-28T22:30:00Z'),
		})
		expect(result.dueDate).toBe('2026-03-30')
		expect(result.daysLeft).toBe(2)
		expect(result.status).toBe('due_soon')
	})

	it('ends a day at the first midnight when midnight repeats (Havana, autumn)', () => {
		// Cuba falls back at 01:00 CDT on 1 November 2026 to 00:00 CST: 1 November
		// starts at the first 00:00 (04:00Z), so 31 October ends just before it.
		const { dueAt, dueDate } = dueAfter(at('2026-10-24T12:00:00Z'), 7, 'America/Havana')
		expect(dueDate).toBe('2026-10-31')
		expect(dueAt.toISOString()).toBe('2026-11-01T03:59:59.999Z')
	})

	it('ends a day correctly when the next day starts at 01:00 (Havana, midnight DST)', () => {
		// Cuba springs forward at 00:00 on 8 March 2026, so 8 March starts at 01:00 CDT.
		const { dueAt, dueDate } = dueAfter(at('2026-03-01T12:00:00Z'), 6, 'America/Havana')
		expect(dueDate).toBe('2026-03-07')
		expect(dueAt.toISOString()).toBe('2026-03-08T04:59:59.999Z')
	})
})

describe('anchor precedence', () => {
	const lastReportAt = at('2026-05-10T12:00:00Z')
	const firstStoredAccountAt = at('2026-04-01T12:00:00Z')
	const flagSetAt = at('2026-03-01T12:00:00Z')
	const now = at('2026-05-11T12:00:00Z')

	it('prefers the last report', () => {
		const result = status({ lastReportAt, firstStoredAccountAt, flagSetAt, now })
		expect(result.anchor).toEqual({ kind: 'last_report', at: lastReportAt })
		expect(result.dueDate).toBe('2026-05-25')
		expect(result.explanation).toContain('after the last report on 10 May 2026, 12:00 UTC')
	})

	it('falls back to the first stored account', () => {
		const result = status({ lastReportAt: null, firstStoredAccountAt, flagSetAt, now })
		expect(result.anchor).toEqual({ kind: 'first_account', at: firstStoredAccountAt })
		expect(result.dueDate).toBe('2026-04-16')
		expect(result.status).toBe('overdue')
		expect(result.explanation).toContain('the oldest last-updated time in the ledger; no report recorded yet')
	})

	it('falls back to the date the personal-data flag was set', () => {
		const result = status({ flagSetAt, now })
		expect(result.anchor).toEqual({ kind: 'flag_set', at: flagSetAt })
		expect(result.dueDate).toBe('2026-03-16')
		expect(result.explanation).toContain('marked as storing personal data')
	})

	it('asks for a report now when there is nothing to count from', () => {
		const result = status({ now })
		expect(result).toMatchObject({ status: 'overdue', anchor: null, dueAt: null, daysLeft: null })
		expect(result.explanation).toContain('due now')
	})

	it('is not_required when the app stores no personal data, whatever the dates', () => {
		const result = status({ personalData: 'no', lastReportAt, flagSetAt, now })
		expect(result).toMatchObject({
			status: 'not_required',
			dueAt: null,
			dueDate: null,
			daysLeft: null,
			anchor: null,
		})
		expect(result.explanation).toContain('does not store personal data')
		expect(status({ personalData: 'no', lastReportAt, flagSetAt, now, storedAccounts: 0 }).status).toBe('not_required')
	})

	it('is answer_needed, not “no report needed”, when an app that says “no” still holds accounts in its ledger', () => {
		const result = status({ personalData: 'no', lastReportAt, flagSetAt, now, storedAccounts: 200 })
		expect(result).toMatchObject({ status: 'answer_needed', dueAt: null, anchor: null })
		expect(result.headline).toBe(
			'Answer needed: the app says it stores no personal data, but its ledger holds 200 accounts.',
		)
		expect(result.explanation).toContain('answer yes and report them')
		expect(status({ personalData: 'no', lastReportAt, flagSetAt, now, storedAccounts: 1 }).headline).toContain(
			'holds 1 account.',
		)
	})
})

describe('explanations say which cycle applies and why', () => {
	const lastReportAt = at('2026-05-10T12:00:00Z')
	const now = lastReportAt

	it('infers the source from the usual lengths', () => {
		expect(status({ lastReportAt, now }).explanation).toMatch(/^15-day cycle \(Email API guideline\)\. /)
		expect(status({ lastReportAt, now, cycleDays: 7 }).explanation).toMatch(
			/^7-day cycle \(Atlassian’s reporting guide default\)\. /,
		)
		expect(status({ lastReportAt, now, cycleDays: 10 }).explanation).toMatch(
			/^10-day cycle \(set by your organisation\)\. /,
		)
	})

	it('names the Cycle-Period header and the day it was recorded', () => {
		const result = status({
			lastReportAt,
			now,
			cycleDays: 9,
			cycleSource: 'cycle_period_header',
			cycleSetAt: at('2026-05-01T23:30:00Z'),
			timeZone: 'Pacific/Auckland',
		})
		expect(result.explanation).toMatch(/^9-day cycle set by Atlassian’s Cycle-Period header on Sat 2 May 2026\. /)
	})

	it('never states a source that contradicts the number', () => {
		expect(cycleLabel(10, 'guideline')).toBe('10-day cycle (set by your organisation)')
		expect(cycleLabel(15, 'api_default')).toBe('15-day cycle (set by your organisation)')
		expect(cycleLabel(15, 'custom')).toBe('15-day cycle (set by your organisation)')
		expect(cycleLabel(7, 'cycle_period_header')).toBe('7-day cycle set by Atlassian’s Cycle-Period header')
	})

	it('shows the due day and zone', () => {
		const result = status({ lastReportAt, now, timeZone: 'Europe/Berlin' })
		expect(result.explanation).toContain(
			'Next report due by the end of Mon 25 May 2026 (Europe/Berlin), 15 days after the last report on 10 May 2026, 14:00 CEST.',
		)
	})
})

describe('input validation', () => {
	const now = at('2026-05-10T12:00:00Z')

	it('rejects cycles shorter than an hour or longer than 90 days; a person sets whole days only', () => {
		for (const cycleDays of [0, -1, 91, 0.01, Number.NaN]) {
			expect(() => status({ cycleDays, now })).toThrow(RangeError)
		}
		expect(validateCycleDays('15')).toEqual({ ok: true, value: 15 })
		expect(validateCycleDays(91)).toMatchObject({ ok: false })
		expect(validateCycleDays('abc')).toMatchObject({ ok: false })
		expect(validateCycleDays(1.5)).toMatchObject({ ok: false })
		// Only digits are a number of days: Number() reads these as 16, 10 and 5.
		for (const loose of ['0x10', '1e1', '+5', '', '  ']) expect(validateCycleDays(loose)).toMatchObject({ ok: false })
		expect(validateCycleDays(' 7 ')).toEqual({ ok: true, value: 7 })
	})

	it('rejects unknown time zones and invalid dates', () => {
		expect(() => status({ now, timeZone: 'Mars/Olympus' })).toThrow(RangeError)
		expect(() => status({ now: new Date(Number.NaN) })).toThrow(RangeError)
		expect(() => status({ now, lastReportAt: new Date('nope') })).toThrow(RangeError)
	})

	it('knows valid time zones', () => {
		expect(isValidTimeZone('Pacific/Auckland')).toBe(true)
		expect(isValidTimeZone('UTC')).toBe(true)
		expect(isValidTimeZone('Mars/Olympus')).toBe(false)
		expect(isValidTimeZone('')).toBe(false)
	})
})

describe('formatInTimeZone', () => {
	it('shows local date, 24-hour time and the zone abbreviation', () => {
		const instant = at('2026-11-24T20:00:00Z')
		expect(formatInTimeZone(instant, 'Pacific/Auckland')).toBe('25 Nov 2026, 09:00 NZDT')
		expect(formatInTimeZone(instant, 'America/New_York')).toBe('24 Nov 2026, 15:00 EST')
		expect(formatInTimeZone(instant, 'Europe/Berlin')).toBe('24 Nov 2026, 21:00 CET')
		expect(formatInTimeZone(at('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe('1 Jul 2026, 14:00 CEST')
		expect(formatInTimeZone(instant, 'UTC')).toBe('24 Nov 2026, 20:00 UTC')
	})

	it('falls back to a GMT offset where no abbreviation exists', () => {
		expect(formatInTimeZone(at('2026-11-24T20:00:00Z'), 'Asia/Tokyo')).toBe('25 Nov 2026, 05:00 GMT+9')
	})
})

const ZONES = [
	'UTC',
	'Pacific/Auckland',
	'America/New_York',
	'Europe/Berlin',
	'America/Havana',
	'Australia/Lord_Howe',
	'Asia/Kolkata',
	'America/Santiago',
] as const

// Instants near 2026's DST changes, where wall-clock time jumps or repeats.
const TRANSITIONS = [
	'2026-03-08T07:00:00Z', // New York spring
	'2026-11-01T06:00:00Z', // New York autumn
	'2026-03-29T01:00:00Z', // Berlin spring
	'2026-10-25T01:00:00Z', // Berlin autumn
	'2026-04-04T14:00:00Z', // Auckland autumn
	'2026-09-26T14:00:00Z', // Auckland spring
	'2026-03-08T05:00:00Z', // Havana spring (midnight)
	'2026-04-04T15:00:00Z', // Lord Howe (half-hour shift)
	'2026-11-01T05:00:00Z', // Havana autumn (midnight repeats)
	'2026-04-05T03:00:00Z', // Santiago autumn (at midnight)
	'2026-09-06T04:00:00Z', // Santiago spring (midnight skipped)
].map((iso) => at(iso).getTime())

const nearTransition = fc
	.tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -4 * 3600, max: 4 * 3600 }))
	.map(([base, seconds]) => new Date(base + seconds * 1000))
const anyInstant = fc.date({
	min: at('2000-01-01T00:00:00Z'),
	max: at('2100-01-01T00:00:00Z'),
	noInvalidDate: true,
})
const instant = fc.oneof(nearTransition, anyInstant)

describe('properties', () => {
	it('with the cycle unchanged, a later report never moves the due date earlier', () => {
		fc.assert(
			fc.property(
				fc.constantFrom(...ZONES),
				fc.integer({ min: MIN_CYCLE_DAYS, max: MAX_CYCLE_DAYS }),
				instant,
				fc.integer({ min: 0, max: 3 * 24 * 3600 }),
				(timeZone, cycleDays, earlier, laterBySeconds) => {
					const later = plusMs(earlier, laterBySeconds * 1000)
					const now = later
					const first = reportingStatus({
						personalData: 'yes',
						cycleDays,
						timeZone,
						now,
						lastReportAt: earlier,
					})
					const second = reportingStatus({
						personalData: 'yes',
						cycleDays,
						timeZone,
						now,
						lastReportAt: later,
					})
					expect(second.dueAt!.getTime()).toBeGreaterThanOrEqual(first.dueAt!.getTime())
				},
			),
			{ numRuns: 500 },
		)
	})

	it('the due instant is the last millisecond of the due day, cycleDays after the anchor day', () => {
		// Anchors chosen so that the due day often ends near a DST change.
		const dueNearTransition = fc
			.tuple(fc.integer({ min: MIN_CYCLE_DAYS, max: MAX_CYCLE_DAYS }), nearTransition, fc.boolean(), anyInstant)
			.map(([cycleDays, end, aimed, random]) => ({
				cycleDays,
				anchor: aimed ? plusMs(end, -cycleDays * 24 * 3600 * 1000) : random,
			}))
		fc.assert(
			fc.property(fc.constantFrom(...ZONES), dueNearTransition, (timeZone, { cycleDays, anchor }) => {
				const { dueAt, dueDate } = dueAfter(anchor, cycleDays, timeZone)
				expect(localDateOf(dueAt, timeZone)).toBe(dueDate)
				expect(localDateOf(plusMs(dueAt, 1), timeZone)).not.toBe(dueDate)
				expect(calendarDaysBetween(anchor, dueAt, timeZone)).toBe(cycleDays)
				expect(calendarDaysBetween(anchor, plusMs(dueAt, 1), timeZone)).toBe(cycleDays + 1)
			}),
			{ numRuns: 500 },
		)
	})

	it('status agrees with daysLeft: overdue ⇔ < 0, due_soon ⇔ 0–3, on_track ⇔ > 3', () => {
		fc.assert(
			fc.property(
				fc.constantFrom(...ZONES),
				fc.integer({ min: MIN_CYCLE_DAYS, max: MAX_CYCLE_DAYS }),
				instant,
				fc.integer({ min: -10 * 24 * 3600, max: 100 * 24 * 3600 }),
				(timeZone, cycleDays, lastReportAt, offsetSeconds) => {
					const now = plusMs(lastReportAt, offsetSeconds * 1000)
					const result = reportingStatus({
						personalData: 'yes',
						cycleDays,
						timeZone,
						now,
						lastReportAt,
					})
					const daysLeft = result.daysLeft!
					// Independent count: difference of the two local calendar dates.
					const dayOf = (key: string) => Date.parse(`${key}T00:00:00Z`) / (24 * 3600 * 1000)
					expect(daysLeft).toBe(dayOf(result.dueDate!) - dayOf(localDateOf(now, timeZone)))
					const expected = daysLeft < 0 ? 'overdue' : daysLeft <= DUE_SOON_DAYS ? 'due_soon' : 'on_track'
					expect(result.status).toBe(expected)
					expect(result.status === 'overdue').toBe(now.getTime() > result.dueAt!.getTime())
				},
			),
			{ numRuns: 500 },
		)
	})
})

describe('one status per app (issue 9)', () => {
	const now = at('2026-06-20T12:00:00Z')

	it('is answer_needed, never not_required, while the personal-data answer is undecided', () => {
		const result = status({ personalData: 'undecided', lastReportAt: at('2026-06-19T00:00:00Z'), now })
		expect(result).toMatchObject({ status: 'answer_needed', dueAt: null, daysLeft: null })
		expect(result.explanation).toContain('cannot tell whether reports are due')
	})

	it('counts the first report from the storing-since date before the oldest account or the flag', () => {
		const storingSince = { at: at('2026-06-04T09:00:00Z'), source: 'ledger' as const }
		const result = status({
			storingSince,
			firstStoredAccountAt: at('2026-06-15T00:00:00Z'),
			flagSetAt: at('2026-06-18T00:00:00Z'),
			now,
		})
		expect(result.anchor).toEqual({ kind: 'storing_since', at: storingSince.at, source: 'ledger' })
		// 4 June + 15 days = 19 June, over by the 20th: overdue by 1 day.
		expect(result).toMatchObject({ status: 'overdue', dueDate: '2026-06-19', daysLeft: -1 })
		expect(result.headline).toBe(
			'First report overdue by 1 day, counted from when the oldest stored data was retrieved.',
		)
	})

	it('says whose date it counts from', () => {
		const person = status({ storingSince: { at: at('2026-06-10T00:00:00Z'), source: 'person' }, now })
		expect(person.explanation).toContain('the date your organisation gave for storing personal data')
		const proposed = status({ storingSince: { at: at('2026-06-10T00:00:00Z'), source: 'proposed' }, now })
		expect(proposed.explanation).toContain('confirm it or keep the date')
	})

	it('keeps the precision of a cycle with hours in it: due exactly one cycle after the anchor', () => {
		const lastReportAt = at('2026-06-20T01:00:00Z')
		const half = status({
			cycleDays: 0.5,
			cycleSource: 'cycle_period_header',
			lastReportAt,
			now: at('2026-06-20T12:59:59Z'),
		})
		expect(half.dueAt!.toISOString()).toBe('2026-06-20T13:00:00.000Z')
		expect(half).toMatchObject({ status: 'due_soon', daysLeft: 0 })
		const late = status({
			cycleDays: 0.5,
			cycleSource: 'cycle_period_header',
			lastReportAt,
			now: at('2026-06-20T13:00:01Z'),
		})
		expect(late.status).toBe('overdue')
		expect(late.headline).toContain('overdue since earlier today')
	})
})

describe('a shorter Cycle-Period waiting for confirmation', () => {
	const lastReportAt = at('2026-06-01T10:00:00Z')
	const now = at('2026-06-10T12:00:00Z')

	it('is counted with at once, without changing the cycle set', () => {
		const result = status({ lastReportAt, now, pendingCycleDays: 7 })
		// 1 June + 7 days = 8 June: overdue on the 10th, where 15 days would be on track.
		expect(result).toMatchObject({ status: 'overdue', dueDate: '2026-06-08' })
		expect(result.explanation).toContain('the 15-day cycle is still set')
		expect(status({ lastReportAt, now }).status).toBe('on_track')
	})

	it('is ignored when it is not shorter, or not a valid length', () => {
		expect(status({ lastReportAt, now, pendingCycleDays: 20 }).dueDate).toBe('2026-06-16')
		expect(status({ lastReportAt, now, pendingCycleDays: 0 }).dueDate).toBe('2026-06-16')
	})
})
