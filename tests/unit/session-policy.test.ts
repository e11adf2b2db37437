import { describe, expect, it } from 'vitest'
import { isExpired, sessionExpiry } from '~/domain/session-policy'

describe('session expiry', () => {
	const now = new Date('2026-03-29T00:30:00Z')

	it('expires exactly the configured number of days later', () => {
		expect(sessionExpiry(now, 30).toISOString()).toBe('2026-04-28T00:30:00.000Z')
	})

	it('is valid until, and expired from, the expiry instant', () => {
		const expiresAt = sessionExpiry(now, 1)
		expect(isExpired(expiresAt, new Date(expiresAt.getTime() - 1))).toBe(false)
		expect(isExpired(expiresAt, expiresAt)).toBe(true)
		expect(isExpired(expiresAt, new Date(expiresAt.getTime() + 1))).toBe(true)
	})
})
