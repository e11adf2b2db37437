import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { invites, memberships, organizations, users } from '#db/schema'
import { leavesAnAdmin, normaliseRoles, type Role } from '~/domain/roles'
import { DAY_MS } from '~/domain/zoned-time'
import { type InviteInput } from '~/schemas/members'
import { env } from '~/utils/env.server'
import { UserFacingError } from '~/utils/errors'
import { hashToken, newToken } from '~/utils/tokens.server'
import { recordAudit } from './audit.server'
import { findUserByEmail, insertUser, type SessionUser } from './auth.server'

export type Membership = {
	org: { id: string; slug: string; name: string; timeZone: string }
	roles: Role[]
}

/** The user's membership of the organisation with this slug, or null. */
export async function getMembership(userId: string, orgSlug: string): Promise<Membership | null> {
	const [row] = await db
		.select({
			id: organizations.id,
			slug: organizations.slug,
			name: organizations.name,
			timeZone: organizations.timeZone,
			roles: memberships.roles,
		})
		.from(memberships)
		.innerJoin(organizations, eq(organizations.id, memberships.orgId))
		.where(and(eq(memberships.userId, userId), eq(organizations.slug, orgSlug)))
	if (!row) return null
	const { roles, ...org } = row
	return { org, roles }
}

export async function listUserOrgs(userId: string) {
	return db
		.select({ slug: organizations.slug, name: organizations.name, roles: memberships.roles })
		.from(memberships)
		.innerJoin(organizations, eq(organizations.id, memberships.orgId))
		.where(eq(memberships.userId, userId))
		.orderBy(asc(organizations.name))
}

export async function listMembers(orgId: string) {
	return db
		.select({
			userId: users.id,
			name: users.name,
			email: users.email,
			roles: memberships.roles,
			joinedAt: memberships.createdAt,
		})
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.where(eq(memberships.orgId, orgId))
		.orderBy(asc(users.name))
}

/** Locks the org's memberships so two admins cannot both remove the last admin. */
async function lockMemberships(tx: Tx, orgId: string) {
	return tx
		.select({ userId: memberships.userId, roles: memberships.roles })
		.from(memberships)
		.where(eq(memberships.orgId, orgId))
		.for('update')
}

function adminIdsOf(rows: { userId: string; roles: Role[] }[]) {
	return rows.filter((row) => row.roles.includes('admin')).map((row) => row.userId)
}

export async function changeRoles(orgId: string, actorId: string, userId: string, requested: readonly Role[]) {
	const roles = normaliseRoles(requested)
	if (roles.length === 0) throw new UserFacingError('Pick at least one role.', 400, 'roles')
	await db.transaction(async (tx) => {
		const rows = await lockMemberships(tx, orgId)
		const current = rows.find((row) => row.userId === userId)
		if (!current) throw new UserFacingError('That person is not a member of this organisation.', 404)
		if (!leavesAnAdmin(adminIdsOf(rows), { userId, roles })) {
			throw new UserFacingError('An organisation needs at least one admin. Make someone else admin first.', 409)
		}
		await tx
			.update(memberships)
			.set({ roles })
			.where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'member.roles_changed',
			subjectType: 'user',
			subjectId: userId,
			before: { roles: current.roles },
			after: { roles },
		})
	})
}

export async function removeMember(orgId: string, actorId: string, userId: string) {
	await db.transaction(async (tx) => {
		const rows = await lockMemberships(tx, orgId)
		const current = rows.find((row) => row.userId === userId)
		if (!current) throw new UserFacingError('That person is not a member of this organisation.', 404)
		if (!leavesAnAdmin(adminIdsOf(rows), { userId, roles: null })) {
			throw new UserFacingError('An organisation needs at least one admin. Make someone else admin first.', 409)
		}
		await tx.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'member.removed',
			subjectType: 'user',
			subjectId: userId,
			before: { roles: current.roles },
		})
	})
}

// ── Invites ──────────────────────────────────────────────────────────────

/** Creates a single-use invite; the plain token is returned once, for the link. */
export async function createInvite(orgId: string, actorId: string, input: InviteInput, now = new Date()) {
	return db.transaction(async (tx) => {
		const existing = await findUserByEmail(input.email, tx)
		if (existing) {
			const [member] = await tx
				.select({ userId: memberships.userId })
				.from(memberships)
				.where(and(eq(memberships.orgId, orgId), eq(memberships.userId, existing.id)))
			if (member) throw new UserFacingError(`${input.email} is already a member.`, 409, 'email')
		}
		const token = newToken()
		const roles = normaliseRoles(input.roles)
		const [invite] = await tx
			.insert(invites)
			.values({
				orgId,
				email: input.email,
				roles,
				tokenHash: hashToken(token),
				createdBy: actorId,
				expiresAt: new Date(now.getTime() + env().INVITE_TTL_DAYS * DAY_MS),
			})
			.returning()
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'invite.created',
			subjectType: 'invite',
			subjectId: invite!.id,
			after: { email: input.email, roles, expiresAt: invite!.expiresAt },
		})
		return { invite: invite!, token }
	})
}

export async function listPendingInvites(orgId: string, now = new Date()) {
	return db
		.select({
			id: invites.id,
			email: invites.email,
			roles: invites.roles,
			expiresAt: invites.expiresAt,
			createdAt: invites.createdAt,
		})
		.from(invites)
		.where(
			and(eq(invites.orgId, orgId), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now)),
		)
		.orderBy(asc(invites.createdAt))
}

export async function revokeInvite(orgId: string, actorId: string, inviteId: string) {
	await db.transaction(async (tx) => {
		const [invite] = await tx
			.update(invites)
			.set({ revokedAt: sql`now()` })
			.where(
				and(eq(invites.id, inviteId), eq(invites.orgId, orgId), isNull(invites.acceptedAt), isNull(invites.revokedAt)),
			)
			.returning()
		if (!invite) throw new UserFacingError('That invite no longer exists or was already used.', 404)
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'invite.revoked',
			subjectType: 'invite',
			subjectId: invite.id,
			before: { email: invite.email, roles: invite.roles },
		})
	})
}

export type InviteView =
	| {
			status: 'valid'
			id: string
			email: string
			roles: Role[]
			org: { slug: string; name: string }
			accountExists: boolean
	  }
	| { status: 'used' | 'expired' | 'invalid' }

/** What the invite link shows: whom it is for, or why it no longer works. */
export async function getInvite(token: string, now = new Date()): Promise<InviteView> {
	const [row] = await db
		.select({ invite: invites, org: { slug: organizations.slug, name: organizations.name } })
		.from(invites)
		.innerJoin(organizations, eq(organizations.id, invites.orgId))
		.where(eq(invites.tokenHash, hashToken(token)))
	if (!row || row.invite.revokedAt) return { status: 'invalid' }
	if (row.invite.acceptedAt) return { status: 'used' }
	if (row.invite.expiresAt.getTime() <= now.getTime()) return { status: 'expired' }
	const accountExists = Boolean(await findUserByEmail(row.invite.email))
	return {
		status: 'valid',
		id: row.invite.id,
		email: row.invite.email,
		roles: row.invite.roles,
		org: row.org,
		accountExists,
	}
}

const INVITE_UNUSABLE = {
	used: 'This invite link has already been used. Ask an admin for a new one.',
	expired: 'This invite link has expired. Ask an admin for a new one.',
	invalid: 'This invite link is not valid. Ask an admin for a new one.',
} as const

/**
 * Accepts an invite, as the signed-in user or as a new account. The invite
 * is consumed by a conditional UPDATE in the same transaction that creates
 * the membership, so a link works exactly once, even under a double submit.
 */
export async function acceptInvite(
	token: string,
	who: { user: SessionUser } | { newAccount: { name: string; password: string } },
	now = new Date(),
) {
	const view = await getInvite(token, now)
	if (view.status !== 'valid') throw new UserFacingError(INVITE_UNUSABLE[view.status], 410)
	return db.transaction(async (tx) => {
		const user = 'user' in who ? who.user : await insertUser(tx, { email: view.email, ...who.newAccount })
		if (user.email.toLowerCase() !== view.email.toLowerCase()) {
			throw new UserFacingError(
				`This invite is for ${view.email}, but you are signed in as ${user.email}. Log out and open the link again.`,
				403,
			)
		}
		const [consumed] = await tx
			.update(invites)
			.set({ acceptedAt: now, acceptedBy: user.id })
			.where(
				and(eq(invites.id, view.id), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now)),
			)
			.returning()
		if (!consumed) throw new UserFacingError(INVITE_UNUSABLE.used, 410)
		const [org] = await tx.select().from(organizations).where(eq(organizations.id, consumed.orgId))
		const inserted = await tx
			.insert(memberships)
			.values({ orgId: consumed.orgId, userId: user.id, roles: consumed.roles })
			.onConflictDoNothing()
			.returning()
		if (inserted.length === 0) {
			throw new UserFacingError(`You are already a member of ${org!.name}.`, 409)
		}
		await recordAudit(tx, {
			orgId: consumed.orgId,
			actorUserId: user.id,
			action: 'member.joined',
			subjectType: 'user',
			subjectId: user.id,
			after: { email: user.email, roles: consumed.roles, inviteId: consumed.id },
		})
		return { user, org: { slug: org!.slug, name: org!.name } }
	})
}
