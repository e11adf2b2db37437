/**
 * Headers for every HTML response. The CSP allows only our own scripts and
 * the inline hydration script carrying this request's nonce
 * (docs/architecture.md › Sessions and security).
 */
export function securityHeaders(nonce: string, { production }: { production: boolean }) {
	const headers: Record<string, string> = {
		'X-Content-Type-Options': 'nosniff',
		// Invite links carry a token in the path: never leak it to another site.
		'Referrer-Policy': 'same-origin',
		'X-Frame-Options': 'DENY',
		'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
	}
	// Vite's dev server injects inline scripts without a nonce.
	if (production) {
		headers['Content-Security-Policy'] = [
			"default-src 'self'",
			`script-src 'self' 'nonce-${nonce}'`,
			"style-src 'self' 'unsafe-inline'",
			"img-src 'self' data:",
			"connect-src 'self'",
			"font-src 'self'",
			"object-src 'none'",
			"base-uri 'self'",
			"form-action 'self'",
			"frame-ancestors 'none'",
		].join('; ')
	}
	return headers
}

/**
 * Headers for every response the server sends (pages, JSON, CSV, downloads,
 * static files), set by `scripts/server-app.ts`. HSTS only when the request
 * came over HTTPS as the server sees it: directly, or through a proxy that
 * TRUST_PROXY names (an X-Forwarded-Proto from anyone else is ignored).
 */
export function transportHeaders({ secure, hstsMaxAgeSeconds }: { secure: boolean; hstsMaxAgeSeconds: number }) {
	const headers: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' }
	if (secure && hstsMaxAgeSeconds > 0)
		headers['Strict-Transport-Security'] = `max-age=${hstsMaxAgeSeconds}; includeSubDomains`
	return headers
}
