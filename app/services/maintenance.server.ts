import { deleteExpiredIdempotencyKeys } from './api-idempotency.server'
import { deleteExpiredSessions } from './auth.server'
import { deleteExpiredRateLimits } from './rate-limit.server'

/**
 * Housekeeping the server runs at start and every 10 minutes: expired
 * sessions, limit rows nobody reads any more and stored API answers older
 * than IDEMPOTENCY_RETENTION_DAYS are deleted (a session is also refused,
 * and deleted, when its cookie comes back after expiry).
 */
export async function runMaintenance(now = new Date()) {
	await deleteExpiredSessions(now)
	const rateLimits = await deleteExpiredRateLimits()
	const idempotencyKeys = await deleteExpiredIdempotencyKeys(now)
	return { rateLimits, idempotencyKeys }
}
