/**
 * Headers for every HTML response. The CSP allows only our own scripts and
 * the inline hydration script carrying this request's nonce
 * (style.md, habit 10).
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
