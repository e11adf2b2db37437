/** Both drivers' answers to `execute`: postgres-js gives the rows, PGlite an object holding them. */
export function rowsOf<T>(result: unknown): T[] {
	return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[]
}
