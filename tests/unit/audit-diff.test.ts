import { describe, expect, it } from 'vitest'
import {
	auditChanges,
	compactTextDiff,
	listChanges,
	redactEmails,
	REQUEST_AUDIT_FIELDS,
	requestAuditState,
	sameAuditValue,
	textDiff,
	type TextPart,
} from '~/domain/audit-diff'
import { growth, LINEAR_TEN_TIMES } from '../fixtures/growth'

const request = {
	companyName: 'Acme Apps',
	appName: 'Mail Bridge',
	appKey: 'com.acme.mail-bridge',
	appType: 'connect',
	products: ['jira'],
	marketplaceListingUrl: '',
	privacyPolicyUrl: 'https://acme.example/privacy',
	termsOfUseUrl: 'https://acme.example/terms',
	storesPersonalData: null,
	functionalityDescription: 'Sends security alerts to the admins of a site.',
	privacyPolicyExcerpt: '',
	useCases: [{ code: 'send_security_alerts', description: '' }],
}

const joined = (parts: TextPart[], side: 'before' | 'after') =>
	parts
		.filter((part) => part.op === 'same' || part.op === (side === 'before' ? 'removed' : 'added'))
		.map((part) => part.text)
		.join('')

describe('auditChanges', () => {
	it('keeps only the fields that changed, old value before and new value after', () => {
		expect(
			auditChanges(
				{ timeZone: 'UTC', followUpDays: 7, taskDueDays: 14 },
				{ timeZone: 'UTC', followUpDays: 10, taskDueDays: 14 },
			),
		).toEqual({ before: { followUpDays: 7 }, after: { followUpDays: 10 } })
	})

	it('is null when nothing changed, and only looks at the keys it is given', () => {
		expect(auditChanges({ a: 1, b: 'x' }, { a: 1, b: 'x' })).toBeNull()
		expect(auditChanges({ a: 1, b: 'x' }, { a: 2, b: 'y' }, ['b'])).toEqual({ before: { b: 'x' }, after: { b: 'y' } })
	})

	it('a field missing on one side is recorded as null there', () => {
		expect(auditChanges({}, { url: 'https://acme.example' })).toEqual({
			before: { url: null },
			after: { url: 'https://acme.example' },
		})
	})

	it('removes email addresses from old and new values, at any depth', () => {
		const changes = auditChanges(
			{
				functionalityDescription: 'Ask jane.doe@customer.example for access',
				useCases: [{ code: 'other', description: 'x' }],
			},
			{
				functionalityDescription: 'Ask the site admin for access',
				useCases: [{ code: 'other', description: 'Mail bob@customer.example a weekly digest' }],
			},
		)
		expect(JSON.stringify(changes)).not.toMatch(/@/)
		expect(changes).toEqual({
			before: {
				functionalityDescription: 'Ask [email address] for access',
				useCases: [{ code: 'other', description: 'x' }],
			},
			after: {
				functionalityDescription: 'Ask the site admin for access',
				useCases: [{ code: 'other', description: 'Mail [email address] a weekly digest' }],
			},
		})
	})

	it('compares the real values, so a change of address alone is still a change (recorded without either address)', () => {
		const changes = auditChanges({ excerpt: 'Write to a@customer.example' }, { excerpt: 'Write to b@customer.example' })
		expect(changes).toEqual({
			before: { excerpt: 'Write to [email address]' },
			after: { excerpt: 'Write to [email address]' },
		})
	})
})

describe('sameAuditValue', () => {
	it('treats empty text and a missing value as the same', () => {
		expect(sameAuditValue('', null)).toBe(true)
		expect(sameAuditValue(undefined, '')).toBe(true)
		expect(sameAuditValue('', ' ')).toBe(false)
	})

	it('treats lists as sets: reordering products or use cases is not a change', () => {
		expect(sameAuditValue(['jira', 'confluence'], ['confluence', 'jira'])).toBe(true)
		expect(sameAuditValue(['jira'], ['jira', 'confluence'])).toBe(false)
		expect(
			sameAuditValue(
				[{ code: 'send_error_reports' }, { code: 'other', description: 'Weekly digest' }],
				[
					{ code: 'other', description: '  weekly   Digest ' },
					{ code: 'send_error_reports', description: '' },
				],
			),
		).toBe(true)
		expect(
			sameAuditValue(
				[{ code: 'other', description: 'Weekly digest' }],
				[{ code: 'other', description: 'Daily digest' }],
			),
		).toBe(false)
	})

	it('compares dates by instant', () => {
		expect(sameAuditValue(new Date('2026-03-01T10:00:00Z'), '2026-03-01T10:00:00.000Z')).toBe(true)
	})
})

describe('redactEmails', () => {
	it('replaces addresses in strings, arrays and objects and leaves everything else alone', () => {
		expect(redactEmails({ a: ['x y@z.example', 3, true, null], b: { c: 'no address @ here' } })).toEqual({
			a: ['x [email address]', 3, true, null],
			b: { c: 'no address @ here' },
		})
		expect(redactEmails(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z')
	})
})

describe('requestAuditState', () => {
	it('names the personal-data answer in words and keeps a description only for custom use cases', () => {
		const state = requestAuditState({
			...request,
			storesPersonalData: true,
			useCases: [
				{ code: 'send_security_alerts', description: '' },
				{ code: 'other', description: 'Weekly digest' },
			],
		})
		expect(Object.keys(state)).toEqual([...REQUEST_AUDIT_FIELDS])
		expect(state.storesPersonalData).toBe('yes')
		expect(requestAuditState({ ...request, storesPersonalData: false }).storesPersonalData).toBe('no')
		expect(requestAuditState(request).storesPersonalData).toBe('undecided')
		expect(state.useCases).toEqual([{ code: 'send_security_alerts' }, { code: 'other', description: 'Weekly digest' }])
	})

	it('two states of one request differ only in the fields that were edited', () => {
		const before = requestAuditState(request)
		const after = requestAuditState({
			...request,
			functionalityDescription: 'Sends security alerts and error reports to the admins of a site.',
			useCases: [...request.useCases, { code: 'send_error_reports', description: '' }],
		})
		const changes = auditChanges(before, after, REQUEST_AUDIT_FIELDS)
		expect(Object.keys(changes!.before)).toEqual(['useCases', 'functionalityDescription'])
		expect(changes!.after.useCases).toEqual([{ code: 'send_security_alerts' }, { code: 'send_error_reports' }])
	})
})

describe('listChanges', () => {
	it('lists what was added and removed, use cases by identity', () => {
		expect(listChanges(['jira'], ['confluence', 'jira'])).toEqual({ added: ['confluence'], removed: [] })
		expect(
			listChanges(
				[{ code: 'other', description: 'Weekly digest' }, { code: 'send_error_reports' }],
				[{ code: 'other', description: 'weekly digest' }, { code: 'send_security_alerts' }],
			),
		).toEqual({ added: [{ code: 'send_security_alerts' }], removed: [{ code: 'send_error_reports' }] })
	})
})

describe('textDiff', () => {
	it('marks the changed words only', () => {
		const parts = textDiff('Sends alerts to admins.', 'Sends security alerts to site admins.')
		expect(parts.filter((part) => part.op === 'added').map((part) => part.text.trim())).toEqual(['security', 'site'])
		expect(parts.filter((part) => part.op === 'removed')).toEqual([])
		const replaced = textDiff('Report every 30 days.', 'Report every 15 days.')
		expect(replaced.filter((part) => part.op !== 'same')).toEqual([
			{ op: 'removed', text: '30' },
			{ op: 'added', text: '15' },
		])
	})

	it('always gives back both texts exactly', () => {
		const pairs = [
			['', 'new text'],
			['old text', ''],
			['a b c d e', 'a x c y e'],
			['line one\nline two\n', 'line one\nline 2\nline three'],
			['same', 'same'],
		] as const
		for (const [before, after] of pairs) {
			const parts = textDiff(before, after)
			expect(joined(parts, 'before')).toBe(before)
			expect(joined(parts, 'after')).toBe(after)
		}
	})

	it('stays bounded on very long texts: the changed middle becomes one removed and one added run', () => {
		const words = (letter: string, n: number) => Array.from({ length: n }, (_, i) => `${letter}${i}`).join(' ')
		const before = words('w', 3000)
		const after = words('v', 3000)
		const parts = textDiff(`Start ${before} end`, `Start ${after} end`)
		expect(parts.map((part) => part.op)).toEqual(['same', 'removed', 'added', 'same'])
		expect(joined(parts, 'after')).toBe(`Start ${after} end`)
		// Ten times the words costs at most about ten times the work (a word-by-word table would cost a hundred).
		expect(growth((n) => textDiff(`Start ${words('w', n)} end`, `Start ${words('v', n)} end`), 300, 3000)).toBeLessThan(
			LINEAR_TEN_TIMES,
		)
	})
})

describe('compactTextDiff', () => {
	it('cuts long unchanged stretches around a change, and leaves short ones', () => {
		const filler = 'lorem ipsum dolor sit amet '.repeat(10)
		const parts = compactTextDiff(textDiff(`${filler}old word ${filler}`, `${filler}new word ${filler}`), 20)
		expect(parts.map((part) => part.op)).toEqual(['same', 'removed', 'added', 'same'])
		expect(parts[0]!.text.startsWith('…')).toBe(true)
		expect(parts[0]!.text.length).toBeLessThanOrEqual(21)
		expect(parts[3]!.text.endsWith('…')).toBe(true)
		const short = textDiff('a b', 'a c')
		expect(compactTextDiff(short)).toEqual(short)
	})

	it('keeps context on both sides of a long stretch between two changes', () => {
		const middle = 'x'.repeat(10) + ' ' + 'middle words '.repeat(20) + 'y'.repeat(10)
		const parts = compactTextDiff(textDiff(`A ${middle} B`, `C ${middle} D`), 15)
		const between = parts.find((part, index) => part.op === 'same' && index > 0 && index < parts.length - 1)!
		expect(between.text).toMatch(/^ .*….* $/)
		expect(between.text.length).toBeLessThan(40)
	})
})
