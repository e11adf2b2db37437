import { describe, expect, it } from 'vitest'
import { RequestForm } from '~/components/request-form'
import { amendsNothing } from '~/domain/amendment'
import { transition } from '~/domain/request-lifecycle'
import { type RequestFields } from '~/schemas/request'
import { renderRoute } from '../fixtures/render'

const approved: RequestFields = {
	companyName: 'Acme Apps',
	appName: 'Mail Bridge',
	appKey: 'com.acme.mail-bridge',
	appType: 'forge',
	products: ['jira', 'confluence'],
	marketplaceListingUrl: '',
	privacyPolicyUrl: 'https://www.acme.example/privacy',
	termsOfUseUrl: 'https://www.acme.example/terms',
	storesPersonalData: 'yes',
	useCaseCodes: ['send_security_alerts', 'invite_collaborators'],
	customUseCases: [{ description: 'Notify watchers when a linked incident changes state' }],
	functionalityDescription:
		'Mail Bridge sends security alerts to the affected users when suspicious sign-ins happen. It also notifies watchers of incidents.',
	privacyPolicyExcerpt: 'We use email addresses only to send security alerts.',
}

describe('an amendment that changes nothing', () => {
	it('is the approved request again, whatever the spacing, the order of lists, an empty custom row or a retyped custom use case', () => {
		expect(
			amendsNothing(approved, {
				...approved,
				companyName: '  Acme   Apps ',
				products: ['confluence', 'jira'],
				useCaseCodes: ['invite_collaborators', 'send_security_alerts'],
				customUseCases: [{ description: 'notify watchers when a linked  INCIDENT changes state' }, { description: '' }],
				functionalityDescription:
					'Mail Bridge sends security alerts to the affected users\nwhen suspicious sign-ins happen. It also notifies watchers of incidents.',
			}),
		).toBe(true)
	})

	it('is not one when a use case, an answer or a text differs', () => {
		const changes: Partial<RequestFields>[] = [
			{ useCaseCodes: ['send_security_alerts'] },
			{ customUseCases: [{ description: 'Notify watchers when a linked incident is closed' }] },
			{ storesPersonalData: 'no' },
			{ functionalityDescription: 'Mail Bridge emails security alerts and digests to the users affected.' },
			{ privacyPolicyExcerpt: 'We use email addresses to send alerts and digests.' },
			{ products: ['jira'] },
			{ appKey: 'com.acme.mail-bridge-2' },
		]
		for (const change of changes)
			expect(amendsNothing(approved, { ...approved, ...change }), JSON.stringify(change)).toBe(false)
	})

	it('is not submitted for review, and says why', () => {
		const ctx = { roles: ['member'] as const, isAuthor: true, checklistReady: true }
		expect(transition('draft', 'submit_for_review', { ...ctx, emptyAmendment: true })).toMatchObject({
			ok: false,
			code: 'nothing_amended',
			message: expect.stringContaining('Nothing to submit yet'),
		})
		expect(transition('draft', 'submit_for_review', { ...ctx, emptyAmendment: false })).toMatchObject({ ok: true })
		expect(transition('draft', 'submit_for_review', ctx)).toMatchObject({ ok: true })
	})

	it('the editor’s checklist does not read “Ready to send” while the amendment changes nothing', async () => {
		const unchanged = await renderRoute(() => <RequestForm defaults={approved} version={1} amends={approved} />)
		expect(unchanged).toContain('The checklist passes')
		expect(unchanged).not.toContain('Ready to send')
		expect(unchanged).toContain('add the new email use, or make the change you need')
		const added = await renderRoute(() => (
			<RequestForm defaults={{ ...approved, useCaseCodes: ['send_security_alerts'] }} version={1} amends={approved} />
		))
		expect(added).toContain('Ready to send')
	})
})
