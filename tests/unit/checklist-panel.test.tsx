import { describe, expect, it } from 'vitest'
import { checksInReadingOrder, ChecklistPanel, fieldIdOf } from '~/components/checklist-panel'
import { RequestForm } from '~/components/request-form'
import { type Check, CHECK_SOURCES, evaluateRequest, REQUIRED_CHECK_IDS, WARNING_IDS } from '~/domain/checklist'
import { ATLASSIAN_SOURCES, CHECK_CITATIONS } from '~/domain/rule-sources'
import { type RequestFields } from '~/schemas/request'
import { renderRoute } from '../fixtures/render'

/** A Connect app with half the request missing: failing checks, a warning and passing ones. */
const halfDone: RequestFields = {
	companyName: 'Acme Apps',
	appName: 'Mail Bridge',
	appKey: '',
	appType: 'connect',
	products: ['jira'],
	marketplaceListingUrl: '',
	privacyPolicyUrl: 'https://www.acme.example/privacy',
	termsOfUseUrl: '',
	storesPersonalData: 'undecided',
	useCaseCodes: ['send_security_alerts'],
	customUseCases: [{ description: '' }],
	functionalityDescription: 'Too short.',
	privacyPolicyExcerpt: 'We use email addresses only to send security alerts.',
}

function editor(fields: RequestFields) {
	return renderRoute(() => <RequestForm defaults={fields} version={1} />)
}

/** The checks of the rendered checklist in page order, as `id:status`. */
function renderedChecks(html: string): string[] {
	return [...html.matchAll(/data-check="([a-z_]+)" data-status="([a-z]+)"/g)].map((match) => `${match[1]}:${match[2]}`)
}

describe('the checklist leads (issue 17, point 2)', () => {
	it('orders failing checks first, then warnings, then passing ones, each group in the engine’s order', () => {
		const check = (id: Check['id'], status: Check['status']): Check => ({ id, status, message: '', source: '' })
		const ordered = checksInReadingOrder([
			check('company', 'pass'),
			check('app_identity', 'fail'),
			check('connect_end_of_support', 'warn'),
			check('privacy_policy', 'pass'),
			check('terms_of_use', 'fail'),
			check('policy_same_as_terms', 'warn'),
		])
		expect(ordered.map((entry) => entry.id)).toEqual([
			'app_identity',
			'terms_of_use',
			'connect_end_of_support',
			'policy_same_as_terms',
			'company',
			'privacy_policy',
		])
	})

	it('the editor renders the checklist before the form, failing checks first, then the warning, then the passing ones', async () => {
		const html = await editor(halfDone)
		expect(html.indexOf('id="checklist"')).toBeGreaterThan(-1)
		expect(html.indexOf('id="checklist"')).toBeLessThan(html.indexOf('aria-label="Access request"'))
		const statuses = renderedChecks(html).map((entry) => entry.split(':')[1])
		expect(statuses.slice(0, 5)).toEqual(['fail', 'fail', 'fail', 'fail', 'warn'])
		expect(statuses.slice(5).every((status) => status === 'pass')).toBe(true)
		expect(renderedChecks(html).slice(0, 5)).toEqual([
			'app_identity:fail',
			'terms_of_use:fail',
			'personal_data:fail',
			'functionality:fail',
			'connect_end_of_support:warn',
		])
	})

	it('each failing or warning check links to a field the editor has, by its id; passing ones do not link', async () => {
		const html = await editor(halfDone)
		const links = [...html.matchAll(/<li class="check-item check-(fail|warn|pass)"[^>]*>.*?<\/li>/g)]
		expect(links.length).toBeGreaterThan(5)
		for (const [item, status] of links) {
			const href = item.match(/<a class="check-title check-link" href="#([A-Za-z]+)"/)?.[1]
			if (status === 'pass') {
				expect(href, item).toBeUndefined()
				continue
			}
			expect(href, item).toBeDefined()
			expect(html, `an element with id ${href}`).toContain(` id="${href}"`)
		}
		expect(html).toContain('href="#appKey"')
		expect(html).toContain('href="#termsOfUseUrl"')
		expect(html).toContain('href="#storesPersonalData"')
		expect(html).toContain('href="#functionalityDescription"')
		expect(html).toContain('href="#appType"')
	})

	it('an address or a rejected-looking wording in a custom use case leads to the custom use cases', async () => {
		const html = await editor({
			...halfDone,
			customUseCases: [{ description: 'Send our monthly newsletter to jane@gmail.com' }],
		})
		expect(html).toMatch(/data-check="no_email_addresses" data-status="fail">.*?href="#customUseCases"/)
		expect(html).toMatch(/data-check="use_case_reads_like_rejected" data-status="warn">.*?href="#customUseCases"/)
		expect(html).toContain('id="customUseCases"')
		expect(html).toContain('id="useCases"')
	})

	it('every field a check can name has a target in the editor', async () => {
		const html = await editor(halfDone)
		const fields: Check['field'][] = [
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
		]
		for (const field of fields) {
			const id = fieldIdOf({ id: 'company', status: 'fail', message: '', source: '', field })
			expect(html, `id="${id}"`).toContain(` id="${id}"`)
		}
	})

	it('a phone’s folded summary says what is left to do, with the plural right', async () => {
		expect(await editor(halfDone)).toMatch(/data-testid="checklist-summary">.*?4 checks to fix/)
		const one = await editor({
			...halfDone,
			appKey: 'com.acme.mail',
			termsOfUseUrl: 'https://www.acme.example/terms',
			storesPersonalData: 'yes',
		})
		expect(one).toMatch(/data-testid="checklist-summary">.*?1 check to fix/)
		const result = evaluateRequest({
			companyName: 'Acme',
			appName: 'Mail Bridge',
			appKey: 'com.acme.mail',
			appType: 'forge',
			products: ['jira'],
			privacyPolicyUrl: 'https://acme.example/privacy',
			termsOfUseUrl: 'https://acme.example/terms',
			storesPersonalData: false,
			useCases: [{ code: 'send_security_alerts' }],
			functionalityDescription:
				'Mail Bridge sends security alerts to the affected users when suspicious sign-ins happen in their sites.',
			privacyPolicyExcerpt: 'We use email addresses only to send security alerts.',
		})
		expect(result.ready).toBe(true)
		const ready = await renderRoute(() => <ChecklistPanel result={result} />)
		expect(ready).toMatch(/data-testid="checklist-summary">.*?Ready to send/)
		expect(ready).not.toContain('check-link')
	})
})

describe('checklist items cite Atlassian’s source by its title, linked (issue 17, point 3)', () => {
	it('no item shows an internal file name; each links Atlassian’s page by its title', async () => {
		const html = await editor(halfDone)
		expect(html).not.toContain('docs/rules.md')
		expect(html).not.toContain('domain.md')
		expect(html).not.toContain('Rule:')
		const guidelines = ATLASSIAN_SOURCES.emailApiGuidelines
		expect(html).toContain(`<a href="${guidelines.url}" target="_blank" rel="noreferrer">${guidelines.title}</a>`)
		expect(html).toContain(ATLASSIAN_SOURCES.connectEndOfSupport.url)
	})

	it('every check has at least one Atlassian source, with an https address on Atlassian’s sites', () => {
		for (const id of [...REQUIRED_CHECK_IDS, ...WARNING_IDS]) {
			const citation = CHECK_CITATIONS[id]
			expect(citation.atlassian.length, id).toBeGreaterThan(0)
			for (const source of citation.atlassian) {
				expect(new URL(source.url).protocol).toBe('https:')
				expect(new URL(source.url).hostname).toMatch(/(^|\.)atlassian\.com$/)
				expect(source.title).not.toMatch(/\.md\b/)
			}
		}
	})

	it('the API keeps its source naming the rules section (unchanged)', () => {
		expect(CHECK_SOURCES.company).toBe('docs/rules.md › Request checklist › company')
	})
})

describe('the checklist reads as sentences (issue 17, point 3)', () => {
	/** The text a person reads: no tags, no React's text separators. */
	const readable = (html: string) =>
		html
			.replace(/<!-- -->/g, '')
			.replace(/<[^>]+>/g, '')
			.replace(/&#x27;/g, '’')

	it('Clearance’s own note follows Atlassian’s titles as a sentence of its own', async () => {
		const text = readable(await editor(halfDone))
		expect(text).toContain(`${ATLASSIAN_SOURCES.emailApiGuidelines.title}. Clearance counts “a couple of sentences”`)
	})

	it('a request without a use case is told what to choose in the editor’s words, without a code mark', () => {
		const useCases = evaluateRequest({ appName: 'Mail Bridge', useCases: [] }).checks.find(
			(check) => check.id === 'use_cases',
		)
		expect(useCases?.status).toBe('fail')
		expect(useCases?.message).not.toContain('`')
		expect(useCases?.message).toContain('custom use case')
	})
})
