import { createHash } from 'node:crypto'
import { type IncomingHttpHeaders } from 'node:http'
import { SignJWT } from 'jose'
import { brokenConnectionAdvice } from '~/domain/reporting-connection'
import { OutboundError, outboundRequest, type OutboundResponse } from '~/utils/outbound-url.server'
import {
	loadConnectionForSending,
	storeRotatedRefreshToken,
	type ConnectionForSending,
} from './reporting-connection.server'

/**
 * Sends one batch of Atlassian's personal-data report over an app's
 * connection (docs/rules.md › Reporting connections)
 * and hands back Atlassian's answer as it came: status, headers (Cycle-Period,
 * Retry-After) and body. Reading the answer, retrying and recording are the
 * reporter's; this module only knows how to reach Atlassian.
 *
 * - OAuth 2.0 (3LO): the refresh token is exchanged at
 *   `${ATLASSIAN_AUTH_URL}/oauth/token` (Atlassian's "OAuth 2.0 (3LO) apps":
 *   rotating refresh tokens — each exchange returns a new refresh token and
 *   spends the old one). The new one is committed before the access token is
 *   used, and every exchange reads the latest from the database, so a spent
 *   token is never sent again. The access token is kept in memory until
 *   shortly before it expires; a 401 with a kept token is retried once with a
 *   fresh one. Then `POST ${ATLASSIAN_API_URL}/app/report-accounts/` with it.
 * - Forge, through the companion web trigger (docs/recipes/forge-reporter):
 *   the batch and the secret in `X-Clearance-Secret`. The companion answers
 *   as Forge's helper lets it: no Cycle-Period header.
 * - Connect: `POST {baseUrl}/rest/atlassian-connect/latest/report-accounts`
 *   with a Connect JWT (Atlassian's "Understanding JWT for Connect apps":
 *   HS256 with the installation's shared secret, `iss` the app key, `qsh` the
 *   SHA-256 of the canonical request).
 *
 * Addresses typed by a person (web trigger, Connect site) follow the outbound
 * rule (app/utils/outbound-url.server.ts); the two Atlassian base URLs come
 * from the server's environment and are trusted as set.
 */

export type ReportAnswer = { status: number; headers: Headers; bodyText: string }
export type ReportAccount = { accountId: string; updatedAt: string }
export type PostOptions = { timeoutMs?: number }

/** The request did not get an answer (refused connection, reset, timeout): worth retrying later. */
export class NetworkError extends Error {
	constructor(message: string) {
		super(message)
		this.name = 'NetworkError'
	}
}

/** The connection cannot work until a person acts; `message` says what to do. Never holds a secret. */
export class ConnectionBroken extends Error {
	constructor(
		message: string,
		readonly status: number | null = null,
	) {
		super(message)
		this.name = 'ConnectionBroken'
	}
}

export const REPORT_ACCOUNTS_PATH = '/app/report-accounts/'
export const CONNECT_REPORT_PATH = '/rest/atlassian-connect/latest/report-accounts'
const DEFAULT_TIMEOUT_MS = 30_000
/** An access token is renewed this long before Atlassian says it expires. */
const EXPIRY_MARGIN_MS = 60_000
/** Connect JWTs are short-lived: Atlassian's examples use three minutes. */
const CONNECT_JWT_SECONDS = 180
const MAX_ANSWER_BYTES = 1024 * 1024

export function atlassianAuthUrl(env: NodeJS.ProcessEnv = process.env) {
	return (env.ATLASSIAN_AUTH_URL?.trim() || 'https://auth.atlassian.com').replace(/\/+$/, '')
}

export function atlassianApiUrl(env: NodeJS.ProcessEnv = process.env) {
	return (env.ATLASSIAN_API_URL?.trim() || 'https://api.atlassian.com').replace(/\/+$/, '')
}

function toHeaders(raw: IncomingHttpHeaders): Headers {
	const headers = new Headers()
	for (const [name, value] of Object.entries(raw)) {
		if (value === undefined) continue
		for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one)
	}
	return headers
}

function answerOf(response: OutboundResponse): ReportAnswer {
	return { status: response.status, headers: toHeaders(response.headers), bodyText: response.body }
}

/** Sends under the outbound rule; a refused address needs a person, a failed exchange is a NetworkError. */
async function send(
	url: string,
	init: { headers: Record<string, string>; body: string; timeoutMs: number; trusted: boolean },
): Promise<OutboundResponse> {
	try {
		return await outboundRequest(url, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...init.headers },
			body: init.body,
			timeoutMs: init.timeoutMs,
			maxResponseBytes: MAX_ANSWER_BYTES,
			...(init.trusted ? { allowPrivate: true } : {}),
		})
	} catch (error) {
		if (error instanceof OutboundError && (error.kind === 'refused' || error.kind === 'syntax')) {
			throw new ConnectionBroken(`${error.message} Change the address saved in the reporting connection.`)
		}
		throw new NetworkError(error instanceof Error ? error.message : 'The request failed.')
	}
}

// ── OAuth 2.0 (3LO) ─────────────────────────────────────────────────────

type CachedToken = { accessToken: string; expiresAt: number; version: number }
const accessTokens = new Map<string, CachedToken>()
const exchanges = new Map<string, Promise<unknown>>()

/** Drops the kept access token of an app (its connection was saved again or removed). */
export function forgetAccessToken(appId: string) {
	accessTokens.delete(appId)
}

/** One exchange at a time per app in this process (the reporter's per-app lock covers other processes). */
async function oneAtATime<T>(appId: string, work: () => Promise<T>): Promise<T> {
	const previous = exchanges.get(appId) ?? Promise.resolve()
	const next = previous.catch(() => undefined).then(work)
	exchanges.set(appId, next)
	try {
		return await next
	} finally {
		if (exchanges.get(appId) === next) exchanges.delete(appId)
	}
}

type TokenOutcome = { token: string; fromCache: boolean } | { answer: ReportAnswer }

function readTokenError(body: string): { error?: string; description?: string } {
	try {
		const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown }
		return {
			error: typeof parsed.error === 'string' ? parsed.error.slice(0, 100) : undefined,
			description:
				typeof parsed.error_description === 'string'
					? parsed.error_description.slice(0, 300).replace(/[.\s]+$/, '')
					: undefined,
		}
	} catch {
		return {}
	}
}

function tokenRefusal(status: number, body: string): ConnectionBroken {
	const { error, description } = readTokenError(body)
	const said = [error, description].filter(Boolean).join(': ')
	const what =
		error === 'invalid_grant'
			? 'The refresh token was refused: it was used elsewhere, revoked, or expired after 90 days unused.'
			: error === 'access_denied' || error === 'invalid_client' || error === 'unauthorized_client'
				? 'The client ID or client secret was refused.'
				: 'Atlassian refused the token exchange.'
	return new ConnectionBroken(
		`${what} Authorise the app again (scopes report:personal-data and offline_access) and save the new refresh token on the app’s reporting page. Atlassian answered ${status}${said ? ` (${said})` : ''}.`,
		status,
	)
}

async function accessTokenFor(conn: ConnectionForSending, timeoutMs: number, useCache: boolean): Promise<TokenOutcome> {
	if (useCache) {
		const cached = accessTokens.get(conn.appId)
		if (cached && cached.version >= conn.version && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
			return { token: cached.accessToken, fromCache: true }
		}
	}
	return oneAtATime(conn.appId, async (): Promise<TokenOutcome> => {
		// The latest refresh token is the stored one: the one the caller holds may be spent.
		const latest = await loadConnectionForSending(conn.orgId, conn.appId)
		if (!latest || latest.kind !== 'oauth2') {
			throw new ConnectionBroken('The reporting connection was removed or changed while sending. Send again.')
		}
		const cached = accessTokens.get(conn.appId)
		if (useCache && cached && cached.version >= latest.version && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
			return { token: cached.accessToken, fromCache: true }
		}
		const response = await send(`${atlassianAuthUrl()}/oauth/token`, {
			headers: {},
			body: JSON.stringify({
				grant_type: 'refresh_token',
				client_id: latest.clientId,
				client_secret: latest.clientSecret,
				refresh_token: latest.refreshToken,
			}),
			timeoutMs,
			trusted: true,
		})
		if (response.status === 400 || response.status === 401 || response.status === 403) {
			throw tokenRefusal(response.status, response.body)
		}
		// 429 or 5xx: the reporter reads it like a report answer (wait, back off).
		if (response.status < 200 || response.status >= 300) return { answer: answerOf(response) }
		let granted: { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown }
		try {
			granted = JSON.parse(response.body) as typeof granted
		} catch {
			return { answer: { status: 502, headers: new Headers(), bodyText: 'The token endpoint answered without JSON.' } }
		}
		if (typeof granted.access_token !== 'string' || granted.access_token === '') {
			return { answer: { status: 502, headers: new Headers(), bodyText: 'The token endpoint gave no access token.' } }
		}
		let version = latest.version
		if (typeof granted.refresh_token === 'string' && granted.refresh_token !== '') {
			// Committed before the access token is used: the spent one is never sent again.
			const stored = await storeRotatedRefreshToken(latest, granted.refresh_token)
			if (stored === null) return { token: granted.access_token, fromCache: false }
			version = stored
		}
		const seconds = typeof granted.expires_in === 'number' && granted.expires_in > 0 ? granted.expires_in : 3600
		accessTokens.set(conn.appId, {
			accessToken: granted.access_token,
			expiresAt: Date.now() + seconds * 1000,
			version,
		})
		return { token: granted.access_token, fromCache: false }
	})
}

async function postOAuth2(conn: ConnectionForSending, body: string, timeoutMs: number): Promise<ReportAnswer> {
	const url = `${atlassianApiUrl()}${REPORT_ACCOUNTS_PATH}`
	let token = await accessTokenFor(conn, timeoutMs, true)
	if ('answer' in token) return token.answer
	let response = await send(url, {
		headers: { Authorization: `Bearer ${token.token}` },
		body,
		timeoutMs,
		trusted: true,
	})
	if (response.status === 401 && token.fromCache) {
		// A kept token may have been revoked or replaced elsewhere: one more try with a fresh one.
		forgetAccessToken(conn.appId)
		token = await accessTokenFor(conn, timeoutMs, false)
		if ('answer' in token) return token.answer
		response = await send(url, { headers: { Authorization: `Bearer ${token.token}` }, body, timeoutMs, trusted: true })
	}
	if (response.status === 401 || response.status === 403) forgetAccessToken(conn.appId)
	return answerOf(response)
}

// ── Connect ─────────────────────────────────────────────────────────────

/** The query string hash of a Connect JWT for a request without a query: SHA-256 of `METHOD&path&`. */
export function connectQueryStringHash(method: string, path: string): string {
	return createHash('sha256').update(`${method.toUpperCase()}&${path}&`).digest('hex')
}

export async function connectJwt(conn: { appKey: string; sharedSecret: string }, now = Date.now()): Promise<string> {
	const iat = Math.floor(now / 1000)
	return new SignJWT({ qsh: connectQueryStringHash('POST', CONNECT_REPORT_PATH) })
		.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
		.setIssuer(conn.appKey)
		.setIssuedAt(iat)
		.setExpirationTime(iat + CONNECT_JWT_SECONDS)
		.sign(new TextEncoder().encode(conn.sharedSecret))
}

// ── One batch ───────────────────────────────────────────────────────────

/**
 * Posts one batch (at most 90 accounts; the reporter makes them) and answers
 * what came back, whatever the status. Throws NetworkError when no answer
 * came, ConnectionBroken when a person must act first (a refused refresh
 * token or client secret, an address the outbound rule refuses).
 */
export async function postReportBatch(
	conn: ConnectionForSending,
	accountsBatch: readonly ReportAccount[],
	opts: PostOptions = {},
): Promise<ReportAnswer> {
	const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
	const body = JSON.stringify({
		accounts: accountsBatch.map(({ accountId, updatedAt }) => ({ accountId, updatedAt })),
	})
	switch (conn.kind) {
		case 'oauth2':
			return postOAuth2(conn, body, timeoutMs)
		case 'forge_webtrigger':
			return answerOf(
				await send(conn.url, { headers: { 'X-Clearance-Secret': conn.secret }, body, timeoutMs, trusted: false }),
			)
		case 'connect':
			return answerOf(
				await send(`${conn.baseUrl}${CONNECT_REPORT_PATH}`, {
					headers: { Authorization: `JWT ${await connectJwt(conn)}` },
					body,
					timeoutMs,
					trusted: false,
				}),
			)
	}
}

/** What to tell a person when a report call answered 401 or 403 on this connection. */
export function adviceForRefusal(conn: Pick<ConnectionForSending, 'kind'>, status: number): string {
	return brokenConnectionAdvice(conn.kind, status)
}
