import {
	APP_TYPE_RULES,
	connectEndOfSupportText,
	EMAIL_API_REPORTING_CYCLE_DAYS,
	type Eligibility,
	findUseCase,
	FORGE_EMAIL_SCOPES,
	isAppType,
	isProduct,
	MARKETPLACE_HOST,
	type Product,
	PRODUCTS,
	type UseCaseCode,
} from './catalogue'
import { type ChecklistInput } from './checklist-input'
import {
	fieldsWithForeignAddresses,
	joinLabels,
	maskEmailAddresses,
	ownDomainNote,
	ownDomainsOf,
	type SentText,
} from './email-addresses'
import { buildSubmissionText, collapseWhitespace } from './request-text'
import { suggestUseCase } from './suggest'
import { capitalise } from './text'
import { parseHttpUrl } from './urls'

/**
 * The request checklist (docs/rules.md › Request checklist). Pure and
 * total: any value of `ChecklistInput` — and odd runtime values that slip
 * past the type — yields a result, never an exception, because the public
 * evaluator must not answer a bad body with a 500 (docs/architecture.md › REST API).
 */

export type ChecklistField = keyof ChecklistInput

/**
 * One entry per row of the request table (docs/rules.md › Request checklist),
 * in its order, then the rule that no Atlassian user's email address is sent
 * (docs/rules.md › Emails are never stored).
 */
export const REQUIRED_CHECK_IDS = [
	'company',
	'app_identity',
	'app_type',
	'privacy_policy',
	'terms_of_use',
	'personal_data',
	'use_cases',
	'functionality',
	'policy_language',
	'no_email_addresses',
] as const
export type RequiredCheckId = (typeof REQUIRED_CHECK_IDS)[number]

/** docs/rules.md › Request checklist: warnings (do not block). */
export const WARNING_IDS = [
	'connect_end_of_support',
	'policy_mentions_forbidden_use',
	'listing_not_marketplace',
	'policy_same_as_terms',
	'use_case_reads_like_rejected',
] as const
export type WarningId = (typeof WARNING_IDS)[number]

export type CheckId = RequiredCheckId | WarningId
export type CheckStatus = 'pass' | 'fail' | 'warn'

export type Check = {
	id: CheckId
	status: CheckStatus
	message: string
	field?: ChecklistField
	source: string
}

export const ENGINE_OUTCOMES = ['auto_approvable', 'rejected', 'needs_review'] as const
export type UseCaseOutcome = (typeof ENGINE_OUTCOMES)[number]

export type UseCaseResult = {
	code: string
	outcome: UseCaseOutcome
	reason: string
	suggestedCode?: UseCaseCode
	matched?: string[]
	description?: string
}

export type ChecklistResult = {
	ready: boolean
	eligibility: { status: Eligibility; reason: string }
	checks: Check[]
	useCases: UseCaseResult[]
	reportingObligation: { required: boolean; cycleDays: typeof EMAIL_API_REPORTING_CYCLE_DAYS }
	submissionText: string
}

const REQUEST_TABLE = 'docs/rules.md › Request checklist'
export const CHECK_SOURCES: Record<CheckId, string> = {
	company: `${REQUEST_TABLE} › company`,
	app_identity: `${REQUEST_TABLE} › app_identity`,
	app_type: `${REQUEST_TABLE} › app_type; docs/rules.md › Eligibility`,
	privacy_policy: `${REQUEST_TABLE} › privacy_policy`,
	terms_of_use: `${REQUEST_TABLE} › terms_of_use`,
	personal_data: `${REQUEST_TABLE} › personal_data`,
	use_cases: `${REQUEST_TABLE} › use_cases; docs/rules.md › Use-case catalogue`,
	functionality: `${REQUEST_TABLE} › functionality`,
	policy_language: `${REQUEST_TABLE} › policy_language`,
	connect_end_of_support: `${REQUEST_TABLE} › connect_end_of_support; docs/rules.md › Eligibility`,
	policy_mentions_forbidden_use: `${REQUEST_TABLE} › policy_mentions_forbidden_use; docs/rules.md › Appropriate use`,
	listing_not_marketplace: `${REQUEST_TABLE} › listing_not_marketplace`,
	policy_same_as_terms: `${REQUEST_TABLE} › policy_same_as_terms`,
	no_email_addresses: 'docs/rules.md › Emails are never stored',
	use_case_reads_like_rejected: 'docs/rules.md › Use-case catalogue',
}

/**
 * "At least a couple of sentences" (docs/rules.md › Request checklist: functionality), made
 * countable: two short sentences come to about 80 characters and 10 words.
 * Both must hold, so neither a padded single word nor a list of ten
 * one-letter tokens passes.
 */
export const FUNCTIONALITY_MIN_CHARS = 80
export const FUNCTIONALITY_MIN_WORDS = 10

/**
 * The engine reads at most this many use cases: a real request has a
 * handful (the form allows 40, the API 50), and the cost of a hostile list
 * stays bounded. More fail the use-case check.
 */
export const MAX_USE_CASES = 100

/** The excerpt "must actually mention email" (docs/rules.md › Request checklist: policy_language). */
const MENTIONS_EMAIL = /e[-‐‑]?mail/i

// ── Reading odd input ───────────────────────────────────────────────────────

/** Trimmed string, or '' for anything that is not a string. */
function str(value: unknown): string {
	return typeof value === 'string' ? value.trim() : ''
}

/**
 * Short, single-line echo of user text for messages. An email address in it
 * is never echoed back (docs/rules.md › Emails are never stored).
 */
function quote(value: string, max = 60): string {
	// Cut with room for a whole address (64 + 255 characters) past the end, so none is half-masked.
	const flat = collapseWhitespace(maskEmailAddresses(value.slice(0, max + 400)))
	return `"${flat.length > max ? `${flat.slice(0, max)}…` : flat}"`
}

type UrlState = { kind: 'missing' } | { kind: 'invalid' } | { kind: 'valid'; url: URL }

/** URLs must parse and be http/https (docs/rules.md › Request checklist › privacy_policy): the one URL check (domain/urls.ts). */
function readUrl(value: unknown): UrlState {
	const text = str(value)
	if (text === '') return { kind: 'missing' }
	const url = parseHttpUrl(text)
	return url ? { kind: 'valid', url } : { kind: 'invalid' }
}

/** Same document, ignoring case of the host, a trailing slash and a fragment. */
function sameAddress(a: string, b: string): boolean {
	const normalise = (text: string): string => {
		const parsed = readUrl(text)
		if (parsed.kind !== 'valid') return text.toLowerCase()
		const url = new URL(parsed.url.href)
		url.hash = ''
		// Trailing slashes cut by a loop: `/\/+$/` backtracks on a long run of slashes.
		let href = url.href
		while (href.endsWith('/')) href = href.slice(0, -1)
		return href
	}
	return normalise(a) === normalise(b)
}

/** Words in the text, counting no further than `enough`: only short texts need the exact figure. */
function countWords(text: string, enough = Number.POSITIVE_INFINITY): number {
	const word = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu
	let count = 0
	while (count < enough && word.exec(text) !== null) count++
	return count
}

/** Characters (code points), without building an array of them. */
function countChars(text: string): number {
	let count = 0
	for (const _char of text) count++
	return count
}

function record(value: unknown): Record<string, unknown> {
	return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
}

// ── Forbidden uses (docs/rules.md › Request checklist; docs/rules.md › Appropriate use) ──

const FORBIDDEN_USES: readonly { name: string; pattern: RegExp }[] = [
	{ name: 'marketing', pattern: /\bmarketing\b/i },
	{ name: 'newsletters', pattern: /\bnews-?letters?\b/i },
	{ name: 'promotions', pattern: /\bpromotion(?:s|al)?\b/i },
	{ name: 'onboarding material', pattern: /\bon-?boarding\b/i },
	{
		name: 'renewal/subscription reminders',
		pattern: /\b(?:renewal|subscription)s? (?:reminders?|notices?|notifications?)\b|\brenewals?\b/i,
	},
	{
		name: 'sharing or selling to third parties',
		pattern:
			/\b(?:share|shares|shared|sharing|sell|sells|sold|selling|rent|rents|disclose|discloses|disclosed|transfer|transfers|transferred|give|gives)\b[^.!?;\n]{0,80}\bthird[- ]part(?:y|ies)\b/i,
	},
	{
		name: 'showing email addresses in the UI',
		pattern:
			/\b(?:show|shows|showing|shown|display|displays|displaying|displayed)\b[^.!?;\n]{0,40}\be-?mail(?: address(?:es)?|s)\b|\be-?mail address(?:es)?\b[^.!?;\n]{0,40}\b(?:shown|displayed|visible)\b/i,
	},
]

/**
 * A sentence that negates ("we never sell data to third parties") is the
 * language reviewers want to see, so it does not warn.
 */
const NEGATION = /\b(?:not|never|no|neither|nor|without)\b|n['’]t\b/i

/** Names each forbidden use found, with the words that matched. */
function findForbiddenUses(text: string): string[] {
	const found: string[] = []
	for (const sentence of text.slice(0, 20_000).split(/(?<=[.!?;])\s+|\n+/)) {
		if (NEGATION.test(sentence)) continue
		for (const { name, pattern } of FORBIDDEN_USES) {
			const match = pattern.exec(sentence)
			if (!match) continue
			const hit = `${name} (${quote(match[0], 80)})`
			if (!found.includes(hit)) found.push(hit)
		}
	}
	return found
}

// ── Use cases ───────────────────────────────────────────────────────────────

function evaluateUseCase(entry: unknown): UseCaseResult {
	const raw = record(entry)
	const code = str(raw.code)
	const description = str(raw.description)
	const withDescription = description === '' ? {} : { description }
	const known = findUseCase(code)
	if (code === '') {
		return {
			code,
			outcome: 'needs_review',
			reason: 'No use-case code given: pick one from the catalogue, or `other` with a description.',
			...withDescription,
		}
	}
	if (!known) {
		return {
			code,
			outcome: 'needs_review',
			reason: `${quote(code)} is not a use case in the catalogue: pick a listed one, or \`other\` with a description.`,
			...withDescription,
		}
	}
	if (known.list === 'approved') {
		return {
			code,
			outcome: 'auto_approvable',
			reason: `Atlassian approves “${known.label}” (${known.group}).`,
			...withDescription,
		}
	}
	if (known.list === 'rejected') {
		return {
			code,
			outcome: 'rejected',
			reason: `Atlassian does not approve “${known.label}”: remove it, or the request will be declined.`,
			...withDescription,
		}
	}
	// `other`: Atlassian reviews these one by one; a suggestion is a hint for the reviewer only.
	const suggestion = description === '' ? null : suggestUseCase(description)
	const suggested = suggestion ? findUseCase(suggestion.code) : undefined
	if (!suggestion || !suggested) {
		return {
			code,
			outcome: 'needs_review',
			reason:
				description === ''
					? 'Custom use case without a description: describe it so a reviewer can decide.'
					: 'Custom use case: Atlassian reviews these one by one, so a reviewer must decide.',
			...withDescription,
		}
	}
	const verdict =
		suggested.list === 'rejected'
			? 'which Atlassian does not approve'
			: suggested.list === 'approved'
				? 'which Atlassian approves'
				: 'in the catalogue'
	return {
		code,
		outcome: 'needs_review',
		reason: `Custom use case: it reads like “${suggested.label}”, ${verdict} (matched: ${suggestion.matched.join(', ')}). A reviewer must decide.`,
		suggestedCode: suggestion.code,
		matched: suggestion.matched,
		...withDescription,
	}
}

// ── Required checks ─────────────────────────────────────────────────────────

type RequiredCheck = Check & { id: RequiredCheckId; status: 'pass' | 'fail' }

const pass = (id: RequiredCheckId, field: ChecklistField, message: string): RequiredCheck => ({
	id,
	status: 'pass',
	message,
	field,
	source: CHECK_SOURCES[id],
})
const fail = (id: RequiredCheckId, field: ChecklistField, message: string): RequiredCheck => ({
	id,
	status: 'fail',
	message,
	field,
	source: CHECK_SOURCES[id],
})
const warn = (id: WarningId, field: ChecklistField, message: string): Check => ({
	id,
	status: 'warn',
	message,
	field,
	source: CHECK_SOURCES[id],
})

function checkCompany(input: Record<string, unknown>): RequiredCheck {
	if (str(input.companyName) !== '') return pass('company', 'companyName', 'Company name is filled in.')
	return fail(
		'company',
		'companyName',
		'Company name is missing. Enter the name of the company that publishes the app.',
	)
}

function checkAppIdentity(input: Record<string, unknown>): RequiredCheck {
	const hasName = str(input.appName) !== ''
	const hasKey = str(input.appKey) !== ''
	if (hasName && hasKey) return pass('app_identity', 'appName', 'App name and app key are filled in.')
	const fix =
		'Atlassian allowlists the app by its app id / app key (the Connect descriptor `key`, or the Forge app id).'
	if (!hasName && !hasKey)
		return fail('app_identity', 'appName', `App name and app key are missing. Enter both. ${fix}`)
	if (!hasName) return fail('app_identity', 'appName', 'App name is missing. Enter the app’s name as users see it.')
	return fail('app_identity', 'appKey', `App key is missing. Enter the app id / app key. ${fix}`)
}

function checkAppType(appType: unknown, products: readonly Product[]): RequiredCheck {
	if (appType === undefined || appType === null || appType === '') {
		return fail(
			'app_type',
			'appType',
			'App type is missing. Choose Connect or Forge: only admin-installed apps can be approved for the Email API.',
		)
	}
	if (!isAppType(appType)) {
		return fail(
			'app_type',
			'appType',
			`${typeof appType === 'string' ? quote(appType) : 'That value'} is not a known app type. Choose connect, forge, oauth2 or api_token.`,
		)
	}
	const rule = APP_TYPE_RULES[appType]
	if (appType === 'connect') return pass('app_type', 'appType', `${rule.label}: eligible. ${rule.tell}`)
	if (appType === 'forge') {
		const scopes = (products.length > 0 ? products : PRODUCTS).map((product) => FORGE_EMAIL_SCOPES[product])
		return pass(
			'app_type',
			'appType',
			`${rule.label}: eligible on a condition. The app uses the ${scopes.join(' / ')} scope${scopes.length > 1 ? 's' : ''}; a site admin must consent when installing.`,
		)
	}
	const fix =
		appType === 'oauth2'
			? 'Read only the consenting user’s own email through /me, or request access for a Forge or Connect version of the app.'
			: 'Build the integration as a Forge app and request access for that app.'
	return fail('app_type', 'appType', `${rule.label}: not eligible. ${rule.tell} ${fix}`)
}

type Document = { id: 'privacy_policy' | 'terms_of_use'; field: ChecklistField; name: string }

function checkDocument(doc: Document, urlValue: unknown, listingValue: unknown): RequiredCheck {
	const listing = readUrl(listingValue)
	// The listing's Privacy & Security tab carries both documents (docs/rules.md › Request checklist: privacy_policy,
	// terms_of_use): only a listing on Atlassian Marketplace has that tab, so only such an address stands in for them.
	const onMarketplace = listing.kind === 'valid' && listing.url.hostname === MARKETPLACE_HOST
	if (onMarketplace)
		return pass(
			doc.id,
			'marketplaceListingUrl',
			`Covered by the Marketplace listing URL, which carries the ${doc.name}.`,
		)
	const url = readUrl(urlValue)
	if (url.kind === 'valid') return pass(doc.id, doc.field, `${capitalise(doc.name)} URL is a valid address.`)
	const listingNote =
		listing.kind === 'invalid'
			? ' The Marketplace listing URL given is not a valid http/https address, so it cannot stand in for it.'
			: listing.kind === 'valid'
				? ` The Marketplace listing URL given is not on ${MARKETPLACE_HOST}, so it cannot stand in for it.`
				: ''
	if (url.kind === 'invalid') {
		return fail(
			doc.id,
			doc.field,
			`${capitalise(doc.name)} URL is not a valid http/https address. Enter the full address, starting with https://, or give the app’s Marketplace listing URL instead.${listingNote}`,
		)
	}
	return fail(
		doc.id,
		doc.field,
		`${capitalise(doc.name)} URL is missing. Enter its http/https address, or give the app’s Marketplace listing URL, which carries it.${listingNote}`,
	)
}

function checkPersonalData(value: unknown): RequiredCheck {
	if (value === true)
		return pass(
			'personal_data',
			'storesPersonalData',
			`The app stores personal data, so it must report the account ids it stores every ${EMAIL_API_REPORTING_CYCLE_DAYS} days.`,
		)
	if (value === false) return pass('personal_data', 'storesPersonalData', 'The app does not store personal data.')
	return fail(
		'personal_data',
		'storesPersonalData',
		'Say whether the app stores personal data of Atlassian users: answer yes or no — “not sure” is not accepted. If the app keeps account ids or profile data after a request ends, answer yes.',
	)
}

/** Custom use cases whose text reads like one Atlassian rejects (docs/rules.md › Use-case catalogue). */
export function readsLikeRejected(result: { code: string; suggestedCode?: string | null | undefined }): boolean {
	return (
		result.code === 'other' &&
		typeof result.suggestedCode === 'string' &&
		findUseCase(result.suggestedCode)?.list === 'rejected'
	)
}

function checkUseCases(entries: readonly unknown[], results: readonly UseCaseResult[], total: number): RequiredCheck {
	if (total > MAX_USE_CASES) {
		return fail(
			'use_cases',
			'useCases',
			`${total.toLocaleString('en')} use cases are far more than a request can hold: list at most ${MAX_USE_CASES}, each once.`,
		)
	}
	if (results.length === 0) {
		return fail(
			'use_cases',
			'useCases',
			'No use case chosen. Choose at least one of Atlassian’s approved use cases, or describe one of your own as a custom use case.',
		)
	}
	const problems: string[] = []
	const rejected = results.filter((result) => result.outcome === 'rejected')
	if (rejected.length > 0) {
		const labels = rejected.map((result) => `“${findUseCase(result.code)?.label ?? result.code}”`)
		problems.push(
			`Atlassian does not approve ${labels.join(', ')}: remove ${rejected.length > 1 ? 'them' : 'it'} from the request.`,
		)
	}
	const unknown = results.filter((result) => result.code !== '' && !findUseCase(result.code))
	if (unknown.length > 0) {
		const codes = unknown.map((result) => quote(result.code))
		problems.push(
			`Unknown use-case code ${codes.join(', ')}: pick a catalogue use case instead, or \`other\` with a description.`,
		)
	}
	if (results.some((result) => result.code === '')) {
		problems.push('A use case has no code: pick a catalogue use case, or `other` with a description.')
	}
	const undescribed = entries.filter((entry, index) => {
		const result = results[index]
		return result?.code === 'other' && str(record(entry).description) === ''
	}).length
	if (undescribed > 0) {
		problems.push(
			`${undescribed > 1 ? `${undescribed} custom use cases have` : 'A custom use case has'} no description: describe what the app does with email addresses so Atlassian can review it.`,
		)
	}
	if (problems.length > 0) return fail('use_cases', 'useCases', problems.join(' '))
	const review = results.filter((result) => result.outcome === 'needs_review').length
	const lookAlikes = results.filter(readsLikeRejected).length
	const count = `${results.length} use case${results.length > 1 ? 's' : ''}`
	return pass(
		'use_cases',
		'useCases',
		lookAlikes > 0
			? `${count}; ${review} custom one${review > 1 ? 's' : ''} will wait for a reviewer, and ${lookAlikes === 1 ? 'one reads' : `${lookAlikes} read`} like a use case Atlassian rejects (see the warning).`
			: review > 0
				? `${count}; ${review} custom one${review > 1 ? 's' : ''} will wait for a reviewer.`
				: `${count}, all on Atlassian’s approved list.`,
	)
}

function checkFunctionality(value: unknown): RequiredCheck {
	const text = collapseWhitespace(str(value))
	const howTo = `Atlassian reviewers read it: write at least a couple of sentences (${FUNCTIONALITY_MIN_CHARS}+ characters, ${FUNCTIONALITY_MIN_WORDS}+ words) on what the app does with email addresses, for whom and when.`
	if (text === '')
		return fail(
			'functionality',
			'functionalityDescription',
			`The description of the functionality that needs email addresses is missing. ${howTo}`,
		)
	const chars = countChars(text)
	// With enough characters the word count is shown only when it falls short, so counting can stop at the minimum.
	const words = countWords(text, chars < FUNCTIONALITY_MIN_CHARS ? Number.POSITIVE_INFINITY : FUNCTIONALITY_MIN_WORDS)
	if (chars < FUNCTIONALITY_MIN_CHARS || words < FUNCTIONALITY_MIN_WORDS) {
		return fail(
			'functionality',
			'functionalityDescription',
			`The functionality description is too short (${chars} characters, ${words} word${words === 1 ? '' : 's'}). ${howTo}`,
		)
	}
	return pass('functionality', 'functionalityDescription', 'The functionality description is detailed enough.')
}

function checkPolicyLanguage(value: unknown): RequiredCheck {
	const text = str(value)
	if (text === '')
		return fail(
			'policy_language',
			'privacyPolicyExcerpt',
			'The privacy policy excerpt is missing. Paste the passage of your privacy policy that says how email addresses are processed.',
		)
	if (!MENTIONS_EMAIL.test(text))
		return fail(
			'policy_language',
			'privacyPolicyExcerpt',
			'The privacy policy excerpt does not mention email. Paste the passage that says how email addresses are collected, used and kept; if the policy has none, add one first.',
		)
	return pass('policy_language', 'privacyPolicyExcerpt', 'The privacy policy excerpt covers email addresses.')
}

/**
 * Every field of the request text goes to Atlassian, so none may hold an
 * Atlassian user's email address (docs/rules.md › Emails are never stored).
 * The vendor's own addresses (at the domain of its policy, terms or listing
 * URL) may stay: a policy rightly quotes "contact privacy@vendor.com".
 */
export function sentTextsOf(input: Record<string, unknown>, useCaseEntries: readonly unknown[]): SentText[] {
	const texts: SentText[] = [
		{ key: 'companyName', label: 'the company name', text: input.companyName },
		{ key: 'appName', label: 'the app name', text: input.appName },
		{ key: 'appKey', label: 'the app key', text: input.appKey },
		{ key: 'marketplaceListingUrl', label: 'the Marketplace listing URL', text: input.marketplaceListingUrl },
		{ key: 'privacyPolicyUrl', label: 'the privacy policy URL', text: input.privacyPolicyUrl },
		{ key: 'termsOfUseUrl', label: 'the terms-of-use URL', text: input.termsOfUseUrl },
	]
	let custom = 0
	useCaseEntries.forEach((entry, index) => {
		const { code, description } = record(entry)
		const isCustom = code === 'other'
		if (isCustom) custom++
		const label = isCustom ? `custom use case ${custom}` : `use case ${index + 1}`
		texts.push({ key: `useCases.${index}.code`, label, text: code })
		texts.push({ key: `useCases.${index}.description`, label, text: description })
	})
	texts.push(
		{ key: 'functionalityDescription', label: 'the functionality description', text: input.functionalityDescription },
		{ key: 'privacyPolicyExcerpt', label: 'the privacy policy excerpt', text: input.privacyPolicyExcerpt },
	)
	return texts
}

function checkEmailAddresses(input: Record<string, unknown>, useCaseEntries: readonly unknown[]): RequiredCheck {
	const own = ownDomainsOf([input.privacyPolicyUrl, input.termsOfUseUrl, input.marketplaceListingUrl])
	const found = fieldsWithForeignAddresses(sentTextsOf(input, useCaseEntries), own)
	if (found.length === 0) {
		return pass(
			'no_email_addresses',
			'functionalityDescription',
			'No Atlassian user’s email address in the text sent to Atlassian.',
		)
	}
	const labels = [...new Set(found.map((field) => field.label))]
	const first = found[0]!.key
	const field: ChecklistField = first.startsWith('useCases.') ? 'useCases' : (first as ChecklistField)
	return fail(
		'no_email_addresses',
		field,
		`${capitalise(joinLabels(labels.slice(0, 4)))}${labels.length > 4 ? ` and ${labels.length - 4} more` : ''} ${labels.length > 1 ? 'hold' : 'holds'} an email address. Remove it: Atlassian must not receive an Atlassian user’s address and Clearance never keeps one; describe the person by role instead (“the user who triggered the alert”). ${ownDomainNote(own)}`,
	)
}

// ── Warnings ────────────────────────────────────────────────────────────────

function warnings(input: Record<string, unknown>, appType: unknown, useCases: readonly UseCaseResult[]): Check[] {
	const found: Check[] = []
	if (appType === 'connect') {
		found.push(
			warn(
				'connect_end_of_support',
				'appType',
				`${connectEndOfSupportText()} Plan the request for the Forge version of the app.`,
			),
		)
	}

	const inPolicy = findForbiddenUses(str(input.privacyPolicyExcerpt))
	const inDescription = findForbiddenUses(str(input.functionalityDescription))
	if (inPolicy.length > 0 || inDescription.length > 0) {
		const parts = [
			inPolicy.length > 0 ? `the privacy policy excerpt mentions ${inPolicy.join(', ')}` : '',
			inDescription.length > 0 ? `the functionality description mentions ${inDescription.join(', ')}` : '',
		].filter((part) => part !== '')
		found.push(
			warn(
				'policy_mentions_forbidden_use',
				inPolicy.length > 0 ? 'privacyPolicyExcerpt' : 'functionalityDescription',
				`${capitalise(parts.join('; '))}. Atlassian allows email only for the functionality described — no marketing, newsletters, promotions, onboarding material or renewal reminders, never shown in the UI or shared with third parties. Remove or reword these passages, or explain them to the reviewer.`,
			),
		)
	}

	const listingText = str(input.marketplaceListingUrl)
	const listing = readUrl(listingText)
	if (listing.kind === 'invalid') {
		found.push(
			warn(
				'listing_not_marketplace',
				'marketplaceListingUrl',
				`The Marketplace listing URL is not a valid http/https address. Use the app’s page on ${MARKETPLACE_HOST}, or leave it empty and give the privacy policy and terms URLs.`,
			),
		)
	} else if (listing.kind === 'valid' && listing.url.hostname !== MARKETPLACE_HOST) {
		found.push(
			warn(
				'listing_not_marketplace',
				'marketplaceListingUrl',
				`The Marketplace listing URL is on ${quote(listing.url.hostname)}, not ${MARKETPLACE_HOST}. Use the app’s page on ${MARKETPLACE_HOST}; Atlassian reads the privacy policy and terms from its Privacy & Security tab.`,
			),
		)
	}

	const privacy = str(input.privacyPolicyUrl)
	const terms = str(input.termsOfUseUrl)
	if (privacy !== '' && terms !== '' && sameAddress(privacy, terms)) {
		found.push(
			warn(
				'policy_same_as_terms',
				'termsOfUseUrl',
				'The privacy policy and terms-of-use URLs are the same address. Atlassian asks for both documents: link the customer terms of use separately, unless that page really holds both.',
			),
		)
	}

	// A custom use case that reads like a rejected one is the reviewer's
	// first concern, and must not hide behind a passing use-case check.
	const lookAlikes = useCases.filter(readsLikeRejected)
	if (lookAlikes.length > 0) {
		const each = lookAlikes.map(
			(result) =>
				`${quote(result.description ?? '')} reads like “${findUseCase(result.suggestedCode ?? '')?.label ?? ''}” (matched: ${(result.matched ?? []).join(', ')})`,
		)
		found.push(
			warn(
				'use_case_reads_like_rejected',
				'useCases',
				`${lookAlikes.length === 1 ? 'A custom use case reads' : `${lookAlikes.length} custom use cases read`} like a use case Atlassian rejects: ${each.join('; ')}. Atlassian does not approve these. Remove ${lookAlikes.length === 1 ? 'it' : 'them'}, or reword ${lookAlikes.length === 1 ? 'it' : 'each'} so it says what the email is really for; a reviewer will look at ${lookAlikes.length === 1 ? 'it' : 'them'} first.`,
			),
		)
	}
	return found
}

// ── The engine ──────────────────────────────────────────────────────────────

export function evaluateRequest(input: ChecklistInput): ChecklistResult {
	const fields = record(input)
	const appType: unknown = fields.appType
	const products = (Array.isArray(fields.products) ? (fields.products as unknown[]) : []).filter(isProduct)
	const uniqueProducts = PRODUCTS.filter((product) => products.includes(product))
	const allEntries: unknown[] = Array.isArray(fields.useCases) ? fields.useCases : []
	// Bounded cost: past MAX_USE_CASES the use-case check fails and the rest is not read.
	const useCaseEntries = allEntries.slice(0, MAX_USE_CASES)
	const useCases = useCaseEntries.map(evaluateUseCase)

	const required: RequiredCheck[] = [
		checkCompany(fields),
		checkAppIdentity(fields),
		checkAppType(appType, uniqueProducts),
		checkDocument(
			{ id: 'privacy_policy', field: 'privacyPolicyUrl', name: 'privacy policy' },
			fields.privacyPolicyUrl,
			fields.marketplaceListingUrl,
		),
		checkDocument(
			{ id: 'terms_of_use', field: 'termsOfUseUrl', name: 'customer terms of use' },
			fields.termsOfUseUrl,
			fields.marketplaceListingUrl,
		),
		checkPersonalData(fields.storesPersonalData),
		checkUseCases(useCaseEntries, useCases, allEntries.length),
		checkFunctionality(fields.functionalityDescription),
		checkPolicyLanguage(fields.privacyPolicyExcerpt),
		checkEmailAddresses(fields, useCaseEntries),
	]
	const checks: Check[] = [...required, ...warnings(fields, appType, useCases)]

	const eligibility: ChecklistResult['eligibility'] = isAppType(appType)
		? { status: APP_TYPE_RULES[appType].eligibility, reason: APP_TYPE_RULES[appType].tell }
		: {
				status: 'not_eligible',
				reason: 'No known app type chosen: only Connect and Forge apps can be approved for the Email API.',
			}

	return {
		ready: checks.every((check) => check.status !== 'fail'),
		eligibility,
		checks,
		useCases,
		reportingObligation: {
			required: fields.storesPersonalData === true,
			cycleDays: EMAIL_API_REPORTING_CYCLE_DAYS,
		},
		submissionText: buildSubmissionText(input),
	}
}
