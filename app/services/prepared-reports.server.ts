import { createHash } from 'node:crypto'
import { and, desc, eq, sql } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { appLedgerStats, preparedReports } from '#db/schema'
import { batchPagesAsync } from '~/domain/report-batches'
import { UserFacingError } from '~/utils/errors'
import { isUuid } from '~/utils/ids'
import { lockApp, requireApp } from './apps.server'
import { auditActor, recordAudit, type Actor } from './audit.server'
import { streamLedgerPages } from './ledger.server'

/**
 * Prepared reports (docs/rules.md › Personal-data reporting): what a report
 * run answers. A batch set is identified by the SHA-256 of its batches'
 * SHA-256s, each taken over the exact body Clearance serves for that batch
 * (`JSON.stringify` of `{"accounts":[…]}`, UTF-8). Downloading batches stays
 * a side-effect-free GET; the set is recorded when a person prepares it or
 * when a run names it.
 */

export type PreparedReport = typeof preparedReports.$inferSelect
export type BatchSetDigest = { sha256: string; batchSha256: string[]; accountCount: number; batchCount: number }

const SHA256 = /^[0-9a-f]{64}$/

export function sha256Hex(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** The set's digest: SHA-256 over the batch digests, one per line, in batch order. */
export function batchSetSha256(batchSha256: readonly string[]): string {
	return sha256Hex(batchSha256.join('\n'))
}

/** Reads of a ledger changing under them before digestLedger gives up (an import writing batch after batch). */
const DIGEST_TRIES = 3

/**
 * Streams the app's current batches and digests them (the same bodies the download serves), as the ledger was at one
 * moment: the ledger is read in pages (other requests run between them), so a write that lands meanwhile is found by
 * the ledger's figures moving (app_ledger_stats.changed_at, moved by every write in its own transaction), and the
 * ledger is read again.
 */
export async function digestLedger(orgId: string, appId: string): Promise<BatchSetDigest> {
	await requireApp(orgId, appId)
	for (let tries = 1; ; tries++) {
		const before = await ledgerMoment(appId)
		const digest = await digestPages(orgId, appId)
		if ((await ledgerMoment(appId)) === before) return digest
		if (tries === DIGEST_TRIES)
			throw new UserFacingError(
				'The ledger kept changing while its batches were read (an import under way?): try again once it ends.',
				409,
			)
	}
}

/** When the app's ledger last changed and how many accounts it holds, as one comparable value. */
async function ledgerMoment(appId: string): Promise<string> {
	const [row] = await db
		// As text: to the microsecond, where a Date keeps milliseconds.
		.select({ moment: sql<string>`${appLedgerStats.changedAt}::text || ' ' || ${appLedgerStats.accountCount}::text` })
		.from(appLedgerStats)
		.where(eq(appLedgerStats.appId, appId))
	return row?.moment ?? 'empty'
}

async function digestPages(orgId: string, appId: string): Promise<BatchSetDigest> {
	const batchSha256: string[] = []
	let accountCount = 0
	for await (const bodies of batchPagesAsync(streamLedgerPages(orgId, appId))) {
		for (const body of bodies) {
			batchSha256.push(sha256Hex(JSON.stringify(body)))
			accountCount += body.accounts.length
		}
	}
	return { sha256: batchSetSha256(batchSha256), batchSha256, accountCount, batchCount: batchSha256.length }
}

export async function insertPrepared(
	tx: Tx,
	orgId: string,
	appId: string,
	digest: BatchSetDigest,
	preparedBy: string | null,
	/** Who the audit event names: the person preparing, or the one (or API key) whose run named the report. */
	actor: Actor | null = preparedBy,
) {
	const [inserted] = await tx
		.insert(preparedReports)
		.values({ orgId, appId, preparedBy, ...digest })
		.onConflictDoNothing({ target: [preparedReports.appId, preparedReports.sha256] })
		.returning()
	if (inserted) {
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: 'report.prepared',
			subjectType: 'app',
			subjectId: appId,
			after: {
				preparedReportId: inserted.id,
				sha256: digest.sha256,
				accountCount: digest.accountCount,
				batchCount: digest.batchCount,
			},
		})
		return inserted
	}
	// The same batch set prepared before: the first preparation stands.
	const [existing] = await tx
		.select()
		.from(preparedReports)
		.where(
			and(
				eq(preparedReports.orgId, orgId),
				eq(preparedReports.appId, appId),
				eq(preparedReports.sha256, digest.sha256),
			),
		)
	return existing!
}

/** A person prepares the report: the ledger's batch set as it is now, recorded once. */
export async function prepareReport(orgId: string, actorId: string, appId: string): Promise<PreparedReport> {
	await requireApp(orgId, appId)
	const digest = await digestLedger(orgId, appId)
	if (digest.accountCount === 0) {
		throw new UserFacingError(
			'The ledger is empty: import the account ids this app stores before preparing a report.',
			409,
		)
	}
	return db.transaction(async (tx) => {
		await lockApp(tx, orgId, appId)
		return insertPrepared(tx, orgId, appId, digest, actorId)
	})
}

/**
 * The prepared report a run answers: by id, or by the SHA-256 a client
 * computed over what it sent. An unknown SHA-256 is recorded when it matches
 * the ledger's current batches, and refused otherwise. Called before the run's
 * own transaction (the digest streams the ledger); the run re-checks the row.
 */
export async function findPreparedReport(
	orgId: string,
	appId: string,
	ref: { id: string } | { sha256: string },
	/** Whose run names it, for the audit event when the SHA-256 is recorded now. */
	actor: Actor | null = null,
): Promise<PreparedReport> {
	await requireApp(orgId, appId)
	if ('id' in ref) {
		const [found] = isUuid(ref.id)
			? await db
					.select()
					.from(preparedReports)
					.where(
						and(eq(preparedReports.orgId, orgId), eq(preparedReports.appId, appId), eq(preparedReports.id, ref.id)),
					)
			: []
		if (!found) throw new UserFacingError('Choose the prepared report whose batches were sent.', 400, 'preparedReport')
		return found
	}
	const sha256 = ref.sha256.trim().toLowerCase()
	if (!SHA256.test(sha256))
		throw new UserFacingError(
			'A prepared report is named by its SHA-256: 64 hexadecimal characters.',
			400,
			'preparedReport',
		)
	const found = await preparedReportBySha(orgId, appId, sha256)
	if (found) return found
	const digest = await digestLedger(orgId, appId)
	if (digest.sha256 !== sha256) {
		throw new UserFacingError(
			'That SHA-256 matches neither a prepared report nor the ledger’s current batches: prepare the report, send those batches, then record the run.',
			400,
			'preparedReport',
		)
	}
	return db.transaction(async (tx) => {
		await lockApp(tx, orgId, appId)
		return insertPrepared(tx, orgId, appId, digest, null, actor)
	})
}

/** Look-up only (no side effect): the app's prepared report with this SHA-256, if any. */
export async function preparedReportBySha(
	orgId: string,
	appId: string,
	sha256: string,
): Promise<PreparedReport | null> {
	if (!SHA256.test(sha256)) return null
	const [found] = await db
		.select()
		.from(preparedReports)
		.where(and(eq(preparedReports.orgId, orgId), eq(preparedReports.appId, appId), eq(preparedReports.sha256, sha256)))
	return found ?? null
}

export async function listPreparedReports(orgId: string, appId: string, limit = 20) {
	return db
		.select()
		.from(preparedReports)
		.where(and(eq(preparedReports.orgId, orgId), eq(preparedReports.appId, appId)))
		.orderBy(desc(preparedReports.preparedAt))
		.limit(limit)
}
