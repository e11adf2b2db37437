import { and, eq, lte, sql } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { memberships, organizations, sessions, users } from '#db/schema'
import { isExpired, sessionExpiry } from '~/domain/session-policy'
import { slugify, uniqueSlug } from '~/domain/slug'
import { type SignupInput } from '~/schemas/auth'
import { uniqueViolation } from '~/utils/db-errors.server'
import { env } from '~/utils/env.server'
import { UserFacingError } from '~/utils/errors'
import { hashPassword, needsRehash, timingDummyHash, verifyPassword } from '~/utils/password.server'
import { hashToken, newToken } from '~/utils/tokens.server'
import { recordAudit } from './audit.server'
import {
	claimAttempt,
	clearFailures,
	type FailurePolicy,
	isKnownDevice,
	recordFailure,
	rememberDevice,
} from './rate-limit.server'

/** The address typed belongs to an account already: a form message on the email field. */
export class EmailTakenError extends UserFacingError {
	constructor() {
		super('An account with this email already exists. Log in instead.', 400, 'email')
		this.name = 'EmailTakenError'
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
export async function insertUser(tx: Tx, input: { name: string; email: string; password: string }) {
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
export async function signup(
	input: SignupInput,
	attempt = 0,
): Promise<{ user: SessionUser; org: typeof organizations.$inferSelect }> {
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

/**
 * The user for this email and password, or null — never says which was wrong.
 * A hash made at a lower cost than today's is replaced now that the password
 * is known (only if nobody changed it meanwhile).
 */
export async function verifyLogin(email: string, password: string) {
	const user = await findUserByEmail(email)
	if (!user) {
		await verifyPassword(password, await timingDummyHash())
		return null
	}
	const ok = await verifyPassword(password, user.passwordHash)
	if (!ok) return null
	if (needsRehash(user.passwordHash)) {
		await db
			.update(users)
			.set({ passwordHash: await hashPassword(password) })
			.where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash)))
	}
	return { id: user.id, email: user.email, name: user.name } satisfies SessionUser
}

export function loginPolicies(settings = env()): { account: FailurePolicy; client: FailurePolicy } {
	return {
		account: {
			freeFailures: settings.LOGIN_ACCOUNT_FREE_FAILURES,
			delaySeconds: settings.LOGIN_ACCOUNT_DELAY_SECONDS,
			maxDelaySeconds: settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS,
			memorySeconds: settings.LOGIN_FAILURE_MEMORY_SECONDS,
		},
		client: {
			freeFailures: settings.LOGIN_CLIENT_FREE_FAILURES,
			delaySeconds: settings.LOGIN_CLIENT_DELAY_SECONDS,
			maxDelaySeconds: settings.LOGIN_CLIENT_MAX_DELAY_SECONDS,
			memorySeconds: settings.LOGIN_FAILURE_MEMORY_SECONDS,
		},
	}
}

export const loginAccountKey = (email: string) => `login:account:${email.trim().toLowerCase()}`
export const loginClientKey = (client: string) => `login:client:${client}`

export type LoginResult =
	| { outcome: 'succeeded'; user: SessionUser; deviceToken: string }
	| { outcome: 'failed' }
	| { outcome: 'rate_limited'; scope: 'client' | 'account'; retryAfterSeconds: number }

/**
 * One login attempt, with the limits of docs/decisions/006-limits-and-operations.md:
 *
 * - Only failures count. A client (address) past its free failures waits a
 *   doubling delay between attempts, whatever accounts it tries.
 * - An account past its free failures waits a doubling delay too, capped,
 *   so guessing from many clients stays slow; a refused attempt is not a
 *   failure and does not lengthen it, and once the delay has passed the next
 *   attempt is checked: the right password gets in, and clears the count.
 * - A browser that has signed in to this account before (its device cookie)
 *   skips the account's delay, so nobody can keep the owner out by failing
 *   on purpose; it still counts as a client.
 *
 * `client` is null when the address is unknown (no per-client limit then).
 */
export async function attemptLogin(input: {
	email: string
	password: string
	client: string | null
	deviceToken: string | null
}): Promise<LoginResult> {
	const policies = loginPolicies()
	const clientKey = input.client ? loginClientKey(input.client) : null
	if (clientKey) {
		const verdict = await claimAttempt(clientKey, policies.client)
		if (!verdict.allowed)
			return { outcome: 'rate_limited', scope: 'client', retryAfterSeconds: verdict.retryAfterSeconds }
	}
	const accountKey = loginAccountKey(input.email)
	const known = await findUserByEmail(input.email)
	if (!(known && (await isKnownDevice(known.id, input.deviceToken)))) {
		const verdict = await claimAttempt(accountKey, policies.account)
		if (!verdict.allowed)
			return { outcome: 'rate_limited', scope: 'account', retryAfterSeconds: verdict.retryAfterSeconds }
	}
	const user = await verifyLogin(input.email, input.password)
	if (!user) {
		const failures = await recordFailure(accountKey, policies.account)
		if (clientKey) await recordFailure(clientKey, policies.client)
		await recordLoginAttempt(input.email, 'failed')
		// The failure that starts the delay is recorded too, once per episode.
		if (failures === policies.account.freeFailures) await recordLoginAttempt(input.email, 'rate_limited')
		return { outcome: 'failed' }
	}
	await clearFailures(accountKey)
	// A known browser keeps its token (refreshed); a new one gets one.
	const deviceToken = await rememberDevice(user.id, input.deviceToken ?? undefined)
	await deleteExpiredSessions()
	await recordLoginAttempt(user.email, 'succeeded')
	return { outcome: 'succeeded', user, deviceToken }
}

export type LoginOutcome = 'succeeded' | 'failed' | 'rate_limited'

const LOGIN_REASONS: Record<LoginOutcome, string | null> = {
	succeeded: null,
	failed: 'Wrong password.',
	rate_limited: 'Too many failed logins for this account: further attempts are slowed down for a while.',
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
