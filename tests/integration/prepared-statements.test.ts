import { sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { openDatabase } from '#db/client.server'
import { rowsOf } from '~/utils/sql-rows.server'

// drizzle sends each statement unprepared through postgres.js, which then costs two round trips and a parse
// every time; db/prepared-statements.ts makes them prepared statements, reused per connection (issue 16's
// dashboard figures). postgres.js only: PGlite has no connection to prepare on.
describe.skipIf(!process.env.DATABASE_URL)('statements sent to PostgreSQL', () => {
	test('are prepared once per connection, in transactions and savepoints too, and planned for their values', async () => {
		const pool = process.env.DATABASE_POOL_SIZE
		process.env.DATABASE_POOL_SIZE = '1' // every statement below on one connection, whose statements we can list
		const handle = openDatabase({ driver: 'postgres', url: process.env.DATABASE_URL! })
		if (pool === undefined) delete process.env.DATABASE_POOL_SIZE
		else process.env.DATABASE_POOL_SIZE = pool
		try {
			const { db } = handle
			const prepared = async () =>
				rowsOf<{ statement: string }>(
					await db.execute(
						sql`select statement from pg_prepared_statements where statement like ${'%as probe%'} order by statement`,
					),
				).map((row) => row.statement)
			await db.execute(sql`select ${1}::int as probe`)
			await db.execute(sql`select ${2}::int as probe`)
			await db.transaction(async (tx) => {
				await tx.execute(sql`select ${3}::int as probe_in_transaction`)
				await tx.transaction(async (savepoint) => {
					await savepoint.execute(sql`select ${4}::int as probe_in_savepoint`)
				})
			})
			// A statement longer than 8 KB is sent unprepared, as a bulk insert's would be.
			await db.execute(sql`select ${5}::int as probe_long /* ${sql.raw('x'.repeat(9_000))} */`)
			expect(await prepared()).toEqual([
				'select $1::int as probe',
				'select $1::int as probe_in_savepoint',
				'select $1::int as probe_in_transaction',
			])
			const [mode] = rowsOf<{ plan_cache_mode: string }>(await db.execute(sql`show plan_cache_mode`))
			expect(mode?.plan_cache_mode).toBe('force_custom_plan')
		} finally {
			await handle.close()
		}
	})
})
