import { z } from 'zod'
import { APP_TYPES, PRODUCTS } from '~/domain/catalogue'
import type { ChecklistInput } from '~/domain/checklist-input'

/**
 * Body of `POST /api/v1/checklist/evaluate` (docs/architecture.md › REST API). Only the
 * shape is enforced here: empty or wrong answers are the checklist's job, so
 * the engine can tell the user how to fix them. Unknown keys are stripped.
 */

const text = (max: number, what: string) => z.string().max(max, `Use at most ${max} characters for ${what}.`).optional()

export const CHECKLIST_LIMITS = {
	name: 200,
	url: 2048,
	longText: 10_000,
	useCases: 50,
	useCaseCode: 64,
	useCaseDescription: 2000,
} as const

const UseCaseInputSchema = z.object({
	code: z
		.string()
		.max(CHECKLIST_LIMITS.useCaseCode, `Use at most ${CHECKLIST_LIMITS.useCaseCode} characters for a use-case code.`),
	description: text(CHECKLIST_LIMITS.useCaseDescription, 'a use-case description'),
})

export const ChecklistInputSchema = z.object({
	companyName: text(CHECKLIST_LIMITS.name, 'the company name'),
	appName: text(CHECKLIST_LIMITS.name, 'the app name'),
	appKey: text(CHECKLIST_LIMITS.name, 'the app key'),
	appType: z.enum(APP_TYPES, `Unknown app type: use one of ${APP_TYPES.join(', ')}.`).optional(),
	products: z
		.array(z.enum(PRODUCTS, `Unknown product: use ${PRODUCTS.join(' or ')}.`))
		.max(10, 'List each product once.')
		.optional(),
	marketplaceListingUrl: text(CHECKLIST_LIMITS.url, 'the Marketplace listing URL'),
	privacyPolicyUrl: text(CHECKLIST_LIMITS.url, 'the privacy policy URL'),
	termsOfUseUrl: text(CHECKLIST_LIMITS.url, 'the terms-of-use URL'),
	storesPersonalData: z.boolean('Answer true, false or null.').nullable().optional(),
	useCases: z
		.array(UseCaseInputSchema)
		.max(CHECKLIST_LIMITS.useCases, `List at most ${CHECKLIST_LIMITS.useCases} use cases.`)
		.optional(),
	functionalityDescription: text(CHECKLIST_LIMITS.longText, 'the functionality description'),
	privacyPolicyExcerpt: text(CHECKLIST_LIMITS.longText, 'the privacy policy excerpt'),
}) satisfies z.ZodType<ChecklistInput>
