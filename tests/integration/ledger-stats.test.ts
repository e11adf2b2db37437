import { eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { db } from '#db/client.server'
import { appLedgerStats, storedAccounts } from '#db/schema'
import { AppSchema } from '~/schemas/apps'
import { createApp } from '~/services/apps.server'
import { createOrg } from '../fixtures/world'

// The per-app figures (migration 0010's triggers) match the ledger after
// every kind of change, so no page needs to count it (docs/performance.md).
function appInput(appKey: string) {
	return AppSchema.parse({
		name: 'Mail Bridge',
		appKey,
		appType: 'forge',
		products: ['jira'],
		storesPersonalData: 'yes',
	})
}

async function statsOf(appId: string) {
	const [row] = await db.select().from(appLedgerStats).where(eq(appLedgerStats.appId, appId))
	return row
}

async function truth(appId: string) {
	const [row] = await db
		.select({
			count: sql<number>`count(*)::int`,
			oldest: sql<Date | null>`min(${storedAccounts.updatedAt})`.mapWith((v) => (v ? new Date(v) : null)),
		})
		.from(storedAccounts)
		.where(eq(storedAccounts.appId, appId))
	return row!
}

describe('app_ledger_stats', () => {
	test('insert, upsert, update and delete keep the count and the oldest updatedAt exact', async () => {
		const { org, admin } = await createOrg()
		const app = await createApp(org.id, admin.id, appInput('com.acme.bridge'))
		const other = await createApp(org.id, admin.id, appInput('com.acme.other'))
		const at = (day: number) => new Date(Date.UTC(2026, 0, day))
		const rows = Array.from({ length: 50 }, (_, i) => ({
			appId: app.id,
			accountId: `acc-${i}`,
			updatedAt: at(10 + (i % 5)),
		}))
		await db.insert(storedAccounts).values(rows)
		await db.insert(storedAccounts).values([{ appId: other.id, accountId: 'acc-x', updatedAt: at(1) }])
		expect(await statsOf(app.id)).toMatchObject({ accountCount: 50, oldestUpdatedAt: at(10) })
		const first = (await statsOf(app.id))!.firstStoredAt
		expect(first).toBeInstanceOf(Date)

		// An upsert: 10 existing ids move forward, 5 new ones arrive, one of them older than all.
		const upsert = [
			...Array.from({ length: 10 }, (_, i) => ({ appId: app.id, accountId: `acc-${i * 5}`, updatedAt: at(20) })),
			...Array.from({ length: 5 }, (_, i) => ({ appId: app.id, accountId: `new-${i}`, updatedAt: at(5 + i) })),
		]
		await db
			.insert(storedAccounts)
			.values(upsert)
			.onConflictDoUpdate({
				target: [storedAccounts.appId, storedAccounts.accountId],
				set: { updatedAt: sql`excluded.updated_at` },
			})
		expect(await statsOf(app.id)).toMatchObject({ accountCount: 55, oldestUpdatedAt: at(5) })

		// Deleting the oldest reads the next oldest back.
		await db
			.delete(storedAccounts)
			.where(sql`${storedAccounts.appId} = ${app.id} and ${storedAccounts.accountId} like 'new-%'`)
		const after = await truth(app.id)
		expect(after.count).toBe(50)
		expect(await statsOf(app.id)).toMatchObject({
			accountCount: 50,
			oldestUpdatedAt: after.oldest,
			firstStoredAt: first,
		})

		// A plain update moving every date forward.
		await db
			.update(storedAccounts)
			.set({ updatedAt: at(25) })
			.where(eq(storedAccounts.appId, app.id))
		expect(await statsOf(app.id)).toMatchObject({ accountCount: 50, oldestUpdatedAt: at(25) })

		// Emptying the ledger: zero and no oldest; when it first stored stays.
		await db.delete(storedAccounts).where(eq(storedAccounts.appId, app.id))
		expect(await statsOf(app.id)).toMatchObject({ accountCount: 0, oldestUpdatedAt: null, firstStoredAt: first })
		// The other app was never touched.
		expect(await statsOf(other.id)).toMatchObject({ accountCount: 1, oldestUpdatedAt: at(1) })
	})
})
