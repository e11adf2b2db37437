import { type AppType, type Product } from './catalogue'

/**
 * What the request checklist reads (docs/rules.md › Request checklist): the
 * request's fields, each optional, so a half-filled draft, the editor while
 * typing and a body sent to the public evaluator are all inputs. Its own
 * module, so the checklist and the request text (which the checklist also
 * checks) both read it without importing each other.
 */

export type ChecklistUseCaseInput = { code: string; description?: string | undefined }

export type ChecklistInput = {
	companyName?: string | undefined
	appName?: string | undefined
	appKey?: string | undefined
	appType?: AppType | undefined
	products?: readonly Product[] | undefined
	marketplaceListingUrl?: string | undefined
	privacyPolicyUrl?: string | undefined
	termsOfUseUrl?: string | undefined
	storesPersonalData?: boolean | null | undefined
	useCases?: readonly ChecklistUseCaseInput[] | undefined
	functionalityDescription?: string | undefined
	privacyPolicyExcerpt?: string | undefined
}
