import { and, eq, gt, sql } from 'drizzle-orm'
import { db, getDatabase } from '#db/client.server'
import { rateLimits } from '#db/schema'
import { env } from '~/utils/env.server'
import { hashToken, newToken } from '~/utils/tokens.server'

/*
 * Every limit lives in the `rate_limits` table, so several servers share it,
 * and each change is one atomic statement. A row is `key → (window_start,
 * count)`; what the two columns mean depends on the kind of limit:
 *
 * - a fixed window (`hitRateLimit`): the window's start and the attempts in it;
 * - failures with a progressive delay (`claimAttempt` / `recordFailure`): the
 *   time of the last failure (or claimed attempt) and the failures so far;
 * - a known device (`rememberDevice`): when it last signed in, count unused.
 *
 * `deleteExpiredRateLimits` removes rows past their use.
 * See docs/decisions/006-limits-and-operations.md.
 *
 * One exception: on the embedded database (PGlite) the fixed windows are kept
 * in this process's memory, not in the table. Only one process can ever open
 * PGlite's data folder (db/data-folder-lock.ts), so that memory is exactly as
 * shared as the table would be; what is lost is the count of the current
 * window when the server restarts (docs/decisions/025-rate-limit-windows-in-memory.md).
 */

/** `attempts`: how many were counted in the current window, this one included. */
export type RateLimitResult = { allowed: boolean; retryAfterSeconds: number; attempts: number }

/**
 * Counts one attempt for `key` in a fixed window and says whether it is
 * within `limit`. On PostgreSQL, one atomic upsert, so concurrent attempts on
 * several servers are all counted; on PGlite, in this process's memory (see
 * below: no other process can reach that database).
 *
 * Attempts on the same key that arrive while this server's upsert for it is
 * still running (one client's parallel requests) wait for it and are then
 * counted together by the next upsert (`count + n`), each taking its own
 * place in the window: n attempts cost one statement instead of n statements
 * queued on the same row, and the count, the verdicts and the sharing across
 * servers are those of n separate upserts.
 */
export function hitRateLimit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
	if (windowsInMemory()) return Promise.resolve(hitWindowInMemory(key, limit, windowSeconds))
	return new Promise((resolve, reject) => {
		const id = `${windowSeconds}:${key}`
		let batch = waitingHits.get(id)
		if (!batch) {
			batch = { key, windowSeconds, hits: [] }
			waitingHits.set(id, batch)
		}
		batch.hits.push({ limit, resolve, reject })
		if (!runningHits.has(id)) void countHits(id)
	})
}

type Hit = { limit: number; resolve: (result: RateLimitResult) => void; reject: (error: unknown) => void }
type HitBatch = { key: string; windowSeconds: number; hits: Hit[] }
/** Attempts waiting for the next upsert of their key, and the keys whose upsert is running (this process). */
const waitingHits = new Map<string, HitBatch>()
const runningHits = new Set<string>()

async function countHits(id: string): Promise<void> {
	const batch = waitingHits.get(id)
	if (!batch) return
	waitingHits.delete(id)
	runningHits.add(id)
	try {
		const n = batch.hits.length
		const row = await upsertHits(batch.key, n, batch.windowSeconds)
		const count = row?.count ?? n
		const retryAfterSeconds = row?.retryAfter ?? batch.windowSeconds
		// In arrival order: the batch holds places count - n + 1 … count of the window.
		batch.hits.forEach((hit, index) => {
			const attempts = count - n + 1 + index
			hit.resolve({ allowed: attempts <= hit.limit, retryAfterSeconds, attempts })
		})
	} catch (error) {
		for (const hit of batch.hits) hit.reject(error)
	} finally {
		runningHits.delete(id)
		if (waitingHits.has(id)) void countHits(id)
	}
}

/**
 * The one atomic statement: `n` attempts into the window (a new window
 * starts with them). Committed without waiting for the disk (PostgreSQL's
 * `synchronous_commit` off for this transaction only): a limiter's count is
 * not worth a flush per request (it cost 5–6 ms each, every parallel
 * request queued behind it on the row lock), and a database crash can at
 * worst forget the last fraction of a second of attempts. Atomicity, and
 * what every server reads, are unchanged.
 */
async function upsertHits(key: string, n: number, windowSeconds: number) {
	const expired = sql`${rateLimits.windowStart} <= now() - make_interval(secs => ${windowSeconds})`
	const [row] = await db
		.insert(rateLimits)
		.values({
			key,
			windowStart: sql`(select now() from (select set_config('synchronous_commit', 'off', true)) as async_commit)`,
			count: n,
		})
		.onConflictDoUpdate({
			target: rateLimits.key,
			set: {
				count: sql`case when ${expired} then ${n}::int else ${rateLimits.count} + ${n}::int end`,
				windowStart: sql`case when ${expired} then now() else ${rateLimits.windowStart} end`,
			},
		})
		.returning({
			count: rateLimits.count,
			retryAfter: sql<number>`greatest(1, ceil(extract(epoch from ${rateLimits.windowStart} + make_interval(secs => ${windowSeconds}) - now())))::int`,
		})
	return row
}

/*
 * PGlite: fixed windows in memory. The embedded database's queries run in
 * this thread, and the upsert (a write, its commit, six protocol messages)
 * cost more than the rest of an evaluate request together; only this process
 * can open the data folder, so every attempt on any key passes through here
 * and a count in memory is the whole count. Same rule as the upsert: a
 * window that started `windowSeconds` or more ago is over, and the next
 * attempt starts a new one; attempts are counted in arrival order, each with
 * its own place. Counts are lost on restart (at most one window per key).
 */

type MemoryWindow = { startedAt: number; count: number }
const memory = globalThis as unknown as { __clearanceRateLimitWindows?: Map<string, MemoryWindow> }

/** The fixed windows of this process, by key (kept on globalThis so the dev server's reloads keep them). */
function memoryWindows(): Map<string, MemoryWindow> {
	memory.__clearanceRateLimitWindows ??= new Map()
	return memory.__clearanceRateLimitWindows
}

/** True when fixed windows are counted in memory: on PGlite, whose data folder only this process can open. */
export function windowsInMemory(): boolean {
	return getDatabase().config.driver === 'pglite'
}

function hitWindowInMemory(key: string, limit: number, windowSeconds: number, now = Date.now()): RateLimitResult {
	const windows = memoryWindows()
	let window = windows.get(key)
	if (!window || window.startedAt <= now - windowSeconds * 1000) {
		window = { startedAt: now, count: 0 }
		windows.set(key, window)
	}
	window.count++
	const retryAfterSeconds = Math.max(1, Math.ceil((window.startedAt + windowSeconds * 1000 - now) / 1000))
	return { allowed: window.count <= limit, retryAfterSeconds, attempts: window.count }
}

/**
 * Sets the window of `key` as if `count` attempts had been counted, the window
 * having started `startedSecondsAgo` ago: in memory on PGlite, in the table on
 * PostgreSQL. For tests, which would otherwise make hundreds of requests to
 * reach a limit or wait a whole window for it to end.
 */
export async function setRateLimitWindow(key: string, count: number, startedSecondsAgo = 0): Promise<void> {
	if (windowsInMemory()) {
		memoryWindows().set(key, { startedAt: Date.now() - startedSecondsAgo * 1000, count })
		return
	}
	const startedAt = sql`now() - make_interval(secs => ${startedSecondsAgo})`
	await db
		.insert(rateLimits)
		.values({ key, windowStart: startedAt, count })
		.onConflictDoUpdate({ target: rateLimits.key, set: { windowStart: startedAt, count } })
}

/** Forgets every fixed window kept in memory (what emptying the table is to the stored ones; tests reset with it). */
export function forgetRateLimitWindows(): void {
	memoryWindows().clear()
}

/** Drops the windows in memory that started before `cutoff` (ms); returns how many. */
function deleteExpiredWindowsInMemory(cutoff: number): number {
	let deleted = 0
	for (const [key, window] of memoryWindows()) {
		if (window.startedAt < cutoff) {
			memoryWindows().delete(key)
			deleted++
		}
	}
	return deleted
}

/**
 * Failures under one key slow further attempts: the first `freeFailures`
 * cost nothing, then each one doubles the wait before the next attempt is
 * even looked at, from `delaySeconds` up to `maxDelaySeconds`. Failures are
 * forgotten `memorySeconds` after the last one (never before the delay ends).
 */
export type FailurePolicy = {
	freeFailures: number
	delaySeconds: number
	maxDelaySeconds: number
	memorySeconds: number
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number }

function delaySql(policy: FailurePolicy) {
	// The exponent is capped so power() cannot overflow whatever the count.
	return sql`least(${policy.delaySeconds}::float8 * power(2, least(greatest(${rateLimits.count} - ${policy.freeFailures}, 0), 40)), ${policy.maxDelaySeconds}::float8)`
}

function rememberedSql(policy: FailurePolicy) {
	const memory = Math.max(policy.memorySeconds, policy.maxDelaySeconds)
	return sql`${rateLimits.windowStart} > now() - make_interval(secs => ${memory})`
}

/**
 * May an attempt under `key` go ahead? While the delay runs the answer is no,
 * with the seconds left, and the refused attempt changes nothing (it is not
 * a failure, so hammering does not lengthen the wait). Once the delay has
 * passed, exactly one attempt claims the turn (an atomic update restarts the
 * delay), so parallel requests cannot all slip through together.
 */
export async function claimAttempt(key: string, policy: FailurePolicy): Promise<Verdict> {
	const delay = delaySql(policy)
	const claimed = await db
		.update(rateLimits)
		.set({ windowStart: sql`now()` })
		.where(
			and(
				eq(rateLimits.key, key),
				sql`${rateLimits.count} >= ${policy.freeFailures}`,
				rememberedSql(policy),
				sql`now() >= ${rateLimits.windowStart} + make_interval(secs => ${delay})`,
			),
		)
		.returning({ key: rateLimits.key })
	if (claimed.length > 0) return { allowed: true }
	const [row] = await db
		.select({
			count: rateLimits.count,
			remembered: sql<boolean>`${rememberedSql(policy)}`,
			retryAfter: sql<number>`greatest(1, ceil(extract(epoch from ${rateLimits.windowStart} + make_interval(secs => ${delay}) - now())))::int`,
		})
		.from(rateLimits)
		.where(eq(rateLimits.key, key))
	if (!row || !row.remembered || row.count < policy.freeFailures) return { allowed: true }
	return { allowed: false, retryAfterSeconds: row.retryAfter }
}

/** Counts a failure under `key` (starting afresh when earlier ones are forgotten); returns the count. */
export async function recordFailure(key: string, policy: FailurePolicy): Promise<number> {
	const forgotten = sql`not (${rememberedSql(policy)})`
	const [row] = await db
		.insert(rateLimits)
		.values({ key, windowStart: sql`now()`, count: 1 })
		.onConflictDoUpdate({
			target: rateLimits.key,
			set: {
				count: sql`case when ${forgotten} then 1 else ${rateLimits.count} + 1 end`,
				windowStart: sql`now()`,
			},
		})
		.returning({ count: rateLimits.count })
	return row?.count ?? 1
}

export async function clearFailures(key: string) {
	await db.delete(rateLimits).where(eq(rateLimits.key, key))
}

/* Known devices: a browser that has signed in to an account carries a random
 * token in a cookie; only its hash is stored, under the account. */

const deviceKey = (userId: string, token: string) => `login:device:${userId}:${hashToken(token)}`
const DEVICE_PREFIX = 'login:device:'

/** Remembers this browser for the account (the same token again just refreshes it); returns the token. */
export async function rememberDevice(userId: string, token = newToken()) {
	await db
		.insert(rateLimits)
		.values({ key: deviceKey(userId, token), windowStart: sql`now()`, count: 0 })
		.onConflictDoUpdate({ target: rateLimits.key, set: { windowStart: sql`now()` } })
	return token
}

export async function isKnownDevice(userId: string, token: string | null) {
	if (!token) return false
	const [row] = await db
		.select({ key: rateLimits.key })
		.from(rateLimits)
		.where(
			and(
				eq(rateLimits.key, deviceKey(userId, token)),
				gt(rateLimits.windowStart, sql`now() - make_interval(days => ${env().LOGIN_KNOWN_DEVICE_DAYS})`),
			),
		)
	return Boolean(row)
}

/** The longest window, delay or memory in the settings: a row or window older than this is read by no limit. */
export function longestLimitSeconds(settings = env()) {
	return Math.max(
		settings.LOGIN_FAILURE_MEMORY_SECONDS,
		settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS,
		settings.LOGIN_CLIENT_MAX_DELAY_SECONDS,
		settings.SIGNUP_WINDOW_SECONDS,
		settings.INVITE_ACCEPT_WINDOW_SECONDS,
		settings.EVALUATE_WINDOW_SECONDS,
		settings.API_WINDOW_SECONDS,
	)
}

/**
 * Deletes rows no limit reads any more: known devices after
 * LOGIN_KNOWN_DEVICE_DAYS, every other row once it is older than the longest
 * window, delay or memory in the settings (an old row would be restarted on
 * its next use anyway, so this only keeps the table small). The same for the
 * windows kept in memory on PGlite; returns how many were deleted in all.
 */
export async function deleteExpiredRateLimits(settings = env()) {
	const longest = longestLimitSeconds(settings)
	const deleted = await db
		.delete(rateLimits)
		.where(
			sql`${rateLimits.windowStart} < now() - case when ${rateLimits.key} like ${`${DEVICE_PREFIX}%`}
				then make_interval(days => ${settings.LOGIN_KNOWN_DEVICE_DAYS})
				else make_interval(secs => ${longest}) end`,
		)
		.returning({ key: rateLimits.key })
	return deleted.length + deleteExpiredWindowsInMemory(Date.now() - longest * 1000)
}

/**
 * The part of a client address a limit counts by: an IPv4 address as is
 * (IPv4-mapped IPv6 unwrapped), an IPv6 address by its /64 network, since
 * one subscriber usually holds a whole /64. Null when unknown.
 */
export function clientKey(address: string | null | undefined): string | null {
	if (!address) return null
	const value = address
		.trim()
		.toLowerCase()
		.replace(/^\[|\]$/g, '')
		.split('%')[0]!
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(value)
	if (mapped) return mapped[1]!
	if (!value.includes(':')) return value
	const [head = '', tail = ''] = value.split('::')
	const left = head ? head.split(':') : []
	const right = tail ? tail.split(':') : []
	const groups = value.includes('::')
		? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
		: left
	return `${groups
		.slice(0, 4)
		.map((group) => (group || '0').replace(/^0+(?=.)/, ''))
		.join(':')}::/64`
}
