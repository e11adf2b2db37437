const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Ids from URLs are checked before they reach a uuid column: a malformed one is a 404, not a database error. */
export function isUuid(value: string | null | undefined): value is string {
	return typeof value === 'string' && UUID.test(value)
}
