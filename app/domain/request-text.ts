import { APP_TYPE_RULES, findUseCase, isAppType, PRODUCT_LABELS, PRODUCTS } from './catalogue'
import { capitalise } from './text'
import type { ChecklistInput } from './checklist-input'

/**
 * The text a vendor pastes into Atlassian's request, in the order of the
 * "In your request you must provide" list (docs/rules.md › Request checklist).
 * Nothing here validates: the checklist does that.
 */

export const MISSING = '(missing)'

/** Trimmed string, or '' for anything that is not one (API bodies can be odd). */
function str(value: unknown): string {
	return typeof value === 'string' ? value.trim() : ''
}

/**
 * Every run of white space as one space, like `replace(/\s+/g, ' ')`, but
 * a single space is left where it is: on a text of a million words that is
 * a hundred times faster, and the cost stays linear.
 */
export function collapseWhitespace(text: string): string {
	return text.replace(/\s{2,}|[^\S ]/g, ' ')
}

/** One-line fields must not break the layout of the text. */
function line(value: unknown): string {
	const text = collapseWhitespace(str(value))
	return text === '' ? MISSING : text
}

/** Multi-line fields keep their paragraphs, with normalised line ends. */
function block(value: unknown): string {
	const text = str(value)
		.replace(/\r\n?/g, '\n')
		.replace(/\n{3,}/g, '\n\n')
	return text === '' ? MISSING : text
}

/** The app type in words ("Forge app"), as Atlassian's form asks for it. */
export function appTypeText(value: unknown): string {
	return isAppType(value) ? APP_TYPE_RULES[value].label : MISSING
}

/** "Jira, Confluence", in catalogue order, each once. */
export function productsText(value: unknown): string {
	const chosen: unknown[] = Array.isArray(value) ? value : []
	const names = PRODUCTS.filter((product) => chosen.includes(product)).map((product) => PRODUCT_LABELS[product])
	return names.length > 0 ? names.join(', ') : MISSING
}

function personalData(value: unknown): string {
	if (value === true) return 'Yes'
	if (value === false) return 'No'
	return MISSING
}

/** As many use cases as the checklist reads (MAX_USE_CASES); a longer list fails it anyway. */
const MAX_LISTED = 100

function linesForUseCases(value: unknown): string[] {
	const all: unknown[] = Array.isArray(value) ? value : []
	const entries = all.slice(0, MAX_LISTED)
	const lines = entries.map((entry) => {
		const record: Record<string, unknown> =
			typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {}
		const code = str(record.code)
		const description = collapseWhitespace(str(record.description))
		const known = findUseCase(code)
		let label: string
		if (known && known.list !== 'custom') label = capitalise(known.label)
		else if (known) label = 'Other'
		else label = code === '' ? 'Use case (no code)' : `Use case "${collapseWhitespace(code)}"`
		return `- ${label}${description === '' ? (known?.list === 'custom' ? `: ${MISSING}` : '') : `: ${description}`}`
	})
	if (all.length > entries.length)
		lines.push(`- (${(all.length - entries.length).toLocaleString('en')} more not listed)`)
	return lines.length > 0 ? lines : [`- ${MISSING}`]
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
		`App type: ${appTypeText(source.appType)}`,
		`Products: ${productsText(source.products)}`,
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
		...linesForUseCases(source.useCases),
		'',
		'Functionality that requires email address:',
		block(source.functionalityDescription),
		'',
		'Privacy policy language on how email addresses are processed:',
		block(source.privacyPolicyExcerpt),
	)
	return lines.join('\n')
}

// ── The printed record (the request text's print view) ──────────────────────

export type RequestMilestone = { label: string; at: Date }

/**
 * Dated steps of a request, from its timeline: the state each step reached,
 * in words. "Sent to Atlassian" is the first time it was; the others are the
 * latest (a request sent back and resubmitted was submitted when it last was).
 */
const MILESTONES: Record<string, { label: string; first?: boolean }> = {
	in_review: { label: 'Submitted for review' },
	ready_to_submit: { label: 'Review completed' },
	submitted: { label: 'Sent to Atlassian', first: true },
	approved: { label: 'Approved by Atlassian' },
	declined: { label: 'Declined by Atlassian' },
	revoked: { label: 'Access revoked by Atlassian' },
	withdrawn: { label: 'Withdrawn' },
}

export function requestMilestones(
	createdAt: Date | string,
	events: readonly { fromState?: string | null; toState: string | null; at: Date | string }[],
): RequestMilestone[] {
	const found = new Map<string, Date>()
	for (const event of events) {
		// Notes and follow-ups keep the state (from = to): they are no milestone.
		if (event.fromState !== undefined && event.fromState === event.toState) continue
		const rule = event.toState ? MILESTONES[event.toState] : undefined
		if (!rule || (rule.first && found.has(rule.label))) continue
		found.set(rule.label, new Date(event.at))
	}
	const steps = [...found].map(([label, at]) => ({ label, at }))
	steps.sort((a, b) => a.at.getTime() - b.at.getTime())
	return [{ label: 'Created', at: new Date(createdAt) }, ...steps]
}
