import { randomBytes } from 'node:crypto'
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { db } from '#db/client.server'
import { apiKeys, organizations, users } from '#db/schema'
import {
	API_KEY_NAME_MAX,
	API_KEY_PREFIX,
	isApiKeyFormat,
	normaliseScopes,
	visiblePrefix,
	type ApiScope,
} from '~/domain/api-keys'
import { NO_SUCH_ORGANISATION, UserFacingError } from '~/utils/errors'
import { isUuid } from '~/utils/ids'
import { hashToken } from '~/utils/tokens.server'
import { recordAudit } from './audit.server'

/**
 * API keys of an organisation (docs/architecture.md › REST API). A key is
 * `clr_` and 43 random base64url characters (256 bits). It is returned once,
 * when it is made; the database keeps its SHA-256 and its visible start. Every
 * API request looks the key up by hash, so a revoked key is refused at once.
 */

export type ApiKey = typeof apiKeys.$inferSelect
/** What a list shows: never the hash. */
export type ApiKeyView = Omit<ApiKey, 'keyHash'> & { createdByName: string | null; revokedByName: string | null }
export type AuthenticatedKey = {
	apiKey: Omit<ApiKey, 'keyHash'>
	org: { id: string; slug: string; name: string; timeZone: string }
}

/** last_used_at is written at most this often per key (a busy job would otherwise write on every request). */
const LAST_USED_PRECISION_SECONDS = 60

export type NewApiKey = { name: string; scopes: readonly string[] }

function checkNewKey(input: NewApiKey): { name: string; scopes: ApiScope[] } {
	const name = input.name.trim()
	if (name === '')
		throw new UserFacingError('Name the key after what uses it, such as “Release pipeline”.', 400, 'name')
	if (name.length > API_KEY_NAME_MAX)
		throw new UserFacingError(`Shorten the name to at most ${API_KEY_NAME_MAX} characters.`, 400, 'name')
	// Invisible control and format characters (and NUL, which PostgreSQL refuses) have no place in a name.
	if (/[\p{Cc}\p{Cf}]/u.test(name))
		throw new UserFacingError(
			'Remove the invisible characters from the name: type it again rather than pasting it.',
			400,
			'name',
		)
	const scopes = normaliseScopes(input.scopes)
	if (scopes.length === 0 || scopes.length !== new Set(input.scopes).size) {
		throw new UserFacingError(
			'Choose at least one scope: read, apps:write, accounts:write or reports:write.',
			400,
			'scopes',
		)
	}
	return { name, scopes }
}

/**
 * Makes a key for the organisation, in one transaction with its audit event.
 * `createdBy` is the admin, or null for `npm run api-key` (nobody signed in).
 * The returned `key` is the only time the whole key exists outside the caller.
 */
export async function createApiKey(
	orgId: string,
	createdBy: string | null,
	input: NewApiKey,
): Promise<{ key: string; apiKey: Omit<ApiKey, 'keyHash'> }> {
	const { name, scopes } = checkNewKey(input)
	const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`
	return db.transaction(async (tx) => {
		const [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId))
		if (!org) throw new UserFacingError(NO_SUCH_ORGANISATION, 404)
		const [row] = await tx
			.insert(apiKeys)
			.values({ orgId, name, prefix: visiblePrefix(key), keyHash: hashToken(key), scopes, createdBy })
			.returning()
		await recordAudit(tx, {
			orgId,
			actorUserId: createdBy,
			action: 'api_key.created',
			subjectType: 'api_key',
			subjectId: row!.id,
			after: { name, prefix: row!.prefix, apiScopes: scopes, ...(createdBy ? {} : { madeWith: 'npm run api-key' }) },
		})
		const { keyHash: _hash, ...apiKey } = row!
		return { key, apiKey }
	})
}

/** The organisation's keys, newest first, active before revoked, with who made and revoked them. */
export async function listApiKeys(orgId: string): Promise<ApiKeyView[]> {
	const creator = alias(users, 'creator')
	const revoker = alias(users, 'revoker')
	const rows = await db
		.select({
			id: apiKeys.id,
			orgId: apiKeys.orgId,
			name: apiKeys.name,
			prefix: apiKeys.prefix,
			scopes: apiKeys.scopes,
			createdBy: apiKeys.createdBy,
			createdAt: apiKeys.createdAt,
			lastUsedAt: apiKeys.lastUsedAt,
			revokedAt: apiKeys.revokedAt,
			revokedBy: apiKeys.revokedBy,
			createdByName: creator.name,
			revokedByName: revoker.name,
		})
		.from(apiKeys)
		.leftJoin(creator, eq(creator.id, apiKeys.createdBy))
		.leftJoin(revoker, eq(revoker.id, apiKeys.revokedBy))
		.where(eq(apiKeys.orgId, orgId))
		.orderBy(sql`${apiKeys.revokedAt} is not null`, desc(apiKeys.createdAt))
	return rows
}

/** Revokes the key at once (every request looks it up), with an audit event. A key is never deleted: the audit log names it. */
export async function revokeApiKey(orgId: string, actorId: string, keyId: string, now = new Date()) {
	if (!isUuid(keyId)) throw new UserFacingError('No such API key in this organisation.', 404)
	return db.transaction(async (tx) => {
		const [key] = await tx
			.select()
			.from(apiKeys)
			.where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, keyId)))
			.for('update')
		if (!key) throw new UserFacingError('No such API key in this organisation.', 404)
		if (key.revokedAt) throw new UserFacingError(`The key “${key.name}” is already revoked.`, 409)
		const [revoked] = await tx
			.update(apiKeys)
			.set({ revokedAt: now, revokedBy: actorId })
			.where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, keyId)))
			.returning()
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'api_key.revoked',
			subjectType: 'api_key',
			subjectId: keyId,
			before: { revokedAt: null },
			after: { revokedAt: now.toISOString(), name: key.name, prefix: key.prefix },
		})
		return revoked!
	})
}

/**
 * A key used for an endpoint its scopes do not allow: recorded in the
 * organisation's audit log under the key (docs/rules.md › Audit trail:
 * refused attempts are recorded), in its own transaction.
 */
export async function recordScopeRefusal(
	key: { id: string; orgId: string; scopes: readonly string[] },
	attempt: { scope: ApiScope; method: string; path: string },
) {
	await db.transaction((tx) =>
		recordAudit(tx, {
			orgId: key.orgId,
			actorUserId: null,
			actorApiKeyId: key.id,
			action: 'api_key.scope_refused',
			subjectType: 'api_key',
			subjectId: key.id,
			before: { apiScopes: [...key.scopes] },
			after: { scope: attempt.scope, method: attempt.method, path: attempt.path },
		}),
	)
}

/**
 * The live key this bearer token is, with its organisation; null for
 * anything else (malformed, unknown, revoked). Notes the time of use.
 */
export async function authenticateApiKey(token: string): Promise<AuthenticatedKey | null> {
	if (!isApiKeyFormat(token)) return null
	const [row] = await db
		.select({
			apiKey: {
				id: apiKeys.id,
				orgId: apiKeys.orgId,
				name: apiKeys.name,
				prefix: apiKeys.prefix,
				scopes: apiKeys.scopes,
				createdBy: apiKeys.createdBy,
				createdAt: apiKeys.createdAt,
				lastUsedAt: apiKeys.lastUsedAt,
				revokedAt: apiKeys.revokedAt,
				revokedBy: apiKeys.revokedBy,
			},
			org: {
				id: organizations.id,
				slug: organizations.slug,
				name: organizations.name,
				timeZone: organizations.timeZone,
			},
		})
		.from(apiKeys)
		.innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
		.where(and(eq(apiKeys.keyHash, hashToken(token)), isNull(apiKeys.revokedAt)))
	if (!row) return null
	await db
		.update(apiKeys)
		.set({ lastUsedAt: sql`now()` })
		.where(
			and(
				eq(apiKeys.id, row.apiKey.id),
				or(
					isNull(apiKeys.lastUsedAt),
					lt(apiKeys.lastUsedAt, sql`now() - make_interval(secs => ${LAST_USED_PRECISION_SECONDS})`),
				),
			),
		)
	return row
}
