import { createHash } from 'node:crypto'
import { and, eq, lt } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { apiIdempotencyKeys } from '#db/schema'
import { DAY_MS } from '~/domain/calendar-day'

/**
 * `Idempotency-Key` for the API's POSTs (docs/architecture.md › REST API): the
 * first answer is stored with the change, in its transaction, under the
 * calling key; a retry of the same request gets that answer again instead of
 * a second change. The same Idempotency-Key with another request is refused.
 */

export type StoredAnswer = { status: number; body: unknown; requestSha256: string }

/** Raised inside the change's transaction when a concurrent twin stored its answer first: the change rolls back. */
export class IdempotentTwin extends Error {}

/** SHA-256 of what makes two requests the same one: method, path and the JSON body. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
	return createHash('sha256')
		.update(`${method.toUpperCase()} ${path}\n${JSON.stringify(body)}`, 'utf8')
		.digest('hex')
}

export async function findStoredAnswer(orgId: string, apiKeyId: string, key: string): Promise<StoredAnswer | null> {
	const [row] = await db
		.select({
			status: apiIdempotencyKeys.status,
			body: apiIdempotencyKeys.body,
			requestSha256: apiIdempotencyKeys.requestSha256,
		})
		.from(apiIdempotencyKeys)
		.where(
			and(
				eq(apiIdempotencyKeys.orgId, orgId),
				eq(apiIdempotencyKeys.apiKeyId, apiKeyId),
				eq(apiIdempotencyKeys.key, key),
			),
		)
	return row ?? null
}

/**
 * Stores the answer in the change's transaction. A twin request that got
 * there first (its row waits on this key's unique index, then conflicts)
 * makes this throw IdempotentTwin, so this change rolls back and the caller
 * answers with the twin's stored answer.
 */
export async function storeAnswer(
	tx: Tx,
	entry: { orgId: string; apiKeyId: string; key: string; requestSha256: string; status: number; body: unknown },
) {
	const inserted = await tx
		.insert(apiIdempotencyKeys)
		.values(entry)
		.onConflictDoNothing({ target: [apiIdempotencyKeys.apiKeyId, apiIdempotencyKeys.key] })
		.returning({ key: apiIdempotencyKeys.key })
	if (inserted.length === 0) throw new IdempotentTwin()
}

/**
 * How long a stored answer is kept: longer than any client's retries (curl's,
 * a queue's, a Forge function's) go on, short enough that the table stays small.
 */
export const IDEMPOTENCY_RETENTION_DAYS = 7

/** Housekeeping: answers older than the retention are deleted; a retry after that is a new request. */
export async function deleteExpiredIdempotencyKeys(now = new Date()): Promise<number> {
	const cutoff = new Date(now.getTime() - IDEMPOTENCY_RETENTION_DAYS * DAY_MS)
	const deleted = await db
		.delete(apiIdempotencyKeys)
		.where(lt(apiIdempotencyKeys.createdAt, cutoff))
		.returning({ key: apiIdempotencyKeys.key })
	return deleted.length
}
