import { type CheckId } from './checklist'

/**
 * Atlassian's own pages behind the checklist, by the titles and addresses
 * docs/rules.md › Sources lists. Screens cite these (a person can open
 * them); the API's `source` keeps naming the docs/rules.md section.
 */
export type AtlassianSource = { title: string; url: string }

export const ATLASSIAN_SOURCES = {
	emailApiGuidelines: {
		title: 'Guidelines for requesting access to email address',
		url: 'https://community.developer.atlassian.com/t/guidelines-for-requesting-access-to-email-address/27603',
	},
	profileVisibility: {
		title: 'Profile visibility',
		url: 'https://developer.atlassian.com/cloud/jira/platform/profile-visibility/',
	},
	userPrivacy: {
		title: 'User privacy guide for app developers',
		url: 'https://developer.atlassian.com/platform/forge/user-privacy-guidelines/',
	},
	threeLo: {
		title: 'OAuth 2.0 (3LO) apps don’t have access to restricted email addresses',
		url: 'https://community.developer.atlassian.com/t/oauth-2-0-3lo-apps-dont-have-access-to-restricted-email-addresses/57266',
	},
	connectEndOfSupport: {
		title: 'Announcing Connect end of support timeline and next steps',
		url: 'https://www.atlassian.com/blog/developer/announcing-connect-end-of-support-timeline-and-next-steps',
	},
} as const satisfies Record<string, AtlassianSource>

/**
 * Where a check's rule comes from, for people: Atlassian's pages, and what
 * Clearance adds itself where it adds something (docs/rules.md › Request
 * checklist, its "source" columns).
 */
export type CheckCitation = { atlassian: readonly AtlassianSource[]; clearance?: string }

const { emailApiGuidelines, profileVisibility, threeLo, connectEndOfSupport } = ATLASSIAN_SOURCES

export const CHECK_CITATIONS: Record<CheckId, CheckCitation> = {
	company: { atlassian: [emailApiGuidelines] },
	app_identity: { atlassian: [emailApiGuidelines] },
	app_type: { atlassian: [emailApiGuidelines, profileVisibility, threeLo] },
	privacy_policy: { atlassian: [emailApiGuidelines] },
	terms_of_use: { atlassian: [emailApiGuidelines] },
	personal_data: { atlassian: [emailApiGuidelines] },
	use_cases: { atlassian: [emailApiGuidelines, profileVisibility] },
	functionality: {
		atlassian: [emailApiGuidelines],
		clearance: 'Clearance counts “a couple of sentences” as at least 80 characters and 10 words.',
	},
	policy_language: { atlassian: [emailApiGuidelines] },
	no_email_addresses: {
		atlassian: [profileVisibility, emailApiGuidelines],
		clearance: 'Clearance never keeps an Atlassian user’s email address.',
	},
	connect_end_of_support: { atlassian: [connectEndOfSupport] },
	policy_mentions_forbidden_use: { atlassian: [emailApiGuidelines, profileVisibility] },
	listing_not_marketplace: {
		atlassian: [emailApiGuidelines],
		clearance: 'A check Clearance adds: Atlassian reads the documents from the listing’s Privacy & Security tab.',
	},
	policy_same_as_terms: {
		atlassian: [emailApiGuidelines],
		clearance: 'A check Clearance adds: Atlassian asks for both documents.',
	},
	use_case_reads_like_rejected: {
		atlassian: [emailApiGuidelines],
		clearance: 'The likeness is Clearance’s suggestion; a reviewer decides.',
	},
}
