import { randomUUID } from 'node:crypto'
import { count, eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db, getDatabase } from '#db/client.server'
import { apps, storedAccounts } from '#db/schema'
import { upsertAccountColumns } from '~/services/ledger-bulk.server'
import { createOrgWithLedgerApp } from '../fixtures/world'

// What the database itself guarantees about the ledger, whatever writes to it: the account id's format
// (migration 0014: the length apart from the pattern) and that every account belongs to an app of `apps` and goes
// with it (migration 0015's triggers, decision 031: checked once per statement, where a foreign key checked it
// for every row).
const postgres = getDatabase().config.driver === 'postgres'

/** The SQLSTATE of a failed query (drizzle wraps the driver's error). */
function codeOf(error: unknown): string | undefined {
	let at: unknown = error
	while (at && typeof at === 'object') {
		if ('code' in at && typeof at.code === 'string' && /^[0-9A-Z]{5}$/.test(at.code)) return at.code
		at = 'cause' in at ? at.cause : undefined
	}
	return undefined
}

async function refusal(write: Promise<unknown>) {
	try {
		await write
	} catch (error) {
		return codeOf(error) ?? String(error)
	}
	return 'written'
}

async function accountsOf(appId: string) {
	const [row] = await db.select({ n: count() }).from(storedAccounts).where(eq(storedAccounts.appId, appId))
	return row!.n
}

const at = new Date('2026-01-01T00:00:00Z')

describe('the ledger’s account ids', () => {
	it('holds 1 to 128 letters, digits, ":", "_" and "-", never the placeholder', async () => {
		const { app } = await createOrgWithLedgerApp()
		const write = (accountId: string) =>
			refusal(db.insert(storedAccounts).values({ appId: app.id, accountId, updatedAt: at }))
		expect(await write('a'.repeat(128))).toBe('written')
		expect(await write('557058:f1b2-C_d')).toBe('written')
		expect(await write('a'.repeat(129))).toBe('23514')
		expect(await write('')).toBe('23514')
		expect(await write('has space')).toBe('23514')
		expect(await write('someone@example.org')).toBe('23514')
		expect(await write('unknown')).toBe('23514')
		expect(await accountsOf(app.id)).toBe(2)
	})
})

describe('the ledger’s app', () => {
	it('refuses accounts of an app that does not exist, row by row and in bulk, and writes none', async () => {
		const { app } = await createOrgWithLedgerApp()
		const missing = randomUUID()
		expect(
			await refusal(
				db.insert(storedAccounts).values([
					{ appId: app.id, accountId: 'acc-1', updatedAt: at },
					{ appId: missing, accountId: 'acc-2', updatedAt: at },
				]),
			),
		).toBe('23503')
		// The import's path: 1,500 rows expected new go by COPY (COPY_FROM_ROWS), then by the upsert it falls back to.
		const ids = Array.from({ length: 1500 }, (_, i) => `acc-${i}`)
		const dates = ids.map(() => at.toISOString())
		// (On PostgreSQL the COPY's own reason goes to the database's log: the driver reports the statement after it.)
		expect(
			await refusal(db.transaction((tx) => upsertAccountColumns(tx, missing, ids, dates, { likelyNew: true }))),
		).toBe(postgres ? '25P02' : '23503')
		expect(await accountsOf(app.id)).toBe(0)
		expect(await accountsOf(missing)).toBe(0)
		// The same rows for the app that exists are written.
		await db.transaction((tx) => upsertAccountColumns(tx, app.id, ids, dates, { likelyNew: true }))
		expect(await accountsOf(app.id)).toBe(1500)
	})

	it('lets an account move only to an app that exists', async () => {
		const { app } = await createOrgWithLedgerApp()
		const { app: other } = await createOrgWithLedgerApp()
		await db.insert(storedAccounts).values({ appId: app.id, accountId: 'acc-1', updatedAt: at })
		const move = (to: string) =>
			refusal(db.update(storedAccounts).set({ appId: to }).where(eq(storedAccounts.appId, app.id)))
		expect(await move(randomUUID())).toBe('23503')
		expect(await move(other.id)).toBe('written')
		expect(await accountsOf(other.id)).toBe(1)
	})

	it('goes with its app: a deleted or truncated app takes its accounts, and keeps its id while they are held', async () => {
		const { app } = await createOrgWithLedgerApp()
		const { app: kept } = await createOrgWithLedgerApp()
		await db.insert(storedAccounts).values([
			{ appId: app.id, accountId: 'acc-1', updatedAt: at },
			{ appId: app.id, accountId: 'acc-2', updatedAt: at },
			{ appId: kept.id, accountId: 'acc-1', updatedAt: at },
		])
		expect(await refusal(db.update(apps).set({ id: randomUUID() }).where(eq(apps.id, app.id)))).toBe('23503')

		await db.delete(apps).where(eq(apps.id, app.id))
		expect(await db.select().from(apps).where(eq(apps.id, app.id))).toEqual([])
		expect(await accountsOf(app.id)).toBe(0)
		expect(await accountsOf(kept.id)).toBe(1)

		await db.execute(sql`truncate apps cascade`)
		expect(await accountsOf(kept.id)).toBe(0)
	})

	// Two connections: PostgreSQL only (PGlite has one).
	it.runIf(postgres)('is held against deletion until the transaction writing its accounts ends', async () => {
		const { app } = await createOrgWithLedgerApp()
		// An account committed first, so the writer below changes neither the app's figures' row key, its oldest
		// date nor its first-stored date: the only lock it takes on the app is the ledger trigger's.
		await db.insert(storedAccounts).values({ appId: app.id, accountId: 'acc-0', updatedAt: at })
		let release!: () => void
		const released = new Promise<void>((resolve) => (release = resolve))
		let written!: () => void
		const wrote = new Promise<void>((resolve) => (written = resolve))
		const writer = db.transaction(async (tx) => {
			await tx
				.insert(storedAccounts)
				.values({ appId: app.id, accountId: 'acc-1', updatedAt: new Date('2026-02-01T00:00:00Z') })
			written()
			await released
		})
		await wrote
		// What deleting the app (or changing its id) must take first: refused at once while the writer holds its
		// FOR KEY SHARE (lock_not_available).
		const probe = await refusal(db.execute(sql`select 1 from apps where id = ${app.id} for update nowait`))
		release()
		await writer
		expect(probe).toBe('55P03')
		expect(await refusal(db.execute(sql`select 1 from apps where id = ${app.id} for update nowait`))).toBe('written')
		expect(await accountsOf(app.id)).toBe(2)
	})
})
