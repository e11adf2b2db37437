import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
	APP_TYPE_RULES,
	APP_TYPES,
	type AppType,
	CONNECT_END_OF_SUPPORT,
	formatCatalogueDate,
	PRODUCTS,
	REJECTED_USE_CASE_CODES,
	USE_CASE_CODES,
	USE_CASES,
} from '~/domain/catalogue'
import {
	type Check,
	evaluateRequest,
	FUNCTIONALITY_MIN_CHARS,
	FUNCTIONALITY_MIN_WORDS,
	MAX_USE_CASES,
	REQUIRED_CHECK_IDS,
	type RequiredCheckId,
	WARNING_IDS,
} from '~/domain/checklist'
import { type ChecklistInput } from '~/domain/checklist-input'
import { buildSubmissionText } from '~/domain/request-text'
import { ChecklistInputSchema } from '~/schemas/checklist'
import { growth, LINEAR_TEN_TIMES } from '../fixtures/growth'

/** A request that passes every check and raises no warning. */
const valid: ChecklistInput = {
	companyName: 'Acme Apps GmbH',
	appName: 'Acme Alerts',
	appKey: 'com.acme.alerts',
	appType: 'forge',
	products: ['jira'],
	marketplaceListingUrl: 'https://marketplace.atlassian.com/apps/1234/acme-alerts',
	storesPersonalData: false,
	useCases: [{ code: 'send_security_alerts' }],
	functionalityDescription:
		'When the app detects a suspicious login to a Jira site, it emails the affected user. Site admins receive a weekly summary of the alerts.',
	privacyPolicyExcerpt:
		'We use your email address only to send the security alerts you asked for, and delete it after 30 days.',
}

const check = (input: ChecklistInput, id: string): Check | undefined =>
	evaluateRequest(input).checks.find((c) => c.id === id)

const warningIds = (input: ChecklistInput): string[] =>
	evaluateRequest(input)
		.checks.filter((c) => c.status === 'warn')
		.map((c) => c.id)

/** Fail messages must say how to fix: each carries an instruction. */
const FIX_VERB = /\b(enter|choose|pick|paste|answer|remove|describe|write|build|read|use|add|give)\b/i

describe('a complete request', () => {
	it('is ready, passes all ten checks in order and warns about nothing', () => {
		const result = evaluateRequest(valid)
		expect(result.ready).toBe(true)
		expect(result.checks.map((c) => c.id)).toEqual([...REQUIRED_CHECK_IDS])
		expect(result.checks.every((c) => c.status === 'pass')).toBe(true)
		expect(result.eligibility.status).toBe('conditional')
	})

	it('names the docs/rules.md rule behind every check', () => {
		const result = evaluateRequest({ ...valid, appType: 'connect', marketplaceListingUrl: 'https://example.com' })
		for (const c of result.checks) {
			expect(c.source).toMatch(/^docs\/rules\.md › /)
			if (c.status !== 'warn' && c.id !== 'no_email_addresses') expect(c.source).toContain(`› ${c.id}`)
		}
	})
})

type Case = [
	label: string,
	patch: Partial<Record<keyof ChecklistInput, unknown>>,
	status: 'pass' | 'fail',
	field?: string,
]

const listingless = { marketplaceListingUrl: undefined }
const validDocs = { privacyPolicyUrl: 'https://acme.test/privacy', termsOfUseUrl: 'https://acme.test/terms' }
const exactly = (chars: number, words: number): string => {
	// `words` words of equal length joined by spaces, padded to `chars` characters.
	const base = Array.from({ length: words }, () => 'word').join(' ')
	return base + 'x'.repeat(Math.max(0, chars - base.length))
}

const table: Record<RequiredCheckId, Case[]> = {
	company: [
		['present', { companyName: 'Acme' }, 'pass'],
		['missing', { companyName: undefined }, 'fail', 'companyName'],
		['empty', { companyName: '' }, 'fail', 'companyName'],
		['only spaces', { companyName: ' \t\n ' }, 'fail', 'companyName'],
	],
	app_identity: [
		['name and key', { appName: 'A', appKey: 'k' }, 'pass'],
		['no name', { appName: undefined }, 'fail', 'appName'],
		['no key', { appKey: '' }, 'fail', 'appKey'],
		['neither', { appName: ' ', appKey: undefined }, 'fail', 'appName'],
	],
	app_type: [
		['connect', { appType: 'connect' }, 'pass'],
		['forge (conditional, does not fail)', { appType: 'forge' }, 'pass'],
		['oauth2', { appType: 'oauth2' }, 'fail', 'appType'],
		['api_token', { appType: 'api_token' }, 'fail', 'appType'],
		['missing', { appType: undefined }, 'fail', 'appType'],
		['unknown string', { appType: 'plugin' }, 'fail', 'appType'],
	],
	privacy_policy: [
		[
			'Marketplace listing only',
			{ ...listingless, marketplaceListingUrl: 'https://marketplace.atlassian.com/apps/1' },
			'pass',
		],
		['http listing', { marketplaceListingUrl: 'http://marketplace.atlassian.com/apps/1' }, 'pass'],
		['policy URL without listing', { ...listingless, ...validDocs }, 'pass'],
		['nothing', { ...listingless, termsOfUseUrl: validDocs.termsOfUseUrl }, 'fail', 'privacyPolicyUrl'],
		['not a URL', { ...listingless, ...validDocs, privacyPolicyUrl: 'our website' }, 'fail', 'privacyPolicyUrl'],
		[
			'ftp URL',
			{ ...listingless, ...validDocs, privacyPolicyUrl: 'ftp://acme.test/privacy' },
			'fail',
			'privacyPolicyUrl',
		],
		[
			'javascript: URL',
			{ ...listingless, ...validDocs, privacyPolicyUrl: 'javascript:alert(1)' },
			'fail',
			'privacyPolicyUrl',
		],
		['scheme only', { ...listingless, ...validDocs, privacyPolicyUrl: 'https://' }, 'fail', 'privacyPolicyUrl'],
		[
			'invalid listing does not stand in',
			{ marketplaceListingUrl: 'marketplace listing', termsOfUseUrl: validDocs.termsOfUseUrl },
			'fail',
			'privacyPolicyUrl',
		],
		['invalid listing, valid policy', { marketplaceListingUrl: 'nope', ...validDocs }, 'pass'],
		// Only a listing on Atlassian Marketplace has the Privacy & Security tab the documents are read from.
		[
			'a listing elsewhere does not stand in',
			{ marketplaceListingUrl: 'https://example.com/acme-notifier', termsOfUseUrl: validDocs.termsOfUseUrl },
			'fail',
			'privacyPolicyUrl',
		],
		[
			'a look-alike of the Marketplace host does not stand in',
			{
				marketplaceListingUrl: 'https://marketplace.atlassian.com.evil.test/apps/1',
				termsOfUseUrl: 'https://a.test/t',
			},
			'fail',
			'privacyPolicyUrl',
		],
		['a listing elsewhere, valid policy', { marketplaceListingUrl: 'https://example.com/x', ...validDocs }, 'pass'],
	],
	terms_of_use: [
		['Marketplace listing only', { marketplaceListingUrl: 'https://marketplace.atlassian.com/apps/1' }, 'pass'],
		['terms URL without listing', { ...listingless, ...validDocs }, 'pass'],
		['nothing', { ...listingless, privacyPolicyUrl: validDocs.privacyPolicyUrl }, 'fail', 'termsOfUseUrl'],
		['not a URL', { ...listingless, ...validDocs, termsOfUseUrl: 'acme terms' }, 'fail', 'termsOfUseUrl'],
		['mailto URL', { ...listingless, ...validDocs, termsOfUseUrl: 'mailto:legal@acme.test' }, 'fail', 'termsOfUseUrl'],
		[
			'a listing elsewhere does not stand in',
			{ marketplaceListingUrl: 'https://example.com/acme-notifier', privacyPolicyUrl: validDocs.privacyPolicyUrl },
			'fail',
			'termsOfUseUrl',
		],
	],
	personal_data: [
		['yes', { storesPersonalData: true }, 'pass'],
		['no', { storesPersonalData: false }, 'pass'],
		['not sure (null)', { storesPersonalData: null }, 'fail', 'storesPersonalData'],
		['unanswered', { storesPersonalData: undefined }, 'fail', 'storesPersonalData'],
	],
	use_cases: [
		['one approved', { useCases: [{ code: 'sync_users' }] }, 'pass'],
		['custom with description', { useCases: [{ code: 'other', description: 'Route replies to issues.' }] }, 'pass'],
		[
			'custom suggesting a rejected code (a suggestion never decides)',
			{ useCases: [{ code: 'other', description: 'Weekly newsletter' }] },
			'pass',
		],
		['none', { useCases: [] }, 'fail', 'useCases'],
		['missing', { useCases: undefined }, 'fail', 'useCases'],
		['custom without description', { useCases: [{ code: 'other' }] }, 'fail', 'useCases'],
		['custom with blank description', { useCases: [{ code: 'other', description: '  ' }] }, 'fail', 'useCases'],
		['unknown code', { useCases: [{ code: 'send_everything' }] }, 'fail', 'useCases'],
		['empty code', { useCases: [{ code: '' }] }, 'fail', 'useCases'],
		[
			'approved plus rejected',
			{ useCases: [{ code: 'send_error_reports' }, { code: 'renewal_reminders' }] },
			'fail',
			'useCases',
		],
		...REJECTED_USE_CASE_CODES.map((code): Case => [`rejected ${code}`, { useCases: [{ code }] }, 'fail', 'useCases']),
	],
	functionality: [
		['two full sentences', {}, 'pass'],
		[
			`exactly ${FUNCTIONALITY_MIN_CHARS} characters and ${FUNCTIONALITY_MIN_WORDS} words`,
			{ functionalityDescription: exactly(FUNCTIONALITY_MIN_CHARS, FUNCTIONALITY_MIN_WORDS) },
			'pass',
		],
		[
			'one character short',
			{ functionalityDescription: exactly(FUNCTIONALITY_MIN_CHARS - 1, FUNCTIONALITY_MIN_WORDS) },
			'fail',
			'functionalityDescription',
		],
		[
			'one word short',
			{ functionalityDescription: exactly(FUNCTIONALITY_MIN_CHARS, FUNCTIONALITY_MIN_WORDS - 1) },
			'fail',
			'functionalityDescription',
		],
		['one word', { functionalityDescription: 'Notifications' }, 'fail', 'functionalityDescription'],
		['one long padded word', { functionalityDescription: 'a'.repeat(500) }, 'fail', 'functionalityDescription'],
		[
			'whitespace padding does not count',
			{ functionalityDescription: `Sends alerts.${' '.repeat(200)}` },
			'fail',
			'functionalityDescription',
		],
		['missing', { functionalityDescription: undefined }, 'fail', 'functionalityDescription'],
	],
	policy_language: [
		['mentions email', {}, 'pass'],
		['mentions e-mail', { privacyPolicyExcerpt: 'E-mail addresses are kept for 30 days.' }, 'pass'],
		['mentions Emails', { privacyPolicyExcerpt: 'Emails are processed in the EU.' }, 'pass'],
		[
			'does not mention email',
			{ privacyPolicyExcerpt: 'We take your privacy seriously.' },
			'fail',
			'privacyPolicyExcerpt',
		],
		['missing', { privacyPolicyExcerpt: undefined }, 'fail', 'privacyPolicyExcerpt'],
		['blank', { privacyPolicyExcerpt: '\n\n' }, 'fail', 'privacyPolicyExcerpt'],
	],
	no_email_addresses: [
		['no address anywhere', {}, 'pass'],
		[
			'the vendor’s own contact, policy on www.',
			{
				privacyPolicyUrl: 'https://www.vendor.com/privacy',
				privacyPolicyExcerpt: 'Email addresses are processed as described; contact privacy@vendor.com.',
			},
			'pass',
		],
		[
			'a sub-domain of the vendor’s own',
			{ termsOfUseUrl: 'https://vendor.com/terms', privacyPolicyExcerpt: 'Email questions: dpo@mail.vendor.com.' },
			'pass',
		],
		[
			'the vendor’s own, policy on a sub-domain',
			{ privacyPolicyUrl: 'https://legal.vendor.com/privacy', privacyPolicyExcerpt: 'Email us at privacy@vendor.com.' },
			'pass',
		],
		[
			'in the functionality description',
			{
				functionalityDescription: `${valid.functionalityDescription} For example bob.smith@client.example.org is alerted.`,
			},
			'fail',
			'functionalityDescription',
		],
		[
			'in a custom use case',
			{ useCases: [{ code: 'other', description: 'cc admin@site.example on each alert' }] },
			'fail',
			'useCases',
		],
		['in the company name', { companyName: 'Acme (jane@gmail.com)' }, 'fail', 'companyName'],
		['in the app name', { appName: 'Alerts for ann@corp.example' }, 'fail', 'appName'],
		[
			'in the policy excerpt, not at the vendor’s domain',
			{
				privacyPolicyUrl: 'https://www.vendor.com/privacy',
				privacyPolicyExcerpt: 'Email addresses go to ops@gmail.com.',
			},
			'fail',
			'privacyPolicyExcerpt',
		],
		[
			'at a domain that only ends like the vendor’s',
			{
				privacyPolicyUrl: 'https://vendor.com/privacy',
				privacyPolicyExcerpt: 'Email: a@notvendor.com, b@vendor.com.evil.io',
			},
			'fail',
			'privacyPolicyExcerpt',
		],
		[
			'at Atlassian, whose Marketplace hosts the listing',
			{ privacyPolicyExcerpt: 'Email addresses: ask someone@atlassian.com.' },
			'fail',
			'privacyPolicyExcerpt',
		],
		[
			'at a shared host’s parent domain',
			{ privacyPolicyUrl: 'https://vendor.atlassian.net/wiki/privacy', privacyPolicyExcerpt: 'Email x@atlassian.net.' },
			'fail',
			'privacyPolicyExcerpt',
		],
		['in a URL', { privacyPolicyUrl: 'https://vendor.com/privacy?contact=jane@gmail.com' }, 'fail', 'privacyPolicyUrl'],
	],
}

describe('each required check', () => {
	it('the table covers every check id with a pass and a fail case', () => {
		expect(Object.keys(table)).toEqual([...REQUIRED_CHECK_IDS])
		for (const cases of Object.values(table)) {
			expect(cases.some(([, , status]) => status === 'pass')).toBe(true)
			expect(cases.some(([, , status]) => status === 'fail')).toBe(true)
		}
	})

	for (const id of REQUIRED_CHECK_IDS) {
		describe(id, () => {
			it.each(table[id])('%s → %s', (_label, patch, status, field) => {
				const input = { ...valid, ...patch } as ChecklistInput
				const result = evaluateRequest(input)
				const found = result.checks.filter((c) => c.id === id)
				expect(found).toHaveLength(1)
				expect(found[0]?.status).toBe(status)
				expect(found[0]?.message.length).toBeGreaterThan(20)
				if (status === 'fail') {
					expect(found[0]?.field).toBe(field)
					expect(found[0]?.message).toMatch(FIX_VERB)
					expect(result.ready).toBe(false)
				}
				// The patch touches one check only, so the others still pass.
				for (const other of result.checks)
					if (other.id !== id && other.status !== 'warn') expect(other.status).toBe('pass')
			})
		})
	}

	it('says which rejected use case to remove and which code is unknown', () => {
		const message = check(
			{ ...valid, useCases: [{ code: 'marketing_emails' }, { code: 'spam' }] },
			'use_cases',
		)?.message
		expect(message).toContain('newsletters, campaigns, marketing')
		expect(message).toContain('"spam"')
	})

	it('says how short the functionality description is', () => {
		expect(check({ ...valid, functionalityDescription: 'Alerts' }, 'functionality')?.message).toContain('1 word')
	})
})

describe('app types', () => {
	const expected: Record<AppType, { eligibility: string; appTypeCheck: 'pass' | 'fail'; connectWarning: boolean }> = {
		connect: { eligibility: 'eligible', appTypeCheck: 'pass', connectWarning: true },
		forge: { eligibility: 'conditional', appTypeCheck: 'pass', connectWarning: false },
		oauth2: { eligibility: 'not_eligible', appTypeCheck: 'fail', connectWarning: false },
		api_token: { eligibility: 'not_eligible', appTypeCheck: 'fail', connectWarning: false },
	}

	it('covers every app type', () => {
		expect(Object.keys(expected).sort()).toEqual([...APP_TYPES].sort())
	})

	it.each(APP_TYPES)('%s', (appType) => {
		const result = evaluateRequest({ ...valid, appType })
		expect(result.eligibility).toEqual({ status: expected[appType].eligibility, reason: APP_TYPE_RULES[appType].tell })
		expect(result.checks.find((c) => c.id === 'app_type')?.status).toBe(expected[appType].appTypeCheck)
		expect(result.checks.some((c) => c.id === 'connect_end_of_support')).toBe(expected[appType].connectWarning)
		expect(result.ready).toBe(expected[appType].appTypeCheck === 'pass')
	})

	it('tells the user what the catalogue says for ineligible types', () => {
		expect(check({ ...valid, appType: 'oauth2' }, 'app_type')?.message).toContain('/me')
		expect(check({ ...valid, appType: 'api_token' }, 'app_type')?.message).toContain('API token')
	})

	it('names the Forge scope for the products chosen', () => {
		expect(check({ ...valid, products: ['confluence'] }, 'app_type')?.message).toContain(
			'read:email-address:confluence',
		)
		expect(check({ ...valid, products: ['confluence'] }, 'app_type')?.message).not.toContain('read:email-address:jira')
		const both = check({ ...valid, products: [] }, 'app_type')?.message
		expect(both).toContain('read:email-address:jira')
		expect(both).toContain('read:email-address:confluence')
	})

	it('without an app type the request is not eligible', () => {
		const { appType: _omit, ...rest } = valid
		expect(evaluateRequest(rest).eligibility.status).toBe('not_eligible')
	})
})

describe('warnings', () => {
	it('the ids are the four in the rules’ warnings, plus custom use cases that read like rejected ones', () => {
		expect([...WARNING_IDS]).toEqual([
			'connect_end_of_support',
			'policy_mentions_forbidden_use',
			'listing_not_marketplace',
			'policy_same_as_terms',
			'use_case_reads_like_rejected',
		])
	})

	it('connect_end_of_support: always for Connect, with the catalogue dates, and does not block', () => {
		const result = evaluateRequest({ ...valid, appType: 'connect' })
		expect(result.ready).toBe(true)
		const warning = result.checks.find((c) => c.id === 'connect_end_of_support')
		expect(warning?.status).toBe('warn')
		expect(warning?.message).toContain('17 September 2025')
		expect(warning?.message).toContain('31 March 2026')
		expect(warning?.message).toContain('December 2026')
		for (const date of Object.values(CONNECT_END_OF_SUPPORT))
			expect(warning?.message).toContain(formatCatalogueDate(date))
		expect(warning?.message).toContain('Forge')
	})

	describe('policy_mentions_forbidden_use', () => {
		const phrases: [string, string][] = [
			['marketing', 'We may use it for marketing.'],
			['newsletters', 'Subscribers get our newsletter.'],
			['promotions', 'We send promotional offers.'],
			['onboarding material', 'New users get onboarding emails.'],
			['renewal/subscription reminders', 'We send subscription reminders before the renewal.'],
			['sharing or selling to third parties', 'We may sell contact data to third parties.'],
			['sharing or selling to third parties', 'Addresses are shared with selected third-party partners.'],
			['showing email addresses in the UI', 'We display the email address of each assignee.'],
			['showing email addresses in the UI', 'Email addresses are visible to other users.'],
		]

		it.each(phrases)('%s in the policy excerpt (%s)', (name, phrase) => {
			const result = evaluateRequest({
				...valid,
				privacyPolicyExcerpt: `Email addresses are processed as follows. ${phrase}`,
			})
			const warning = result.checks.find((c) => c.id === 'policy_mentions_forbidden_use')
			expect(warning?.status).toBe('warn')
			expect(warning?.field).toBe('privacyPolicyExcerpt')
			expect(warning?.message).toContain(name)
			expect(result.ready).toBe(true)
		})

		it.each(phrases)('%s in the functionality description (%s)', (name, phrase) => {
			const warning = check(
				{ ...valid, functionalityDescription: `${valid.functionalityDescription ?? ''} ${phrase}` },
				'policy_mentions_forbidden_use',
			)
			expect(warning?.field).toBe('functionalityDescription')
			expect(warning?.message).toContain('functionality description')
			expect(warning?.message).toContain(name)
		})

		it('names what matched in both fields', () => {
			const warning = check(
				{
					...valid,
					privacyPolicyExcerpt: 'Your email address goes into our Newsletter.',
					functionalityDescription: `${valid.functionalityDescription ?? ''} Also a marketing digest.`,
				},
				'policy_mentions_forbidden_use',
			)
			expect(warning?.message).toContain('"Newsletter"')
			expect(warning?.message).toContain('"marketing"')
			expect(warning?.message).toMatch(/privacy policy excerpt.*functionality description/)
		})

		it('does not warn about negated sentences or clean text', () => {
			expect(warningIds(valid)).toEqual([])
			expect(
				warningIds({
					...valid,
					privacyPolicyExcerpt:
						'We never sell email addresses to third parties. We do not send marketing or newsletters. Email addresses are not shown in the UI.',
				}),
			).toEqual([])
		})
	})

	it('a listing address off Atlassian Marketplace is said to stand in for neither document', () => {
		const result = evaluateRequest({
			...valid,
			...listingless,
			marketplaceListingUrl: 'https://example.com/acme-notifier',
		})
		expect(result.ready).toBe(false)
		for (const id of ['privacy_policy', 'terms_of_use']) {
			expect(result.checks.find((c) => c.id === id)?.message).toContain(
				'The Marketplace listing URL given is not on marketplace.atlassian.com, so it cannot stand in for it.',
			)
		}
	})

	describe('listing_not_marketplace', () => {
		it.each([
			['https://example.com/apps/1', true],
			['https://www.marketplace.atlassian.com/apps/1', true],
			['https://marketplace.atlassian.com.evil.test/apps/1', true],
			['not a url', true],
			['https://marketplace.atlassian.com/apps/1', false],
			['HTTPS://MARKETPLACE.ATLASSIAN.COM/apps/1', false],
			['', false],
		] as const)('%s → warns: %s', (url, warns) => {
			const result = evaluateRequest({ ...valid, ...validDocs, marketplaceListingUrl: url })
			expect(result.checks.some((c) => c.id === 'listing_not_marketplace' && c.status === 'warn')).toBe(warns)
			expect(result.ready).toBe(true)
		})
	})

	describe('policy_same_as_terms', () => {
		it.each([
			['https://acme.test/legal', 'https://acme.test/legal', true],
			['https://acme.test/legal', 'https://ACME.test/legal/', true],
			['https://acme.test/legal#privacy', 'https://acme.test/legal#terms', true],
			['  https://acme.test/legal ', 'https://acme.test/legal', true],
			['https://acme.test/privacy', 'https://acme.test/terms', false],
		] as const)('%s vs %s → warns: %s', (privacyPolicyUrl, termsOfUseUrl, warns) => {
			const result = evaluateRequest({ ...valid, privacyPolicyUrl, termsOfUseUrl })
			expect(result.checks.some((c) => c.id === 'policy_same_as_terms' && c.status === 'warn')).toBe(warns)
			expect(result.ready).toBe(true)
		})
	})

	it('come after the required checks, in docs/rules.md order', () => {
		const result = evaluateRequest({
			...valid,
			appType: 'connect',
			marketplaceListingUrl: 'https://example.com',
			privacyPolicyUrl: 'https://acme.test/legal',
			termsOfUseUrl: 'https://acme.test/legal',
			privacyPolicyExcerpt: 'Email addresses feed our newsletter.',
			useCases: [{ code: 'other', description: 'Send our monthly newsletter' }],
		})
		expect(result.checks.map((c) => c.id)).toEqual([...REQUIRED_CHECK_IDS, ...WARNING_IDS])
		expect(result.checks.slice(REQUIRED_CHECK_IDS.length).every((c) => c.status === 'warn')).toBe(true)
		expect(result.ready).toBe(true)
	})
})

describe('email addresses in the request text (issue 9, finding 8)', () => {
	it('an address in the description or a custom use case FAILS the request, naming where without echoing it', () => {
		const inDescription = evaluateRequest({
			...valid,
			functionalityDescription: `${valid.functionalityDescription} For example we alert bob.smith@client.example.org directly.`,
		})
		const failing = inDescription.checks.find((c) => c.id === 'no_email_addresses')
		expect(failing).toMatchObject({ status: 'fail', field: 'functionalityDescription' })
		expect(failing!.message).toContain('The functionality description holds an email address')
		expect(failing!.message).not.toContain('bob.smith')
		expect(failing!.message).not.toContain('client.example.org')
		expect(inDescription.ready).toBe(false)
		expect(inDescription.checks.some((c) => c.status === 'warn' && /email/i.test(c.id))).toBe(false)
		const inUseCase = evaluateRequest({ ...valid, useCases: [{ code: 'other', description: 'cc admin@site.example' }] })
		expect(inUseCase.checks.find((c) => c.id === 'no_email_addresses')).toMatchObject({
			status: 'fail',
			field: 'useCases',
		})
		expect(inUseCase.checks.find((c) => c.id === 'no_email_addresses')!.message).toContain('Custom use case 1 holds')
	})

	it('names the vendor’s own domain as fine, and says how to make one count without a URL', () => {
		const withPolicy = check(
			{
				...valid,
				privacyPolicyUrl: 'https://www.vendor.com/privacy',
				functionalityDescription: `${valid.functionalityDescription} cc x@gmail.com`,
			},
			'no_email_addresses',
		)
		expect(withPolicy?.message).toContain('Addresses at your own domain vendor.com are fine.')
		const withoutUrls = check({ ...valid, companyName: 'Acme x@gmail.com' }, 'no_email_addresses')
		expect(withoutUrls?.message).toContain('once your privacy policy or terms-of-use URL is on that domain')
	})

	it('never echoes an address in other messages either (an unknown code that is an address)', () => {
		const result = evaluateRequest({ ...valid, useCases: [{ code: 'jane@gmail.com' }] })
		for (const c of result.checks) expect(c.message).not.toContain('jane@gmail.com')
		expect(check({ ...valid, useCases: [{ code: 'jane@gmail.com' }] }, 'use_cases')?.message).toContain(
			'[email address]',
		)
	})

	it('does not flag the word email, an @mention or a version tag', () => {
		const result = evaluateRequest({
			...valid,
			functionalityDescription: `${valid.functionalityDescription} Users are @mentioned; we pin lodash@4.17 and email@ nothing.`,
		})
		expect(result.checks.find((c) => c.id === 'no_email_addresses')?.status).toBe('pass')
	})
})

describe('custom use cases that read like a rejected one (issue 9, finding 9)', () => {
	const lookAlike = {
		...valid,
		useCases: [{ code: 'send_security_alerts' }, { code: 'other', description: 'send our monthly newsletter' }],
	}

	it('count as a warning, and the use-case check says so instead of simply passing', () => {
		const result = evaluateRequest(lookAlike)
		const warning = result.checks.find((c) => c.id === 'use_case_reads_like_rejected')
		expect(warning).toMatchObject({ status: 'warn', field: 'useCases' })
		expect(warning!.message).toContain('newsletters, campaigns, marketing')
		expect(warning!.message).toContain('"send our monthly newsletter"')
		expect(check(lookAlike, 'use_cases')?.message).toContain('reads like a use case Atlassian rejects')
		expect(result.ready).toBe(true)
	})

	it('a custom use case suggesting an approved code raises no such warning', () => {
		const result = evaluateRequest({
			...valid,
			useCases: [{ code: 'other', description: 'Security alerts on suspicious logins' }],
		})
		expect(result.useCases[0]?.suggestedCode).toBe('send_security_alerts')
		expect(result.checks.some((c) => c.id === 'use_case_reads_like_rejected')).toBe(false)
	})
})

describe('use-case outcomes', () => {
	const expected: Record<string, 'auto_approvable' | 'rejected' | 'needs_review'> = {
		send_error_reports: 'auto_approvable',
		send_security_alerts: 'auto_approvable',
		subscribe_alerts_news_feeds: 'auto_approvable',
		invite_collaborators: 'auto_approvable',
		connect_mail_service: 'auto_approvable',
		sync_users: 'auto_approvable',
		invite_company_events: 'rejected',
		marketing_emails: 'rejected',
		onboarding_materials: 'rejected',
		renewal_reminders: 'rejected',
		other: 'needs_review',
	}

	it('covers every catalogue code', () => {
		expect(Object.keys(expected).sort()).toEqual([...USE_CASE_CODES].sort())
	})

	it.each(USE_CASES.map((entry) => entry.code))('%s', (code) => {
		const result = evaluateRequest({ ...valid, useCases: [{ code, description: 'Mirror replies from a mailbox.' }] })
		const [useCase] = result.useCases
		expect(useCase?.code).toBe(code)
		expect(useCase?.outcome).toBe(expected[code])
		expect(useCase?.reason.length).toBeGreaterThan(10)
		expect(useCase?.description).toBe('Mirror replies from a mailbox.')
		expect(result.ready).toBe(expected[code] !== 'rejected')
	})

	it('suggests a code for custom ones without deciding', () => {
		const result = evaluateRequest({ ...valid, useCases: [{ code: 'other', description: 'A monthly newsletter.' }] })
		expect(result.useCases).toEqual([
			{
				code: 'other',
				outcome: 'needs_review',
				reason: expect.stringContaining('newsletters, campaigns, marketing'),
				suggestedCode: 'marketing_emails',
				matched: ['newsletter'],
				description: 'A monthly newsletter.',
			},
		])
		expect(result.ready).toBe(true)
	})

	it('custom ones without a matching keyword carry no suggestion', () => {
		const [useCase] = evaluateRequest({
			...valid,
			useCases: [{ code: 'other', description: 'Password reset links.' }],
		}).useCases
		expect(useCase?.outcome).toBe('needs_review')
		expect(useCase).not.toHaveProperty('suggestedCode')
		expect(useCase).not.toHaveProperty('matched')
	})

	it('unknown codes need review and fail the request', () => {
		const result = evaluateRequest({ ...valid, useCases: [{ code: 'SEND_ERROR_REPORTS' }] })
		expect(result.useCases[0]?.outcome).toBe('needs_review')
		expect(result.ready).toBe(false)
	})

	it('keeps one result per use case, in order, trimming codes', () => {
		const result = evaluateRequest({
			...valid,
			useCases: [{ code: ' sync_users ' }, { code: 'marketing_emails' }, { code: 'other', description: 'x' }],
		})
		expect(result.useCases.map((u) => [u.code, u.outcome])).toEqual([
			['sync_users', 'auto_approvable'],
			['marketing_emails', 'rejected'],
			['other', 'needs_review'],
		])
	})
})

describe('reporting obligation and submission text', () => {
	it.each([
		[true, true],
		[false, false],
		[null, false],
		[undefined, false],
	] as const)('storesPersonalData %s → required %s, every 15 days', (storesPersonalData, required) => {
		expect(evaluateRequest({ ...valid, storesPersonalData }).reportingObligation).toEqual({ required, cycleDays: 15 })
	})

	it('uses the request text builder', () => {
		const input = { ...valid, appType: 'connect' as const, useCases: [{ code: 'other', description: 'Sync to CRM' }] }
		expect(evaluateRequest(input).submissionText).toBe(buildSubmissionText(input))
		expect(evaluateRequest({}).submissionText).toContain('(missing)')
	})
})

// ── Cost (issue 10, finding 1) ──────────────────────────────────────────────

describe('the engine’s cost stays linear whatever the text holds', () => {
	const n = 1_000_000
	// Each of these took minutes with the old email pattern (200,000 characters: 62 s; 1,000,000: over 15 minutes).
	// Checked as growth, not as a time (a busy machine must not fail it): ten times the text, at most about ten
	// times the CPU work.
	const hostile: [string, (size: number) => string][] = [
		['a run of letters ending in @', (size) => `${'a'.repeat(size)}@`],
		['dot-heavy text after an @', (size) => `x@${'a.'.repeat(size / 2)}`],
		['dots only', (size) => '.'.repeat(size)],
		['many @', (size) => 'a@'.repeat(size / 2)],
		['many addresses', (size) => 'a@b.cc '.repeat(size / 7)],
		['a million words', (size) => 'word '.repeat(size / 5)],
		['forbidden-use bait', (size) => 'share with '.repeat(size / 11)],
	]
	const evaluateAll = (text: string, size: number) =>
		evaluateRequest({
			companyName: text,
			appName: text,
			appKey: text,
			privacyPolicyUrl: `https://vendor.example/${'/'.repeat(size)}`,
			termsOfUseUrl: `https://vendor.example/${'/'.repeat(size)}x`,
			useCases: [{ code: 'other', description: text }, { code: text }],
			functionalityDescription: text,
			privacyPolicyExcerpt: text,
		})

	it.each(hostile)('%s, 1,000,000 characters in every text field: linear', (_label, text) => {
		const result = evaluateAll(text(n), n)
		expect(result.checks.length).toBeGreaterThanOrEqual(REQUIRED_CHECK_IDS.length)
		expect(growth((size) => evaluateAll(text(size), size), n / 10, n, 2)).toBeLessThan(LINEAR_TEN_TIMES)
	})

	it('reads at most MAX_USE_CASES use cases and fails a longer list', () => {
		const description = 'a@'.repeat(1000)
		const withUseCases = (count: number) =>
			evaluateRequest({ ...valid, useCases: Array.from({ length: count }, () => ({ code: 'other', description })) })
		const result = withUseCases(100_000)
		// Beyond the cap, more use cases cost no more than listing them: ten times the list, at most ~ten times the work.
		expect(growth(withUseCases, 10_000, 100_000)).toBeLessThan(LINEAR_TEN_TIMES)
		expect(result.useCases).toHaveLength(MAX_USE_CASES)
		expect(result.submissionText).toContain('99,900 more not listed')
		expect(
			check(
				{ ...valid, useCases: Array.from({ length: MAX_USE_CASES + 1 }, () => ({ code: 'sync_users' })) },
				'use_cases',
			),
		).toMatchObject({
			status: 'fail',
			message: expect.stringContaining(`at most ${MAX_USE_CASES}`),
		})
	})
})

// ── Properties ──────────────────────────────────────────────────────────────

const junkString = fc.oneof(
	fc.string(),
	fc.string({ unit: 'binary' }),
	fc.string({ unit: 'grapheme', maxLength: 300 }),
	fc.webUrl(),
	fc.lorem({ maxCount: 40, mode: 'sentences' }),
	fc.constantFrom(
		'',
		'   ',
		'https://',
		'http://[::1]/',
		'javascript:alert(1)',
		'https://marketplace.atlassian.com/apps/1',
		'\u0000\uD800\uDFFF',
		'e-mail',
		'x'.repeat(20_000),
	),
)
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })

const typedInput: fc.Arbitrary<ChecklistInput> = fc.record(
	{
		companyName: maybe(junkString),
		appName: maybe(junkString),
		appKey: maybe(junkString),
		appType: maybe(fc.constantFrom(...APP_TYPES)),
		products: maybe(fc.array(fc.constantFrom(...PRODUCTS), { maxLength: 4 })),
		marketplaceListingUrl: maybe(junkString),
		privacyPolicyUrl: maybe(junkString),
		termsOfUseUrl: maybe(junkString),
		storesPersonalData: fc.constantFrom(true, false, null, undefined),
		useCases: maybe(
			fc.array(
				fc.record(
					{ code: fc.oneof(fc.constantFrom(...USE_CASE_CODES), junkString), description: maybe(junkString) },
					{ requiredKeys: ['code'] },
				),
				{ maxLength: 6 },
			),
		),
		functionalityDescription: maybe(junkString),
		privacyPolicyExcerpt: maybe(junkString),
	},
	{ requiredKeys: [] },
)

const inputKeys = [
	'companyName',
	'appName',
	'appKey',
	'appType',
	'products',
	'marketplaceListingUrl',
	'privacyPolicyUrl',
	'termsOfUseUrl',
	'storesPersonalData',
	'useCases',
	'functionalityDescription',
	'privacyPolicyExcerpt',
] as const

/** Values that do not match the type at all, as a careless caller might send. */
const untypedInput = fc.oneof(
	fc.anything(),
	fc.dictionary(fc.constantFrom(...inputKeys), fc.anything()),
	fc.record({ useCases: fc.array(fc.anything()), products: fc.anything(), appType: fc.anything() }),
) as fc.Arbitrary<ChecklistInput>

function expectWellFormed(input: ChecklistInput) {
	const result = evaluateRequest(input)
	expect(result.ready).toBe(result.checks.every((c) => c.status !== 'fail'))
	expect(result.checks.slice(0, REQUIRED_CHECK_IDS.length).map((c) => c.id)).toEqual([...REQUIRED_CHECK_IDS])
	for (const id of REQUIRED_CHECK_IDS) expect(result.checks.filter((c) => c.id === id)).toHaveLength(1)
	for (const [index, c] of result.checks.entries()) {
		if (index < REQUIRED_CHECK_IDS.length) expect(['pass', 'fail']).toContain(c.status)
		else expect(c.status).toBe('warn')
		expect(c.message).not.toBe('')
		expect(c.source).toMatch(/^docs\/rules\.md › /)
	}
	for (const c of result.checks.slice(REQUIRED_CHECK_IDS.length)) expect(WARNING_IDS).toContain(c.id)
	expect(['eligible', 'conditional', 'not_eligible']).toContain(result.eligibility.status)
	expect(result.reportingObligation.cycleDays).toBe(15)
	expect(typeof result.submissionText).toBe('string')
	return result
}

describe('properties', () => {
	it('never throws and keeps the contract on any typed input', () => {
		fc.assert(
			fc.property(typedInput, (input) => {
				const result = expectWellFormed(input)
				expect(result.useCases).toHaveLength(input.useCases?.length ?? 0)
				expect(result.reportingObligation.required).toBe(input.storesPersonalData === true)
			}),
			{ numRuns: 500 },
		)
	})

	it('never throws on values that do not match the type', () => {
		fc.assert(
			fc.property(untypedInput, (input) => {
				expectWellFormed(input)
			}),
			{ numRuns: 500 },
		)
		for (const odd of [null, undefined, 42, 'text', [], () => 1, Object.create(null)])
			expectWellFormed(odd as ChecklistInput)
	})

	it('any rejected use case makes the request not ready', () => {
		fc.assert(
			fc.property(typedInput, fc.constantFrom(...REJECTED_USE_CASE_CODES), fc.nat(), (input, code, at) => {
				const useCases = [...(input.useCases ?? [])]
				useCases.splice(at % (useCases.length + 1), 0, { code })
				const result = evaluateRequest({ ...input, useCases })
				expect(result.ready).toBe(false)
				expect(result.checks.find((c) => c.id === 'use_cases')?.status).toBe('fail')
				expect(result.useCases.some((u) => u.outcome === 'rejected')).toBe(true)
			}),
		)
	})

	it('a complete request stays ready whatever approved use cases it lists', () => {
		const approved = USE_CASES.filter((entry) => entry.list === 'approved').map((entry) => entry.code)
		fc.assert(
			fc.property(fc.array(fc.constantFrom(...approved), { minLength: 1, maxLength: 6 }), (codes) => {
				const result = evaluateRequest({ ...valid, useCases: codes.map((code) => ({ code })) })
				expect(result.ready).toBe(true)
				expect(result.useCases.every((u) => u.outcome === 'auto_approvable')).toBe(true)
			}),
		)
	})
})

// ── API body schema ─────────────────────────────────────────────────────────

describe('ChecklistInputSchema', () => {
	it('accepts an empty body and a full one, and strips unknown keys', () => {
		expect(ChecklistInputSchema.parse({})).toEqual({})
		expect(ChecklistInputSchema.parse({ ...valid, storesPersonalData: null, extra: 1 })).toEqual({
			...valid,
			storesPersonalData: null,
		})
	})

	it.each([
		['unknown app type', { appType: 'plugin' }, 'appType'],
		['unknown product', { products: ['bitbucket'] }, 'products.0'],
		['personal data as text', { storesPersonalData: 'not sure' }, 'storesPersonalData'],
		['too many use cases', { useCases: Array.from({ length: 51 }, () => ({ code: 'sync_users' })) }, 'useCases'],
		['use-case code too long', { useCases: [{ code: 'x'.repeat(65) }] }, 'useCases.0.code'],
		['use case without code', { useCases: [{ description: 'x' }] }, 'useCases.0.code'],
		[
			'description too long',
			{ useCases: [{ code: 'other', description: 'x'.repeat(2001) }] },
			'useCases.0.description',
		],
		['company name too long', { companyName: 'x'.repeat(201) }, 'companyName'],
		['URL too long', { privacyPolicyUrl: `https://a.test/${'x'.repeat(2048)}` }, 'privacyPolicyUrl'],
		['excerpt too long', { privacyPolicyExcerpt: 'x'.repeat(10_001) }, 'privacyPolicyExcerpt'],
		['wrong type', { companyName: 42 }, 'companyName'],
	])('rejects %s', (_label, body, path) => {
		const parsed = ChecklistInputSchema.safeParse(body)
		expect(parsed.success).toBe(false)
		expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(path)
	})

	it('rejects a body that is not an object', () => {
		for (const body of [null, [], 'x', 1]) expect(ChecklistInputSchema.safeParse(body).success).toBe(false)
	})

	it('whatever it accepts, the engine evaluates', () => {
		fc.assert(
			fc.property(fc.oneof(typedInput, untypedInput), (body) => {
				const parsed = ChecklistInputSchema.safeParse(body)
				if (parsed.success) expectWellFormed(parsed.data)
			}),
		)
	})
})
