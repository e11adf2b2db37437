import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { db, type Database, type Tx } from '#db/client.server'
import { appOwners, apps, memberships, users } from '#db/schema'
import { UserFacingError } from '~/utils/errors'
import { isUuid } from '~/utils/ids'
import { recordAudit } from './audit.server'

/**
 * The members responsible for an app (issue 13): they receive its reminders.
 * The creator becomes its owner when the app is registered; an app without
 * owners (registered before owners existed, or by an API key) has its creator
 * as owner, else the organisation's admins. Nothing is backfilled: the
 * fallback is read when needed.
 */

export const MAX_OWNERS = 20

/** In the transaction that registers the app. */
export async function addCreatorAsOwner(tx: Tx, orgId: string, appId: string, userId: string) {
	await tx.insert(appOwners).values({ orgId, appId, userId }).onConflictDoNothing()
}

export type OwnerSource = 'owners' | 'creator' | 'admins'

async function appOf(q: Tx | Database, orgId: string, appId: string) {
	if (!isUuid(appId)) throw new UserFacingError('No such app in this organisation.', 404)
	const [app] = await q
		.select({ id: apps.id, createdBy: apps.createdBy })
		.from(apps)
		.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
	if (!app) throw new UserFacingError('No such app in this organisation.', 404)
	return app
}

async function membersAmong(q: Tx | Database, orgId: string, userIds: readonly string[]) {
	if (userIds.length === 0) return []
	const rows = await q
		.select({ userId: memberships.userId, roles: memberships.roles })
		.from(memberships)
		.where(and(eq(memberships.orgId, orgId), inArray(memberships.userId, [...userIds])))
	return rows
}

/**
 * Who receives an app's reminders: its owners who are still members; else
 * its creator if still a member; else the admins. `source` says which.
 */
export async function reminderOwnersOf(
	q: Tx | Database,
	orgId: string,
	appId: string,
): Promise<{ userIds: string[]; source: OwnerSource }> {
	const app = await appOf(q, orgId, appId)
	const owners = await q
		.select({ userId: appOwners.userId })
		.from(appOwners)
		.innerJoin(memberships, and(eq(memberships.orgId, appOwners.orgId), eq(memberships.userId, appOwners.userId)))
		.where(and(eq(appOwners.orgId, orgId), eq(appOwners.appId, appId)))
	if (owners.length > 0) return { userIds: owners.map((row) => row.userId), source: 'owners' }
	if (app.createdBy && (await membersAmong(q, orgId, [app.createdBy])).length > 0) {
		return { userIds: [app.createdBy], source: 'creator' }
	}
	return { userIds: await adminsOf(q, orgId), source: 'admins' }
}

export async function adminsOf(q: Tx | Database, orgId: string): Promise<string[]> {
	const rows = await q
		.select({ userId: memberships.userId })
		.from(memberships)
		.where(and(eq(memberships.orgId, orgId), sql`'admin' = any(${memberships.roles})`))
	return rows.map((row) => row.userId)
}

/** What the app page shows: the owners by name, and who receives reminders when there are none. */
export async function listOwners(orgId: string, appId: string) {
	await appOf(db, orgId, appId)
	const owners = await db
		.select({ userId: users.id, name: users.name })
		.from(appOwners)
		.innerJoin(users, eq(users.id, appOwners.userId))
		.innerJoin(memberships, and(eq(memberships.orgId, appOwners.orgId), eq(memberships.userId, appOwners.userId)))
		.where(and(eq(appOwners.orgId, orgId), eq(appOwners.appId, appId)))
		.orderBy(asc(users.name))
	const fallback = owners.length > 0 ? null : (await reminderOwnersOf(db, orgId, appId)).source
	return { owners, fallback }
}

/**
 * Replaces the app's owners with `userIds` (members of the organisation, at
 * least one). Audited with the names before and after.
 */
export async function setOwners(orgId: string, actorId: string, appId: string, userIds: readonly string[]) {
	const wanted = [...new Set(userIds)]
	if (wanted.length === 0) throw new UserFacingError('Pick at least one owner.', 400, 'owners')
	if (wanted.length > MAX_OWNERS) throw new UserFacingError(`At most ${MAX_OWNERS} owners.`, 400, 'owners')
	if (!wanted.every((id) => isUuid(id))) throw new UserFacingError('Pick owners from the list.', 400, 'owners')
	await db.transaction(async (tx) => {
		await appOf(tx, orgId, appId)
		// Locks the app row: two people saving owners at once apply one after the other.
		await tx.execute(sql`select 1 from ${apps} where ${apps.id} = ${appId} for update`)
		const members = await membersAmong(tx, orgId, wanted)
		if (members.length !== wanted.length) {
			throw new UserFacingError('Owners must be members of this organisation.', 400, 'owners')
		}
		const current = await tx
			.select({ userId: appOwners.userId })
			.from(appOwners)
			.where(and(eq(appOwners.orgId, orgId), eq(appOwners.appId, appId)))
		const before = current.map((row) => row.userId)
		const added = wanted.filter((id) => !before.includes(id))
		const removed = before.filter((id) => !wanted.includes(id))
		if (added.length === 0 && removed.length === 0) return
		if (removed.length > 0) {
			await tx
				.delete(appOwners)
				.where(and(eq(appOwners.orgId, orgId), eq(appOwners.appId, appId), inArray(appOwners.userId, removed)))
		}
		if (added.length > 0) {
			await tx.insert(appOwners).values(added.map((userId) => ({ orgId, appId, userId })))
		}
		const names = await namesOf(tx, [...new Set([...before, ...wanted])])
		const named = (ids: string[]) => ids.map((id) => names.get(id) ?? 'a former member').sort()
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'app.owners_changed',
			subjectType: 'app',
			subjectId: appId,
			before: { owners: named(before) },
			after: { owners: named(wanted) },
		})
	})
}

async function namesOf(q: Tx | Database, ids: readonly string[]) {
	if (ids.length === 0) return new Map<string, string>()
	const rows = await q
		.select({ id: users.id, name: users.name })
		.from(users)
		.where(inArray(users.id, [...ids]))
	return new Map(rows.map((row) => [row.id, row.name]))
}
