/**
 * What Clearance knows about Email API requests: use cases, app types,
 * products and the Connect end-of-support dates (docs/rules.md). Codes are
 * stable: they are stored in the database and sent through the API.
 */

// ── Use cases (docs/rules.md › Use-case catalogue) ──────────────────────────────

/** `approved` and `rejected` are Atlassian's lists; `custom` is `other`. */
export type UseCaseList = 'approved' | 'rejected' | 'custom'
export type UseCaseGroup = 'transactional email' | 'account linking' | 'rejected by Atlassian' | 'other'

export type UseCaseEntry = {
	code: string
	label: string
	group: UseCaseGroup
	list: UseCaseList
}

export const USE_CASES = [
	{ code: 'send_error_reports', label: 'send error reports', group: 'transactional email', list: 'approved' },
	{ code: 'send_security_alerts', label: 'send security alerts', group: 'transactional email', list: 'approved' },
	{
		code: 'subscribe_alerts_news_feeds',
		label: 'let users subscribe to alerts and news feeds',
		group: 'transactional email',
		list: 'approved',
	},
	{
		code: 'invite_collaborators',
		label: 'let users invite other users to collaborate',
		group: 'transactional email',
		list: 'approved',
	},
	{
		code: 'connect_mail_service',
		label: 'connect a mail service for inbound/outbound mail processing',
		group: 'account linking',
		list: 'approved',
	},
	{ code: 'sync_users', label: 'sync users with another system', group: 'account linking', list: 'approved' },
	// The rejected list has no group in the guidelines; grouped together so a UI can show them as "not allowed".
	{
		code: 'invite_company_events',
		label: 'inviting users to company events',
		group: 'rejected by Atlassian',
		list: 'rejected',
	},
	{
		code: 'marketing_emails',
		label: 'newsletters, campaigns, marketing',
		group: 'rejected by Atlassian',
		list: 'rejected',
	},
	{
		code: 'onboarding_materials',
		label: 'sending end-user onboarding materials',
		group: 'rejected by Atlassian',
		list: 'rejected',
	},
	{
		code: 'renewal_reminders',
		label: 'subscription or renewal reminders',
		group: 'rejected by Atlassian',
		list: 'rejected',
	},
	{ code: 'other', label: 'other (describe it)', group: 'other', list: 'custom' },
] as const satisfies readonly UseCaseEntry[]

export type UseCaseCode = (typeof USE_CASES)[number]['code']

export const USE_CASE_CODES = USE_CASES.map((entry) => entry.code) as readonly UseCaseCode[]

export const REJECTED_USE_CASE_CODES = USE_CASES.filter((entry) => entry.list === 'rejected').map(
	(entry) => entry.code,
) as readonly UseCaseCode[]

export const CUSTOM_USE_CASE_CODE = 'other' satisfies UseCaseCode

const useCasesByCode = new Map<string, UseCaseEntry>(USE_CASES.map((entry) => [entry.code, entry]))

/** The catalogue entry for a code, or undefined for codes not in the catalogue (docs/rules.md › Use-case catalogue). */
export function findUseCase(code: string): UseCaseEntry | undefined {
	return useCasesByCode.get(code)
}

export function isUseCaseCode(code: string): code is UseCaseCode {
	return useCasesByCode.has(code)
}

// ── Connect end of support (docs/rules.md › Eligibility: Connect is ending) ─

/**
 * The one place these dates live: Atlassian has not published the final day
 * of support yet, so it is a month (`YYYY-MM`) until it does.
 */
export const CONNECT_END_OF_SUPPORT = {
	noNewMarketplaceApps: '2025-09-17',
	noUpdatesOrPrivateInstalls: '2026-03-31',
	endOfSupport: '2026-12',
} as const

const MONTHS = [
	'January',
	'February',
	'March',
	'April',
	'May',
	'June',
	'July',
	'August',
	'September',
	'October',
	'November',
	'December',
] as const

/** `2025-09-17` → `17 September 2025`, `2026-12` → `December 2026`; anything else unchanged. */
export function formatCatalogueDate(isoDate: string): string {
	const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(isoDate)
	const month = match ? MONTHS[Number(match[2]) - 1] : undefined
	if (!match || !month) return isoDate
	return match[3] ? `${Number(match[3])} ${month} ${match[1]}` : `${month} ${match[1]}`
}

export function connectEndOfSupportText(dates: typeof CONNECT_END_OF_SUPPORT = CONNECT_END_OF_SUPPORT): string {
	return (
		`Atlassian stopped accepting new Connect apps on the Marketplace on ${formatCatalogueDate(dates.noNewMarketplaceApps)}; ` +
		`since ${formatCatalogueDate(dates.noUpdatesOrPrivateInstalls)} Marketplace apps with a Connect descriptor cannot be updated ` +
		`and private Connect apps cannot be installed; Connect reaches end of support in ${formatCatalogueDate(dates.endOfSupport)}.`
	)
}

// ── App types (docs/rules.md › Eligibility) ──────────────────────

export const APP_TYPES = ['connect', 'forge', 'oauth2', 'api_token'] as const
export type AppType = (typeof APP_TYPES)[number]

export type Eligibility = 'eligible' | 'conditional' | 'not_eligible'

export type AppTypeEntry = {
	label: string
	eligibility: Eligibility
	/** "What Clearance tells the user" column of docs/rules.md › Eligibility. */
	tell: string
	/** Warning id that always accompanies this type. */
	warning?: 'connect_end_of_support'
}

export const APP_TYPE_RULES = {
	connect: {
		label: 'Atlassian Connect app',
		eligibility: 'eligible',
		tell:
			'The app declares the ACCESS_EMAIL_ADDRESSES scope; without approval calls fail with "The app specifies the ' +
			'ACCESS_EMAIL_ADDRESSES scope, but it is not currently approved for such access".',
		warning: 'connect_end_of_support',
	},
	forge: {
		label: 'Forge app',
		eligibility: 'conditional',
		tell:
			'The app uses the read:email-address:jira / read:email-address:confluence scopes; a site admin must consent ' +
			'when installing.',
	},
	oauth2: {
		label: 'OAuth 2.0 (3LO) integration',
		eligibility: 'not_eligible',
		tell: '3LO can only read the consenting user’s own email (/me); the Email API is not available.',
	},
	api_token: {
		label: 'Script using an API token',
		eligibility: 'not_eligible',
		tell: 'The Email API is for apps only; a personal API token script cannot be approved.',
	},
} as const satisfies Record<AppType, AppTypeEntry>

export function isAppType(value: unknown): value is AppType {
	return typeof value === 'string' && (APP_TYPES as readonly string[]).includes(value)
}

// ── Products (docs/rules.md › Eligibility: Products) ─────────────────────────────────────────

export const PRODUCTS = ['jira', 'confluence'] as const
export type Product = (typeof PRODUCTS)[number]

export const PRODUCT_LABELS: Record<Product, string> = {
	jira: 'Jira',
	confluence: 'Confluence',
}

/** Forge scope per product (docs/rules.md › Eligibility, forge row). */
export const FORGE_EMAIL_SCOPES: Record<Product, string> = {
	jira: 'read:email-address:jira',
	confluence: 'read:email-address:confluence',
}

export function isProduct(value: unknown): value is Product {
	return typeof value === 'string' && (PRODUCTS as readonly string[]).includes(value)
}

// ── Reporting (docs/rules.md › Reporting cycle) ──────

/** "Report every 15 days" per the Email API guidelines; per-app overrides live elsewhere. */
export const EMAIL_API_REPORTING_CYCLE_DAYS = 15

/** The only host that serves Marketplace listings (docs/rules.md › Request checklist: listing_not_marketplace). */
export const MARKETPLACE_HOST = 'marketplace.atlassian.com'
