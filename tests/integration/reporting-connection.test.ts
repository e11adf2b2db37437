import { randomBytes } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents, reportingConnections } from '#db/schema'
import { ReportingConnectionInputSchema } from '~/schemas/reporting-connection'
import {
	ConnectionBroken,
	forgetAccessToken,
	NetworkError,
	postReportBatch,
	REPORT_ACCOUNTS_PATH,
} from '~/services/atlassian-client.server'
import {
	deleteReportingConnection,
	getReportingConnection,
	loadConnectionForSending,
	markBroken,
	markSuccess,
	saveReportingConnection,
	storeRotatedRefreshToken,
} from '~/services/reporting-connection.server'
import { UserFacingError } from '~/utils/errors'
import { openJson } from '~/utils/secret-box.server'
import {
	ACTIVE_TEST_ACCOUNT,
	CLOSED_TEST_ACCOUNT,
	CYCLE_PERIOD_FORMS,
	scripted,
	startAtlassianStandIn,
	type AtlassianStandIn,
} from '../fixtures/atlassian-stand-in'
import { createTestApp } from '../fixtures/requests'
import { addMember, createOrg } from '../fixtures/world'

const KEYS = ['CLEARANCE_SECRET_KEY', 'ATLASSIAN_AUTH_URL', 'ATLASSIAN_API_URL', 'OUTBOUND_ALLOW_PRIVATE'] as const
const saved = Object.fromEntries(KEYS.map((key) => [key, process.env[key]]))
let standIn: AtlassianStandIn
const logged: string[] = []

beforeAll(async () => {
	standIn = await startAtlassianStandIn()
})
afterAll(async () => {
	await standIn.close()
	for (const key of KEYS) {
		if (saved[key] === undefined) delete process.env[key]
		else process.env[key] = saved[key]
	}
})

beforeEach(() => {
	process.env.CLEARANCE_SECRET_KEY = randomBytes(32).toString('base64')
	process.env.ATLASSIAN_AUTH_URL = standIn.authUrl
	process.env.ATLASSIAN_API_URL = standIn.apiUrl
	process.env.OUTBOUND_ALLOW_PRIVATE = 'true'
	standIn.cyclePeriod = null
	logged.length = 0
	// Everything the code prints, to check that no secret is ever in it.
	for (const method of ['log', 'info', 'warn', 'debug'] as const) {
		vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
			logged.push(args.map(String).join(' '))
		})
	}
})
afterEach(() => {
	vi.restoreAllMocks()
})

const batch = (...ids: string[]) => ids.map((accountId) => ({ accountId, updatedAt: '2026-01-05T10:00:00Z' }))

async function world() {
	const { org, admin } = await createOrg()
	const app = await createTestApp(org.id, admin.id, { appType: 'connect', appKey: standIn.connectAppKey })
	return { org, admin, app }
}

function oauth2Input() {
	return ReportingConnectionInputSchema.parse({
		kind: 'oauth2',
		clientId: standIn.clientId,
		clientSecret: standIn.clientSecret,
		refreshToken: standIn.currentRefreshToken(),
	})
}

/** Every secret the stand-in ever handed out or holds, to search answers, rows and logs for. */
function knownSecrets() {
	return [
		standIn.clientSecret,
		standIn.currentRefreshToken(),
		...standIn.spentRefreshTokens,
		standIn.webTriggerSecret,
		standIn.connectSharedSecret,
	]
}

function expectNoSecretIn(what: string, text: string) {
	for (const secret of knownSecrets()) expect(text, `${what} holds a secret`).not.toContain(secret)
}

describe('reporting connection: saving', () => {
	it('keeps the secrets sealed: the answer, the stored row and the audit event hold the kind and settings only', async () => {
		const { org, admin, app } = await world()
		const summary = await saveReportingConnection(org.id, admin.id, app.id, oauth2Input())
		expect(summary).toMatchObject({
			appId: app.id,
			kind: 'oauth2',
			settings: { clientId: standIn.clientId },
			state: 'ok',
		})
		expectNoSecretIn('the answer', JSON.stringify(summary))
		expectNoSecretIn('the summary read back', JSON.stringify(await getReportingConnection(org.id, app.id)))

		const [row] = await db.select().from(reportingConnections).where(eq(reportingConnections.appId, app.id))
		expectNoSecretIn('the stored row', JSON.stringify(row))
		expect(row!.secretsCiphertext).toMatch(/^v1:/)
		expect(openJson(row!.secretsCiphertext, `reporting-connection:${app.id}`)).toEqual({
			clientSecret: standIn.clientSecret,
			refreshToken: standIn.currentRefreshToken(),
		})

		await deleteReportingConnection(org.id, admin.id, app.id)
		const events = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.subjectId, app.id)))
		const actions = events.map((event) => event.action)
		expect(actions).toContain('reporting_connection.saved')
		expect(actions).toContain('reporting_connection.removed')
		const savedEvent = events.find((event) => event.action === 'reporting_connection.saved')!
		expect(savedEvent.after).toMatchObject({
			kind: 'oauth2',
			connection: 'OAuth 2.0 (3LO) app',
			clientId: standIn.clientId,
			secretsReplaced: ['client secret', 'refresh token'],
		})
		expectNoSecretIn('the audit events', JSON.stringify(events))
		expect(await getReportingConnection(org.id, app.id)).toBeNull()
		expectNoSecretIn('the console', logged.join('\n'))
	})

	it('is refused without CLEARANCE_SECRET_KEY, with how to create one, and nothing is stored', async () => {
		const { org, admin, app } = await world()
		delete process.env.CLEARANCE_SECRET_KEY
		const refusal = await saveReportingConnection(org.id, admin.id, app.id, oauth2Input()).catch((e: unknown) => e)
		expect(refusal).toBeInstanceOf(UserFacingError)
		expect((refusal as UserFacingError).status).toBe(409)
		expect((refusal as Error).message).toMatch(/openssl rand -base64 32/)
		expect((refusal as Error).message).toMatch(/CLEARANCE_SECRET_KEY/)
		expect(await db.select().from(reportingConnections)).toEqual([])
	})

	it('is for admins only, and only for the organisation’s own apps', async () => {
		const { org, app } = await world()
		const member = await addMember(org.id, ['member', 'reviewer'])
		await expect(saveReportingConnection(org.id, member.id, app.id, oauth2Input())).rejects.toMatchObject({
			status: 403,
		})
		const other = await createOrg('Other Org')
		await expect(saveReportingConnection(other.org.id, other.admin.id, app.id, oauth2Input())).rejects.toMatchObject({
			status: 404,
		})
		await expect(getReportingConnection(other.org.id, app.id)).rejects.toMatchObject({ status: 404 })
		expect(await db.select().from(reportingConnections)).toEqual([])
	})

	it('refuses a web trigger or Connect site on a private address unless OUTBOUND_ALLOW_PRIVATE is set', async () => {
		const { org, admin, app } = await world()
		delete process.env.OUTBOUND_ALLOW_PRIVATE
		const input = ReportingConnectionInputSchema.parse({
			kind: 'forge_webtrigger',
			url: standIn.webTriggerUrl,
			secret: standIn.webTriggerSecret,
		})
		await expect(saveReportingConnection(org.id, admin.id, app.id, input)).rejects.toMatchObject({
			status: 422,
			field: 'url',
		})
		process.env.OUTBOUND_ALLOW_PRIVATE = 'true'
		const summary = await saveReportingConnection(org.id, admin.id, app.id, input)
		expect(summary.settings).toEqual({ url: standIn.webTriggerUrl })
	})

	it('marks a connection broken with what to fix, and whole again after a success', async () => {
		const { org, admin, app } = await world()
		await saveReportingConnection(org.id, admin.id, app.id, oauth2Input())
		await markBroken(org.id, app.id, 'Add the scope report:personal-data.')
		expect(await getReportingConnection(org.id, app.id)).toMatchObject({
			state: 'broken',
			lastError: 'Add the scope report:personal-data.',
		})
		await markSuccess(org.id, app.id)
		const after = await getReportingConnection(org.id, app.id)
		expect(after?.state).toBe('ok')
		expect(after?.lastSuccessAt).toBeInstanceOf(Date)
	})
})

describe('Atlassian client against the stand-in', () => {
	it('oauth2: stores each rotated refresh token before use and never sends a spent one, also after a restart', async () => {
		const { org, admin, app } = await world()
		await saveReportingConnection(org.id, admin.id, app.id, oauth2Input())
		const conn = (await loadConnectionForSending(org.id, app.id))!
		const tokensBefore = standIn.tokenRequests.length

		const first = await postReportBatch(conn, batch(CLOSED_TEST_ACCOUNT, ACTIVE_TEST_ACCOUNT))
		expect(first.status).toBe(200)
		expect(JSON.parse(first.bodyText)).toEqual({ accounts: [{ accountId: CLOSED_TEST_ACCOUNT, status: 'closed' }] })
		const call = standIn.reportRequests('oauth2').at(-1)!
		expect(call.path).toBe(REPORT_ACCOUNTS_PATH)
		expect(call.headers.authorization).toMatch(/^Bearer access-/)

		// The new refresh token is the stored one.
		const stored = (await loadConnectionForSending(org.id, app.id))!
		expect(stored.kind === 'oauth2' && stored.refreshToken).toBe(standIn.currentRefreshToken())
		expect(stored.version).toBe(conn.version + 1)

		// The access token is kept: no second exchange.
		expect((await postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT))).status).toBe(204)
		expect(standIn.tokenRequests.length).toBe(tokensBefore + 1)

		// Atlassian lets the token lapse early: one fresh exchange, with the latest refresh token.
		standIn.expireAccessTokens()
		expect((await postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT))).status).toBe(204)

		// A restart forgets the kept token; the caller still holds the first, spent, refresh token.
		forgetAccessToken(app.id)
		expect((await postReportBatch(conn, batch(CLOSED_TEST_ACCOUNT))).status).toBe(200)

		const exchanges = standIn.tokenRequests.slice(tokensBefore)
		expect(exchanges.map((request) => request.status)).toEqual([200, 200, 200])
		expect(new Set(exchanges.map((request) => request.refreshToken)).size).toBe(3)
		expect(standIn.reusedRefreshTokens).toEqual([])
		expectNoSecretIn('the console', logged.join('\n'))
	})

	it('oauth2: batches sent at once for one app share one exchange: no refresh token is sent twice', async () => {
		const { org, admin, app } = await world()
		await saveReportingConnection(org.id, admin.id, app.id, oauth2Input())
		const conn = (await loadConnectionForSending(org.id, app.id))!
		const before = standIn.tokenRequests.length
		const answers = await Promise.all([
			postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT)),
			postReportBatch(conn, batch(CLOSED_TEST_ACCOUNT)),
			postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT)),
		])
		expect(answers.map((answer) => answer.status)).toEqual([204, 200, 204])
		expect(standIn.tokenRequests.length).toBe(before + 1)
		expect(standIn.reusedRefreshTokens).toEqual([])
	})

	it('oauth2: a rotated token does not overwrite a connection a person saved meanwhile', async () => {
		const { org, admin, app } = await world()
		await saveReportingConnection(org.id, admin.id, app.id, oauth2Input())
		const stale = (await loadConnectionForSending(org.id, app.id))!
		const fresh = ReportingConnectionInputSchema.parse({
			kind: 'oauth2',
			clientId: standIn.clientId,
			clientSecret: standIn.clientSecret,
			refreshToken: 'refresh-token-the-admin-pasted',
		})
		await saveReportingConnection(org.id, admin.id, app.id, fresh)
		expect(await storeRotatedRefreshToken(stale, 'refresh-token-from-an-old-exchange')).toBeNull()
		const kept = (await loadConnectionForSending(org.id, app.id))!
		expect(kept.kind === 'oauth2' && kept.refreshToken).toBe('refresh-token-the-admin-pasted')
	})

	it('oauth2: a refused refresh token is ConnectionBroken with what to fix, and no secret in the message', async () => {
		const { org, admin, app } = await world()
		await saveReportingConnection(
			org.id,
			admin.id,
			app.id,
			ReportingConnectionInputSchema.parse({
				kind: 'oauth2',
				clientId: standIn.clientId,
				clientSecret: standIn.clientSecret,
				refreshToken: 'refresh-token-that-was-never-issued',
			}),
		)
		const conn = (await loadConnectionForSending(org.id, app.id))!
		const reportsBefore = standIn.reportRequests('oauth2').length
		const error = await postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT)).catch((e: unknown) => e)
		expect(error).toBeInstanceOf(ConnectionBroken)
		expect((error as ConnectionBroken).status).toBe(400)
		expect((error as Error).message).toMatch(/invalid_grant/)
		expect((error as Error).message).toMatch(/Authorise the app again/)
		expect((error as Error).message).not.toContain('refresh-token-that-was-never-issued')
		expectNoSecretIn('the message', (error as Error).message)
		// Nothing reached report-accounts without a token.
		expect(standIn.reportRequests('oauth2').length).toBe(reportsBefore)
	})

	it('oauth2: answers pass through as Atlassian gave them: 429 with Retry-After, 503, 400 errorType, 401, Cycle-Period raw', async () => {
		const { org, admin, app } = await world()
		await saveReportingConnection(org.id, admin.id, app.id, oauth2Input())
		const conn = (await loadConnectionForSending(org.id, app.id))!

		standIn.script(
			scripted.tooManyRequests(7),
			scripted.serviceUnavailable(),
			scripted.badRequest('INVALID_BODY', 'bad'),
		)
		const limited = await postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT))
		expect(limited.status).toBe(429)
		expect(limited.headers.get('Retry-After')).toBe('7')
		expect((await postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT))).status).toBe(503)
		const refused = await postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT))
		expect(refused.status).toBe(400)
		expect(JSON.parse(refused.bodyText)).toEqual({ errorType: 'INVALID_BODY', errorMessage: 'bad' })

		for (const value of Object.values(CYCLE_PERIOD_FORMS)) {
			standIn.cyclePeriod = value
			const answer = await postReportBatch(conn, batch(CLOSED_TEST_ACCOUNT))
			expect(answer.headers.get('Cycle-Period')).toBe(value)
		}

		// A scope taken away: the kept token is retried once with a fresh one, then the 401 is the answer.
		standIn.scopes = ['offline_access']
		standIn.expireAccessTokens()
		const unauthorised = await postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT))
		expect(unauthorised.status).toBe(401)
		standIn.scopes = ['report:personal-data', 'offline_access']
		expect(standIn.reusedRefreshTokens).toEqual([])
	})

	it('forge web trigger: sends the batch with the secret header and reads the companion’s answer; a dropped connection is a NetworkError', async () => {
		const { org, admin, app } = await world()
		await saveReportingConnection(
			org.id,
			admin.id,
			app.id,
			ReportingConnectionInputSchema.parse({
				kind: 'forge_webtrigger',
				url: standIn.webTriggerUrl,
				secret: standIn.webTriggerSecret,
			}),
		)
		const conn = (await loadConnectionForSending(org.id, app.id))!
		standIn.cyclePeriod = CYCLE_PERIOD_FORMS.iso
		const answer = await postReportBatch(conn, batch(CLOSED_TEST_ACCOUNT, ACTIVE_TEST_ACCOUNT))
		expect(answer.status).toBe(200)
		expect(JSON.parse(answer.bodyText)).toEqual({ accounts: [{ accountId: CLOSED_TEST_ACCOUNT, status: 'closed' }] })
		// Forge's helper hides the header: the companion cannot pass it on.
		expect(answer.headers.get('Cycle-Period')).toBeNull()
		const call = standIn.reportRequests('forge_webtrigger').at(-1)!
		expect(call.headers['x-clearance-secret']).toBe(standIn.webTriggerSecret)
		expect(JSON.parse(call.bodyText)).toEqual({ accounts: batch(CLOSED_TEST_ACCOUNT, ACTIVE_TEST_ACCOUNT) })

		expect((await postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT))).status).toBe(204)
		standIn.script(scripted.networkError('forge_webtrigger'))
		await expect(postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT))).rejects.toBeInstanceOf(NetworkError)

		const wrong = { ...conn, secret: 'not-the-secret-at-all' } as typeof conn
		expect((await postReportBatch(wrong, batch(ACTIVE_TEST_ACCOUNT))).status).toBe(401)
	})

	it('connect: a JWT the stand-in verifies (HS256, iss = the app key, qsh without the site’s context path); a wrong secret is refused', async () => {
		const { org, admin, app } = await world()
		await saveReportingConnection(
			org.id,
			admin.id,
			app.id,
			ReportingConnectionInputSchema.parse({
				kind: 'connect',
				baseUrl: `${standIn.connectBaseUrl}/`,
				sharedSecret: standIn.connectSharedSecret,
			}),
		)
		const conn = (await loadConnectionForSending(org.id, app.id))!
		expect(conn.kind === 'connect' && conn.appKey).toBe(standIn.connectAppKey)
		standIn.cyclePeriod = CYCLE_PERIOD_FORMS.text
		const answer = await postReportBatch(conn, batch(CLOSED_TEST_ACCOUNT))
		expect(answer.status, answer.bodyText).toBe(200)
		expect(answer.headers.get('Cycle-Period')).toBe('25 Days')
		expect(standIn.reportRequests('connect').at(-1)!.headers.authorization).toMatch(/^JWT [\w-]+\.[\w-]+\.[\w-]+$/)

		const forged = { ...conn, sharedSecret: 'another-installation-secret' } as typeof conn
		const refused = await postReportBatch(forged, batch(CLOSED_TEST_ACCOUNT))
		expect(refused.status).toBe(401)
		expect(refused.bodyText).toMatch(/bad signature/)
		const otherApp = { ...conn, appKey: 'com.example.another-app' } as typeof conn
		expect((await postReportBatch(otherApp, batch(CLOSED_TEST_ACCOUNT))).bodyText).toMatch(/iss/)
	})

	it('refuses to send to a private address when OUTBOUND_ALLOW_PRIVATE is off, as a broken connection', async () => {
		const { org, admin, app } = await world()
		await saveReportingConnection(
			org.id,
			admin.id,
			app.id,
			ReportingConnectionInputSchema.parse({
				kind: 'forge_webtrigger',
				url: standIn.webTriggerUrl,
				secret: standIn.webTriggerSecret,
			}),
		)
		const conn = (await loadConnectionForSending(org.id, app.id))!
		delete process.env.OUTBOUND_ALLOW_PRIVATE
		const before = standIn.reportRequests('forge_webtrigger').length
		await expect(postReportBatch(conn, batch(ACTIVE_TEST_ACCOUNT))).rejects.toBeInstanceOf(ConnectionBroken)
		expect(standIn.reportRequests('forge_webtrigger').length).toBe(before)
	})
})
