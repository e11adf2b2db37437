import { eq, like, sql } from 'drizzle-orm'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { apiIdempotencyKeys, organizations, rateLimits, sessions, users } from '#db/schema'
import { Honeypot } from '~/components/honeypot'
import * as evaluateRoute from '~/routes/api.v1.checklist.evaluate'
import * as inviteRoute from '~/routes/invite.$token'
import * as loginRoute from '~/routes/login'
import * as signupRoute from '~/routes/signup'
import { IDEMPOTENCY_RETENTION_DAYS } from '~/services/api-idempotency.server'
import { createApiKey } from '~/services/api-keys.server'
import { createSession } from '~/services/auth.server'
import { runMaintenance } from '~/services/maintenance.server'
import { clientKey, deleteExpiredRateLimits, setRateLimitWindow } from '~/services/rate-limit.server'
import { env } from '~/utils/env.server'
import { HONEYPOT_FIELD, HONEYPOT_MESSAGE } from '~/utils/honeypot'
import { hashPassword } from '~/utils/password.server'
import { hashToken } from '~/utils/tokens.server'
import { createOrg, makeRequest, PASSWORD, runRoute, uniqueEmail, type RouteOutcome } from '../fixtures/world'
import { handlerFor } from './server-helpers'

const ATTACKER = '203.0.113.66'
const OWNER = '198.51.100.7'

/** A login as the server would run it: the client's address in the load context, cookies as the browser sends them. */
function login(
	form: Record<string, string>,
	{ client, cookie }: { client?: string; cookie?: string } = {},
): Promise<RouteOutcome> {
	const request = makeRequest('/login', { form, cookie })
	return runRoute((args) => loginRoute.action({ ...args, context: client ? { clientAddress: client } : {} }), request)
}

/** Moves every limit row of `key` `seconds` into the past, as if that time had gone by. */
async function elapse(key: string, seconds: number) {
	await db
		.update(rateLimits)
		.set({ windowStart: sql`${rateLimits.windowStart} - make_interval(secs => ${seconds})` })
		.where(eq(rateLimits.key, key))
}

const accountKey = (email: string) => `login:account:${email.toLowerCase()}`

// A scrypt hash per login (2^15 here), up to thirty logins a test: a few seconds idle, past the project's 30 s on a busy
// 2-core machine, and a test cut off at its bound keeps logging in under the next one (one database per worker).
const LOGINS_BOUND = { timeout: 120_000 }

describe('login limits (issue 10, finding 5)', LOGINS_BOUND, () => {
	it('successful logins never count: a person can log in again and again', async () => {
		const { admin } = await createOrg()
		for (let i = 0; i < 12; i++) {
			const ok = await login({ email: admin.email, password: PASSWORD }, { client: OWNER })
			expect(ok.status, `login ${i + 1}`).toBe(302)
		}
		expect(await db.select().from(rateLimits).where(like(rateLimits.key, 'login:account:%'))).toEqual([])
	})

	it('failures on an account bring a doubling delay; refused attempts change nothing; after the delay the right password gets in', async () => {
		const { admin } = await createOrg()
		const { LOGIN_ACCOUNT_FREE_FAILURES: free, LOGIN_ACCOUNT_DELAY_SECONDS: base } = env()
		for (let i = 0; i < free; i++) {
			expect((await login({ email: admin.email, password: 'a wrong guess' }, { client: ATTACKER })).status).toBe(400)
		}
		// The owner, from another client, with the right password: asked to wait, not locked out.
		const refused = await login({ email: admin.email, password: PASSWORD }, { client: OWNER })
		expect(refused.status).toBe(429)
		expect(Number(refused.headers.get('Retry-After'))).toBe(base)
		expect(refused.data).toMatchObject({
			formError: expect.stringContaining('Too many failed logins for this account'),
		})
		// Hammering while the delay runs does not lengthen it.
		for (let i = 0; i < 5; i++)
			expect((await login({ email: admin.email, password: 'again' }, { client: ATTACKER })).status).toBe(429)
		const [row] = await db
			.select()
			.from(rateLimits)
			.where(eq(rateLimits.key, accountKey(admin.email)))
		expect(row!.count).toBe(free)

		// One more failure once the delay is over doubles it.
		await elapse(accountKey(admin.email), base)
		expect((await login({ email: admin.email, password: 'a wrong guess' }, { client: ATTACKER })).status).toBe(400)
		const doubled = await login({ email: admin.email, password: PASSWORD }, { client: OWNER })
		expect(doubled.status).toBe(429)
		expect(Number(doubled.headers.get('Retry-After'))).toBe(2 * base)

		await elapse(accountKey(admin.email), 2 * base)
		const ok = await login({ email: admin.email, password: PASSWORD }, { client: OWNER })
		expect(ok.status).toBe(302)
		// Getting in clears the account's failures.
		expect(
			await db
				.select()
				.from(rateLimits)
				.where(eq(rateLimits.key, accountKey(admin.email))),
		).toEqual([])
	})

	it('once a delay ends, parallel attempts cannot all slip through: exactly one is checked', async () => {
		const { admin } = await createOrg()
		for (let i = 0; i < env().LOGIN_ACCOUNT_FREE_FAILURES; i++)
			await login({ email: admin.email, password: 'a wrong guess' })
		await elapse(accountKey(admin.email), env().LOGIN_ACCOUNT_DELAY_SECONDS)
		const burst = await Promise.all(
			Array.from({ length: 6 }, () => login({ email: admin.email, password: 'burst guess' })),
		)
		expect(burst.map((outcome) => outcome.status).sort()).toEqual([400, 429, 429, 429, 429, 429])
	})

	it('an admin cannot be kept out by someone who knows the email: a browser that signed in before skips the account delay', async () => {
		const { admin } = await createOrg()
		const first = await login({ email: admin.email, password: PASSWORD }, { client: OWNER })
		expect(first.status).toBe(302)
		const device = first.headers.getSetCookie().find((cookie) => cookie.startsWith('__clearance_device='))
		expect(device).toMatch(/HttpOnly/)
		expect(device).toMatch(/Path=\/login/)
		for (let i = 0; i < 8; i++) await login({ email: admin.email, password: 'attacker guess' }, { client: ATTACKER })
		// A stranger's browser waits…
		expect((await login({ email: admin.email, password: PASSWORD }, { client: OWNER })).status).toBe(429)
		// …the owner's own browser gets straight in.
		const again = await login(
			{ email: admin.email, password: PASSWORD },
			{ client: OWNER, cookie: device!.split(';')[0] },
		)
		expect(again.status).toBe(302)
		// The device cookie of one account does not help on another.
		const other = await createOrg('Other Org')
		for (let i = 0; i < 5; i++)
			await login({ email: other.admin.email, password: 'attacker guess' }, { client: ATTACKER })
		expect(
			(await login({ email: other.admin.email, password: PASSWORD }, { client: OWNER, cookie: device!.split(';')[0] }))
				.status,
		).toBe(429)
	})

	it('one client trying many accounts is refused after its free failures, with Retry-After; other clients are not', async () => {
		await createOrg()
		const { LOGIN_CLIENT_FREE_FAILURES: free, LOGIN_CLIENT_DELAY_SECONDS: delay } = env()
		const statuses: number[] = []
		let lastFailureSent = 0
		for (let i = 0; i < 30; i++) {
			if (i === free - 1) lastFailureSent = Date.now()
			statuses.push(
				(await login({ email: uniqueEmail(`target${i}`), password: 'a guess at it' }, { client: ATTACKER })).status,
			)
		}
		expect(statuses.slice(0, free)).toEqual(Array(free).fill(400))
		expect(statuses.slice(free)).toEqual(Array(30 - free).fill(429))
		const refused = await login({ email: uniqueEmail('next'), password: 'a guess at it' }, { client: ATTACKER })
		// The delay runs from the last free failure: what is left of it, less the seconds the refused attempts took.
		const waited = Math.ceil((Date.now() - lastFailureSent) / 1000)
		const retryAfter = Number(refused.headers.get('Retry-After'))
		expect(retryAfter).toBeLessThanOrEqual(delay)
		expect(retryAfter).toBeGreaterThanOrEqual(delay - waited)
		expect(refused.data).toMatchObject({ formError: expect.stringContaining('from your network') })
		// Another client is unaffected.
		expect((await login({ email: uniqueEmail('x'), password: 'a guess at it' }, { client: OWNER })).status).toBe(400)
		// IPv6 clients are counted by their /64: the next address of the same network is the same client.
		expect(clientKey('2001:db8:1:2::5')).toBe(clientKey('2001:0db8:0001:0002:ffff::9'))
		expect(clientKey('::ffff:203.0.113.66')).toBe(ATTACKER)
	})

	it('Retry-After reaches the browser: Remix answers a refused login with the header (the route exports headers)', async () => {
		const { admin } = await createOrg()
		for (let i = 0; i < env().LOGIN_ACCOUNT_FREE_FAILURES; i++) {
			await login({ email: admin.email, password: 'a wrong guess' }, { client: ATTACKER })
		}
		const handle = handlerFor({ 'routes/login': { path: 'login', module: loginRoute } })
		const body = new URLSearchParams({ email: admin.email, password: PASSWORD, [HONEYPOT_FIELD]: '' })
		const document = await handle(
			new Request('http://localhost/login', {
				method: 'POST',
				body,
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			}),
			OWNER,
		)
		expect(document.status).toBe(429)
		expect(Number(document.headers.get('Retry-After'))).toBeGreaterThan(0)
		const viaFetch = await handle(
			new Request('http://localhost/login.data', {
				method: 'POST',
				body,
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			}),
			OWNER,
		)
		expect(Number(viaFetch.headers.get('Retry-After'))).toBeGreaterThan(0)
	})
})

describe('honeypot on public forms', () => {
	it('is a field the browser submits empty; a form sent as a browser sends it logs in', async () => {
		const html = renderToStaticMarkup(<Honeypot />)
		expect(html).toContain(`name="${HONEYPOT_FIELD}"`)
		expect(html).toContain('value=""')
		expect(html).toContain('tabindex="-1"')
		const { admin } = await createOrg()
		const ok = await login({ email: admin.email, password: PASSWORD, [HONEYPOT_FIELD]: '' })
		expect(ok.status).toBe(302)
	})

	it('a filled honeypot is refused with a plain 400 on login, sign-up and invite: nothing created, nothing counted', async () => {
		const { admin } = await createOrg()
		const trap = { [HONEYPOT_FIELD]: 'https://spam.example' }
		const loggedIn = await login({ email: admin.email, password: PASSWORD, ...trap }, { client: ATTACKER })
		expect(loggedIn.status).toBe(400)
		expect(loggedIn.data).toMatchObject({ formError: HONEYPOT_MESSAGE })
		expect(await db.select().from(sessions)).toEqual([])
		expect(await db.select().from(rateLimits)).toEqual([])

		const form = { name: 'Bot', email: uniqueEmail('bot'), password: PASSWORD, orgName: 'Bot Org', ...trap }
		const signedUp = await runRoute(signupRoute.action, makeRequest('/signup', { form }))
		expect(signedUp.status).toBe(400)
		expect(signedUp.data).toMatchObject({ formError: HONEYPOT_MESSAGE })
		expect(await db.select().from(organizations)).toHaveLength(1)

		const invited = await runRoute(
			inviteRoute.action,
			makeRequest('/invite/x', { form: { name: 'Bot', password: PASSWORD, ...trap } }),
			{ token: 'x' },
		)
		expect(invited.status).toBe(400)
		expect(invited.data).toMatchObject({ formError: HONEYPOT_MESSAGE })
	})
})

describe('limits on sign-up, invite acceptance and the public API', () => {
	const asClient =
		<A extends { context: unknown }>(handler: (args: A) => unknown, client: string) =>
		(args: A) =>
			handler({ ...args, context: { clientAddress: client } })

	it('sign-up: SIGNUP_PER_CLIENT per window from one client, then 429 with Retry-After', async () => {
		const { SIGNUP_PER_CLIENT: limit } = env()
		// Sign-ups hash a password each: insert the earlier ones' count directly instead.
		await setRateLimitWindow(`signup:client:${ATTACKER}`, limit - 1)
		const signup = (orgName: string, client = ATTACKER) =>
			runRoute(
				asClient(signupRoute.action, client),
				makeRequest('/signup', { form: { name: 'Sam', email: uniqueEmail('s'), password: PASSWORD, orgName } }),
			)
		expect((await signup('Last Allowed')).status).toBe(302)
		const refused = await signup('One Too Many')
		expect(refused.status).toBe(429)
		expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(3000)
		expect(refused.data).toMatchObject({ formError: expect.stringContaining('Too many sign-ups') })
		expect(await db.select().from(organizations).where(eq(organizations.name, 'One Too Many'))).toEqual([])
		expect((await signup('Other Client', OWNER)).status).toBe(302)
	})

	it('invite acceptance: INVITE_ACCEPT_PER_CLIENT per window from one client, then 429', async () => {
		const { INVITE_ACCEPT_PER_CLIENT: limit } = env()
		const accept = (client: string) =>
			runRoute(
				asClient(inviteRoute.action, client),
				makeRequest('/invite/not-a-token', { form: { name: 'Ivy', password: PASSWORD } }),
				{
					token: 'not-a-token',
				},
			)
		for (let i = 0; i < limit; i++) expect((await accept(ATTACKER)).status).not.toBe(429)
		const refused = await accept(ATTACKER)
		expect(refused.status).toBe(429)
		expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0)
		expect((await accept(OWNER)).status).not.toBe(429)
	})

	it('the evaluate API allows EVALUATE_PER_CLIENT requests a window (at least 60 a minute), then a JSON 429 with Retry-After', async () => {
		const { EVALUATE_PER_CLIENT: limit, EVALUATE_WINDOW_SECONDS: window } = env()
		expect(limit / window).toBeGreaterThanOrEqual(1)
		const evaluate = (client: string) =>
			runRoute(
				asClient(evaluateRoute.action, client),
				new Request('http://localhost/api/v1/checklist/evaluate', {
					method: 'POST',
					headers: { 'Content-Type': 'application/json' },
					body: '{}',
				}),
			)
		for (let i = 0; i < limit; i++) expect((await evaluate(ATTACKER)).status).toBe(200)
		const refused = await evaluate(ATTACKER)
		expect(refused.status).toBe(429)
		expect(refused.headers.get('Retry-After')).toMatch(/^\d+$/)
		expect(refused.data).toMatchObject({ error: expect.stringContaining('Too many requests') })
		expect((await evaluate(OWNER)).status).toBe(200)
	})
})

describe('limit rows expire', () => {
	it('deleteExpiredRateLimits removes rows past the longest window, keeps live ones and recent known devices', async () => {
		const now = Date.now()
		const ago = (seconds: number) => new Date(now - seconds * 1000)
		await db.insert(rateLimits).values([
			{ key: 'login:account:old@example.test', windowStart: ago(2 * 24 * 3600), count: 7 },
			{ key: 'evaluate:client:203.0.113.1', windowStart: ago(30), count: 3 },
			{ key: 'login:device:u:recent', windowStart: ago(10 * 24 * 3600), count: 0 },
			{ key: 'login:device:u:stale', windowStart: ago((env().LOGIN_KNOWN_DEVICE_DAYS + 1) * 24 * 3600), count: 0 },
		])
		expect(await deleteExpiredRateLimits()).toBe(2)
		const left = (await db.select({ key: rateLimits.key }).from(rateLimits)).map((row) => row.key).sort()
		expect(left).toEqual(['evaluate:client:203.0.113.1', 'login:device:u:recent'])
	})
})

describe('housekeeping the server runs at start and every 10 minutes', () => {
	it('runMaintenance deletes expired sessions and expired limit rows, and keeps live ones', async () => {
		const { admin } = await createOrg()
		const expired = await createSession(admin.id, new Date(Date.now() - 31 * 24 * 60 * 60 * 1000))
		const live = await createSession(admin.id)
		await db
			.insert(rateLimits)
			.values({ key: 'signup:client:203.0.113.2', windowStart: new Date(Date.now() - 3 * 24 * 3600 * 1000), count: 4 })
		expect(await runMaintenance()).toMatchObject({ rateLimits: 1, idempotencyKeys: 0 })
		const left = (await db.select({ tokenHash: sessions.tokenHash }).from(sessions)).map((row) => row.tokenHash)
		expect(left).toEqual([hashToken(live.token)])
		expect(left).not.toContain(hashToken(expired.token))
	})

	it('stored API answers are kept for the retention, then deleted', async () => {
		const { org } = await createOrg()
		const { apiKey } = await createApiKey(org.id, null, { name: 'Pipeline', scopes: ['reports:write'] })
		const day = 24 * 60 * 60 * 1000
		const answer = { orgId: org.id, apiKeyId: apiKey.id, requestSha256: 'a'.repeat(64), status: 201, body: {} }
		await db.insert(apiIdempotencyKeys).values([
			{ ...answer, key: 'old', createdAt: new Date(Date.now() - (IDEMPOTENCY_RETENTION_DAYS + 1) * day) },
			{ ...answer, key: 'recent', createdAt: new Date(Date.now() - (IDEMPOTENCY_RETENTION_DAYS - 1) * day) },
		])
		expect(await runMaintenance()).toMatchObject({ idempotencyKeys: 1 })
		const left = await db.select({ key: apiIdempotencyKeys.key }).from(apiIdempotencyKeys)
		expect(left).toEqual([{ key: 'recent' }])
	})
})

describe('password hashes are upgraded at login', () => {
	it('an old N = 2^14 hash still logs in and is replaced by one at the current cost', async () => {
		const { admin } = await createOrg()
		await db
			.update(users)
			.set({ passwordHash: await hashPassword(PASSWORD, { log2N: 14 }) })
			.where(eq(users.id, admin.id))
		expect((await login({ email: admin.email, password: PASSWORD })).status).toBe(302)
		const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, admin.id))
		expect(row!.hash.startsWith(`scrypt$${2 ** env().PASSWORD_SCRYPT_LOG2_N}$8$1$`)).toBe(true)
		expect(env().PASSWORD_SCRYPT_LOG2_N).toBeGreaterThan(14)
		expect((await login({ email: admin.email, password: PASSWORD })).status).toBe(302)
	})
})
