import type { UseCaseCode } from './catalogue'

/**
 * Keyword rules that suggest a catalogue code for a custom (`other`) use
 * case. A suggestion never decides an outcome: the use case stays
 * `needs_review` and a reviewer decides (docs/rules.md › Use-case catalogue).
 */

export type UseCaseSuggestion = { code: UseCaseCode; matched: string[] }

type Keyword = { name: string; pattern: RegExp }
type SuggestionRule = { code: Exclude<UseCaseCode, 'other'>; keywords: Keyword[] }

const kw = (name: string, pattern: RegExp): Keyword => ({ name, pattern })

/**
 * Every pattern is linear: fixed words and alternatives, and where words may
 * stand between two keywords a bounded gap (`{0,30}`), never an open `*` or
 * `+` beside another quantifier, so no text can make matching backtrack.
 *
 * The rule with the most matching keywords wins; on a tie the earlier rule
 * wins. Rejected codes come first so that "invite users to our webinar"
 * surfaces the rejected reading for the reviewer, not the approved one.
 */
export const SUGGESTION_RULES: readonly SuggestionRule[] = [
	{
		code: 'marketing_emails',
		keywords: [
			kw('newsletter', /\bnews-?letters?\b/i),
			kw('marketing', /\bmarketing\b/i),
			kw('campaign', /\bcampaigns?\b/i),
			kw('promotion', /\bpromo(?:s|tions?|tional)?\b/i),
			kw('product announcement', /\bproduct (?:announcements?|news)\b/i),
			kw('special offer', /\b(?:special offers?|discounts?|coupons?)\b/i),
		],
	},
	{
		code: 'invite_company_events',
		keywords: [
			kw('company event', /\b(?:company|corporate|team) events?\b/i),
			kw('webinar', /\bwebinars?\b/i),
			kw('conference', /\bconferences?\b/i),
			kw('meetup', /\bmeet-?ups?\b/i),
			kw('event invitation', /\bevent invit(?:e|es|ation|ations)\b/i),
		],
	},
	{
		code: 'onboarding_materials',
		keywords: [
			kw('onboarding', /\bon-?boarding\b/i),
			kw('welcome email', /\bwelcome (?:e-?mails?|messages?|series|sequences?)\b/i),
			kw('tutorial', /\btutorials?\b/i),
			kw('getting started', /\bgetting[- ]started\b/i),
			kw('tips and tricks', /\btips (?:and|&) tricks\b/i),
		],
	},
	{
		code: 'renewal_reminders',
		keywords: [
			kw('renewal', /\brenew(?:al|als|s|ed|ing)?\b/i),
			kw('subscription reminder', /\bsubscription (?:reminders?|expir(?:y|es|ed|ing|ation)|ends?|ending)\b/i),
			kw('expiry', /\bexpir(?:y|es|ed|ing|ation)\b/i),
			kw('trial ending', /\btrials? (?:ends?|ending|expir(?:y|es|ed|ing|ation)|is over)\b/i),
			kw('billing reminder', /\b(?:billing|payment|invoice) reminders?\b/i),
		],
	},
	{
		code: 'send_error_reports',
		keywords: [
			kw('error report', /\berror[- ]reports?\b/i),
			kw('crash report', /\bcrash(?:es|[- ]reports?)?\b/i),
			kw('error notification', /\berror (?:notifications?|alerts?|e-?mails?)\b/i),
			kw('failure notification', /\bfail(?:ure|ed)s? (?:notifications?|alerts?|notices?|e-?mails?)\b/i),
		],
	},
	{
		code: 'send_security_alerts',
		keywords: [
			kw('security alert', /\bsecurity (?:alerts?|notifications?|warnings?|notices?)\b/i),
			kw('suspicious activity', /\bsuspicious (?:activity|logins?|sign-?ins?)\b/i),
			kw('breach', /\bbreach(?:es)?\b/i),
			kw('vulnerability', /\bvulnerabilit(?:y|ies)\b/i),
			kw('new login', /\bnew (?:device|login|sign-?in)s?\b/i),
		],
	},
	{
		code: 'subscribe_alerts_news_feeds',
		keywords: [
			kw('news feed', /\bnews ?feeds?\b/i),
			kw(
				'subscribe to alerts',
				/\bsubscri(?:be|bes|bed|bing|ption|ptions)\b[^.!?\n]{0,30}\b(?:alerts?|updates|notifications?|feeds?)\b/i,
			),
			kw('RSS', /\brss\b/i),
			kw('watch', /\bwatch(?:es|ers?|ing)?\b/i),
			kw('digest', /\bdigests?\b/i),
		],
	},
	{
		code: 'invite_collaborators',
		keywords: [
			kw('invite', /\binvit(?:e|es|ed|ing|ation|ations)\b/i),
			kw('collaborate', /\bcollaborat(?:e|es|ed|ing|ion|ors?)\b/i),
			kw(
				'share with a colleague',
				/\bshar(?:e|es|ed|ing) with (?:a |your )?(?:colleagues?|teammates?|team members?|co-?workers?)\b/i,
			),
		],
	},
	{
		code: 'connect_mail_service',
		keywords: [
			kw('mail service', /\b(?:e-?mail|mail) (?:service|server|provider|client|integration)s?\b/i),
			kw('inbound mail', /\b(?:inbound|incoming) (?:e-?mails?|mail|messages?)\b/i),
			kw('outbound mail', /\b(?:outbound|outgoing) (?:e-?mails?|mail|messages?)\b/i),
			kw('SMTP/IMAP', /\b(?:smtp|imap|pop3)\b/i),
			kw('mailbox', /\bmailbox(?:es)?\b/i),
			kw('email to issue', /\b(?:e-?mail|mail)[- ]to[- ](?:issues?|tickets?|pages?)\b/i),
			kw('Gmail/Outlook/Exchange', /\b(?:gmail|outlook|microsoft exchange|exchange server)\b/i),
		],
	},
	{
		code: 'sync_users',
		keywords: [
			kw('sync', /\bsync(?:s|ed|ing|hroni[sz](?:e|es|ed|ing|ation))?\b/i),
			kw('user directory', /\b(?:user|employee) director(?:y|ies)\b/i),
			kw('provisioning', /\b(?:provision(?:s|ed|ing)?|scim)\b/i),
			kw('CRM', /\bcrm\b/i),
			kw('match accounts', /\b(?:match|map|link)(?:es|s|ed|ing)? (?:the )?(?:users?|accounts?)\b/i),
			kw('single sign-on', /\b(?:sso|single sign-?on)\b/i),
		],
	},
]

/** Long inputs are cut: the keywords that matter sit in the first paragraphs. */
const MAX_TEXT = 10_000

/**
 * The letters a pattern must match first, lower-cased (`\bnews-?letters?\b` →
 * "news"), or '' when it has none (it opens with a group, or has an
 * alternative at the top). A text whose lower-cased form lacks them cannot
 * match: without the `u` flag, `i` folds ASCII letters only to ASCII letters.
 * So a pattern is run only on a text that holds its literal: a plain
 * substring search, where the patterns' case-insensitive scan of up to
 * 10,000 characters each was most of the checklist's time on a long text.
 */
export function requiredLiteral(pattern: RegExp): string {
	if (/[uv]/.test(pattern.flags)) return ''
	const source = pattern.source.startsWith('\\b') ? pattern.source.slice(2) : pattern.source
	let depth = 0
	for (let i = 0; i < source.length; i++) {
		const char = source[i]
		if (char === '\\') i++
		else if (char === '(' || char === '[') depth++
		else if (char === ')' || char === ']') depth--
		else if (char === '|' && depth === 0) return ''
	}
	let literal = ''
	for (let i = 0; i < source.length && /[a-z0-9 ]/i.test(source[i]!); i++) {
		// A character a quantifier makes optional (or repeats) ends the literal before it.
		if (/[?*+{]/.test(source[i + 1] ?? '')) break
		literal += source[i]!.toLowerCase()
	}
	return literal
}

const LITERALS = new Map<RegExp, string>(
	SUGGESTION_RULES.flatMap((rule) =>
		rule.keywords.map((keyword) => [keyword.pattern, requiredLiteral(keyword.pattern)]),
	),
)

export function suggestUseCase(text: string): UseCaseSuggestion | null {
	if (typeof text !== 'string') return null
	const input = text.slice(0, MAX_TEXT)
	if (input.trim() === '') return null
	const lower = input.toLowerCase()
	const mayMatch = (pattern: RegExp) => {
		const literal = LITERALS.get(pattern) ?? ''
		return literal === '' || lower.includes(literal)
	}
	let best: UseCaseSuggestion | null = null
	for (const rule of SUGGESTION_RULES) {
		const matched = rule.keywords
			.filter((keyword) => mayMatch(keyword.pattern) && keyword.pattern.test(input))
			.map((keyword) => keyword.name)
		if (matched.length > 0 && matched.length > (best?.matched.length ?? 0)) best = { code: rule.code, matched }
	}
	return best
}
