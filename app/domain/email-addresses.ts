/**
 * Finding email addresses in text a vendor sends to Atlassian
 * (docs/rules.md › Emails are never stored). A hand-written scanner, not a
 * regular expression: it looks at each `@` once and reads at most a fixed
 * number of characters around it, so its cost grows linearly with the text
 * whatever the text holds (a run of a million letters, dots or `@`s).
 */

/** RFC 5321 caps a domain at 255 characters; nothing further right is read. */
const MAX_DOMAIN = 255

/** Characters of the local part (before the `@`), as the checklist always accepted them. */
function isLocalChar(code: number): boolean {
	return (
		(code >= 48 && code <= 57) || // 0-9
		(code >= 65 && code <= 90) || // A-Z
		(code >= 97 && code <= 122) || // a-z
		code === 46 || // .
		code === 95 || // _
		code === 37 || // %
		code === 43 || // +
		code === 45 // -
	)
}

function isLabelChar(code: number): boolean {
	return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 45
}

function isLetter(code: number): boolean {
	return (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

export type FoundAddress = {
	/** Index of the first character of the local part. */
	start: number
	/** Index just after the domain. */
	end: number
	/** The domain, lower-cased (`vendor.com`); never the whole address. */
	domain: string
}

/**
 * The domain after the `@` at `at`, or null when there is none: labels of
 * letters, digits and `-` separated by dots, ending in a top-level domain of
 * two or more letters (`a@b.co` yes; `a@localhost`, `a@1.2` no).
 */
function domainAfter(text: string, at: number): { domain: string; end: number } | null {
	const limit = Math.min(text.length, at + 1 + MAX_DOMAIN)
	let end = at + 1
	let labelStart = end
	let labels = 0
	// The end of the last label that could close the domain (a TLD of two or more letters).
	let lastGoodEnd = -1
	while (end <= limit) {
		const code = end < limit ? text.charCodeAt(end) : -1
		if (code !== -1 && isLabelChar(code)) {
			end++
			continue
		}
		// A label ends here (at a dot or at the end of the domain characters).
		if (end === labelStart) break
		labels++
		if (labels >= 2) {
			let letters = 0
			while (letters < end - labelStart && isLetter(text.charCodeAt(labelStart + letters))) letters++
			if (letters >= 2) lastGoodEnd = letters === end - labelStart ? end : labelStart + letters
		}
		if (code !== 46) break // not a dot: the domain is over
		end++
		labelStart = end
	}
	if (lastGoodEnd === -1) return null
	return { domain: text.slice(at + 1, lastGoodEnd).toLowerCase(), end: lastGoodEnd }
}

/**
 * Every email address in the text, left to right, at most `limit` of them.
 * Linear: each `@` is looked at once, with at most 64 characters read to its
 * left and 255 to its right.
 */
export function findEmailAddresses(text: string, limit = 100): FoundAddress[] {
	if (typeof text !== 'string') return []
	const found: FoundAddress[] = []
	let at = text.indexOf('@')
	while (at !== -1 && found.length < limit) {
		if (at > 0 && isLocalChar(text.charCodeAt(at - 1))) {
			const domain = domainAfter(text, at)
			if (domain) {
				let start = at - 1
				while (start > 0 && at - start < 64 && isLocalChar(text.charCodeAt(start - 1))) start--
				found.push({ start, end: domain.end, domain: domain.domain })
			}
		}
		at = text.indexOf('@', at + 1)
	}
	return found
}

export function containsEmailAddress(text: string): boolean {
	return findEmailAddresses(text, 1).length > 0
}

/** The text with each address replaced by `[email address]`, so a message can quote it without echoing one. */
export function maskEmailAddresses(text: string): string {
	const found = findEmailAddresses(text, Number.POSITIVE_INFINITY)
	if (found.length === 0) return text
	let out = ''
	let from = 0
	for (const address of found) {
		// Addresses can touch (`a@b.com@c.com`): the second starts inside the first.
		if (address.start >= from) out += `${text.slice(from, address.start)}[email address]`
		from = Math.max(from, address.end)
	}
	return out + text.slice(from)
}

// ── The vendor's own domain ────────────────────────────────────────────────

/**
 * Hosts shared by many unrelated owners: that a policy lives on
 * `vendor.atlassian.net` or `vendor.github.io` says nothing about who owns
 * addresses at `atlassian.net` or `github.io`.
 */
const SHARED_PARENTS = new Set([
	'atlassian.com',
	'atlassian.net',
	'github.io',
	'github.com',
	'gitlab.io',
	'bitbucket.io',
	'google.com',
	'notion.site',
	'gitbook.io',
	'netlify.app',
	'vercel.app',
	'pages.dev',
	'web.app',
	'firebaseapp.com',
	'herokuapp.com',
	'azurewebsites.net',
	'cloudfront.net',
	'amazonaws.com',
	'wordpress.com',
	'blogspot.com',
	'medium.com',
])

function isAtlassianHost(host: string): boolean {
	return ['atlassian.com', 'atlassian.net'].some((domain) => host === domain || host.endsWith(`.${domain}`))
}

/**
 * The vendor's own domains, from the hosts of its privacy policy, terms and
 * listing URLs (`https://www.vendor.com/privacy` → `vendor.com`). Atlassian's
 * own hosts (the Marketplace) are not the vendor's.
 */
export function ownDomainsOf(urls: readonly unknown[]): string[] {
	const domains: string[] = []
	for (const value of urls) {
		if (typeof value !== 'string' || value.trim() === '') continue
		let host: string
		try {
			const url = new URL(value.trim())
			if (url.protocol !== 'http:' && url.protocol !== 'https:') continue
			host = url.hostname.toLowerCase()
		} catch {
			continue
		}
		if (host === '' || !host.includes('.') || isAtlassianHost(host)) continue
		const domain = host.startsWith('www.') ? host.slice(4) : host
		if (!domains.includes(domain)) domains.push(domain)
	}
	return domains
}

/**
 * An address at one of the vendor's own domains: the same domain, a
 * sub-domain of it (`privacy@mail.vendor.com`), or a parent of the URL's host
 * (`privacy@vendor.com` when the policy is on `legal.vendor.com`), unless that
 * parent is a host shared by many owners.
 */
export function isOwnDomain(domain: string, ownDomains: readonly string[]): boolean {
	const address = domain.toLowerCase()
	return ownDomains.some(
		(own) =>
			address === own ||
			address.endsWith(`.${own}`) ||
			(own.endsWith(`.${address}`) && address.includes('.') && !SHARED_PARENTS.has(address)),
	)
}

/** Addresses in the text that are not at the vendor's own domains. */
export function foreignEmailAddresses(text: string, ownDomains: readonly string[]): FoundAddress[] {
	return findEmailAddresses(text).filter((address) => !isOwnDomain(address.domain, ownDomains))
}

// ── Fields of a request ────────────────────────────────────────────────────

/** One field of text sent to Atlassian, named as a person reads it ("the app name"). */
export type SentText = { key: string; label: string; text: unknown }

/** The fields holding an address that is not at one of the vendor's own domains. */
export function fieldsWithForeignAddresses(fields: readonly SentText[], ownDomains: readonly string[]): SentText[] {
	return fields.filter(
		(field) => typeof field.text === 'string' && foreignEmailAddresses(field.text, ownDomains).length > 0,
	)
}

/** "Addresses at your own domain vendor.com are fine", or how to make them so. */
export function ownDomainNote(ownDomains: readonly string[]): string {
	if (ownDomains.length === 0)
		return 'An address at your own domain is fine once your privacy policy or terms-of-use URL is on that domain.'
	const list = ownDomains.slice(0, 3)
	const names = list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]!}`
	return `Addresses at your own domain ${names} are fine.`
}

/** "the app name", "the app name and the functionality description", "a, b and c". */
export function joinLabels(labels: readonly string[]): string {
	if (labels.length <= 1) return labels[0] ?? ''
	return `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]!}`
}
