import { sql } from 'drizzle-orm'
import { db } from '#db/client.server'
import { rateLimits } from '#db/schema'

/** `attempts`: how many were counted in the current window, this one included. */
export type RateLimitResult = { allowed: boolean; retryAfterSeconds: number; attempts: number }

/**
 * Counts one attempt for `key` in a fixed window and says whether it is
 * within `limit`. One atomic upsert, so concurrent attempts on several
 * servers are all counted.
 */
export async function hitRateLimit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
	const expired = sql`${rateLimits.windowStart} <= now() - make_interval(secs => ${windowSeconds})`
	const [row] = await db
		.insert(rateLimits)
		.values({ key, windowStart: sql`now()`, count: 1 })
		.onConflictDoUpdate({
			target: rateLimits.key,
			set: {
				count: sql`case when ${expired} then 1 else ${rateLimits.count} + 1 end`,
				windowStart: sql`case when ${expired} then now() else ${rateLimits.windowStart} end`,
			},
		})
		.returning({
			count: rateLimits.count,
			retryAfter: sql<number>`greatest(1, ceil(extract(epoch from ${rateLimits.windowStart} + make_interval(secs => ${windowSeconds}) - now())))::int`,
		})
	const count = row?.count ?? 1
	return { allowed: count <= limit, retryAfterSeconds: row?.retryAfter ?? windowSeconds, attempts: count }
}
