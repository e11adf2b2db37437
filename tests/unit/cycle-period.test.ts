import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cycleName, describeCycle, periodInUnit, readCyclePeriod } from '~/domain/cycle-period'
import { cycleWarnings, headerCycleOutcome, manualCycleRefusal } from '~/domain/reporting-cycle'
import { growth, LINEAR_TEN_TIMES } from '../fixtures/growth'

// docs/rules.md › Cycle-Period header: four forms seen in the wild, read as the rules say.

describe('readCyclePeriod: the four forms', () => {
	it.each([
		['P7D', 'iso_duration', 7],
		['p7d', 'iso_duration', 7],
		['P1W', 'iso_duration', 7],
		['PT168H', 'iso_duration', 7],
		['P1DT12H', 'iso_duration', 1.5],
		['PT12H', 'iso_duration', 0.5],
		['PT1H', 'iso_duration', 1 / 24],
		['P0.5D', 'iso_duration', 0.5],
		['25 Days', 'days_text', 25],
		['1 day', 'days_text', 1],
		['7days', 'days_text', 7],
		['604800', 'seconds', 7],
		['3600', 'seconds', 1 / 24],
		['1296000', 'seconds', 15],
		['7776000', 'seconds', 90],
	])('reads %s as %s, %d days, to the second', (raw, form, days) => {
		const reading = readCyclePeriod(raw)
		expect(reading).toMatchObject({ kind: 'clear', form, raw })
		if (reading.kind !== 'clear') throw new Error('unreachable')
		expect(reading.seconds).toBe(Math.round(days * 86_400))
		expect(reading.days).toBeCloseTo(days, 10)
	})

	it('never rounds a period up: PT12H is half a day, not one', () => {
		expect(readCyclePeriod('PT12H')).toMatchObject({ kind: 'clear', seconds: 43_200, days: 0.5 })
	})

	it('reads a bare 1–90 as days but unclear: confirm', () => {
		for (const n of [1, 7, 15, 90]) {
			expect(readCyclePeriod(String(n))).toMatchObject({
				kind: 'unclear',
				number: n,
				likely: { days: n, seconds: n * 86_400 },
			})
		}
	})

	it('leaves 0, 91–3599 and decimals unclear with no likely reading: a person names the unit', () => {
		for (const raw of ['0', '91', '120', '3599', '7.5']) {
			expect(readCyclePeriod(raw)).toMatchObject({ kind: 'unclear', likely: null })
		}
	})

	it('refuses what is no period, years and months, and lengths outside an hour to 90 days', () => {
		for (const raw of [
			'',
			'   ',
			'fortnightly',
			'P',
			'P1DT',
			'P1M',
			'P1Y',
			'-P7D',
			'PT59M',
			'P91D',
			'91 Days',
			'7776001',
			'x'.repeat(200),
		]) {
			expect(readCyclePeriod(raw).kind, raw).toBe('unreadable')
		}
	})

	it('is linear: a long hostile value is refused, at ten times the length for at most about ten times the work', () => {
		expect(readCyclePeriod(`P${'1'.repeat(100_000)}D`).kind).toBe('unreadable')
		const run = (n: number) => {
			readCyclePeriod(`P${'1'.repeat(n)}D`)
			readCyclePeriod('1'.repeat(n))
		}
		expect(growth(run, 100_000, 1_000_000)).toBeLessThan(LINEAR_TEN_TIMES)
	})

	it('never throws, whatever the text', () => {
		fc.assert(
			fc.property(fc.string(), (raw) => {
				const reading = readCyclePeriod(raw)
				if (reading.kind === 'clear') {
					expect(reading.seconds).toBeGreaterThanOrEqual(3600)
					expect(reading.seconds).toBeLessThanOrEqual(90 * 86_400)
				}
			}),
		)
	})
})

describe('periodInUnit: a person names the unit', () => {
	it('applies the unit and keeps the range', () => {
		expect(periodInUnit(120, 'hours')).toEqual({ ok: true, seconds: 432_000, days: 5 })
		expect(periodInUnit(7, 'days')).toMatchObject({ ok: true, days: 7 })
		expect(periodInUnit(120, 'seconds')).toMatchObject({ ok: false })
		expect(periodInUnit(0, 'days')).toMatchObject({ ok: false })
		expect(periodInUnit(91, 'days')).toMatchObject({ ok: false })
	})
})

describe('headerCycleOutcome', () => {
	const clear = (raw: string) => readCyclePeriod(raw)
	it('applies a clear value that lengthens the cycle or keeps it, waits on one that shortens it', () => {
		expect(headerCycleOutcome(clear('P20D'), 15, 'guideline')).toBe('applied')
		expect(headerCycleOutcome(clear('P15D'), 15, 'guideline')).toBe('applied')
		expect(headerCycleOutcome(clear('P15D'), 15, 'cycle_period_header')).toBe('unchanged')
		expect(headerCycleOutcome(clear('P7D'), 15, 'guideline')).toBe('pending')
		expect(headerCycleOutcome(clear('PT12H'), 1, 'custom')).toBe('pending')
	})
	it('waits on an unclear value and ignores an unreadable one', () => {
		expect(headerCycleOutcome(clear('7'), 15, 'guideline')).toBe('pending')
		expect(headerCycleOutcome(clear('fortnightly'), 15, 'guideline')).toBe('unreadable')
	})
})

describe('manual cycles against Atlassian’s', () => {
	it('needs confirmation and a reason only for a cycle longer than Atlassian’s', () => {
		expect(manualCycleRefusal({ cycleDays: 30, atlassianCycleDays: null, confirmLonger: false, reason: '' })).toBeNull()
		expect(manualCycleRefusal({ cycleDays: 7, atlassianCycleDays: 7, confirmLonger: false, reason: '' })).toBeNull()
		expect(manualCycleRefusal({ cycleDays: 15, atlassianCycleDays: 7, confirmLonger: false, reason: 'x' })).toContain(
			'7-day cycle',
		)
		expect(
			manualCycleRefusal({ cycleDays: 15, atlassianCycleDays: 7, confirmLonger: true, reason: '  ' }),
		).not.toBeNull()
		expect(
			manualCycleRefusal({ cycleDays: 15, atlassianCycleDays: 7, confirmLonger: true, reason: 'contract' }),
		).toBeNull()
	})

	it('warns over 15 days and when longer than Atlassian’s, with the reason', () => {
		expect(cycleWarnings({ cycleDays: 15 })).toEqual([])
		expect(cycleWarnings({ cycleDays: 16 })).toEqual([
			expect.stringContaining('16-day cycle is longer than the 15 days'),
		])
		const both = cycleWarnings({ cycleDays: 30, atlassianCycleDays: 7, cycleReason: 'contract' })
		expect(both).toHaveLength(2)
		expect(both[0]).toContain('Longer than the 7-day cycle Atlassian set')
		expect(both[0]).toContain('“contract”')
	})
})

describe('cycle words', () => {
	it('says cycle lengths as people do', () => {
		expect(describeCycle(1)).toBe('1 day')
		expect(describeCycle(15)).toBe('15 days')
		expect(describeCycle(0.5)).toBe('12 hours')
		expect(describeCycle(1.5)).toBe('1 day 12 hours')
		expect(cycleName(15)).toBe('15-day cycle')
		expect(cycleName(0.5)).toBe('12-hour cycle')
		expect(cycleName(1.5)).toBe('cycle of 1 day 12 hours')
	})
})
