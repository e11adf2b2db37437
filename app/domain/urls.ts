/**
 * The one URL check of Clearance: a web address people and Atlassian can
 * open, `http:` or `https:` with a host. `javascript:`, `data:`, `file:`,
 * `mailto:` and addresses without a scheme are not (docs/rules.md › Request
 * checklist). Used by the app form, the request editor, the checklist engine
 * and the ticket link alike, so a URL one accepts the others accept too.
 * Pure: WHATWG URL only.
 */
export function parseHttpUrl(value: string): URL | null {
	// The URL parser silently drops a tab or line break inside an address, so
	// what was typed would not be what is opened: control and format
	// characters are refused (a space is kept, written %20).
	if (value === '' || /[\p{Cc}\p{Cf}]/u.test(value)) return null
	let url: URL
	try {
		url = new URL(value)
	} catch {
		return null
	}
	if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null
	return url
}

export function isHttpUrl(value: string): boolean {
	return parseHttpUrl(value) !== null
}

/** Shown next to a URL field that fails the check. */
export const HTTP_URL_MESSAGE = 'Enter a full URL starting with https://'
