import { describe, expect, it } from 'vitest'
import {
	checkStepDate,
	correctedDates,
	dayToInstant,
	daysWaiting,
	DEFAULT_FOLLOW_UP_DAYS,
	lastActivity,
	needsFollowUp,
	parseTicketKey,
	ticketSteps,
	TICKET_KEY_PATTERN,
} from '~/domain/tickets'

describe('TICKET_KEY_PATTERN', () => {
	it.each(['DEVHELP-5718', 'AMKTHELP-40168', 'ECOHELP-1', 'AB-0', 'A1-22'])('accepts %s', (key) => {
		expect(TICKET_KEY_PATTERN.test(key)).toBe(true)
	})

	it.each([
		'devhelp-5718',
		'D-1',
		'1DEV-1',
		'DEV_HELP-1',
		'DEVHELP-',
		'DEVHELP5718',
		'DEVHELP-57a',
		' DEVHELP-1',
		'DEVHELP-1\n',
	])('rejects %j', (key) => {
		expect(TICKET_KEY_PATTERN.test(key)).toBe(false)
	})
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

describe('checkStepDate (issue 9, finding 5)', () => {
	const now = new Date('2026-03-12T09:00:00Z')
	const opened = { kind: 'opened' as const, at: new Date('2026-03-02T12:00:00Z') }
	const approved = { kind: 'approved' as const, at: new Date('2026-03-09T12:00:00Z') }

	it('accepts an answer on the day the ticket was opened, and today', () => {
		expect(checkStepDate({ kind: 'approved', at: new Date('2026-03-02T08:00:00Z'), now, earlier: [opened] })).toEqual({
			ok: true,
		})
		expect(checkStepDate({ kind: 'approved', at: new Date('2026-03-12T23:00:00Z'), now, earlier: [opened] })).toEqual({
			ok: true,
		})
	})

	it('refuses an answer dated before the ticket was opened, naming that date', () => {
		expect(checkStepDate({ kind: 'approved', at: new Date('2026-03-01T23:59:00Z'), now, earlier: [opened] })).toEqual({
			ok: false,
			message: 'Atlassian’s approval cannot be dated before the ticket was opened (Mon 2 Mar 2026).',
		})
	})

	it('refuses a date after today in the organisation’s time zone', () => {
		const tomorrow = new Date('2026-03-13T00:30:00Z')
		const result = checkStepDate({ kind: 'revoked', at: tomorrow, now })
		expect(result).toEqual({
			ok: false,
			message:
				'Atlassian’s revocation cannot be in the future: today is Thu 12 Mar 2026 in your organisation’s time zone.',
		})
		// 00:30 UTC on 13 March is still 12 March in New York.
		expect(checkStepDate({ kind: 'revoked', at: tomorrow, now, timeZone: 'America/New_York' })).toEqual({ ok: true })
		// 23:30 UTC on 12 March is already 13 March in Auckland, where it is 12 March only until 11:00 UTC.
		expect(
			checkStepDate({ kind: 'opened', at: new Date('2026-03-12T23:30:00Z'), now, timeZone: 'Pacific/Auckland' }),
		).toMatchObject({
			ok: false,
		})
	})

	it('keeps a corrected date between the steps around it', () => {
		expect(checkStepDate({ kind: 'opened', at: new Date('2026-03-10T12:00:00Z'), now, later: [approved] })).toEqual({
			ok: false,
			message: 'The date the ticket was opened cannot be dated after Atlassian approved (Mon 9 Mar 2026).',
		})
		expect(
			checkStepDate({ kind: 'revoked', at: new Date('2026-03-05T12:00:00Z'), now, earlier: [opened, approved] }),
		).toMatchObject({
			ok: false,
			message: expect.stringContaining('before Atlassian approved'),
		})
		expect(checkStepDate({ kind: 'opened', at: new Date('2026-03-09T01:00:00Z'), now, later: [approved] })).toEqual({
			ok: true,
		})
	})
})

describe('dayToInstant', () => {
	const now = new Date('2026-03-12T09:00:00Z')

	it('is noon of that day in the organisation’s time zone', () => {
		expect(dayToInstant('2026-03-02', 'UTC', now)).toEqual(new Date('2026-03-02T12:00:00Z'))
		expect(dayToInstant('2026-03-02', 'Europe/Berlin', now)).toEqual(new Date('2026-03-02T11:00:00Z'))
		// Noon UTC would be the next day in Auckland; local noon is not.
		expect(dayToInstant('2026-03-02', 'Pacific/Auckland', now)).toEqual(new Date('2026-03-01T23:00:00Z'))
	})

	it('is now for today before noon, and stays in the future for a later day', () => {
		expect(dayToInstant('2026-03-12', 'UTC', now)).toEqual(now)
		expect(dayToInstant('2026-03-13', 'UTC', now)).toEqual(new Date('2026-03-13T12:00:00Z'))
	})

	it('is null for text that is not a real day', () => {
		for (const day of ['', '2026-02-30', '12.03.2026', '2026-3-1']) expect(dayToInstant(day, 'UTC', now)).toBeNull()
	})
})

describe('ticketSteps, corrections and lastActivity', () => {
	const at = (iso: string) => new Date(iso)
	const events = [
		{ id: 1, kind: 'submit_for_review', occurredAt: at('2026-02-20T10:00:00Z'), details: {} },
		{
			id: 2,
			kind: 'record_ticket',
			occurredAt: at('2026-03-03T10:00:00Z'),
			details: { openedAt: '2026-03-02T12:00:00.000Z' },
		},
		{ id: 3, kind: 'atlassian_requested_info', occurredAt: at('2026-03-04T12:00:00Z'), details: {} },
		{ id: 4, kind: 'record_reply', occurredAt: at('2026-03-06T15:00:00Z'), details: {} },
		{ id: 5, kind: 'atlassian_approved', occurredAt: at('2026-03-09T12:00:00Z'), details: {} },
		{
			id: 6,
			kind: 'date_corrected',
			occurredAt: at('2026-03-10T10:00:00Z'),
			details: { eventId: 5, to: '2026-03-08T12:00:00.000Z' },
		},
		{
			id: 7,
			kind: 'date_corrected',
			occurredAt: at('2026-03-11T10:00:00Z'),
			details: { eventId: 5, to: '2026-03-07T12:00:00.000Z' },
		},
	]

	it('lists the opening date and each answer with the latest correction in force', () => {
		expect(ticketSteps(events)).toEqual([
			{ eventId: 2, kind: 'opened', at: at('2026-03-02T12:00:00Z'), correctedFrom: null },
			{ eventId: 3, kind: 'info_requested', at: at('2026-03-04T12:00:00Z'), correctedFrom: null },
			{ eventId: 5, kind: 'approved', at: at('2026-03-07T12:00:00Z'), correctedFrom: at('2026-03-09T12:00:00Z') },
		])
		expect(correctedDates(events)).toEqual(new Map([[5, at('2026-03-07T12:00:00Z')]]))
	})

	it('only counts the current ticket', () => {
		const again = [
			...events,
			{
				id: 8,
				kind: 'record_ticket',
				occurredAt: at('2026-03-12T10:00:00Z'),
				details: { openedAt: '2026-03-12T09:00:00.000Z' },
			},
		]
		expect(ticketSteps(again).map((step) => step.eventId)).toEqual([8])
		expect(ticketSteps(events.slice(0, 1))).toEqual([])
	})

	it('last activity is the latest step or reply, corrected dates included', () => {
		expect(lastActivity(events)).toEqual(at('2026-03-07T12:00:00Z'))
		expect(lastActivity(events.slice(0, 5))).toEqual(at('2026-03-09T12:00:00Z'))
		expect(lastActivity(events.slice(0, 4))).toEqual(at('2026-03-06T15:00:00Z'))
		expect(lastActivity(events.slice(0, 1))).toBeNull()
	})
})
