import { findUseCase } from './catalogue'
import type { ChecklistInput } from './checklist'

/**
 * The text a vendor pastes into Atlassian's request, in the order of the
 * "In your request you must provide" list (domain.md › What a request must
 * contain; seed 001). Nothing here validates: the checklist does that.
 */

export const MISSING = '(missing)'

/** Trimmed string, or '' for anything that is not one (API bodies can be odd). */
function str(value: unknown): string {
	return typeof value === 'string' ? value.trim() : ''
}

/** One-line fields must not break the layout of the text. */
function line(value: unknown): string {
	const text = str(value).replace(/\s+/g, ' ')
	return text === '' ? MISSING : text
}

/** Multi-line fields keep their paragraphs, with normalised line ends. */
function block(value: unknown): string {
	const text = str(value)
		.replace(/\r\n?/g, '\n')
		.replace(/\n{3,}/g, '\n\n')
	return text === '' ? MISSING : text
}

function personalData(value: unknown): string {
	if (value === true) return 'Yes'
	if (value === false) return 'No'
	return MISSING
}

function useCaseLines(value: unknown): string[] {
	const entries: unknown[] = Array.isArray(value) ? value : []
	const lines = entries.map((entry) => {
		const record: Record<string, unknown> = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {}
		const code = str(record.code)
		const description = str(record.description).replace(/\s+/g, ' ')
		const known = findUseCase(code)
		let label: string
		if (known && known.list !== 'custom') label = capitalise(known.label)
		else if (known) label = 'Other'
		else label = code === '' ? 'Use case (no code)' : `Use case "${code.replace(/\s+/g, ' ')}"`
		return `- ${label}${description === '' ? (known?.list === 'custom' ? `: ${MISSING}` : '') : `: ${description}`}`
	})
	return lines.length > 0 ? lines : [`- ${MISSING}`]
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1)
}

export function buildSubmissionText(input: ChecklistInput): string {
	const source: ChecklistInput = typeof input === 'object' && input !== null ? input : {}
	const listing = str(source.marketplaceListingUrl)
	const privacy = str(source.privacyPolicyUrl)
	const terms = str(source.termsOfUseUrl)
	const lines = [
		`Company name: ${line(source.companyName)}`,
		`App name: ${line(source.appName)}`,
		`App ID (app key): ${line(source.appKey)}`,
	]
	// The listing stands in for both documents (its Privacy & Security tab carries them).
	if (listing !== '') {
		lines.push(`Marketplace listing: ${line(listing)}`)
		if (privacy !== '') lines.push(`Privacy policy: ${line(privacy)}`)
		if (terms !== '') lines.push(`Customer terms of use: ${line(terms)}`)
	} else {
		lines.push(`Privacy policy: ${line(privacy)}`, `Customer terms of use: ${line(terms)}`)
	}
	lines.push(
		`Does the app store personal data: ${personalData(source.storesPersonalData)}`,
		'',
		'Use cases:',
		...useCaseLines(source.useCases),
		'',
		'Functionality that requires email address:',
		block(source.functionalityDescription),
		'',
		'Privacy policy language on how email addresses are processed:',
		block(source.privacyPolicyExcerpt),
	)
	return lines.join('\n')
}
