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
