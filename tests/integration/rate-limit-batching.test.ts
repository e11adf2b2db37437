import { eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db, onQuery } from '#db/client.server'
import { rateLimits } from '#db/schema'
import { hitRateLimit } from '~/services/rate-limit.server'

/** Statements that write the limit table while `run` runs. */
async function countUpserts(run: () => Promise<unknown>): Promise<number> {
	let upserts = 0
	const stop = onQuery((query) => {
		if (/^insert into "rate_limits"/i.test(query)) upserts++
	})
	try {
		await run()
	} finally {
		stop()
	}
	return upserts
}

const stored = async (key: string) =>
	(await db.select({ count: rateLimits.count }).from(rateLimits).where(eq(rateLimits.key, key)))[0]?.count

describe('hitRateLimit: parallel attempts on one key', () => {
	it('are counted together, in fewer statements, each with its own place: exactly `limit` allowed', async () => {
		const key = 'evaluate:client:192.0.2.50'
		const limit = 7
		let results: Awaited<ReturnType<typeof hitRateLimit>>[] = []
		const upserts = await countUpserts(async () => {
			results = await Promise.all(Array.from({ length: 20 }, () => hitRateLimit(key, limit, 60)))
		})
		expect(upserts).toBeLessThan(20)
		expect(upserts).toBeGreaterThanOrEqual(1)
		expect(results.map((result) => result.attempts).sort((a, b) => a - b)).toEqual(
			Array.from({ length: 20 }, (_, i) => i + 1),
		)
		expect(results.filter((result) => result.allowed)).toHaveLength(limit)
		for (const result of results) expect(result.allowed).toBe(result.attempts <= limit)
		expect(await stored(key)).toBe(20)
		// The next one, alone, continues the same window.
		expect(await hitRateLimit(key, limit, 60)).toMatchObject({ allowed: false, attempts: 21 })
	})

	it('a batch arriving after the window ended starts a new window with all of its attempts', async () => {
		const key = 'evaluate:client:192.0.2.51'
		await db.insert(rateLimits).values({ key, windowStart: sql`now() - interval '2 minutes'`, count: 99 })
		const results = await Promise.all(Array.from({ length: 5 }, () => hitRateLimit(key, 3, 60)))
		expect(results.map((result) => result.attempts).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5])
		expect(results.filter((result) => result.allowed)).toHaveLength(3)
		expect(await stored(key)).toBe(5)
		for (const result of results) expect(result.retryAfterSeconds).toBeGreaterThan(50)
	})

	it('keys are counted apart, and each caller is judged by its own limit', async () => {
		const [a, b, c] = await Promise.all([
			hitRateLimit('signup:client:192.0.2.52', 1, 60),
			hitRateLimit('signup:client:192.0.2.53', 1, 60),
			hitRateLimit('signup:client:192.0.2.52', 5, 60),
		])
		expect(a).toMatchObject({ allowed: true, attempts: 1 })
		expect(b).toMatchObject({ allowed: true, attempts: 1 })
		expect(c).toMatchObject({ allowed: true, attempts: 2 })
	})
})
