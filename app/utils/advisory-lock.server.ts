import { getDatabase } from '#db/client.server'
import type postgres from 'postgres'

export type LockResult<T> = { ran: true; value: T } | { ran: false }

// Names held by this process: a second caller here gives up at once, without a connection.
const heldHere = new Set<string>()

/**
 * Runs `work` only when no one else holds the lock `name`, and answers
 * `{ ran: false }` at once when someone does (it never waits): several
 * servers, a cron `npm run remind` and the in-server scheduler then run a job
 * once, not side by side.
 *
 * PostgreSQL: a session advisory lock, `pg_try_advisory_lock(hashtext(name))`,
 * taken on one reserved connection (a session lock belongs to its connection)
 * and released after `work`, even when it fails. PGlite is opened by a single
 * process (its data folder is locked), so a lock in this process is enough.
 */
export async function withAdvisoryLock<T>(name: string, work: () => Promise<T>): Promise<LockResult<T>> {
	if (heldHere.has(name)) return { ran: false }
	heldHere.add(name)
	try {
		const handle = getDatabase()
		if (handle.config.driver !== 'postgres') return { ran: true, value: await work() }
		const client = (handle.db as unknown as { $client: postgres.Sql }).$client
		return await withSessionLock(client, name, work)
	} finally {
		heldHere.delete(name)
	}
}

/** The PostgreSQL half of withAdvisoryLock, on any postgres.js client (exported for tests). */
export async function withSessionLock<T>(
	client: postgres.Sql,
	name: string,
	work: () => Promise<T>,
): Promise<LockResult<T>> {
	const connection = await client.reserve()
	try {
		const [row] = await connection<{ locked: boolean }[]>`select pg_try_advisory_lock(hashtext(${name})) as locked`
		if (!row?.locked) return { ran: false }
		try {
			return { ran: true, value: await work() }
		} finally {
			await connection`select pg_advisory_unlock(hashtext(${name}))`
		}
	} finally {
		connection.release()
	}
}
