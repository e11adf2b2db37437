import { and, eq, gt, lte, sql } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { memberships, organizations, sessions, users } from '#db/schema'
import { isExpired, sessionExpiry } from '~/domain/session-policy'
import { slugify, uniqueSlug } from '~/domain/slug'
import { type SignupInput } from '~/schemas/auth'
import { uniqueViolation } from '~/utils/db-errors.server'
import { env } from '~/utils/env.server'
import { hashPassword, timingDummyHash, verifyPassword } from '~/utils/password.server'
import { hashToken, newToken } from '~/utils/tokens.server'
import { recordAudit } from './audit.server'

export class EmailTakenError extends Error {
	constructor() {
		super('An account with this email already exists. Log in instead.')
	}
}

export type SessionUser = { id: string; email: string; name: string }

export async function findUserByEmail(email: string, tx: Tx | typeof db = db) {
	const [user] = await tx
		.select()
		.from(users)
		.where(eq(sql`lower(${users.email})`, email.toLowerCase()))
	return user
}

/** Creates a user row; the caller's transaction decides what else commits with it. */
export async function insertUser(
	tx: Tx,
	input: { name: string; email: string; password: string },
) {
	if (await findUserByEmail(input.email, tx)) throw new EmailTakenError()
	const [user] = await tx
		.insert(users)
		.values({
			name: input.name,
			email: input.email.toLowerCase(),
			passwordHash: await hashPassword(input.password),
		})
		.returning({ id: users.id, email: users.email, name: users.name })
	return user!
}

async function pickOrgSlug(tx: Tx, name: string) {
	const base = slugify(name)
	const rows = await tx
		.select({ slug: organizations.slug })
		.from(organizations)
		.where(sql`${organizations.slug} = ${base} or ${organizations.slug} like ${`${base}-%`}`)
	return uniqueSlug(base, new Set(rows.map((row) => row.slug)))
}

/**
 * Sign up: a new user, a new organisation, and the user as its admin. Two
 * sign-ups racing for one email or slug collide on a unique index: the email
 * case is the usual "already exists", a slug is picked again once.
 */
export async function signup(input: SignupInput, attempt = 0): Promise<{ user: SessionUser; org: typeof organizations.$inferSelect }> {
	try {
		return await signupOnce(input)
	} catch (error) {
		const index = uniqueViolation(error)
		if (index === 'users_email_lower_idx') throw new EmailTakenError()
		if (index === 'organizations_slug_unique' && attempt === 0) return signup(input, 1)
		throw error
	}
}

async function signupOnce(input: SignupInput) {
	return db.transaction(async (tx) => {
		const user = await insertUser(tx, input)
		const [org] = await tx
			.insert(organizations)
			.values({ name: input.orgName, slug: await pickOrgSlug(tx, input.orgName) })
			.returning()
		// Sign-up makes the founder admin and vendor, so they can start at once;
		// reviewer stays a separate grant for four-eyes review.
		const roles = ['admin', 'member'] as const
		await tx.insert(memberships).values({ orgId: org!.id, userId: user.id, roles: [...roles] })
		await recordAudit(tx, {
			orgId: org!.id,
			actorUserId: user.id,
			action: 'org.created',
			subjectType: 'organization',
			subjectId: org!.id,
			after: { name: org!.name, slug: org!.slug, founder: user.email, roles },
		})
		return { user, org: org! }
	})
}

/** The user for this email and password, or null — never says which was wrong. */
export async function verifyLogin(email: string, password: string) {
	const user = await findUserByEmail(email)
	if (!user) {
		await verifyPassword(password, await timingDummyHash())
		return null
	}
	const ok = await verifyPassword(password, user.passwordHash)
	return ok ? ({ id: user.id, email: user.email, name: user.name } satisfies SessionUser) : null
}

export type LoginOutcome = 'succeeded' | 'failed' | 'rate_limited'

const LOGIN_REASONS: Record<LoginOutcome, string | null> = {
	succeeded: null,
	failed: 'Wrong password.',
	rate_limited: 'Too many login attempts for this account; further attempts are refused for a while.',
}

/**
 * Records a login attempt in the audit log of every organisation the
 * account belongs to (docs/rules.md › Audit trail): a success as done by the
 * user, a failure or a blocked attempt as done by someone not signed in, on
 * the account they tried. An audit event belongs to an organisation, so an
 * email with no account (or an account in no organisation) leaves no row:
 * no organisation's auditor could read it, and keeping the typed address
 * would store an unknown person's email. The password never comes here.
 */
export async function recordLoginAttempt(email: string, outcome: LoginOutcome) {
	const user = await findUserByEmail(email)
	if (!user) return
	const orgs = await db.select({ orgId: memberships.orgId }).from(memberships).where(eq(memberships.userId, user.id))
	if (orgs.length === 0) return
	const reason = LOGIN_REASONS[outcome]
	await db.transaction(async (tx) => {
		for (const { orgId } of orgs) {
			await recordAudit(tx, {
				orgId,
				actorUserId: outcome === 'succeeded' ? user.id : null,
				action: `login.${outcome}`,
				subjectType: 'user',
				subjectId: user.id,
				after: reason ? { reason } : null,
			})
		}
	})
}

export async function createSession(userId: string, now = new Date()) {
	const token = newToken()
	const expiresAt = sessionExpiry(now, env().SESSION_TTL_DAYS)
	await db.insert(sessions).values({ tokenHash: hashToken(token), userId, expiresAt })
	return { token, expiresAt }
}

/** The signed-in user for a session token, or null when unknown or expired. */
export async function getSessionUser(token: string, now = new Date()): Promise<SessionUser | null> {
	const [row] = await db
		.select({
			id: users.id,
			email: users.email,
			name: users.name,
			expiresAt: sessions.expiresAt,
		})
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(eq(sessions.tokenHash, hashToken(token)))
	if (!row) return null
	if (isExpired(row.expiresAt, now)) {
		await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)))
		return null
	}
	return { id: row.id, email: row.email, name: row.name }
}

export async function deleteSession(token: string) {
	await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)))
}

export async function deleteExpiredSessions(now = new Date()) {
	await db.delete(sessions).where(lte(sessions.expiresAt, now))
}

export async function countActiveSessions(userId: string, now = new Date()) {
	const [row] = await db
		.select({ count: sql<number>`count(*)::int` })
		.from(sessions)
		.where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
	return row?.count ?? 0
}
