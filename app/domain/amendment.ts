import { type RequestFields } from '~/schemas/request'
import { CUSTOM_USE_CASE_CODE } from './catalogue'
import { identityOfUseCase } from './use-case-diff'

/** What the checklist says while an amendment changes nothing (the service refuses to send it for review). */
export const NOTHING_AMENDED =
	'This amendment is still the same as the approved request: add the new email use, or make the change you need, before submitting it for review.'

/** Why such an amendment is not submitted: short, as the checklist beside it says what to do. */
export const NOTHING_TO_SUBMIT = 'Nothing to submit yet: this amendment is still the same as the approved request.'

/**
 * Whether an amendment says nothing its approved request did not (docs/rules.md › Appropriate use: an amendment
 * carries a new or changed email use). Every field a person fills in is compared as Atlassian would read it:
 * spaces around and between words do not count, nor the order of lists, nor a custom use case retyped in
 * another case (as `identityOfUseCase` compares them). Pure: the editor says it live, the service refuses to send
 * such an amendment for review.
 */
export function amendsNothing(approved: Partial<RequestFields>, next: Partial<RequestFields>): boolean {
	return comparable(approved) === comparable(next)
}

const words = (text: string | undefined) => (text ?? '').trim().replace(/\s+/g, ' ')
const setOf = (items: readonly (string | undefined)[] | undefined) =>
	[...new Set((Array.isArray(items) ? items : []).map(words).filter(Boolean))].sort()

function comparable(fields: Partial<RequestFields>): string {
	return JSON.stringify([
		words(fields.companyName),
		words(fields.appName),
		words(fields.appKey),
		fields.appType ?? '',
		setOf(fields.products),
		words(fields.marketplaceListingUrl),
		words(fields.privacyPolicyUrl),
		words(fields.termsOfUseUrl),
		fields.storesPersonalData ?? 'undecided',
		setOf(fields.useCaseCodes),
		// Custom use cases as the amendment's diff compares them; a blank row (the form keeps one) is none.
		setOf(
			(Array.isArray(fields.customUseCases) ? fields.customUseCases : [])
				.filter((useCase) => words(useCase?.description) !== '')
				.map((useCase) => identityOfUseCase({ code: CUSTOM_USE_CASE_CODE, description: useCase.description })),
		),
		words(fields.functionalityDescription),
		words(fields.privacyPolicyExcerpt),
	])
}
