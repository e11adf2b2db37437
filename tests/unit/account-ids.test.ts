import { describe, expect, it } from 'vitest'
import { EMAIL_IN_ACCOUNT_ID_REASON, toRfc3339, validateAccountId, validateUpdatedAt } from '~/domain/account-ids'

function reasonOf(result: { ok: boolean; reason?: string }): string | undefined {
	return result.ok ? undefined : result.reason
}

describe('validateAccountId', () => {
	it.each([
		'5be24ad8b1653240376955d2',
		'5be24ba3f91c106033269289',
		'557058:f58131cb-b67d-43c7-b30d-6b58d40bd077',
		'qm:1234abcd-ef-56',
		'a',
		'x'.repeat(128),
	])('accepts %s', (raw) => {
		expect(validateAccountId(raw)).toEqual({ ok: true, value: raw })
	})

	it('trims surrounding whitespace', () => {
		expect(validateAccountId('  5be24ad8b1653240376955d2\n')).toEqual({
			ok: true,
			value: '5be24ad8b1653240376955d2',
		})
	})

	it('refuses an empty id', () => {
		expect(reasonOf(validateAccountId(''))).toBe('account id is empty')
		expect(reasonOf(validateAccountId('   '))).toBe('account id is empty')
	})

	it('refuses anything that is not text', () => {
		for (const raw of [undefined, null, 42, {}, ['a']]) {
			expect(reasonOf(validateAccountId(raw))).toBe('account id must be text')
		}
	})

	it('refuses the placeholder unknown, in any case', () => {
		const reason = 'Atlassian forbids reporting the placeholder account id unknown'
		expect(reasonOf(validateAccountId('unknown'))).toBe(reason)
		expect(reasonOf(validateAccountId(' UNKNOWN '))).toBe(reason)
		expect(validateAccountId('unknown2').ok).toBe(true)
	})

	it('refuses email addresses with the exact message', () => {
		expect(EMAIL_IN_ACCOUNT_ID_REASON).toBe('this looks like an email address — store account ids only')
		for (const raw of ['jane@example.com', '@', 'a@b', 'x'.repeat(200) + '@example.com']) {
			expect(reasonOf(validateAccountId(raw))).toBe(EMAIL_IN_ACCOUNT_ID_REASON)
		}
	})

	it('refuses ids longer than 128 characters', () => {
		expect(reasonOf(validateAccountId('x'.repeat(129)))).toBe('account id is longer than 128 characters')
	})

	it.each(['abc def', 'abc/def', 'abc.def', '<script>', 'é5be24', 'a+b', "a'b", 'a_b'])(
		'refuses other characters: %j',
		(raw) => {
			expect(reasonOf(validateAccountId(raw))).toBe(
				"account id may contain only letters, digits, ':' and '-' (Atlassian's format)",
			)
		},
	)
})

describe('validateUpdatedAt', () => {
	it.each([
		['2026-03-01T09:30:00Z', '2026-03-01T09:30:00.000Z'],
		['2026-03-01t09:30:00z', '2026-03-01T09:30:00.000Z'],
		['2026-03-01 09:30:00Z', '2026-03-01T09:30:00.000Z'],
		['2026-03-01T09:30:00.123Z', '2026-03-01T09:30:00.123Z'],
		['2026-03-01T09:30:00.5Z', '2026-03-01T09:30:00.500Z'],
		['2026-03-01T09:30:00.123456789Z', '2026-03-01T09:30:00.123Z'],
		['2026-03-01T09:30:00+02:00', '2026-03-01T07:30:00.000Z'],
		['2026-03-01T09:30:00-05:30', '2026-03-01T15:00:00.000Z'],
		['2026-03-01T00:30:00+13:00', '2026-02-28T11:30:00.000Z'],
		['2026-03-01T09:30:00-00:00', '2026-03-01T09:30:00.000Z'],
		['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
		['  2026-03-01T09:30:00Z  ', '2026-03-01T09:30:00.000Z'],
	])('parses %s', (raw, iso) => {
		const result = validateUpdatedAt(raw)
		expect(result.ok).toBe(true)
		if (result.ok) expect(result.value.toISOString()).toBe(iso)
	})

	it('accepts a bare date as midnight UTC (earlier is the safe side)', () => {
		const result = validateUpdatedAt('2026-03-01')
		expect(result.ok && result.value.toISOString()).toBe('2026-03-01T00:00:00.000Z')
	})

	it('accepts a valid Date', () => {
		const date = new Date('2026-03-01T09:30:00Z')
		expect(validateUpdatedAt(date)).toEqual({ ok: true, value: date })
		expect(validateUpdatedAt(new Date(Number.NaN)).ok).toBe(false)
	})

	it('refuses a date-time without a time zone, saying so', () => {
		expect(reasonOf(validateUpdatedAt('2026-03-01T09:30:00'))).toMatch(/needs a time zone/)
		expect(reasonOf(validateUpdatedAt('2026-03-01T09:30'))).toMatch(/needs a time zone/)
	})

	it.each([
		'',
		'yesterday',
		'1709285400',
		'2026-03-01T09:30Z',
		'2026-03-01T09:30:00+0200',
		'2026-03-01T09:30:00 +02:00',
		'2026-3-1T09:30:00Z',
		'01/03/2026',
		'2026-03-01T09:30:00.Z',
	])('refuses malformed %j', (raw) => {
		expect(reasonOf(validateUpdatedAt(raw))).toMatch(/RFC 3339/)
	})

	it.each([
		['2026-02-29T00:00:00Z', /no such date/],
		['2026-13-01T00:00:00Z', /no such date/],
		['2026-04-31', /no such date/],
		['2026-00-10T00:00:00Z', /no such date/],
		['2026-03-01T24:00:00Z', /no such time/],
		['2026-03-01T09:60:00Z', /no such time/],
		['2026-12-31T23:59:60Z', /no such time/],
		['2026-03-01T09:30:00+24:00', /impossible offset/],
		['2026-03-01T09:30:00+02:60', /impossible offset/],
	])('refuses impossible %s', (raw, reason) => {
		expect(reasonOf(validateUpdatedAt(raw))).toMatch(reason)
	})

	it('refuses non-strings', () => {
		expect(validateUpdatedAt(1709285400000).ok).toBe(false)
		expect(validateUpdatedAt(null).ok).toBe(false)
	})

	it('refuses a future stamp only when now is given', () => {
		const now = new Date('2026-03-01T09:30:00Z')
		expect(validateUpdatedAt('2026-03-01T09:30:00Z', { now }).ok).toBe(true)
		expect(reasonOf(validateUpdatedAt('2026-03-01T09:30:00.001Z', { now }))).toBe('updatedAt is in the future')
		expect(validateUpdatedAt('2030-01-01T00:00:00Z').ok).toBe(true)
	})

	it.each(['0000-01-01T00:00:00Z', '0050-01-01T00:00:00Z', '1969-12-31T23:59:59.999Z', '1970-01-01T00:30:00+01:00'])(
		'refuses %s, before 1970 (PostgreSQL rejects year 0)',
		(raw) => {
			expect(reasonOf(validateUpdatedAt(raw))).toBe('updatedAt must be between 1970-01-01 and 9999-12-31')
		},
	)

	it('accepts the range ends, and refuses a Date beyond 9999', () => {
		expect(validateUpdatedAt('1970-01-01T00:00:00Z').ok).toBe(true)
		expect(validateUpdatedAt('9999-12-31T23:59:59.999Z').ok).toBe(true)
		expect(validateUpdatedAt('9999-12-31T23:59:59-01:00').ok).toBe(false)
		expect(validateUpdatedAt(new Date('+010000-01-01T00:00:00Z')).ok).toBe(false)
	})
})

describe('toRfc3339', () => {
	it('writes UTC with milliseconds and round-trips through validateUpdatedAt', () => {
		const date = new Date('2026-03-01T07:30:00.250Z')
		expect(toRfc3339(date)).toBe('2026-03-01T07:30:00.250Z')
		const back = validateUpdatedAt(toRfc3339(date))
		expect(back.ok && back.value.getTime()).toBe(date.getTime())
	})

	it('refuses invalid dates and anything validateUpdatedAt would refuse', () => {
		expect(() => toRfc3339(new Date(Number.NaN))).toThrow(RangeError)
		expect(() => toRfc3339(new Date('+010000-01-01T00:00:00Z'))).toThrow(RangeError)
		expect(() => toRfc3339(new Date('1969-12-31T23:59:59.999Z'))).toThrow(RangeError)
		expect(toRfc3339(new Date(0))).toBe('1970-01-01T00:00:00.000Z')
		expect(toRfc3339(new Date('9999-12-31T23:59:59.999Z'))).toBe('9999-12-31T23:59:59.999Z')
	})
})
