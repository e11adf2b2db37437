/**
 * The unique index a failed insert or update collided with, or null.
 * drizzle wraps the driver's error as `cause`; postgres.js names the index
 * `constraint_name`, PGlite `constraint`.
 */
export function uniqueViolation(error: unknown): string | null {
	let current: unknown = error
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const { code, constraint_name: postgresJs, constraint: pglite } = current as Record<string, unknown>
		if (code === '23505') return String(postgresJs ?? pglite ?? '')
		current = (current as { cause?: unknown }).cause
	}
	return null
}

/** postgres.js and Node codes for a database that cannot be reached, or stopped answering. */
const UNREACHABLE_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ETIMEDOUT',
	'EPIPE',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENOTFOUND',
	'EAI_AGAIN',
	'CONNECTION_CLOSED',
	'CONNECTION_DESTROYED',
	'CONNECTION_ENDED',
	'CONNECT_TIMEOUT',
])

/**
 * PostgreSQL's own answers that mean "not now" rather than "wrong": class 08
 * (connection exception), 57P01–57P03 (shut down, crashed, starting up),
 * 53300 (too many connections), 57014 (cancelled: the statement timeout).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014'])

/**
 * The code that says the database is unavailable (connection refused, reset
 * or timed out, the server shutting down), or null for any other error. A
 * caller answers such an error with a 503 ("try again"), not a 500 ("a bug").
 * drizzle wraps the driver's error as `cause`.
 */
export function databaseUnavailable(error: unknown): string | null {
	let current: unknown = error
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const { code, errno } = current as Record<string, unknown>
		for (const value of [code, errno]) {
			if (typeof value !== 'string') continue
			if (UNREACHABLE_CODES.has(value) || UNAVAILABLE_SQLSTATES.has(value) || /^08[0-9A-Z]{3}$/.test(value)) {
				return value
			}
		}
		current = (current as { cause?: unknown }).cause
	}
	return null
}
