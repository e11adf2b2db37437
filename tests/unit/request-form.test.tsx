import { describe, expect, it } from 'vitest'
import { RequestForm } from '~/components/request-form'
import { type RequestFields } from '~/schemas/request'
import { renderRoute } from '../fixtures/render'

const fields: RequestFields = {
	companyName: 'Acme Apps',
	appName: 'Mail Bridge',
	appKey: 'com.acme.mail-bridge',
	appType: 'forge',
	products: ['jira'],
	marketplaceListingUrl: '',
	privacyPolicyUrl: 'https://www.acme.example/privacy',
	termsOfUseUrl: 'https://www.acme.example/terms',
	storesPersonalData: 'yes',
	useCaseCodes: ['send_security_alerts'],
	customUseCases: [{ description: 'Notify watchers when a linked incident changes state' }],
	functionalityDescription:
		'Mail Bridge sends security alerts to the affected users when suspicious sign-ins happen. It also notifies watchers of incidents.',
	privacyPolicyExcerpt:
		'We use email addresses only to send security alerts and incident notifications you subscribed to.',
}

/** The editor as the server renders it, e.g. after a refused save with what was posted. */
function render(defaults: unknown) {
	return renderRoute(() => (
		<RequestForm defaults={defaults as RequestFields} version={1} formError="Some fields need attention" />
	))
}

describe('the request editor rendered on the server', () => {
	it('shows the live checklist for values of the form’s shape', async () => {
		const html = await render(fields)
		expect(html).toContain('data-check="functionality"')
		expect(html).toContain('Ready to send')
	})

	it('after a refused save with a 1,000,000-character description, renders at once without running the checklist (issue 10, finding 1)', async () => {
		const started = performance.now()
		const html = await render({ ...fields, functionalityDescription: `${'a'.repeat(1_000_000)}@` })
		expect(performance.now() - started).toBeLessThan(2000)
		expect(html).toContain('The checklist waits for the fields marked in the form')
		expect(html).not.toContain('data-check=')
	})

	it('renders values of the wrong shape without running the checklist', async () => {
		const html = await render({ ...fields, appType: 'plugin', customUseCases: 'x', products: [{ nested: 1 }] })
		expect(html).toContain('The checklist waits for the fields marked in the form')
	})

	it('an email address fails the checklist; the headline never says ready (issue 9, finding 8)', async () => {
		const html = await render({
			...fields,
			functionalityDescription: `${fields.functionalityDescription} Copy jane@gmail.com.`,
		})
		expect(html).toMatch(/data-check="no_email_addresses" data-status="fail"/)
		expect(html).toContain('Not ready')
		expect(html).not.toContain('jane@gmail.com.</p>')
	})

	it('a custom use case that reads like a rejected one is a warning in the headline (issue 9, finding 9)', async () => {
		const html = await render({ ...fields, customUseCases: [{ description: 'send our monthly newsletter' }] })
		expect(html).toMatch(/Ready to send, with 1 warning: Reads like a rejected use case/)
		expect(html).toMatch(/data-check="use_case_reads_like_rejected" data-status="warn"/)
	})
})
