import { eq, inArray } from 'drizzle-orm'
import { db, type Database, type Tx } from '#db/client.server'
import { appLedgerStats } from '#db/schema'

/**
 * The per-app figures of the ledger (app_ledger_stats, kept exact by
 * migration 0010's triggers in the same transaction as every change to
 * stored_accounts): how many accounts, the oldest `updatedAt`, when the first
 * was stored. One primary-key read instead of counting a million rows
 * (docs/performance.md › Indexes). An app with no row holds no account.
 */
export type LedgerFigures = { accountCount: number; oldestUpdatedAt: Date | null; firstStoredAt: Date | null }

export const EMPTY_LEDGER: LedgerFigures = { accountCount: 0, oldestUpdatedAt: null, firstStoredAt: null }

const columns = {
	appId: appLedgerStats.appId,
	accountCount: appLedgerStats.accountCount,
	oldestUpdatedAt: appLedgerStats.oldestUpdatedAt,
	firstStoredAt: appLedgerStats.firstStoredAt,
}

/** The figures of one app; `tx` to read them inside a caller's transaction (they are exact there too). */
export async function ledgerFigures(appId: string, tx: Tx | Database = db): Promise<LedgerFigures> {
	const [row] = await tx.select(columns).from(appLedgerStats).where(eq(appLedgerStats.appId, appId))
	return row ? figuresOf(row) : EMPTY_LEDGER
}

/** The figures of several apps in one query; apps without accounts are absent (read them as EMPTY_LEDGER). */
export async function ledgerFiguresOf(appIds: readonly string[]): Promise<Map<string, LedgerFigures>> {
	if (appIds.length === 0) return new Map()
	const rows = await db
		.select(columns)
		.from(appLedgerStats)
		.where(inArray(appLedgerStats.appId, [...appIds]))
	return new Map(rows.map((row) => [row.appId, figuresOf(row)]))
}

function figuresOf(row: { accountCount: number; oldestUpdatedAt: Date | null; firstStoredAt: Date | null }) {
	// A row whose accounts all left keeps its first-stored time; its count is 0 and it has no oldest.
	return {
		accountCount: Number(row.accountCount),
		oldestUpdatedAt: row.accountCount > 0 ? row.oldestUpdatedAt : null,
		firstStoredAt: row.firstStoredAt,
	}
}
