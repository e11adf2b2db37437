import { and, asc, count, eq, isNull, sql } from 'drizzle-orm'
import { db, type Database, type Tx } from '#db/client.server'
import { apps } from '#db/schema'
import { auditChanges } from '~/domain/audit-diff'
import { containsEmailAddress } from '~/domain/email-addresses'
import { type AppInput } from '~/schemas/apps'
import { uniqueViolation } from '~/utils/db-errors.server'
import { UserFacingError } from '~/utils/errors'
import { isUuid } from '~/utils/ids'
import { searchCondition } from '~/utils/sql-like'
import { addCreatorAsOwner } from './app-owners.server'
import { actorUserIdOf, auditActor, recordAudit, type Actor } from './audit.server'

export type App = typeof apps.$inferSelect

const NOT_FOUND = 'No such app in this organisation.'
const DUPLICATE_KEY = 'Another app in this organisation already uses this key.'

/** Fields a person edits; the audit log records these. */
const EDITABLE = [
	'name',
	'appKey',
	'appType',
	'products',
	'marketplaceListingUrl',
	'privacyPolicyUrl',
	'termsOfUseUrl',
	'storesPersonalData',
] as const satisfies readonly (keyof AppInput & keyof App)[]

/** The organisation's active (not archived) apps, by name. */
export async function listApps(orgId: string) {
	return db
		.select()
		.from(apps)
		.where(and(eq(apps.orgId, orgId), isNull(apps.archivedAt)))
		.orderBy(asc(apps.name))
}

/** The app with this id in this organisation, or null (also for an id that is not a uuid). */
export async function getApp(orgId: string, appId: string | undefined, q: Tx | Database = db): Promise<App | null> {
	// Checked here so a malformed URL is a 404, not a database cast error.
	if (!isUuid(appId)) return null
	const [app] = await q
		.select()
		.from(apps)
		.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
	return app ?? null
}

/**
 * The app with this id in this organisation, archived ones too, or a 404
 * `UserFacingError`: another organisation's app is not found either
 * (docs/architecture.md › Tenancy). Services and the API use it as is (the
 * API answers the refusal); a page turns it into its 404 with
 * `.catch(throwRefusal)` (app/utils/refusals.server.ts).
 */
export async function requireApp(orgId: string, appId: string | undefined, q: Tx | Database = db): Promise<App> {
	const app = await getApp(orgId, appId, q)
	if (!app) throw new UserFacingError(NOT_FOUND, 404)
	return app
}

/** `%` and `_` typed into the search box mean themselves. */
export async function listAppsPage(
	orgId: string,
	{
		q,
		includeArchived = false,
		page,
		pageSize,
	}: { q?: string; includeArchived?: boolean; page: number; pageSize: number },
) {
	const where = and(
		eq(apps.orgId, orgId),
		includeArchived ? undefined : isNull(apps.archivedAt),
		searchCondition([apps.name, apps.appKey], q),
	)
	const offset = (Math.max(1, Math.floor(page)) - 1) * pageSize
	const [rows, [totals]] = await Promise.all([
		db
			.select()
			.from(apps)
			.where(where)
			.orderBy(asc(sql`lower(${apps.name})`), asc(apps.id))
			.limit(pageSize)
			.offset(offset),
		db.select({ total: count() }).from(apps).where(where),
	])
	return { apps: rows, total: totals?.total ?? 0 }
}

async function assertKeyFree(tx: Tx, orgId: string, appKey: string, exceptAppId?: string) {
	const [clash] = await tx
		.select({ id: apps.id })
		.from(apps)
		.where(and(eq(apps.orgId, orgId), eq(apps.appKey, appKey)))
	if (clash && clash.id !== exceptAppId) throw new UserFacingError(DUPLICATE_KEY, 409, 'appKey')
}

/**
 * The pre-check answers the usual case; two people saving the same key at
 * once still meet the unique index, which is turned into the same message.
 */
function isDuplicateKey(error: unknown): boolean {
	return uniqueViolation(error) === 'apps_org_key_idx'
}

export async function withDuplicateKeyAsConflict<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work()
	} catch (error) {
		if (isDuplicateKey(error)) throw new UserFacingError(DUPLICATE_KEY, 409, 'appKey')
		throw error
	}
}

/** The organisation's app, locked for the rest of the transaction; a miss is a 404. */
export async function lockApp(tx: Tx, orgId: string, appId: string) {
	if (!isUuid(appId)) throw new UserFacingError(NOT_FOUND, 404)
	const [app] = await tx
		.select()
		.from(apps)
		.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
		.for('update')
	if (!app) throw new UserFacingError(NOT_FOUND, 404)
	return app
}

function pickEditable(source: AppInput | App) {
	return Object.fromEntries(EDITABLE.map((key) => [key, source[key]])) as Pick<App, (typeof EDITABLE)[number]>
}

function sameValue(a: unknown, b: unknown) {
	return Array.isArray(a) && Array.isArray(b) ? a.join('\u0000') === b.join('\u0000') : a === b
}

/**
 * The reporting anchor of last resort (docs/rules.md › Personal-data reporting):
 * stamped when the answer becomes `yes`, left alone otherwise.
 */
export function personalDataSince(current: App | null, next: Pick<App, 'storesPersonalData'>) {
	return next.storesPersonalData === 'yes' && current?.storesPersonalData !== 'yes'
		? { personalDataSince: sql`now()` }
		: {}
}

/** The schema refuses these too; a caller that skips it must not store an address (docs/rules.md › Emails are never stored). */
function refuseEmailAddresses(input: Pick<AppInput, 'name' | 'appKey'>) {
	if (containsEmailAddress(input.name))
		throw new UserFacingError('Remove the email address from the app name: use the name users see.', 422, 'name')
	if (containsEmailAddress(input.appKey))
		throw new UserFacingError(
			'An app key or app id is never an email address: copy it from the descriptor or manifest.',
			422,
			'appKey',
		)
}

export async function createApp(orgId: string, actor: Actor, input: AppInput): Promise<App> {
	refuseEmailAddresses(input)
	return withDuplicateKeyAsConflict(() => db.transaction((tx) => createAppIn(tx, orgId, actor, input)))
}

/** createApp inside the caller's transaction (the API registers an app with its storing-since date and cycle at once). */
export async function createAppIn(tx: Tx, orgId: string, actor: Actor, input: AppInput): Promise<App> {
	refuseEmailAddresses(input)
	await assertKeyFree(tx, orgId, input.appKey)
	const [app] = await tx
		.insert(apps)
		.values({ orgId, createdBy: actorUserIdOf(actor), ...pickEditable(input), ...personalDataSince(null, input) })
		.returning()
	// Its creator owns it and receives its reminders (issue 13); a key-created app falls back to the admins.
	const creatorId = actorUserIdOf(actor)
	if (creatorId) await addCreatorAsOwner(tx, orgId, app!.id, creatorId)
	await recordAudit(tx, {
		orgId,
		...auditActor(actor),
		action: 'app.created',
		subjectType: 'app',
		subjectId: app!.id,
		after: pickEditable(app!),
	})
	return app!
}

/**
 * Saves the edited fields. The audit event holds only what changed; saving
 * an unchanged form writes nothing. An archived app is read-only until restored.
 */
const EDITED_MEANWHILE =
	'Someone else saved this app after you opened it. Your changes are still in the form: reload to see theirs, then save yours again.'

export async function updateApp(
	orgId: string,
	actor: Actor,
	appId: string,
	input: AppInput,
	/** The version the person's form started from; a save over someone else's is refused, not silently reverted. */
	expectedVersion?: number,
): Promise<App> {
	refuseEmailAddresses(input)
	return withDuplicateKeyAsConflict(() =>
		db.transaction((tx) => updateAppIn(tx, orgId, actor, appId, input, expectedVersion)),
	)
}

/** updateApp inside the caller's transaction. */
export async function updateAppIn(
	tx: Tx,
	orgId: string,
	actor: Actor,
	appId: string,
	input: AppInput,
	expectedVersion?: number,
): Promise<App> {
	refuseEmailAddresses(input)
	const current = await lockApp(tx, orgId, appId)
	if (current.archivedAt) throw new UserFacingError('This app is archived. Restore it before editing.', 409)
	if (expectedVersion !== undefined && current.version !== expectedVersion)
		throw new UserFacingError(EDITED_MEANWHILE, 409)
	const next = pickEditable(input)
	const changed = EDITABLE.filter((key) => !sameValue(current[key], next[key]))
	if (changed.length === 0) return current
	if (changed.includes('appKey')) await assertKeyFree(tx, orgId, next.appKey, appId)
	const [app] = await tx
		.update(apps)
		.set({ ...next, ...personalDataSince(current, next), version: current.version + 1, updatedAt: sql`now()` })
		.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
		.returning()
	await recordAudit(tx, {
		orgId,
		...auditActor(actor),
		action: 'app.updated',
		subjectType: 'app',
		subjectId: appId,
		// Old and new value of each changed field, email addresses removed (docs/rules.md › Audit trail).
		...auditChanges(pickEditable(current), next, changed),
	})
	return app!
}

async function setArchived(orgId: string, actorId: string, appId: string, archive: boolean): Promise<App> {
	return db.transaction(async (tx) => {
		const current = await lockApp(tx, orgId, appId)
		if (Boolean(current.archivedAt) === archive) {
			throw new UserFacingError(archive ? 'This app is already archived.' : 'This app is not archived.', 409)
		}
		const [app] = await tx
			.update(apps)
			.set({ archivedAt: archive ? sql`now()` : null, version: current.version + 1, updatedAt: sql`now()` })
			.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
			.returning()
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: archive ? 'app.archived' : 'app.restored',
			subjectType: 'app',
			subjectId: appId,
			before: { archivedAt: current.archivedAt },
			after: { archivedAt: app!.archivedAt },
		})
		return app!
	})
}

/** Hides the app from lists and the dashboard; nothing is deleted, so requests and reports keep their app. */
export function archiveApp(orgId: string, actorId: string, appId: string) {
	return setArchived(orgId, actorId, appId, true)
}

export function restoreApp(orgId: string, actorId: string, appId: string) {
	return setArchived(orgId, actorId, appId, false)
}
