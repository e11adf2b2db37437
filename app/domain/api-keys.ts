/**
 * API keys of an organisation (docs/rules.md › Audit trail: a key's every
 * change is recorded under its name). Pure: the key's format, its scopes and
 * what each scope allows. The key itself is shown once and stored only as its
 * SHA-256 (app/services/api-keys.server.ts).
 */

/** What a key may do; a key holds one or more. Independent grants: a write scope does not imply `read`. */
export const API_SCOPES = ['read', 'apps:write', 'accounts:write', 'reports:write'] as const
export type ApiScope = (typeof API_SCOPES)[number]

export const API_SCOPE_LABELS: Record<ApiScope, string> = {
	read: 'Read apps, report batches and tasks',
	'apps:write': 'Register and change apps',
	'accounts:write': 'Push and remove stored accounts, complete tasks',
	'reports:write': 'Record report runs',
}

/** Every key starts so: secret scanners and people recognise it. */
export const API_KEY_PREFIX = 'clr_'
/** Characters after `clr_` kept as the key's visible start (in lists and the audit log): enough to tell keys apart, far too few to use. */
export const API_KEY_VISIBLE_CHARS = 8
/** 32 random bytes in base64url: 43 characters. */
export const API_KEY_SECRET_LENGTH = 43
export const API_KEY_NAME_MAX = 80

const KEY_FORMAT = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{${API_KEY_SECRET_LENGTH}}$`)

/** True for a string shaped like a Clearance API key (checked before any database look-up). */
export function isApiKeyFormat(value: string): boolean {
	return KEY_FORMAT.test(value)
}

/** `clr_AbCd1234`: the part of a key that may be shown after it was created. */
export function visiblePrefix(key: string): string {
	return key.slice(0, API_KEY_PREFIX.length + API_KEY_VISIBLE_CHARS)
}

export function isApiScope(value: unknown): value is ApiScope {
	return typeof value === 'string' && (API_SCOPES as readonly string[]).includes(value)
}

/** Known scopes only, no duplicates, in the canonical order. */
export function normaliseScopes(scopes: readonly string[]): ApiScope[] {
	return API_SCOPES.filter((scope) => scopes.includes(scope))
}

/**
 * Reads `read,apps:write` (the CLI's `--scopes`): the scopes, or the words
 * that are not scopes. `all` stands for every scope.
 */
export function parseScopeList(text: string): { ok: true; scopes: ApiScope[] } | { ok: false; unknown: string[] } {
	const words = text
		.split(/[\s,]+/)
		.map((word) => word.trim())
		.filter(Boolean)
	if (words.length === 1 && words[0] === 'all') return { ok: true, scopes: [...API_SCOPES] }
	const unknown = words.filter((word) => !isApiScope(word))
	if (unknown.length > 0) return { ok: false, unknown }
	const scopes = normaliseScopes(words)
	return scopes.length > 0 ? { ok: true, scopes } : { ok: false, unknown: [] }
}

export function hasScope(scopes: readonly string[], scope: ApiScope): boolean {
	return scopes.includes(scope)
}
