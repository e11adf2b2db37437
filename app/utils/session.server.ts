import { createCookie } from '@remix-run/node'

/**
 * The cookie holds only a random session token; the session row (hashed
 * token, user, expiry) lives in the database, so logout and expiry are
 * enforced on the server (docs/architecture.md › Sessions and security).
 *
 * Why no CSRF token: the cookie is SameSite=Lax, so browsers do not send it
 * on cross-site POSTs, and no route mutates on GET. HttpOnly keeps it away
 * from scripts; Secure in production keeps it off plain HTTP.
 */
export const sessionCookie = createCookie('__clearance_session', {
	httpOnly: true,
	sameSite: 'lax',
	path: '/',
})

/**
 * `Secure` whenever the request reached us over HTTPS, directly or through a
 * TLS-terminating proxy. A plain-HTTP `npm start` on localhost still works in
 * every browser (Safari refuses Secure cookies on http://localhost).
 */
export function isHttps(request: Request) {
	const forwarded = request.headers.get('X-Forwarded-Proto')?.split(',')[0]?.trim()
	return forwarded ? forwarded === 'https' : new URL(request.url).protocol === 'https:'
}

export async function readSessionToken(request: Request): Promise<string | null> {
	const value: unknown = await sessionCookie.parse(request.headers.get('Cookie'))
	return typeof value === 'string' && value.length > 0 ? value : null
}

export function setSessionCookie(request: Request, token: string, expiresAt: Date) {
	return sessionCookie.serialize(token, { expires: expiresAt, secure: isHttps(request) })
}

export function clearSessionCookie(request: Request) {
	return sessionCookie.serialize('', { maxAge: 0, expires: new Date(0), secure: isHttps(request) })
}

/**
 * A browser that has signed in to an account before carries this random
 * token (only its hash is stored, in `rate_limits`). The per-account delay
 * after failed logins does not apply to it, so someone who knows an email
 * address cannot keep its owner out (docs/decisions/006-limits-and-operations.md).
 * Sent only to /login.
 */
export const deviceCookie = createCookie('__clearance_device', {
	httpOnly: true,
	sameSite: 'lax',
	path: '/login',
})

export async function readDeviceToken(request: Request): Promise<string | null> {
	const value: unknown = await deviceCookie.parse(request.headers.get('Cookie'))
	return typeof value === 'string' && /^[\w-]{20,100}$/.test(value) ? value : null
}

export function setDeviceCookie(request: Request, token: string, days: number) {
	return deviceCookie.serialize(token, { maxAge: days * 24 * 60 * 60, secure: isHttps(request) })
}
