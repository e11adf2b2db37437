import { count, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { storedAccounts } from '#db/schema'
import { createOrgWithLedgerApp } from '../fixtures/world'

// What the database itself guarantees about the ledger, whatever writes to it: the account id's format
// (migration 0014: the length apart from the pattern).

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
