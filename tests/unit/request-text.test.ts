import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { USE_CASES } from '~/domain/catalogue'
import { buildSubmissionText, collapseWhitespace, MISSING, requestMilestones } from '~/domain/request-text'
import { growth, LINEAR_TEN_TIMES } from '../fixtures/growth'
import type { ChecklistInput } from '~/domain/checklist-input'

const full: ChecklistInput = {
	companyName: 'Acme Apps GmbH',
	appName: 'Acme Alerts',
	appKey: 'com.acme.alerts',
	appType: 'forge',
	products: ['jira'],
	privacyPolicyUrl: 'https://acme.test/privacy',
	termsOfUseUrl: 'https://acme.test/terms',
	storesPersonalData: true,
	useCases: [{ code: 'send_security_alerts' }, { code: 'other', description: 'Forward replies\nto the issue.' }],
	functionalityDescription: 'We alert users.\r\nAdmins get a summary.',
	privacyPolicyExcerpt: 'Email addresses are used for alerts only.',
}

describe('buildSubmissionText', () => {
	it('follows the order of Atlassian’s request form', () => {
		expect(buildSubmissionText(full)).toBe(
			[
				'Company name: Acme Apps GmbH',
				'App name: Acme Alerts',
				'App ID (app key): com.acme.alerts',
				'App type: Forge app',
				'Products: Jira',
				'Privacy policy: https://acme.test/privacy',
				'Customer terms of use: https://acme.test/terms',
				'Does the app store personal data: Yes',
				'',
				'Use cases:',
				'- Send security alerts',
				'- Other: Forward replies to the issue.',
				'',
				'Functionality that requires email address:',
				'We alert users.\nAdmins get a summary.',
				'',
				'Privacy policy language on how email addresses are processed:',
				'Email addresses are used for alerts only.',
			].join('\n'),
		)
	})

	it('shows every missing value as (missing)', () => {
		expect(buildSubmissionText({})).toBe(
			[
				`Company name: ${MISSING}`,
				`App name: ${MISSING}`,
				`App ID (app key): ${MISSING}`,
				`App type: ${MISSING}`,
				`Products: ${MISSING}`,
				`Privacy policy: ${MISSING}`,
				`Customer terms of use: ${MISSING}`,
				`Does the app store personal data: ${MISSING}`,
				'',
				'Use cases:',
				`- ${MISSING}`,
				'',
				'Functionality that requires email address:',
				MISSING,
				'',
				'Privacy policy language on how email addresses are processed:',
				MISSING,
			].join('\n'),
		)
		expect(buildSubmissionText({ companyName: '   ', storesPersonalData: null })).toContain(`Company name: ${MISSING}`)
		expect(buildSubmissionText({ storesPersonalData: null })).toContain(`personal data: ${MISSING}`)
	})

	it('gives the app type in words and the products by name (issue 9, finding 10)', () => {
		const connect = buildSubmissionText({ ...full, appType: 'connect', products: ['confluence', 'jira', 'jira'] })
		expect(connect).toContain('App type: Atlassian Connect app')
		expect(connect).toContain('Products: Jira, Confluence')
		expect(buildSubmissionText({ ...full, appType: 'forge' })).toContain('App type: Forge app')
		expect(buildSubmissionText({ ...full, appType: 'plugin' as never, products: ['bitbucket' as never] })).toContain(
			`App type: ${MISSING}\nProducts: ${MISSING}`,
		)
	})

	it('answers No when the app stores no personal data', () => {
		expect(buildSubmissionText({ storesPersonalData: false })).toContain('Does the app store personal data: No')
	})

	it('gives the Marketplace listing in place of the two documents', () => {
		const text = buildSubmissionText({ marketplaceListingUrl: 'https://marketplace.atlassian.com/apps/1' })
		expect(text).toContain('Marketplace listing: https://marketplace.atlassian.com/apps/1')
		expect(text).not.toContain('Privacy policy:')
		expect(text).not.toContain('Customer terms of use:')
		const both = buildSubmissionText({ ...full, marketplaceListingUrl: 'https://marketplace.atlassian.com/apps/1' })
		expect(both.indexOf('Marketplace listing:')).toBeLessThan(both.indexOf('Privacy policy:'))
	})

	it.each(USE_CASES.map((entry) => [entry.code, entry.label, entry.list] as const))(
		'labels use case %s',
		(code, label, list) => {
			const text = buildSubmissionText({ useCases: [{ code, description: 'Details.' }] })
			if (list === 'custom') expect(text).toContain('- Other: Details.')
			else expect(text.toLowerCase()).toContain(`- ${label.toLowerCase()}: details.`)
		},
	)

	it('marks a custom use case without description and names unknown codes', () => {
		const text = buildSubmissionText({ useCases: [{ code: 'other' }, { code: 'bogus' }, { code: '' }] })
		expect(text).toContain(`- Other: ${MISSING}`)
		expect(text).toContain('- Use case "bogus"')
		expect(text).toContain('- Use case (no code)')
	})

	it('keeps one-line fields on one line', () => {
		const text = buildSubmissionText({ companyName: 'Acme\nApps', appKey: 'a\r\nb' })
		expect(text).toContain('Company name: Acme Apps')
		expect(text).toContain('App ID (app key): a b')
	})
})

describe('collapseWhitespace', () => {
	it('does what replace(/\\s+/g, " ") does, on any text', () => {
		fc.assert(
			fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '\t', '\n', '\u00a0', '\u2028', '\r', 'é') }), (text) => {
				expect(collapseWhitespace(text)).toBe(text.replace(/\s+/g, ' '))
			}),
			{ numRuns: 500 },
		)
	})

	it('is linear: a million single spaces cost about ten times a hundred thousand', () => {
		expect(collapseWhitespace('a  '.repeat(3))).toBe('a a a ')
		expect(growth((n) => collapseWhitespace('a '.repeat(n / 2)), 100_000, 1_000_000)).toBeLessThan(LINEAR_TEN_TIMES)
	})
})

describe('requestMilestones (the print view’s dates, issue 9, finding 10)', () => {
	it('gives creation, then each step in words with its latest date; "sent to Atlassian" is the first time', () => {
		const steps = requestMilestones('2025-03-01T10:00:00Z', [
			{ toState: 'in_review', at: '2025-03-02T10:00:00Z' },
			{ toState: 'changes_requested', at: '2025-03-03T10:00:00Z' },
			{ toState: 'in_review', at: '2025-03-04T10:00:00Z' },
			{ toState: 'ready_to_submit', at: '2025-03-05T10:00:00Z' },
			{ toState: 'submitted', at: '2025-03-06T10:00:00Z' },
			{ toState: 'info_requested', at: '2025-03-08T10:00:00Z' },
			{ toState: 'submitted', at: '2025-03-09T10:00:00Z' },
			{ toState: 'approved', at: '2025-03-10T10:00:00Z' },
			{ toState: null, at: '2025-03-11T10:00:00Z' },
		])
		expect(steps.map((step) => [step.label, step.at.toISOString().slice(0, 10)])).toEqual([
			['Created', '2025-03-01'],
			['Submitted for review', '2025-03-04'],
			['Review completed', '2025-03-05'],
			['Sent to Atlassian', '2025-03-06'],
			['Approved by Atlassian', '2025-03-10'],
		])
	})

	it('a fresh draft has only its creation date', () => {
		expect(requestMilestones(new Date('2025-01-01T00:00:00Z'), []).map((step) => step.label)).toEqual(['Created'])
	})
})

describe('properties', () => {
	const headings = [
		'Company name:',
		'App name:',
		'App ID (app key):',
		'App type:',
		'Products:',
		'Does the app store personal data:',
		'Use cases:',
		'Functionality that requires email address:',
		'Privacy policy language on how email addresses are processed:',
	]

	it('never throws and always lists the form’s items in order', () => {
		const input = fc.record(
			{
				companyName: fc.string(),
				appName: fc.string({ unit: 'binary' }),
				appKey: fc.string(),
				marketplaceListingUrl: fc.oneof(fc.webUrl(), fc.string()),
				privacyPolicyUrl: fc.string(),
				termsOfUseUrl: fc.string(),
				storesPersonalData: fc.constantFrom(true, false, null),
				useCases: fc.array(fc.record({ code: fc.string(), description: fc.string() }, { requiredKeys: ['code'] })),
				functionalityDescription: fc.string(),
				privacyPolicyExcerpt: fc.string(),
			},
			{ requiredKeys: [] },
		)
		fc.assert(
			fc.property(fc.oneof(input, fc.anything() as fc.Arbitrary<ChecklistInput>), (value) => {
				const text = buildSubmissionText(value)
				let last = -1
				for (const heading of headings) {
					const at = text.indexOf(`\n${heading}`) === -1 && text.startsWith(heading) ? 0 : text.indexOf(`\n${heading}`)
					expect(at).toBeGreaterThan(last)
					last = at
				}
			}),
			{ numRuns: 300 },
		)
	})
})
