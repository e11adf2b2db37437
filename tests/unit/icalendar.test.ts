import { describe, expect, it } from 'vitest'
import {
	CRLF,
	escapeText,
	foldLine,
	icsDate,
	icsDateTimeUtc,
	MAX_LINE_OCTETS,
	nextDay,
	writeCalendar,
	type CalendarEvent,
} from '~/domain/icalendar'

const octets = (text: string) => new TextEncoder().encode(text).length

/** Undoes RFC 5545 folding: a CRLF followed by one space or tab joins the lines. */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '')

const EVENT: CalendarEvent = {
	uid: 'report-3f1c2a9e-7b4d-4e21-9c55-0a8d6f2b1e47-20260317@clearance',
	date: '2026-03-17',
	summary: 'Personal-data report due: Mail Bridge',
	url: 'https://clearance.example/o/acme/apps/3f1c2a9e-7b4d-4e21-9c55-0a8d6f2b1e47/reporting',
	alarmDaysBefore: 1,
}

describe('escapeText (RFC 5545 §3.3.11)', () => {
	it('escapes backslash, semicolon, comma and every kind of line break', () => {
		expect(escapeText('a\\b;c,d\ne\r\nf\rg')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng')
	})

	it('escapes the backslash first, so an escape is never escaped twice', () => {
		expect(escapeText('\\;')).toBe('\\\\\\;')
	})

	it('drops control characters TEXT may not hold, keeps tab and non-ASCII text', () => {
		expect(escapeText('Zoë\u0000 \u0007Bridge\t✓')).toBe('Zoë Bridge\t✓')
	})
})

describe('foldLine (RFC 5545 §3.1)', () => {
	it('leaves a line of exactly 75 octets alone', () => {
		const line = 'X'.repeat(MAX_LINE_OCTETS)
		expect(foldLine(line)).toBe(line)
	})

	it('folds longer lines into physical lines of at most 75 octets, each continuation starting with a space', () => {
		const line = `DESCRIPTION:${'abcdefghij'.repeat(20)}`
		const folded = foldLine(line)
		const lines = folded.split(CRLF)
		expect(lines.length).toBe(3)
		for (const physical of lines) expect(octets(physical)).toBeLessThanOrEqual(MAX_LINE_OCTETS)
		expect(octets(lines[0]!)).toBe(MAX_LINE_OCTETS)
		for (const continuation of lines.slice(1)) expect(continuation.startsWith(' ')).toBe(true)
		expect(unfold(folded)).toBe(line)
	})

	it('counts octets, not characters, and never splits a multi-byte UTF-8 character or an emoji', () => {
		// 'é' is 2 octets, '日' 3, '📅' 4 (a surrogate pair in JavaScript).
		const line = `SUMMARY:${'é日📅'.repeat(30)}`
		const folded = foldLine(line)
		const lines = folded.split(CRLF)
		expect(lines.length).toBe(4)
		// 'SUMMARY:' and seven 9-octet repeats make 71 octets, 'é' 73; '日' would make 76, so the line ends at 73.
		expect(octets(lines[0]!)).toBe(73)
		for (const physical of lines) {
			expect(octets(physical)).toBeLessThanOrEqual(MAX_LINE_OCTETS)
			// Each physical line is valid UTF-8 on its own: no lone surrogate, no replacement character.
			expect(new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(physical))).toBe(physical)
			expect(physical).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/)
		}
		expect(unfold(folded)).toBe(line)
	})
})

describe('dates', () => {
	it('writes DATE and UTC DATE-TIME values', () => {
		expect(icsDate('2026-03-17')).toBe('20260317')
		expect(icsDateTimeUtc(new Date('2026-03-17T10:15:30.123Z'))).toBe('20260317T101530Z')
	})

	it('refuses a date that is not a calendar day', () => {
		expect(() => icsDate('2026-02-30')).toThrow(/not a calendar date/)
		expect(() => icsDate('17/03/2026')).toThrow(/not a calendar date/)
	})

	it('ends an all-day event on the next day, across month and year ends and 29 February', () => {
		expect(nextDay('2026-03-17')).toBe('2026-03-18')
		expect(nextDay('2026-12-31')).toBe('2027-01-01')
		expect(nextDay('2028-02-28')).toBe('2028-02-29')
	})
})

describe('writeCalendar', () => {
	const now = new Date('2026-03-10T08:00:00Z')
	const text = writeCalendar(
		{
			prodId: '-//Clearance//Reporting deadlines//EN',
			name: 'Acme, Inc; deadlines',
			timeZone: 'Pacific/Auckland',
			refreshMinutes: 60,
			events: [EVENT, { ...EVENT, uid: 'x@clearance', summary: 'a, b; c\nd', alarmDaysBefore: undefined }],
		},
		now,
	)

	it('uses CRLF everywhere and ends with one', () => {
		expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true)
		expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
	})

	it('has the calendar properties: VERSION, PRODID, names, zone, refresh interval', () => {
		const lines = unfold(text).split(CRLF)
		expect(lines.slice(0, 3)).toEqual([
			'BEGIN:VCALENDAR',
			'VERSION:2.0',
			'PRODID:-//Clearance//Reporting deadlines//EN',
		])
		expect(lines).toContain('X-WR-CALNAME:Acme\\, Inc\\; deadlines')
		expect(lines).toContain('X-WR-TIMEZONE:Pacific/Auckland')
		expect(lines).toContain('REFRESH-INTERVAL;VALUE=DURATION:PT60M')
	})

	it('writes an all-day event with UID, DTSTAMP, exclusive end, escaped summary and a display alarm a day before', () => {
		const lines = unfold(text).split(CRLF)
		const first = lines.slice(lines.indexOf('BEGIN:VEVENT'), lines.indexOf('END:VEVENT') + 1)
		expect(first).toEqual([
			'BEGIN:VEVENT',
			`UID:${EVENT.uid}`,
			'DTSTAMP:20260310T080000Z',
			'DTSTART;VALUE=DATE:20260317',
			'DTEND;VALUE=DATE:20260318',
			'SUMMARY:Personal-data report due: Mail Bridge',
			`URL:${EVENT.url}`,
			'TRANSP:TRANSPARENT',
			'BEGIN:VALARM',
			'ACTION:DISPLAY',
			'TRIGGER:-P1D',
			'DESCRIPTION:Personal-data report due: Mail Bridge',
			'END:VALARM',
			'END:VEVENT',
		])
		expect(lines).toContain('SUMMARY:a\\, b\\; c\\nd')
		// The second event asked for no alarm.
		expect(lines.filter((line) => line === 'BEGIN:VALARM')).toHaveLength(1)
	})

	it('folds every physical line to at most 75 octets', () => {
		for (const line of text.split(CRLF)) expect(octets(line)).toBeLessThanOrEqual(MAX_LINE_OCTETS)
		expect(text.split(CRLF).some((line) => line.startsWith(' '))).toBe(true)
	})

	it('refuses a URL that is not http(s) or holds a line break, rather than writing a broken feed', () => {
		const calendar = { prodId: 'p', name: 'n', events: [{ ...EVENT, url: 'javascript:alert(1)' }] }
		expect(() => writeCalendar(calendar, now)).toThrow(/not an http\(s\) URL/)
		const injected = { ...calendar, events: [{ ...EVENT, url: 'https://x.example/\r\nATTENDEE:evil' }] }
		expect(() => writeCalendar(injected, now)).toThrow(/not an http\(s\) URL/)
	})
})
