import { createHash, randomBytes } from 'node:crypto'

/** A 256-bit random token, URL-safe. */
export function newToken() {
	return randomBytes(32).toString('base64url')
}

/** Tokens are stored only as hashes; the plain value lives in a cookie or link. */
export function hashToken(token: string) {
	return createHash('sha256').update(token).digest('hex')
}
