import { CUSTOM_USE_CASE_CODE, PRODUCTS, type AppType, type Product } from './catalogue'
import { type ChecklistInput } from './checklist-input'
import { fieldsWithForeignAddresses, ownDomainNote, ownDomainsOf, type SentText } from './email-addresses'

/**
 * A request as its editor holds it: text fields as typed, catalogue codes
 * and custom rows apart. `app/schemas/request.ts` checks this shape and its
 * limits; the rules here map it onto the checklist engine and find what must
 * not be sent.
 */
export type RequestFormFields = {
	companyName: string
	appName: string
	appKey: string
	appType: AppType | ''
	products: Product[]
	marketplaceListingUrl: string
	privacyPolicyUrl: string
	termsOfUseUrl: string
	storesPersonalData: 'yes' | 'no' | 'undecided'
	useCaseCodes: string[]
	customUseCases: { description: string }[]
	functionalityDescription: string
	privacyPolicyExcerpt: string
}

/** Custom rows left blank are not use cases; they are dropped, not flagged. */
export function customUseCasesOf(fields: Pick<RequestFormFields, 'customUseCases'>) {
	return (fields.customUseCases ?? [])
		.map((row) => row?.description?.trim() ?? '')
		.filter((description) => description.length > 0)
}

const blankToUndefined = (value: string | undefined) => (value?.trim() ? value : undefined)

/**
 * Form values → checklist engine input. The browser's live checklist and the
 * server use this same mapping and the same engine, so they always agree
 * (docs/rules.md › Request checklist).
 */
export function toChecklistInput(fields: Partial<RequestFormFields>): ChecklistInput {
	const codes = [...new Set((fields.useCaseCodes ?? []).filter((code): code is string => typeof code === 'string'))]
	return {
		companyName: fields.companyName,
		appName: fields.appName,
		appKey: fields.appKey,
		appType: fields.appType ? fields.appType : undefined,
		products: (fields.products ?? []).filter((product) => PRODUCTS.includes(product)),
		marketplaceListingUrl: blankToUndefined(fields.marketplaceListingUrl),
		privacyPolicyUrl: blankToUndefined(fields.privacyPolicyUrl),
		termsOfUseUrl: blankToUndefined(fields.termsOfUseUrl),
		storesPersonalData: fields.storesPersonalData === 'yes' ? true : fields.storesPersonalData === 'no' ? false : null,
		useCases: [
			...codes.filter((code) => code !== CUSTOM_USE_CASE_CODE).map((code) => ({ code })),
			...customUseCasesOf({ customUseCases: fields.customUseCases ?? [] }).map((description) => ({
				code: CUSTOM_USE_CASE_CODE,
				description,
			})),
		],
		functionalityDescription: fields.functionalityDescription,
		privacyPolicyExcerpt: fields.privacyPolicyExcerpt,
	}
}

/**
 * Form fields (by their form path) that hold an email address other than
 * the vendor's own: every field goes to Atlassian, so such a save is refused
 * (docs/rules.md › Emails are never stored). The message never repeats the
 * address.
 */
export function emailAddressErrors(fields: RequestFormFields): Record<string, string> {
	const own = ownDomainsOf([fields.privacyPolicyUrl, fields.termsOfUseUrl, fields.marketplaceListingUrl])
	const texts: SentText[] = [
		...(
			['companyName', 'appName', 'appKey', 'marketplaceListingUrl', 'privacyPolicyUrl', 'termsOfUseUrl'] as const
		).map((key) => ({ key, label: key, text: fields[key] })),
		...fields.useCaseCodes.map((code) => ({ key: 'useCaseCodes', label: 'useCaseCodes', text: code })),
		...fields.customUseCases.map((row, index) => ({
			key: `customUseCases.${index}.description`,
			label: 'custom use case',
			text: row.description,
		})),
		{ key: 'functionalityDescription', label: 'functionalityDescription', text: fields.functionalityDescription },
		{ key: 'privacyPolicyExcerpt', label: 'privacyPolicyExcerpt', text: fields.privacyPolicyExcerpt },
	]
	const message = `Remove the email address: Atlassian must not receive an Atlassian user’s address, and Clearance never keeps one. ${ownDomainNote(own)}`
	return Object.fromEntries(fieldsWithForeignAddresses(texts, own).map((field) => [field.key, message]))
}
