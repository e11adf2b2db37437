import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { USE_CASE_CODES, type UseCaseCode } from '~/domain/catalogue'
import { SUGGESTION_RULES, suggestUseCase } from '~/domain/suggest'
import { growth, LINEAR_TEN_TIMES } from '../fixtures/growth'

describe('suggestUseCase', () => {
	const examples: [text: string, code: UseCaseCode | null, matched?: string[]][] = [
		// approved
		['Email the reporter an error report when a build fails', 'send_error_reports', ['error report']],
		['Send crash reports to the admin', 'send_error_reports', ['crash report']],
		['Security alert when a token leaks', 'send_security_alerts', ['security alert']],
		[
			'Warn users about suspicious logins from a new device',
			'send_security_alerts',
			['suspicious activity', 'new login'],
		],
		['Let users subscribe to alerts on a board', 'subscribe_alerts_news_feeds', ['subscribe to alerts']],
		['A news feed of page changes, sent as a daily digest', 'subscribe_alerts_news_feeds', ['news feed', 'digest']],
		['Invite a teammate to collaborate on a page', 'invite_collaborators', ['invite', 'collaborate']],
		['Connect Gmail so replies become comments', 'connect_mail_service', ['Gmail/Outlook/Exchange']],
		['Process inbound mail through IMAP', 'connect_mail_service', ['inbound mail', 'SMTP/IMAP']],
		['Sync users with our CRM', 'sync_users', ['sync', 'CRM']],
		['SCIM provisioning to match accounts in our directory', 'sync_users', ['provisioning', 'match accounts']],
		// rejected
		['Invite users to our company events', 'invite_company_events', ['company event']],
		['Invite users to our webinar', 'invite_company_events', ['webinar']],
		['A monthly newsletter', 'marketing_emails', ['newsletter']],
		['Marketing campaigns for new features', 'marketing_emails', ['marketing', 'campaign']],
		['Onboarding emails with tutorials', 'onboarding_materials', ['onboarding', 'tutorial']],
		['Welcome email series for new users', 'onboarding_materials', ['welcome email']],
		['Remind admins before the renewal date', 'renewal_reminders', ['renewal']],
		['Tell users their trial ends soon', 'renewal_reminders', ['trial ending']],
		// nothing to suggest
		['password reset', null],
		['Reset passwords for locked-out users', null],
		['', null],
		['   ', null],
		['email', null],
	]

	it.each(examples)('%j → %s', (text, code, matched) => {
		const suggestion = suggestUseCase(text)
		if (code === null) {
			expect(suggestion).toBeNull()
			return
		}
		expect(suggestion?.code).toBe(code)
		expect(suggestion?.matched).toEqual(matched)
	})

	it('has an example for every catalogue code except `other`', () => {
		const covered = new Set(examples.map(([, code]) => code))
		for (const code of USE_CASE_CODES) if (code !== 'other') expect(covered).toContain(code)
	})

	it('is case-insensitive', () => {
		expect(suggestUseCase('NEWSLETTER')?.code).toBe('marketing_emails')
		expect(suggestUseCase('Security Alerts')?.code).toBe('send_security_alerts')
	})

	it('prefers the rule with the most matches', () => {
		// one rejected keyword ("renewal") against two approved ones
		expect(suggestUseCase('Security alerts about suspicious logins, also at renewal')?.code).toBe(
			'send_security_alerts',
		)
	})

	it('on a tie surfaces the rejected reading', () => {
		expect(suggestUseCase('Invite colleagues to our conference')?.code).toBe('invite_company_events')
	})

	it('ignores values that are not strings', () => {
		for (const odd of [null, undefined, 1, {}, []]) expect(suggestUseCase(odd as unknown as string)).toBeNull()
	})
})

describe('the rule table', () => {
	it('only suggests catalogue codes, never `other`, each code once', () => {
		const codes = SUGGESTION_RULES.map((rule) => rule.code)
		expect(new Set(codes).size).toBe(codes.length)
		for (const code of codes) {
			expect(USE_CASE_CODES).toContain(code)
			expect(code).not.toBe('other')
		}
		expect(codes.length).toBe(USE_CASE_CODES.length - 1)
	})

	it('keyword names are unique within a rule and their patterns are not global (test() must be stateless)', () => {
		for (const rule of SUGGESTION_RULES) {
			const names = rule.keywords.map((keyword) => keyword.name)
			expect(new Set(names).size).toBe(names.length)
			for (const keyword of rule.keywords) expect(keyword.pattern.global || keyword.pattern.sticky).toBe(false)
		}
	})

	it('every pattern is linear: no open * or + (issue 10, finding 1), only fixed words and bounded gaps', () => {
		for (const rule of SUGGESTION_RULES) {
			for (const keyword of rule.keywords) expect(keyword.pattern.source, keyword.name).not.toMatch(/(?<!\\)[*+]/)
		}
	})

	it('the expiry words still match without the open \\w*', () => {
		for (const text of ['subscription expiry', 'subscription expires', 'subscription expiration', 'your trial expired'])
			expect(suggestUseCase(text)?.code).toBe('renewal_reminders')
	})
})

describe('properties', () => {
	it('never throws; a suggestion names a catalogue code and keywords of its rule', () => {
		fc.assert(
			fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.lorem({ maxCount: 30 })), (text) => {
				const suggestion = suggestUseCase(text)
				if (suggestion === null) return
				const rule = SUGGESTION_RULES.find((r) => r.code === suggestion.code)
				expect(rule).toBeDefined()
				expect(suggestion.matched.length).toBeGreaterThan(0)
				for (const name of suggestion.matched) expect(rule?.keywords.map((k) => k.name)).toContain(name)
			}),
			{ numRuns: 500 },
		)
	})

	it('is deterministic', () => {
		fc.assert(
			fc.property(fc.string(), (text) => {
				expect(suggestUseCase(text)).toEqual(suggestUseCase(text))
			}),
		)
	})

	it('stays linear on huge input: ten times the text, at most about ten times the work', () => {
		expect(growth((n) => suggestUseCase(`${'subscribe '.repeat(n)}newsletter`), 20_000, 200_000)).toBeLessThan(
			LINEAR_TEN_TIMES,
		)
	})
})
