import { and, eq, sql } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { apps } from '#db/schema'
import { isBeforeEarliestInstant, TOO_EARLY_MESSAGE } from '~/domain/calendar-day'
import { UserFacingError } from '~/utils/errors'
import { withTransaction } from '~/utils/transaction.server'
import { lockApp, type App } from './apps.server'
import { actorUserIdOf, auditActor, recordAudit, type Actor } from './audit.server'
import { ledgerFigures } from './ledger-stats.server'

/**
 * "Storing personal data since" per app (docs/rules.md › Personal-data
 * reporting): set by a person, proposed from the oldest `updatedAt` when
 * accounts are imported, defaulting to the first stored account. The first
 * report is due one cycle after it.
 */

/** Minutes of clock skew allowed between the person's machine and ours. */
const FUTURE_SKEW_MS = 5 * 60 * 1000

/**
 * The date the status counts from: the person's or the ledger's, or an
 * earlier one an import proposed until a person answers (the earlier date is
 * the safe one: it can only bring a deadline forward).
 */
export function storingSinceOf(app: Pick<App, 'storingSince' | 'storingSinceSource' | 'storingSinceProposed'>) {
	if (app.storingSinceProposed && (!app.storingSince || app.storingSinceProposed < app.storingSince)) {
		return { at: app.storingSinceProposed, source: 'proposed' as const }
	}
	if (!app.storingSince) return null
	return {
		at: app.storingSince,
		source: app.storingSinceSource === 'person' ? ('person' as const) : ('ledger' as const),
	}
}

/**
 * "Storing personal data since", as a person states it: the first report is
 * due one cycle after it. Answers any proposal an import made (its date is
 * then either taken or consciously kept). Not in the future.
 */
export async function setStoringSince(
	orgId: string,
	actor: Actor,
	appId: string,
	at: Date,
	now = new Date(),
	/** The caller's transaction, when this is one step of a larger change (the API). */
	outer?: Tx,
) {
	if (Number.isNaN(at.getTime()))
		throw new UserFacingError('Enter the date the app started storing personal data.', 400, 'storingSince')
	if (isBeforeEarliestInstant(at)) throw new UserFacingError(TOO_EARLY_MESSAGE, 400, 'storingSince')
	if (at.getTime() > now.getTime() + FUTURE_SKEW_MS) {
		throw new UserFacingError('The app cannot have started storing personal data in the future.', 400, 'storingSince')
	}
	return withTransaction(outer, async (tx) => {
		const app = await lockApp(tx, orgId, appId)
		// Data already in the ledger that was retrieved before the date given: the
		// earlier date is proposed and counted from until a person keeps theirs.
		// (app_ledger_stats: exact inside this transaction too.)
		const oldest = (await ledgerFigures(appId, tx)).oldestUpdatedAt
		const proposed = oldest && oldest < at ? oldest : null
		const [saved] = await tx
			.update(apps)
			.set({
				storingSince: at,
				storingSinceSource: 'person',
				storingSinceSetBy: actorUserIdOf(actor),
				storingSinceSetAt: now,
				storingSinceProposed: proposed,
				updatedAt: sql`now()`,
			})
			.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
			.returning()
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: 'app.storing_since_set',
			subjectType: 'app',
			subjectId: appId,
			before: {
				storingSince: app.storingSince?.toISOString() ?? null,
				storingSinceSource: app.storingSinceSource,
				storingSinceProposed: app.storingSinceProposed?.toISOString() ?? null,
			},
			after: {
				storingSince: at.toISOString(),
				storingSinceSource: 'person',
				storingSinceProposed: proposed?.toISOString() ?? null,
			},
		})
		return saved!
	})
}

/**
 * Called by the ledger import in its own transaction with the oldest
 * `updatedAt` it wrote: sets "storing since" when nobody has (the default:
 * the first stored account), or proposes the earlier date when the import
 * holds accounts older than the date in force.
 */
export async function noteOldestImported(tx: Tx, orgId: string, actor: Actor, appId: string, oldest: Date) {
	const app = await lockApp(tx, orgId, appId)
	if (!app.storingSince) {
		await tx
			.update(apps)
			.set({
				storingSince: oldest,
				storingSinceSource: 'ledger',
				storingSinceSetAt: sql`now()`,
				storingSinceSetBy: actorUserIdOf(actor),
			})
			.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: 'app.storing_since_set',
			subjectType: 'app',
			subjectId: appId,
			before: { storingSince: null },
			after: { storingSince: oldest.toISOString(), storingSinceSource: 'ledger' },
		})
		return
	}
	if (oldest < app.storingSince && (!app.storingSinceProposed || oldest < app.storingSinceProposed)) {
		await tx
			.update(apps)
			.set({ storingSinceProposed: oldest })
			.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: 'app.storing_since_proposed',
			subjectType: 'app',
			subjectId: appId,
			after: { storingSince: app.storingSince.toISOString(), proposed: oldest.toISOString() },
		})
	}
}

/** A person keeps the storing-since date in force although an import proposed an earlier one. */
export async function keepStoringSince(orgId: string, actorId: string, appId: string) {
	return db.transaction(async (tx) => {
		const app = await lockApp(tx, orgId, appId)
		if (!app.storingSinceProposed) throw new UserFacingError('No earlier date is waiting for an answer.', 409)
		await tx
			.update(apps)
			.set({
				storingSinceProposed: null,
				storingSinceSource: 'person',
				storingSinceSetBy: actorId,
				storingSinceSetAt: sql`now()`,
			})
			.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'app.storing_since_kept',
			subjectType: 'app',
			subjectId: appId,
			after: {
				storingSince: app.storingSince?.toISOString() ?? null,
				declined: app.storingSinceProposed.toISOString(),
			},
		})
	})
}
