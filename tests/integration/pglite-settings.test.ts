import { sql } from 'drizzle-orm'
import { expect, test } from 'vitest'
import { db } from '#db/client.server'
import { rowsOf } from '~/utils/sql-rows.server'

// The settings reach the embedded database the app opens (docs/decisions/026-pglite-memory.md); PostgreSQL keeps its own.
test.skipIf(Boolean(process.env.DATABASE_URL))('the embedded database runs with 16MB of shared buffers', async () => {
	const [row] = rowsOf<{ shared_buffers: string }>(await db.execute(sql`show shared_buffers`))
	expect(row!.shared_buffers).toBe('16MB')
})
