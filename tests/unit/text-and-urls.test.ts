import { describe, expect, it } from 'vitest'
import { isBeforeEarliestYear, utcInstant } from '~/domain/calendar-day'
import { evaluateRequest } from '~/domain/checklist'
import { CsvParser, isBinaryRecord } from '~/domain/csv'
import { isSlug } from '~/domain/slug'
import { forbiddenCharacter, pathsWithNul, textProblem, withoutNul } from '~/domain/text'
import { isHttpUrl } from '~/domain/urls'
import { localDateTimeToInstant } from '~/domain/zoned-time'
import { AppSchema } from '~/schemas/apps'
import { SaveRequestSchema } from '~/schemas/request'
import { RecordTicketSchema } from '~/schemas/review'
import { growth, LINEAR_TEN_TIMES } from '../fixtures/growth'

// Issue 10, findings 2 and 6: the pure rules under the forms.

describe('characters a stored text may hold', () => {
	it.each([
		['NUL', '\u0000'],
		['a bell', '\u0007'],
		['DEL', '\u007f'],
		['a C1 control', '\u0085'],
		['a right-to-left override', '\u202e'],
		['a left-to-right embedding', '\u202a'],
		['a first strong isolate', '\u2068'],
	])('%s is refused in every kind of text', (_name, char) => {
		for (const kind of ['key', 'line', 'text'] as const) expect(forbiddenCharacter(`a${char}b`, kind), kind).toBe(char)
	})

	it('tabs and line breaks: only in text of several lines', () => {
		for (const char of ['\t', '\n', '\r', '\u2028']) {
			expect(forbiddenCharacter(`a${char}b`, 'line')).toBe(char)
			expect(forbiddenCharacter(`a${char}b`, 'key')).toBe(char)
		}
		expect(forbiddenCharacter('one\r\ntwo\tthree', 'text')).toBeNull()
	})

	it('format characters: none in a key; in a name only the joiners some scripts and emoji need', () => {
		expect(forbiddenCharacter('a\u200bb', 'line')).toBe('\u200b')
		expect(forbiddenCharacter('\u{1F469}\u200d\u{1F4BB}', 'line')).toBeNull()
		expect(forbiddenCharacter('می\u200cخواهم', 'line')).toBeNull()
		expect(forbiddenCharacter('a\u200db', 'key')).toBe('\u200d')
		// A right-to-left mark is ordinary in right-to-left prose.
		expect(forbiddenCharacter('שלום\u200f world', 'text')).toBeNull()
		expect(forbiddenCharacter('Ärger, 日本語, ñ', 'key')).toBeNull()
	})

	it('the message names the character, says why, and never repeats the text', () => {
		expect(textProblem('secret\u202etext', 'line')).toBe(
			'Remove the invisible right-to-left override (U+202E): it changes the order text is shown in, so it cannot be saved. Type the text again rather than pasting it.',
		)
		expect(textProblem('a\nb', 'line')).toBe(
			'Remove the line break: this is one line of text. Type the text again rather than pasting it.',
		)
		expect(textProblem('fine', 'line')).toBeNull()
	})

	it('is linear: a megabyte of text costs at most about ten times a hundred kilobytes', () => {
		const run = (n: number) => {
			const big = `${'a'.repeat(n)}\u200c`
			for (const kind of ['key', 'line', 'text'] as const) forbiddenCharacter(big, kind)
		}
		expect(growth(run, 100_000, 1_000_000)).toBeLessThan(LINEAR_TEN_TIMES)
	})

	it('the NUL net finds every path and shows NUL as �', () => {
		const values = {
			a: 'x',
			b: ['ok', 'n\u0000'],
			rows: [{ description: 'ok' }, { description: '\u0000' }],
			deep: { x: { y: '\u0000' } },
		}
		expect(pathsWithNul(values)).toEqual(['b', 'rows.1.description', 'deep.x.y'])
		expect(withoutNul(values).rows[1]!.description).toBe('\uFFFD')
	})
})

describe('one URL check', () => {
	const GOOD = [
		'https://acme.example/privacy',
		'http://acme.example',
		'https://marketplace.atlassian.com/apps/1/x?tab=privacy',
		'https://acme.example/a b',
	]
	const BAD = [
		'javascript:alert(1)',
		'data:text/html,x',
		'file:///etc/passwd',
		'ftp://acme.example',
		'mailto:a@b.example',
		'https://',
		'acme.example',
		'https://acme.example/\tx',
		'https://acme.example/\u0000',
		'https://acme\u202e.example',
	]

	it('web addresses only', () => {
		for (const url of GOOD) expect(isHttpUrl(url), url).toBe(true)
		for (const url of BAD) expect(isHttpUrl(url), url).toBe(false)
	})

	it('the app form, the request editor, the ticket link and the checklist agree', () => {
		const app = (url: string) => AppSchema.shape.privacyPolicyUrl.safeParse(url).success
		const request = (url: string) =>
			!SaveRequestSchema.safeParse({
				intent: 'save',
				version: 1,
				companyName: '',
				appName: '',
				appKey: '',
				appType: '',
				products: [],
				marketplaceListingUrl: '',
				privacyPolicyUrl: url,
				termsOfUseUrl: '',
				storesPersonalData: 'undecided',
				useCaseCodes: [],
				customUseCases: [],
				functionalityDescription: '',
				privacyPolicyExcerpt: '',
			}).error?.issues.some((issue) => issue.path[0] === 'privacyPolicyUrl')
		const ticket = (url: string) =>
			!RecordTicketSchema.safeParse({
				intent: 'record_ticket',
				version: 1,
				ticketKey: 'DEVHELP-1',
				ticketUrl: url,
				openedOn: '2026-01-05',
			}).error?.issues.some((issue) => issue.path[0] === 'ticketUrl')
		const checklist = (url: string) =>
			evaluateRequest({ privacyPolicyUrl: url })
				.checks.find((check) => check.field === 'privacyPolicyUrl')
				?.message.includes('not a valid') !== true
		for (const url of [...GOOD, ...BAD]) {
			const expected = isHttpUrl(url)
			expect([app(url), request(url), ticket(url), checklist(url)], url).toEqual([
				expected,
				expected,
				expected,
				expected,
			])
		}
	})
})

describe('dates from 1970 on, without two-digit years', () => {
	it('utcInstant keeps years below 100 (Date.UTC makes 50 into 1950)', () => {
		expect(utcInstant(50, 6, 1).getUTCFullYear()).toBe(50)
		expect(new Date(Date.UTC(50, 5, 1)).getUTCFullYear()).toBe(1950)
	})

	it('a datetime-local before 1970 is no instant', () => {
		for (const text of ['0000-01-01T00:00', '0050-06-01T12:00', '0099-12-31T23:59', '1969-12-31T23:59']) {
			expect(localDateTimeToInstant(text, 'UTC'), text).toBeNull()
			expect(isBeforeEarliestYear(text), text).toBe(true)
		}
		expect(localDateTimeToInstant('1970-01-01T00:00', 'UTC')!.toISOString()).toBe('1970-01-01T00:00:00.000Z')
		expect(isBeforeEarliestYear('2026-01-01')).toBe(false)
	})
})

describe('organisation slugs', () => {
	it('letters, digits and hyphens only', () => {
		for (const slug of ['acme', 'acme-apps-gmbh', 'org-2', 'demo']) expect(isSlug(slug), slug).toBe(true)
		for (const slug of ['', 'ACME', '\u202e', 'a\r\nb', 'a/b', '..', 'é', '\u0000', 'a'.repeat(65), undefined])
			expect(isSlug(slug), String(slug)).toBe(false)
	})
})

describe('binary files are not CSV', () => {
	const records = (text: string) => {
		const parser = new CsvParser()
		return [...parser.push(text), ...parser.end()]
	}

	it('NUL, other controls or undecodable bytes mark a record as binary; a real CSV has none', () => {
		expect(records('accountId,updatedAt\r\n"a\r\nb",2026-01-01T00:00:00Z\tx\r\n').some(isBinaryRecord)).toBe(false)
		for (const text of ['\u0089PNG\r\n\u001a\n\u0000\u0000', 'a\u0000b,c', 'PK\u0003\u0004', 'a\uFFFDb,c']) {
			expect(records(text).some(isBinaryRecord), JSON.stringify(text)).toBe(true)
		}
	})
})
