/** "Acme Apps GmbH" → "acme-apps-gmbh"; never empty. */
export function slugify(name: string): string {
	const slug = name
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 40)
		.replace(/-+$/g, '')
	return slug || 'org'
}

/** The first of `base`, `base-2`, `base-3`… that is not taken. */
export function uniqueSlug(base: string, taken: ReadonlySet<string>): string {
	if (!taken.has(base)) return base
	for (let n = 2; ; n++) {
		const candidate = `${base}-${n}`
		if (!taken.has(candidate)) return candidate
	}
}

/**
 * What an organisation slug in a URL can be: lower-case letters, digits and
 * hyphens, as slugify makes them. Anything else (`%E2%80%AE`, `%0d%0a`, a NUL)
 * names no organisation: a 404 before any query, and never copied into a
 * header such as `Location`.
 */
export function isSlug(value: unknown): value is string {
	return typeof value === 'string' && /^[a-z0-9-]{1,64}$/.test(value)
}
