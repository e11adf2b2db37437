import { eq, like } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents, memberships, organizations, sessions } from '#db/schema'
import { action as loginAction, loader as loginLoader } from '~/routes/login'
import { action as logoutAction } from '~/routes/logout'
import { loader as orgLoader } from '~/routes/o.$org'
import { action as signupAction } from '~/routes/signup'
import { createSession, getSessionUser } from '~/services/auth.server'
import { sessionCookie } from '~/utils/session.server'
import { hashToken } from '~/utils/tokens.server'
import { cookieFor, createOrg, makeRequest, PASSWORD, runRoute, uniqueEmail } from '../fixtures/world'

// Every test signs up or logs in: a scrypt hash each (2^15), a few seconds idle but past the project's 30 s on a busy
// 2-core machine ('starts a session…' took 31 s in a clean-clone CI run at load 15).
const LOGINS_BOUND = { timeout: 120_000 }

describe('sign up', LOGINS_BOUND, () => {
	it('creates the organisation, the user as its admin, a session and an audit event', async () => {
		const email = uniqueEmail('signup')
		const result = await runRoute(
			signupAction,
			makeRequest('/signup', { form: { name: 'Sam Signup', email, password: PASSWORD, orgName: 'Zeta Apps' } }),
		)
		expect(result.status).toBe(302)
		expect(result.headers.get('Location')).toBe('/o/zeta-apps')
		expect(result.headers.get('Set-Cookie')).toMatch(/__clearance_session=.+; .*HttpOnly; SameSite=Lax/)

		const [org] = await db.select().from(organizations).where(eq(organizations.slug, 'zeta-apps'))
		expect(org?.name).toBe('Zeta Apps')
		const members = await db.select().from(memberships).where(eq(memberships.orgId, org!.id))
		expect(members).toHaveLength(1)
		expect(members[0]!.roles).toContain('admin')
		const events = await db.select().from(auditEvents).where(eq(auditEvents.orgId, org!.id))
		expect(events.map((event) => event.action)).toEqual(['org.created'])
	})

	it('marks the cookie Secure when the request came over HTTPS (directly or via a proxy)', async () => {
		const form = { name: 'Tess TLS', email: uniqueEmail('tls'), password: PASSWORD, orgName: 'Secure Org' }
		const request = makeRequest('/signup', { form })
		request.headers.set('X-Forwarded-Proto', 'https')
		const result = await runRoute(signupAction, request)
		expect(result.headers.get('Set-Cookie')).toMatch(/; Secure/)
		const plain = await runRoute(
			signupAction,
			makeRequest('/signup', { form: { ...form, email: uniqueEmail('plain') } }),
		)
		expect(plain.headers.get('Set-Cookie')).not.toMatch(/; Secure/)
	})

	it('refuses a short password and keeps what was typed, except the password', async () => {
		const result = await runRoute(
			signupAction,
			makeRequest('/signup', { form: { name: 'Sam', email: 'sam@example.test', password: 'short', orgName: 'Zeta' } }),
		)
		expect(result.status).toBe(400)
		expect(result.data).toMatchObject({
			errors: { password: 'Use at least 12 characters.' },
			values: { name: 'Sam', email: 'sam@example.test', orgName: 'Zeta' },
		})
		expect(JSON.stringify(result.data)).not.toContain('short')
		expect(await db.select().from(organizations)).toHaveLength(0)
	})

	it('refuses a taken email without creating a second organisation', async () => {
		const { admin } = await createOrg('First Org')
		const result = await runRoute(
			signupAction,
			makeRequest('/signup', {
				form: { name: 'Again', email: admin.email.toUpperCase(), password: PASSWORD, orgName: 'Second Org' },
			}),
		)
		expect(result.status).toBe(400)
		expect(result.data).toMatchObject({ errors: { email: expect.stringContaining('already exists') } })
		expect(await db.select().from(organizations)).toHaveLength(1)
	})

	it('two sign-ups racing for one email: one account, the other told the email is taken (never a 500)', async () => {
		const email = uniqueEmail('race')
		const form = (orgName: string) => ({ name: 'Racer', email, password: PASSWORD, orgName })
		const results = await Promise.all([
			runRoute(signupAction, makeRequest('/signup', { form: form('Race Org') })),
			runRoute(signupAction, makeRequest('/signup', { form: form('Race Org') })),
		])
		expect(results.map((result) => result.status).sort()).toEqual([302, 400])
		expect(results.find((result) => result.status === 400)!.data).toMatchObject({
			errors: { email: expect.stringContaining('already exists') },
		})
		expect(await db.select().from(organizations)).toHaveLength(1)
	})

	it('gives organisations with the same name distinct slugs', async () => {
		const first = await createOrg('Same Name')
		const second = await createOrg('Same Name')
		expect(first.org.slug).toBe('same-name')
		expect(second.org.slug).toBe('same-name-2')
	})
})

describe('log in', LOGINS_BOUND, () => {
	it('gives the same message for a wrong password and an unknown email', async () => {
		const { admin } = await createOrg()
		const wrong = await runRoute(
			loginAction,
			makeRequest('/login', { form: { email: admin.email, password: 'not the password at all' } }),
		)
		const unknown = await runRoute(
			loginAction,
			makeRequest('/login', { form: { email: 'nobody@example.test', password: PASSWORD } }),
		)
		expect(wrong.status).toBe(400)
		expect(unknown.status).toBe(400)
		expect(wrong.data).toMatchObject({ formError: 'Email or password is incorrect.' })
		expect((unknown.data as { formError: string }).formError).toBe((wrong.data as { formError: string }).formError)
		expect(await db.select().from(sessions)).toHaveLength(0)
	})

	it('starts a session and only redirects within the site', async () => {
		const { admin } = await createOrg()
		const ok = await runRoute(
			loginAction,
			makeRequest('/login', { form: { email: admin.email, password: PASSWORD, redirectTo: '//evil.example/x' } }),
		)
		expect(ok.status).toBe(302)
		expect(ok.headers.get('Location')).toBe('/')
		// Browsers strip tabs and newlines, so "/\t/evil" would become "//evil": refused, and never a 500.
		for (const redirectTo of ['/\t/evil.example', '/\n/x', '/\\evil.example', 'https://evil.example']) {
			const bounced = await runRoute(
				loginAction,
				makeRequest('/login', { form: { email: admin.email, password: PASSWORD, redirectTo } }),
			)
			expect(bounced.status).toBe(302)
			expect(bounced.headers.get('Location')).toBe('/')
		}
		const inside = await runRoute(
			loginAction,
			makeRequest('/login', { form: { email: admin.email, password: PASSWORD, redirectTo: '/o/x/apps?q=a#top' } }),
		)
		expect(inside.headers.get('Location')).toBe('/o/x/apps?q=a#top')
		const token = await sessionCookie.parse(ok.headers.get('Set-Cookie')!.split(';')[0]!)
		expect(await getSessionUser(token)).toMatchObject({ id: admin.id, email: admin.email })
	})
})

describe('logins in the audit log', LOGINS_BOUND, () => {
	const loginEvents = () =>
		db.select().from(auditEvents).where(like(auditEvents.action, 'login.%')).orderBy(auditEvents.id)

	it('a login is recorded in every organisation the person belongs to, as done by them', async () => {
		const { org, admin } = await createOrg('First Org')
		const second = await createOrg('Second Org')
		await db.insert(memberships).values({ orgId: second.org.id, userId: admin.id, roles: ['reviewer'] })
		const ok = await runRoute(
			loginAction,
			makeRequest('/login', { form: { email: admin.email.toUpperCase(), password: PASSWORD } }),
		)
		expect(ok.status).toBe(302)
		const events = await loginEvents()
		expect(events.map((event) => [event.orgId, event.action, event.actorUserId, event.subjectId]).sort()).toEqual(
			[
				[org.id, 'login.succeeded', admin.id, admin.id],
				[second.org.id, 'login.succeeded', admin.id, admin.id],
			].sort(),
		)
	})

	it('a failed login is recorded on the account tried, by someone not signed in, without the password', async () => {
		const { org, admin } = await createOrg()
		const typed = 'my secret guess 12345'
		const failed = await runRoute(loginAction, makeRequest('/login', { form: { email: admin.email, password: typed } }))
		expect(failed.status).toBe(400)
		const [event] = await loginEvents()
		expect(event).toMatchObject({
			orgId: org.id,
			action: 'login.failed',
			actorUserId: null,
			subjectType: 'user',
			subjectId: admin.id,
			after: { reason: 'Wrong password.' },
		})
		expect(JSON.stringify(event)).not.toContain(typed)
	})

	it('an unknown email leaves no row: an audit event needs an organisation, and the typed address is not kept', async () => {
		await createOrg()
		const before = await db.select().from(auditEvents)
		const unknown = await runRoute(
			loginAction,
			makeRequest('/login', { form: { email: 'nobody@example.test', password: PASSWORD } }),
		)
		expect(unknown.status).toBe(400)
		expect(await db.select().from(auditEvents)).toHaveLength(before.length)
	})

	it('the failure that starts the delay is recorded once as rate limited; refused attempts add nothing', async () => {
		const { org, admin } = await createOrg()
		const attempt = (password: string) =>
			runRoute(loginAction, makeRequest('/login', { form: { email: admin.email, password } }))
		for (let i = 0; i < 5; i++) expect((await attempt('wrong password guess')).status).toBe(400)
		expect((await attempt(PASSWORD)).status).toBe(429)
		expect((await attempt(PASSWORD)).status).toBe(429)
		const events = await loginEvents()
		expect(events.filter((event) => event.action === 'login.failed')).toHaveLength(5)
		expect(events.filter((event) => event.action === 'login.rate_limited')).toMatchObject([
			{ orgId: org.id, actorUserId: null, subjectId: admin.id },
		])
		expect(events.some((event) => event.action === 'login.succeeded')).toBe(false)
	})
})

describe('sessions', LOGINS_BOUND, () => {
	it('logout deletes the session on the server, so the old cookie stops working', async () => {
		const { org, admin } = await createOrg()
		const { cookie, token } = await cookieFor(admin.id)
		const before = await runRoute(orgLoader, makeRequest(`/o/${org.slug}`, { cookie }), { org: org.slug })
		expect(before.status).toBe(200)

		const out = await runRoute(logoutAction, makeRequest('/logout', { cookie, method: 'POST' }))
		expect(out.status).toBe(302)
		expect(out.headers.get('Set-Cookie')).toMatch(/Expires=Thu, 01 Jan 1970/)
		expect(
			await db
				.select()
				.from(sessions)
				.where(eq(sessions.tokenHash, hashToken(token))),
		).toHaveLength(0)

		// Replaying the old cookie is now the same as having none.
		const after = await runRoute(orgLoader, makeRequest(`/o/${org.slug}`, { cookie }), { org: org.slug })
		expect(after.status).toBe(302)
		expect(after.headers.get('Location')).toMatch(/^\/login\?redirectTo=/)
	})

	it('an expired session is refused and removed', async () => {
		const { admin } = await createOrg()
		const past = new Date(Date.now() - 31 * 24 * 60 * 60 * 1000)
		const { token } = await createSession(admin.id, past)
		expect(await getSessionUser(token)).toBeNull()
		expect(
			await db
				.select()
				.from(sessions)
				.where(eq(sessions.tokenHash, hashToken(token))),
		).toHaveLength(0)
		const fresh = await createSession(admin.id)
		expect(await getSessionUser(fresh.token)).toMatchObject({ id: admin.id })
	})

	it('expired sessions are deleted when anyone logs in', async () => {
		const { admin } = await createOrg()
		const other = await createOrg('Other')
		const { token: stale } = await createSession(other.admin.id, new Date(Date.now() - 31 * 24 * 60 * 60 * 1000))
		const { token: live } = await createSession(other.admin.id)
		const ok = await runRoute(loginAction, makeRequest('/login', { form: { email: admin.email, password: PASSWORD } }))
		expect(ok.status).toBe(302)
		const left = (await db.select({ tokenHash: sessions.tokenHash }).from(sessions)).map((row) => row.tokenHash)
		expect(left).not.toContain(hashToken(stale))
		expect(left).toContain(hashToken(live))
	})

	it('a cookie for a session that no longer exists is cleared, on a protected page and on the login page', async () => {
		const { org, admin } = await createOrg()
		const { cookie } = await cookieFor(admin.id)
		await db.delete(sessions).where(eq(sessions.userId, admin.id))
		const page = await runRoute(orgLoader, makeRequest(`/o/${org.slug}`, { cookie }), { org: org.slug })
		expect(page.status).toBe(302)
		expect(page.headers.get('Set-Cookie')).toMatch(/^__clearance_session=; .*Expires=Thu, 01 Jan 1970/)
		const loginPage = await runRoute(loginLoader, makeRequest('/login', { cookie }))
		expect(loginPage.status).toBe(200)
		expect(loginPage.headers.get('Set-Cookie')).toMatch(/^__clearance_session=; .*Expires=Thu, 01 Jan 1970/)
		// Without a cookie there is nothing to clear.
		expect((await runRoute(loginLoader, makeRequest('/login'))).headers.get('Set-Cookie')).toBeNull()
	})
})
