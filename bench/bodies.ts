// The checklist bodies the benchmark sends: a typical request, one of about
// 60 KB, and the most expensive body the API accepts.
import { type ChecklistInput } from '~/domain/checklist-input'

export const typical: ChecklistInput = {
	companyName: 'Acme',
	appName: 'Acme Sync',
	appKey: 'com.acme.sync',
	appType: 'forge',
	products: ['jira', 'confluence'],
	marketplaceListingUrl: 'https://marketplace.atlassian.com/apps/1/acme-sync',
	storesPersonalData: true,
	useCases: [{ code: 'send_security_alerts' }, { code: 'other', description: 'Weekly digest of watched pages' }],
	functionalityDescription:
		'Acme Sync emails security alerts to affected users when a sync fails. Users can turn them off.',
	privacyPolicyExcerpt: 'We use email addresses only to send security alerts and never share them.',
}

// Near the API's 64 KB body limit: 30 custom use cases of 2,000 characters.
export const large: ChecklistInput = {
	...typical,
	useCases: Array.from({ length: 30 }, (_, i) => ({
		code: 'other',
		description: `Use case ${i}: `.padEnd(2000, 'notify watchers about changes to pages they follow '),
	})),
}

/**
 * The most expensive body the API accepts: just under its 64 KB limit, every
 * field at its schema cap and shaped against pattern matching — a run of
 * letters ending in `@`, dot-heavy text, runs of `@`, URLs full of slashes.
 * A backtracking email pattern once took 0.3 s on this body (and 85 s on
 * 200,000 characters); it must stay within a small multiple of a typical one.
 */
export const adversarial: ChecklistInput = {
	companyName: `${'a'.repeat(199)}@`,
	appName: `${'a.'.repeat(99)}@`,
	appKey: '@'.repeat(200),
	appType: 'forge',
	products: ['jira'],
	privacyPolicyUrl: `https://vendor.example/${'/'.repeat(2000)}x`,
	termsOfUseUrl: `https://vendor.example/${'/'.repeat(2000)}x`,
	storesPersonalData: true,
	useCases: Array.from({ length: 19 }, (_, i) => ({ code: 'other', description: (i % 2 ? 'a@' : 'a.').repeat(1000) })),
	functionalityDescription: `${'a'.repeat(9999)}@`,
	privacyPolicyExcerpt: `email ${'a.'.repeat(4997)}`,
}
