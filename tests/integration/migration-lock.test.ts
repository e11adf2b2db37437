import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { MIGRATION_LOCK_ID, withMigrationLock } from '#db/client.server'

/** A stand-in for a postgres.js client that records what runs on the reserved connection, in order. */
function recordingClient(log: string[]) {
	const connection = Object.assign(
		(strings: TemplateStringsArray, ...values: unknown[]) => {
			log.push(strings.join('?').trim().replace('?', String(values[0])))
			return Promise.resolve([])
		},
		{ release: () => log.push('release') },
	)
	return { reserve: async () => connection } as unknown as postgres.Sql
}

describe('migrations at start take a lock (issue 10, finding 9)', () => {
	it('PostgreSQL: migrate runs inside pg_advisory_lock on one reserved connection, released even when it fails', async () => {
		const log: string[] = []
		await withMigrationLock(recordingClient(log), async () => {
			log.push('migrate')
		})
		expect(log).toEqual([
			`select pg_advisory_lock(${MIGRATION_LOCK_ID})`,
			'migrate',
			`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`,
			'release',
		])
		const failing: string[] = []
		await expect(
			withMigrationLock(recordingClient(failing), async () => {
				throw new Error('migration 0042 failed')
			}),
		).rejects.toThrow('migration 0042 failed')
		expect(failing).toEqual([
			`select pg_advisory_lock(${MIGRATION_LOCK_ID})`,
			`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`,
			'release',
		])
	})

	it('on a real PostgreSQL (DATABASE_URL), a second server waits for the lock the first one holds', async () => {
		const url = process.env.DATABASE_URL
		// PGlite: one process owns the data folder, so there is no second server to race (the lock is not taken).
		if (!url) return expect(url).toBeUndefined()
		const first = postgres(url, { max: 1, onnotice: () => {} })
		const second = postgres(url, { max: 2, onnotice: () => {} })
		try {
			await first`select pg_advisory_lock(${MIGRATION_LOCK_ID})`
			let migrated = false
			const waiting = withMigrationLock(second, async () => {
				migrated = true
			})
			await new Promise((resolve) => setTimeout(resolve, 300))
			expect(migrated).toBe(false)
			await first`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`
			await waiting
			expect(migrated).toBe(true)
		} finally {
			await first.end()
			await second.end()
		}
	})
})
