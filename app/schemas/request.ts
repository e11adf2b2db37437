import { z } from 'zod'
import { APP_TYPES, CUSTOM_USE_CASE_CODE, isUseCaseCode, PRODUCTS } from '~/domain/catalogue'
import { evaluateRequest, type ChecklistResult } from '~/domain/checklist'
import { emailAddressErrors, toChecklistInput, type RequestFormFields } from '~/domain/request-fields'
import { HTTP_URL_MESSAGE, isHttpUrl } from '~/domain/urls'
import { PERSONAL_DATA_ANSWERS } from './apps'
import { CHECKLIST_LIMITS } from './checklist'
import { refuseHiddenCharacters } from './text'

/** A catalogue code the editor may tick ('other' is a custom row, not a box). */
export const isFormUseCaseCode = (code: string): boolean => isUseCaseCode(code) && code !== CUSTOM_USE_CASE_CODE

/**
 * The request form. Saving a draft only enforces shape and length: an
 * incomplete draft is normal, and what is missing is the checklist's to say
 * (with how to fix it), live beside the form.
 */
const text = (max: number) => z.string().max(max, `Use at most ${max.toLocaleString('en')} characters.`)
/** One-line names and keys, and text of several lines: no NUL, control or bidi characters (domain/text.ts). */
const line = (max: number, kind: 'line' | 'key' = 'line') => text(max).superRefine(refuseHiddenCharacters(kind))
const lines = (max: number) => text(max).superRefine(refuseHiddenCharacters('text'))

export const RequestFieldsSchema = z.object({
	companyName: line(CHECKLIST_LIMITS.name),
	appName: line(CHECKLIST_LIMITS.name),
	appKey: line(CHECKLIST_LIMITS.name, 'key'),
	appType: z.enum([...APP_TYPES, ''], 'Pick an app type from the list.'),
	products: z.array(z.enum(PRODUCTS, 'Unknown product.')).max(PRODUCTS.length),
	// Any text while typing (the checklist says what is wrong); refused on save unless a web address (refuseNonWebUrls).
	marketplaceListingUrl: text(CHECKLIST_LIMITS.url),
	privacyPolicyUrl: text(CHECKLIST_LIMITS.url),
	termsOfUseUrl: text(CHECKLIST_LIMITS.url),
	storesPersonalData: z.enum(PERSONAL_DATA_ANSWERS, 'Answer yes, no or not decided.'),
	// Codes of the catalogue only; a custom use case is described in customUseCases (docs/rules.md › Use-case catalogue).
	useCaseCodes: z
		.array(z.string().max(CHECKLIST_LIMITS.useCaseCode))
		.max(20, 'Pick at most 20 use cases.')
		.refine(
			(codes) => codes.every(isFormUseCaseCode),
			'Pick use cases from the list: one of those sent is not in the catalogue. Describe anything else as a custom use case.',
		),
	customUseCases: z
		.array(z.object({ description: line(CHECKLIST_LIMITS.useCaseDescription) }))
		.max(20, 'Add at most 20 custom use cases.'),
	functionalityDescription: lines(CHECKLIST_LIMITS.longText),
	privacyPolicyExcerpt: lines(CHECKLIST_LIMITS.longText),
})

export type RequestFields = z.infer<typeof RequestFieldsSchema>

// The schema's output is the shape the domain's rules read (app/domain/request-fields.ts): a change to one fails here.
const _sameShape: z.ZodType<RequestFormFields> = RequestFieldsSchema

const refuseEmailAddresses = (fields: RequestFields, ctx: z.RefinementCtx) => {
	for (const [key, message] of Object.entries(emailAddressErrors(fields))) {
		ctx.addIssue({
			code: 'custom',
			message,
			path: key.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
		})
	}
}

const URL_FIELDS = ['marketplaceListingUrl', 'privacyPolicyUrl', 'termsOfUseUrl'] as const

/**
 * A draft may be incomplete, but what is saved must be what it says: a URL
 * field holds a web address or nothing (never `javascript:` or `data:`; the
 * one URL check, domain/urls.ts). The live checklist runs without this, so
 * it keeps working while a URL is being typed.
 */
const refuseNonWebUrls = (fields: RequestFields, ctx: z.RefinementCtx) => {
	for (const key of URL_FIELDS) {
		const value = fields[key].trim()
		if (value !== '' && !isHttpUrl(value)) ctx.addIssue({ code: 'custom', message: HTTP_URL_MESSAGE, path: [key] })
	}
}

const refuseUnsaveable = (fields: RequestFields, ctx: z.RefinementCtx) => {
	refuseNonWebUrls(fields, ctx)
	refuseEmailAddresses(fields, ctx)
}

/** The editor in the browser: the shape, web addresses only, and no email address in what goes to Atlassian. */
export const RequestFormSchema = RequestFieldsSchema.superRefine(refuseUnsaveable)

/** What the action receives: the fields plus the version the editor started from. */
export const SaveRequestSchema = RequestFieldsSchema.extend({
	intent: z.literal('save'),
	version: z.coerce.number().int().positive(),
}).superRefine(refuseUnsaveable)

/**
 * The live checklist of the editor, or null while the values do not have
 * the form's shape and limits (a field over its length, a wrong type). The
 * engine never runs on values the schema refused: after a refused save the
 * page is rendered with what was posted, however long, and its cost must
 * stay that of a valid request.
 */
export function formChecklist(values: unknown): ChecklistResult | null {
	const parsed = RequestFieldsSchema.safeParse(values)
	return parsed.success ? evaluateRequest(toChecklistInput(parsed.data)) : null
}

/** Form field names that are always arrays in form data. */
export const REQUEST_ARRAY_FIELDS = ['products', 'useCaseCodes', 'customUseCases'] as const
