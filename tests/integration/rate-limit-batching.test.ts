import { eq } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { configFromEnv, db, onQuery } from '#db/client.server'
import { rateLimits } from '#db/schema'
import {
	deleteExpiredRateLimits,
	hitRateLimit,
	longestLimitSeconds,
	setRateLimitWindow,
	windowsInMemory,
} from '~/services/rate-limit.server'

const pglite = configFromEnv().driver === 'pglite'

/** Statements that write the limit table while `run` runs, and statements of any kind. */
async function countStatements(run: () => Promise<unknown>): Promise<{ upserts: number; all: number }> {
	let upserts = 0
	let all = 0
	const stop = onQuery((query) => {
		all++
		if (/^insert into "rate_limits"/i.test(query)) upserts++
	})
	try {
		await run()
	} finally {
		stop()
	}
	return { upserts, all }
}

const stored = async (key: string) =>
	(await db.select({ count: rateLimits.count }).from(rateLimits).where(eq(rateLimits.key, key)))[0]?.count

describe('hitRateLimit: parallel attempts on one key', () => {
	it('are counted together, each with its own place: exactly `limit` allowed (PostgreSQL: in fewer statements)', async () => {
		const key = 'evaluate:client:192.0.2.50'
		const limit = 7
		let results: Awaited<ReturnType<typeof hitRateLimit>>[] = []
		const { upserts } = await countStatements(async () => {
			results = await Promise.all(Array.from({ length: 20 }, () => hitRateLimit(key, limit, 60)))
		})
		expect(results.map((result) => result.attempts).sort((a, b) => a - b)).toEqual(
			Array.from({ length: 20 }, (_, i) => i + 1),
		)
		expect(results.filter((result) => result.allowed)).toHaveLength(limit)
		for (const result of results) expect(result.allowed).toBe(result.attempts <= limit)
		if (pglite) {
			expect(upserts).toBe(0)
			expect(await stored(key)).toBeUndefined()
		} else {
			expect(upserts).toBeLessThan(20)
			expect(upserts).toBeGreaterThanOrEqual(1)
			expect(await stored(key)).toBe(20)
		}
		// The next one, alone, continues the same window.
		expect(await hitRateLimit(key, limit, 60)).toMatchObject({ allowed: false, attempts: 21 })
	})

	it('a batch arriving after the window ended starts a new window with all of its attempts', async () => {
		const key = 'evaluate:client:192.0.2.51'
		await setRateLimitWindow(key, 99, 120)
		const results = await Promise.all(Array.from({ length: 5 }, () => hitRateLimit(key, 3, 60)))
		expect(results.map((result) => result.attempts).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5])
		expect(results.filter((result) => result.allowed)).toHaveLength(3)
		if (!pglite) expect(await stored(key)).toBe(5)
		for (const result of results) expect(result.retryAfterSeconds).toBeGreaterThan(50)
		expect(await hitRateLimit(key, 3, 60)).toMatchObject({ allowed: false, attempts: 6 })
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

	it('the windows live in the table on PostgreSQL (shared by every server) and in memory on PGlite', () => {
		expect(windowsInMemory()).toBe(pglite)
	})
})

// PGlite: one process owns the data folder, so the fixed windows are counted in its memory (decision 025).
describe.runIf(pglite)('hitRateLimit on PGlite: windows in memory', () => {
	afterEach(() => {
		vi.useRealTimers()
	})

	it('counts without a single statement: the limit holds, the table is never written', async () => {
		const key = 'evaluate:client:192.0.2.60'
		const verdicts: boolean[] = []
		const { all } = await countStatements(async () => {
			for (let i = 0; i < 5; i++) verdicts.push((await hitRateLimit(key, 3, 60)).allowed)
		})
		expect(verdicts).toEqual([true, true, true, false, false])
		expect(all).toBe(0)
		expect(await db.select().from(rateLimits)).toEqual([])
	})

	it('a window ends exactly windowSeconds after it started; Retry-After counts down to it', async () => {
		vi.useFakeTimers({ toFake: ['Date'] })
		const start = new Date('2026-03-02T10:00:00.000Z')
		vi.setSystemTime(start)
		const key = 'api:key:window-test'
		expect(await hitRateLimit(key, 2, 60)).toEqual({ allowed: true, retryAfterSeconds: 60, attempts: 1 })
		vi.setSystemTime(start.getTime() + 15_000)
		expect(await hitRateLimit(key, 2, 60)).toEqual({ allowed: true, retryAfterSeconds: 45, attempts: 2 })
		vi.setSystemTime(start.getTime() + 59_500)
		expect(await hitRateLimit(key, 2, 60)).toEqual({ allowed: false, retryAfterSeconds: 1, attempts: 3 })
		// The same instant the upsert calls the window over (window_start <= now() - 60 s): a new one starts.
		vi.setSystemTime(start.getTime() + 60_000)
		expect(await hitRateLimit(key, 2, 60)).toEqual({ allowed: true, retryAfterSeconds: 60, attempts: 1 })
	})

	it('deleteExpiredRateLimits forgets windows older than the longest window or delay, keeps live ones', async () => {
		const longest = longestLimitSeconds()
		await setRateLimitWindow('signup:client:192.0.2.61', 4, longest + 60)
		await setRateLimitWindow('signup:client:192.0.2.62', 4, longest - 60)
		expect(await deleteExpiredRateLimits()).toBe(1)
		expect(await deleteExpiredRateLimits()).toBe(0)
		// The live one kept its count: its window (longer than the time since it started) goes on.
		expect(await hitRateLimit('signup:client:192.0.2.62', 10, longest)).toMatchObject({ attempts: 5 })
	})
})
