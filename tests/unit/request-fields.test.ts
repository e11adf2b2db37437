import { describe, expect, it } from 'vitest'
import { customUseCasesOf, emailAddressErrors, toChecklistInput, type RequestFormFields } from '~/domain/request-fields'

const fields: RequestFormFields = {
	companyName: 'Acme',
	appName: 'Acme Mail',
	appKey: 'com.acme.mail',
	appType: 'forge',
	products: ['jira'],
	marketplaceListingUrl: '',
	privacyPolicyUrl: 'https://acme.example/privacy',
	termsOfUseUrl: '  ',
	storesPersonalData: 'no',
	useCaseCodes: [],
	customUseCases: [],
	functionalityDescription: 'Sends issue digests.',
	privacyPolicyExcerpt: 'We keep nothing.',
}

describe('toChecklistInput: the editor’s values as the checklist engine reads them', () => {
	it('catalogue codes once each, then the custom rows that say something, as custom use cases', () => {
		const input = toChecklistInput({
			...fields,
			useCaseCodes: ['send_error_reports', 'other', 'send_error_reports'],
			customUseCases: [{ description: '  Weekly digest ' }, { description: '   ' }],
		})
		expect(input.useCases).toEqual([{ code: 'send_error_reports' }, { code: 'other', description: 'Weekly digest' }])
	})

	it('blank web addresses and an empty app type are not given; the personal-data answer is a yes, a no or not decided', () => {
		const input = toChecklistInput({ ...fields, appType: '' })
		expect(input).toMatchObject({ appType: undefined, marketplaceListingUrl: undefined, termsOfUseUrl: undefined })
		expect(input.privacyPolicyUrl).toBe('https://acme.example/privacy')
		expect(input.storesPersonalData).toBe(false)
		expect(toChecklistInput({ storesPersonalData: 'yes' }).storesPersonalData).toBe(true)
		expect(toChecklistInput({ storesPersonalData: 'undecided' }).storesPersonalData).toBeNull()
		expect(toChecklistInput({}).useCases).toEqual([])
	})

	it('custom rows left blank are dropped', () => {
		expect(customUseCasesOf({ customUseCases: [{ description: ' a ' }, { description: '' }] })).toEqual(['a'])
	})
})

describe('emailAddressErrors: what must not go to Atlassian', () => {
	it('names the field holding another domain’s address, never the address; the vendor’s own domain is fine', () => {
		const errors = emailAddressErrors({
			...fields,
			functionalityDescription: 'Write to jane@customer.example for help.',
			privacyPolicyExcerpt: 'Contact privacy@acme.example.',
		})
		expect(Object.keys(errors)).toEqual(['functionalityDescription'])
		expect(errors.functionalityDescription).not.toContain('customer.example')
	})
})
