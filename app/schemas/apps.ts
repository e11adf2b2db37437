import { z } from 'zod'
import { APP_TYPE_RULES, APP_TYPES, PRODUCT_LABELS, PRODUCTS } from '~/domain/catalogue'
import { containsEmailAddress } from '~/domain/email-addresses'
import { PERSONAL_DATA_ANSWERS, type PersonalDataAnswer } from '~/domain/reporting-cycle'
import { HTTP_URL_MESSAGE, isHttpUrl } from '~/domain/urls'
import { keyText, lineText, searchText } from './text'

// Shared by the browser (zodResolver) and the actions (safeParse): docs/architecture.md › Routes and forms.

export const APP_LIMITS = { name: 120, appKey: 200, url: 2048, search: 200 } as const

// The answers are defined once, in the domain (db/schema.ts's enum reads them too).
export { PERSONAL_DATA_ANSWERS, type PersonalDataAnswer }

export const PERSONAL_DATA_LABELS: Record<PersonalDataAnswer, string> = {
	yes: 'Yes, it stores personal data',
	no: 'No, it stores no personal data',
	undecided: 'Not decided yet',
}

/** Optional URL: empty means "not given" and is stored as null (one URL check: domain/urls.ts). */
const optionalUrl = (what: string) =>
	z
		.string()
		.trim()
		.max(APP_LIMITS.url, `Shorten the ${what} to at most ${APP_LIMITS.url} characters.`)
		.refine((value) => value === '' || isHttpUrl(value), HTTP_URL_MESSAGE)
		.optional()
		.transform((value) => (value ? value : null))

const appTypeOptions = APP_TYPES.map((type) => APP_TYPE_RULES[type].label).join(', ')

export const AppSchema = z.object({
	name: lineText()
		.min(1, 'Enter the app’s name, as it appears on the Marketplace or in the developer console.')
		.max(APP_LIMITS.name, `Shorten the name to at most ${APP_LIMITS.name} characters.`)
		// The name goes into the request sent to Atlassian (docs/rules.md › Emails are never stored).
		.refine(
			(value) => !containsEmailAddress(value),
			'Remove the email address: use the app’s name as it appears on the Marketplace or in the developer console.',
		),
	// Connect app key (from the descriptor) or Forge app id / ARI (from manifest.yml).
	appKey: keyText()
		.min(1, 'Enter the Connect app key or the Forge app id (ari:cloud:ecosystem::app/…).')
		.max(APP_LIMITS.appKey, `Shorten the app key to at most ${APP_LIMITS.appKey} characters.`)
		.regex(
			/^\S+$/,
			'Remove the spaces: an app key or app id is one word. Copy it exactly from the descriptor or manifest.',
		)
		.refine(
			(value) => !containsEmailAddress(value),
			'An app key or app id is never an email address: copy the key from the Connect descriptor or the app id from the Forge manifest.',
		),
	appType: z.enum(APP_TYPES, `Choose the app type: ${appTypeOptions}.`),
	// The Email API has separate Jira and Confluence endpoints, so the request must name the products.
	products: z
		.array(z.enum(PRODUCTS, `Choose ${PRODUCTS.map((product) => PRODUCT_LABELS[product]).join(' or ')}.`))
		.min(1, 'Choose at least one product: the Email API endpoints are separate for Jira and Confluence.')
		.transform((list) => PRODUCTS.filter((product) => list.includes(product))),
	marketplaceListingUrl: optionalUrl('Marketplace listing URL'),
	privacyPolicyUrl: optionalUrl('privacy policy URL'),
	termsOfUseUrl: optionalUrl('terms-of-use URL'),
	storesPersonalData: z.enum(
		PERSONAL_DATA_ANSWERS,
		'Say whether the app stores personal data; choose “Not decided yet” if you do not know.',
	),
})

/** What a form holds (URLs as typed); the same shape as the fields on the page. */
/** What the services take (URLs null when left empty, products deduplicated). */
export type AppInput = z.output<typeof AppSchema>

/** The app page posts several actions; `intent` picks one (docs/architecture.md › Routes and forms). */
export const AppActionSchema = z.discriminatedUnion('intent', [
	// `version`: the app's version the form was opened at, checked on save (no lost updates).
	z.object({
		intent: z.literal('update'),
		...AppSchema.shape,
		version: z.coerce.number('Reload the page and try again.').int().positive(),
	}),
	z.object({ intent: z.literal('archive') }),
	z.object({ intent: z.literal('restore') }),
])

/** The list page's query string; anything odd falls back to the default instead of failing. */
export const AppListQuerySchema = z.object({
	q: searchText(APP_LIMITS.search),
	archived: z
		.enum(['1', 'on', 'true'])
		.optional()
		.catch(undefined)
		.transform((value) => value !== undefined),
	page: z.coerce.number().int().min(1).max(100_000).catch(1),
})
