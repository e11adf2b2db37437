import { hasScope, type ApiScope } from '~/domain/api-keys'
import { authenticateApiKey, recordScopeRefusal, type AuthenticatedKey } from '~/services/api-keys.server'
import { hitRateLimit } from '~/services/rate-limit.server'
import { apiError } from './api.server'
import { apiDatabaseUnavailable } from './database-outage.server'
import { databaseUnavailable } from './db-errors.server'
import { env } from './env.server'
import { UserFacingError } from './errors'

/**
 * Guards of the organisation API under /api/v1 (docs/architecture.md › REST
 * API). They throw the error Response (`{ error }`, never cached) so a route
 * reads top to bottom: key (401), rate limit per key (429), scope (403).
 */

export type ApiCaller = AuthenticatedKey & {
	/** The actor services record: the key, named in the audit log. */
	actor: { apiKeyId: string }
}

const REALM = 'Bearer realm="Clearance API"'

/** A refusal before the body was read: the body is dropped, the connection kept. */
async function refuse(request: Request, response: Response): Promise<never> {
	await request.body?.cancel().catch(() => {})
	throw response
}

/** The bearer token of `Authorization: Bearer <key>`, or null. */
export function bearerToken(request: Request): string | null {
	const header = request.headers.get('Authorization')
	if (!header) return null
	const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header.trim())
	return match ? match[1]! : null
}

/**
 * The organisation's live API key named by the request, counted against its
 * rate limit, holding `scope`. A missing, malformed, unknown or revoked key
 * is a 401 (a revoked key at once: every request looks the key up); beyond
 * API_PER_KEY requests in API_WINDOW_SECONDS a 429 with Retry-After; a
 * missing scope a 403.
 */
export async function requireApiKey(request: Request, scope: ApiScope): Promise<ApiCaller> {
	const token = bearerToken(request)
	if (!token) {
		return refuse(
			request,
			apiError(
				401,
				'Send your API key as Authorization: Bearer <key>. Admins create keys on the organisation’s API keys page.',
				undefined,
				{
					'WWW-Authenticate': REALM,
				},
			),
		)
	}
	const caller = await authenticateApiKey(token)
	if (!caller) {
		return refuse(
			request,
			apiError(401, 'This API key is not valid: it may have been revoked, or mistyped.', undefined, {
				'WWW-Authenticate': `${REALM}, error="invalid_token"`,
			}),
		)
	}
	const { API_PER_KEY, API_WINDOW_SECONDS } = env()
	const limit = await hitRateLimit(`api:key:${caller.apiKey.id}`, API_PER_KEY, API_WINDOW_SECONDS)
	if (!limit.allowed) {
		return refuse(
			request,
			apiError(
				429,
				`Too many requests with this key: at most ${API_PER_KEY} per ${API_WINDOW_SECONDS} seconds. Try again in ${limit.retryAfterSeconds} seconds.`,
				undefined,
				{
					'Retry-After': String(limit.retryAfterSeconds),
				},
			),
		)
	}
	if (!hasScope(caller.apiKey.scopes, scope)) {
		await recordScopeRefusal(caller.apiKey, { scope, method: request.method, path: new URL(request.url).pathname })
		return refuse(
			request,
			apiError(403, `This API key lacks the scope “${scope}”. An admin can create a key that has it.`, undefined, {
				'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${scope}"`,
			}),
		)
	}
	return { ...caller, actor: { apiKeyId: caller.apiKey.id } }
}

/** Fields a service names that the API calls otherwise. */
export type FieldNames = Record<string, string>

/**
 * Runs a route's work and answers a refusal in the API's shape: a thrown
 * Response as is, a UserFacingError with its status and message (its field
 * as the issue's path), the database unreachable as a 503. Anything else is a
 * bug, and stays one.
 */
export async function answerApi(work: () => Promise<Response>, fieldNames: FieldNames = {}): Promise<Response> {
	try {
		return await work()
	} catch (error) {
		if (error instanceof Response) return error
		if (error instanceof UserFacingError) {
			const issues = error.field
				? [{ path: fieldNames[error.field] ?? error.field, message: error.message }]
				: undefined
			return apiError(error.status, error.message, issues)
		}
		// The database unreachable: the API's 503, not a 500 (app/utils/database-outage.server.ts).
		const outage = databaseUnavailable(error)
		if (outage) {
			console.error(`Database unavailable (${outage}) during an API request: answered 503.`)
			return apiDatabaseUnavailable()
		}
		throw error
	}
}
