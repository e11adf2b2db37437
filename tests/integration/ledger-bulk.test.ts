import { eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { db, getDatabase } from '#db/client.server'
import { appLedgerStats, storedAccounts } from '#db/schema'
import { lockApp } from '~/services/apps.server'
import { COPY_FROM_ROWS, upsertAccountColumns } from '~/services/ledger-bulk.server'
import { createOrgWithLedgerApp } from '../fixtures/world'

// The ledger's bulk write (app/services/ledger-bulk.server.ts): a large batch goes by COPY on PostgreSQL
// (the unnest upsert on PGlite and for small batches) and answers the same counts, with the same ledger
// and the same per-app figures, whichever way it went.
async function anApp() {
	const { org, app } = await createOrgWithLedgerApp()
	return { orgId: org.id, appId: app.id }
}

const idOf = (i: number) => `5be24ad8b1653201${i.toString(16).padStart(8, '0')}`

/** How many accounts the app's ledger holds, and how many of them were last updated at `early`. */
async function storedCounts(appId: string, early: string) {
	const [stored] = await db
		.select({
			count: sql<number>`count(*)::int`,
			early: sql<number>`(count(*) filter (where ${storedAccounts.updatedAt} = ${early}::timestamptz))::int`,
		})
		.from(storedAccounts)
		.where(eq(storedAccounts.appId, appId))
	return stored
}

/** Writes `ids`, each last updated `at`, as the import writes a batch: in one transaction, under the app's lock. */
function writeBatch(
	{ orgId, appId }: { orgId: string; appId: string },
	ids: string[],
	at: string,
	options?: { likelyNew?: boolean },
) {
	return db.transaction(async (tx) => {
		await lockApp(tx, orgId, appId)
		return upsertAccountColumns(
			tx,
			appId,
			ids,
			ids.map(() => at),
			options,
		)
	})
}

describe('upsertAccountColumns', () => {
	test('a large batch of new and already stored ids: the counts, the dates and the ledger figures exact', async () => {
		const app = await anApp()
		const { appId } = app
		const early = '2026-01-05T00:00:00.000Z'
		const late = '2026-02-10T00:00:00.000Z'
		const first = Array.from({ length: 600 }, (_, i) => idOf(i))
		expect(await writeBatch(app, first, late)).toEqual({ inserted: 600, updated: 0 })
		// 400 of the 600 again (moved back in time) and 1,100 new ones: a batch above COPY_FROM_ROWS.
		const again = Array.from({ length: 400 }, (_, i) => idOf(200 + i))
		const fresh = Array.from({ length: 1100 }, (_, i) => idOf(10_000 + i))
		const ids = [...again, ...fresh]
		expect(ids.length).toBeGreaterThanOrEqual(COPY_FROM_ROWS)
		expect(await writeBatch(app, ids, early)).toEqual({ inserted: 1100, updated: 400 })

		expect(await storedCounts(appId, early)).toEqual({ count: 1700, early: 1500 })
		const [stats] = await db.select().from(appLedgerStats).where(eq(appLedgerStats.appId, appId))
		expect(stats).toMatchObject({ accountCount: 1700, oldestUpdatedAt: new Date(early) })
	})

	test('a batch the database refuses fails its transaction (nothing written) instead of waiting for ever', async () => {
		const app = await anApp()
		const { appId } = app
		// The same id twice in one batch: the ledger's key refuses the second, whichever way the batch goes.
		const ids = [...Array.from({ length: COPY_FROM_ROWS }, (_, i) => idOf(i)), idOf(7)]
		const at = '2026-01-05T00:00:00.000Z'
		await expect(writeBatch(app, ids, at)).rejects.toThrow()
		const [stored] = await db
			.select({ count: sql<number>`count(*)::int` })
			.from(storedAccounts)
			.where(eq(storedAccounts.appId, appId))
		expect(stored!.count).toBe(0)
		// The connection went back to the pool usable: the next transaction writes.
		expect(await writeBatch(app, ids.slice(0, -1), at)).toEqual({ inserted: COPY_FROM_ROWS, updated: 0 })
		if (getDatabase().config.driver === 'postgres') {
			const idle = await db.execute(
				sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'idle in transaction (aborted)'`,
			)
			expect((idle as unknown as { n: number }[])[0]!.n).toBe(0)
		}
	})

	test('likelyNew: a batch holding stored ids after all is written exactly, and says it found them', async () => {
		const app = await anApp()
		const { appId } = app
		const early = '2026-01-05T00:00:00.000Z'
		const late = '2026-02-10T00:00:00.000Z'
		const fresh = Array.from({ length: COPY_FROM_ROWS }, (_, i) => idOf(i))
		// New ids first written by COPY alone, as the import does while no batch has found a stored id.
		const writeLikelyNew = (ids: string[], at: string) => writeBatch(app, ids, at, { likelyNew: true })
		const first = await writeLikelyNew(fresh, late)
		expect(first).toEqual({ inserted: COPY_FROM_ROWS, updated: 0 })
		// 300 of those again, last in the batch (the COPY refused only after writing the new ones), and 900 new.
		const ids = [...Array.from({ length: 900 }, (_, i) => idOf(50_000 + i)), ...fresh.slice(0, 300)]
		const second = await writeLikelyNew(ids, early)
		expect(second).toMatchObject({ inserted: 900, updated: 300 })
		// Only PostgreSQL tries the COPY first; the embedded database upserts.
		if (getDatabase().config.driver === 'postgres') expect(second.foundStored).toBe(true)
		expect(await storedCounts(appId, early)).toEqual({ count: COPY_FROM_ROWS + 900, early: 1200 })
		const [stats] = await db.select().from(appLedgerStats).where(eq(appLedgerStats.appId, appId))
		expect(stats).toMatchObject({ accountCount: COPY_FROM_ROWS + 900, oldestUpdatedAt: new Date(early) })
	})
})
