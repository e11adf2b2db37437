import { z } from 'zod'
import { APP_TYPES, CUSTOM_USE_CASE_CODE, PRODUCTS } from '~/domain/catalogue'
import { type ChecklistInput } from '~/domain/checklist'
import { CHECKLIST_LIMITS } from './checklist'
import { PERSONAL_DATA_ANSWERS } from './apps'

/**
 * The request form. Saving a draft only enforces shape and length: an
 * incomplete draft is normal, and what is missing is the checklist's to say
 * (with how to fix it), live beside the form.
 */
const text = (max: number) => z.string().max(max, `Use at most ${max.toLocaleString('en')} characters.`)


export const RequestFieldsSchema = z.object({
	companyName: text(CHECKLIST_LIMITS.name),
	appName: text(CHECKLIST_LIMITS.name),
	appKey: text(CHECKLIST_LIMITS.name),
	appType: z.enum([...APP_TYPES, ''], 'Pick an app type from the list.'),
	products: z.array(z.enum(PRODUCTS, 'Unknown product.')).max(PRODUCTS.length),
	marketplaceListingUrl: text(CHECKLIST_LIMITS.url),
	privacyPolicyUrl: text(CHECKLIST_LIMITS.url),
	termsOfUseUrl: text(CHECKLIST_LIMITS.url),
	storesPersonalData: z.enum(PERSONAL_DATA_ANSWERS, 'Answer yes, no or not decided.'),
	useCaseCodes: z.array(z.string().max(CHECKLIST_LIMITS.useCaseCode)).max(20, 'Pick at most 20 use cases.'),
	customUseCases: z
		.array(z.object({ description: text(CHECKLIST_LIMITS.useCaseDescription) }))
		.max(20, 'Add at most 20 custom use cases.'),
	functionalityDescription: text(CHECKLIST_LIMITS.longText),
	privacyPolicyExcerpt: text(CHECKLIST_LIMITS.longText),
})

export type RequestFields = z.infer<typeof RequestFieldsSchema>

/** What the action receives: the fields plus the version the editor started from. */
export const SaveRequestSchema = RequestFieldsSchema.extend({
	intent: z.literal('save'),
	version: z.coerce.number().int().positive(),
})

/** Form field names that are always arrays in form data. */
export const REQUEST_ARRAY_FIELDS = ['products', 'useCaseCodes', 'customUseCases'] as const

/** Custom rows left blank are not use cases; they are dropped, not flagged. */
export function customUseCasesOf(fields: Pick<RequestFields, 'customUseCases'>) {
	return (fields.customUseCases ?? [])
		.map((row) => row?.description?.trim() ?? '')
		.filter((description) => description.length > 0)
}

const blankToUndefined = (value: string | undefined) => (value?.trim() ? value : undefined)

/**
 * Form values → checklist engine input. The browser's live checklist and the
 * server use this same mapping and the same engine, so they always agree.
 */
export function toChecklistInput(fields: Partial<RequestFields>): ChecklistInput {
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
		storesPersonalData:
			fields.storesPersonalData === 'yes' ? true : fields.storesPersonalData === 'no' ? false : null,
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
