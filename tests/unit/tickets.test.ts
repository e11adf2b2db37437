import { describe, expect, it } from 'vitest'
import { daysWaiting, DEFAULT_FOLLOW_UP_DAYS, needsFollowUp, parseTicketKey, TICKET_KEY_PATTERN } from '~/domain/tickets'

describe('TICKET_KEY_PATTERN', () => {
	it.each(['DEVHELP-5718', 'AMKTHELP-40168', 'ECOHELP-1', 'AB-0', 'A1-22'])('accepts %s', (key) => {
		expect(TICKET_KEY_PATTERN.test(key)).toBe(true)
	})

	it.each(['devhelp-5718', 'D-1', '1DEV-1', 'DEV_HELP-1', 'DEVHELP-', 'DEVHELP5718', 'DEVHELP-57a', ' DEVHELP-1', 'DEVHELP-1\n'])(
		'rejects %j',
		(key) => {
			expect(TICKET_KEY_PATTERN.test(key)).toBe(false)
		},
	)
})

describe('parseTicketKey', () => {
	it.each([
		['DEVHELP-5718', 'DEVHELP-5718'],
		['  AMKTHELP-40168\n', 'AMKTHELP-40168'],
		['devhelp-5718', 'DEVHELP-5718'],
		['DevHelp-5718', 'DEVHELP-5718'],
		['https://developer.atlassian.com/servicedesk/customer/portal/14/DEVHELP-5718', 'DEVHELP-5718'],
		['https://ecosystem.atlassian.net/browse/AMKTHELP-40168/?focusedCommentId=1', 'AMKTHELP-40168'],
	])('accepts %j as %s', (raw, key) => {
		expect(parseTicketKey(raw)).toEqual({ ok: true, key })
	})

	it('asks for a key when the input is empty', () => {
		for (const raw of ['', '   ']) {
			const result = parseTicketKey(raw)
			expect(result.ok).toBe(false)
			if (!result.ok) expect(result.message).toMatch(/Enter the ticket key.*DEVHELP-5718/)
		}
	})

	it.each([
		'DEVHELP 5718',
		'DEVHELP',
		'5718',
		'#5718',
		'D-1',
		'DEVHELP-5718, DEVHELP-5719',
		'https://developer.atlassian.com/servicedesk/customer/portal/14',
		'https://',
		'ßX-1', // uppercases to SSX-1: only ASCII keys count
		'ıD-1',
		`${'A'.repeat(70)}-1`,
	])('explains why %j is not a key', (raw) => {
		const result = parseTicketKey(raw)
		expect(result.ok).toBe(false)
		if (!result.ok) expect(result.message).toMatch(/is not a ticket key.*DEVHELP-5718/)
	})

	it('shortens long input in the message', () => {
		const result = parseTicketKey('x'.repeat(500))
		if (result.ok) throw new Error('expected an error')
		expect(result.message.length).toBeLessThan(200)
	})
})

describe('daysWaiting', () => {
	const openedAt = new Date('2026-03-02T09:00:00Z') // a Monday

	it('is 0 on the day the ticket was opened', () => {
		expect(daysWaiting(openedAt, openedAt)).toBe(0)
		expect(daysWaiting(openedAt, new Date('2026-03-02T23:59:59Z'))).toBe(0)
	})

	it('counts calendar days, not 24-hour spans', () => {
		expect(daysWaiting(openedAt, new Date('2026-03-03T00:00:00Z'))).toBe(1)
		expect(daysWaiting(openedAt, new Date('2026-03-05T08:00:00Z'))).toBe(3)
		expect(daysWaiting(openedAt, new Date('2026-04-01T12:00:00Z'))).toBe(30)
	})

	it('counts in the given time zone', () => {
		const late = new Date('2026-03-02T23:30:00Z') // already Tuesday in Berlin
		const next = new Date('2026-03-03T07:00:00Z')
		expect(daysWaiting(late, next)).toBe(1)
		expect(daysWaiting(late, next, 'Europe/Berlin')).toBe(0)
		expect(daysWaiting(late, new Date('2026-03-02T23:45:00Z'), 'America/Los_Angeles')).toBe(0)
	})

	it('is not thrown off by a daylight-saving change', () => {
		// Berlin moves to summer time on 29 March 2026.
		expect(daysWaiting(new Date('2026-03-28T12:00:00Z'), new Date('2026-03-30T11:00:00Z'), 'Europe/Berlin')).toBe(2)
	})

	it('never goes negative when clocks disagree', () => {
		expect(daysWaiting(openedAt, new Date('2026-03-01T09:00:00Z'))).toBe(0)
	})

	it('rejects an unknown time zone', () => {
		expect(() => daysWaiting(openedAt, openedAt, 'Mars/Olympus')).toThrow(RangeError)
	})
})

describe('needsFollowUp', () => {
	const lastActivityAt = new Date('2026-03-02T15:00:00Z')
	const day = (d: number) => new Date(Date.UTC(2026, 2, 2 + d, 9))

	it('defaults to 10 quiet days', () => {
		expect(DEFAULT_FOLLOW_UP_DAYS).toBe(10)
	})

	it('does not prompt before 10 quiet days', () => {
		expect(needsFollowUp({ lastActivityAt, now: day(9) })).toEqual({ due: false, daysQuiet: 9, daysUntilDue: 1 })
		expect(needsFollowUp({ lastActivityAt, now: day(0) })).toEqual({ due: false, daysQuiet: 0, daysUntilDue: 10 })
	})

	it('prompts from exactly 10 quiet days on', () => {
		expect(needsFollowUp({ lastActivityAt, now: day(10) })).toEqual({ due: true, daysQuiet: 10, daysUntilDue: 0 })
		expect(needsFollowUp({ lastActivityAt, now: day(25) })).toEqual({ due: true, daysQuiet: 25, daysUntilDue: 0 })
	})

	it('honours a configured quiet period', () => {
		expect(needsFollowUp({ lastActivityAt, now: day(6), quietDays: 7 }).due).toBe(false)
		expect(needsFollowUp({ lastActivityAt, now: day(7), quietDays: 7 }).due).toBe(true)
		expect(needsFollowUp({ lastActivityAt, now: day(1), quietDays: 1 }).due).toBe(true)
	})

	it('counts in the given time zone', () => {
		// 23:30 UTC on 2 March is already 3 March in Berlin, so one day fewer has passed there.
		const late = new Date('2026-03-02T23:30:00Z')
		const now = new Date('2026-03-12T12:00:00Z')
		expect(needsFollowUp({ lastActivityAt: late, now }).due).toBe(true)
		expect(needsFollowUp({ lastActivityAt: late, now, timeZone: 'Europe/Berlin' })).toEqual({
			due: false,
			daysQuiet: 9,
			daysUntilDue: 1,
		})
	})

	it('rejects a quiet period that is not a whole number of days', () => {
		for (const quietDays of [0, -1, 2.5, Number.NaN]) {
			expect(() => needsFollowUp({ lastActivityAt, now: day(1), quietDays })).toThrow(RangeError)
		}
	})
})
