import { afterAll, describe, expect, it } from 'vitest'
import { type ApiScope } from '~/domain/api-keys'
import { can, ROLES, type Permission } from '~/domain/roles'
import { ROUTE_ACCESS, type Access, type Method } from '../fixtures/route-access'
import { appHandler, routeManifest, urlOf, type ManifestRoute } from '../fixtures/route-manifest'
import { cookieFor } from '../fixtures/world'
import { ENTITY_PARAMS, matrixWorld, type MatrixWorld } from './route-matrix-helpers'

// Issue 15, first point: every route the app declares (read from app/routes.ts,
// not listed by hand) × every caller: a member of another organisation gets a
// 404, each role what tests/fixtures/route-access.ts declares (allowed or 403),
// nobody signed in the login page (pages) or a 401 (the API); API keys of
// another organisation a 404, keys without the scope a 403.

const manifest = await routeManifest()
const handle = appHandler(manifest)
const tally = { routes: 0, requests: 0 }

type Caller = { cookie?: string; key?: string; params?: Record<string, string> }

async function send(route: ManifestRoute, method: Method, w: MatrixWorld, caller: Caller = {}) {
	const headers = new Headers()
	if (caller.cookie) headers.set('Cookie', caller.cookie)
	if (caller.key) headers.set('Authorization', `Bearer ${caller.key}`)
	let body: string | undefined
	if (method !== 'GET' && method !== 'DELETE') {
		const api = route.id.startsWith('routes/api.')
		headers.set('Content-Type', api ? 'application/json' : 'application/x-www-form-urlencoded')
		body = api ? '{}' : ''
	}
	const url = urlOf(route, caller.params ?? w.params, { forAction: method !== 'GET' })
	tally.requests += 1
	const response = await handle(new Request(url, { method, headers, body }))
	const text = await response.text()
	return { status: response.status, location: response.headers.get('Location') ?? '', text }
}

type Answer = Awaited<ReturnType<typeof send>>
const describeAnswer = (what: string, answer: Answer) =>
	`${what}: ${answer.status} ${answer.location} ${answer.text.slice(0, 200)}`

/**
 * Let through: no 5xx, no 401/403, no login page, and no 404 like a
 * stranger's (`refusal`; a 404 saying something else, e.g. that a form names
 * no app or nothing is set yet, answers the request).
 */
function expectAllowed(what: string, answer: Answer, refusal: Answer | null) {
	expect(answer.status, describeAnswer(what, answer)).toBeLessThan(500)
	expect([401, 403], describeAnswer(what, answer)).not.toContain(answer.status)
	if (refusal && answer.status === 404) expect(answer.text, describeAnswer(what, answer)).not.toBe(refusal.text)
	expect(answer.location.startsWith('/login'), describeAnswer(what, answer)).toBe(false)
}

function expectStatus(what: string, answer: Answer, ...statuses: number[]) {
	expect(statuses, describeAnswer(what, answer)).toContain(answer.status)
}

const isPermission = (access: Access): access is Permission | 'member' =>
	!['public', 'redirect', 'token', 'not-allowed'].includes(access) && !access.startsWith('api:')

async function check(route: ManifestRoute, method: Method, access: Access, w: MatrixWorld) {
	const at = `${method} ${route.pattern}`
	const entities = ENTITY_PARAMS.filter((name) => route.params.includes(name))
	// Parameters that name nothing here (task, account, token, splat): a 404 even for those let in.
	const namesNothing = route.params.some((name) => ['taskId', 'accountId', 'token', '*'].includes(name))
	if (access === 'not-allowed') {
		expectStatus(`${at} anonymous`, await send(route, method, w), 405)
		expectStatus(`${at} with a key`, await send(route, method, w, { key: w.key }), 405)
		return
	}
	if (access === 'public' || access === 'api:public') {
		for (const cookie of [undefined, (await cookieFor(w.memberId)).cookie]) {
			const answer = await send(route, method, w, { cookie })
			expect(answer.status, describeAnswer(`${at} ${cookie ? 'signed in' : 'anonymous'}`, answer)).toBeLessThan(500)
			expect([401, 403], describeAnswer(`${at}`, answer)).not.toContain(answer.status)
		}
		return
	}
	if (access === 'redirect') {
		for (const cookie of [undefined, w.cookies.member, w.strangerCookie]) {
			expectStatus(`${at} redirects`, await send(route, method, w, { cookie }), 302)
		}
		return
	}
	if (access === 'token') {
		// A wrong token opens nothing: a 404, or a page saying the link is not valid.
		for (const cookie of [undefined, w.strangerCookie]) {
			const answer = await send(route, method, w, { cookie })
			expect(answer.status, describeAnswer(`${at} with a wrong token`, answer)).toBeLessThan(500)
			expect(answer.location, describeAnswer(`${at} with a wrong token`, answer)).not.toMatch(/^\/o\//)
		}
		return
	}
	if (access.startsWith('api:')) {
		const scope = access.slice('api:'.length) as ApiScope
		expectStatus(`${at} without a key`, await send(route, method, w), 401)
		expectStatus(`${at} with a session but no key`, await send(route, method, w, { cookie: w.founderCookie }), 401)
		expectStatus(`${at} without ${scope}`, await send(route, method, w, { key: w.keyWithout[scope] }), 403)
		let refusal: Answer | null = null
		if (entities.length > 0 || namesNothing) {
			refusal = await send(route, method, w, { key: w.strangerKey })
			expectStatus(`${at} with another organisation's key`, refusal, 404)
		}
		const answer = await send(route, method, w, { key: w.key })
		expectAllowed(`${at} with every scope`, answer, namesNothing ? null : refusal)
		return
	}
	if (!isPermission(access)) throw new Error(`${route.id}: unknown access ${access}`)
	// Pages and their forms.
	const anonymous = await send(route, method, w)
	expectStatus(`${at} anonymous`, anonymous, 302)
	expect(anonymous.location, describeAnswer(`${at} anonymous goes to the login page`, anonymous)).toMatch(
		/^\/login\?redirectTo=/,
	)
	const stranger = await send(route, method, w, { cookie: w.strangerCookie })
	expectStatus(`${at} by a member of another organisation`, stranger, 404)
	for (const role of ROLES) {
		const answer = await send(route, method, w, { cookie: w.cookies[role] })
		if (access === 'member' || can([role], access)) expectAllowed(`${at} as ${role}`, answer, stranger)
		else expectStatus(`${at} as ${role} only (needs ${access})`, answer, 403)
	}
	if (entities.length > 0) {
		// In their own organisation, naming our rows.
		const params = { ...w.params, org: w.otherOrg.slug }
		const answer = await send(route, method, w, { cookie: w.strangerCookie, params })
		// A form refused as unreadable before any row is looked up tells nothing either.
		if (method === 'GET') expectStatus(`${at} in their own organisation with our ids`, answer, 404)
		else expectStatus(`${at} in their own organisation with our ids`, answer, 404, 400)
	}
}

describe('the isolation matrix, generated from app/routes', () => {
	afterAll(() => {
		console.log(`route matrix: ${tally.routes} routes, ${tally.requests} requests`)
	})

	it('finds the app’s routes', () => {
		expect(manifest.length).toBeGreaterThan(40)
		expect(manifest.map((route) => route.id)).toContain('routes/o.$org.settings')
	})

	it('every route has its declaration, with each method it answers, and no declaration names a route that is gone', () => {
		const problems: string[] = []
		for (const route of manifest) {
			const declared = ROUTE_ACCESS[route.id]
			if (!declared) {
				problems.push(`${route.id} (app/${route.file}) has no entry in tests/fixtures/route-access.ts`)
				continue
			}
			const methods = Object.keys(declared)
			if (route.hasLoader && !methods.includes('GET')) problems.push(`${route.id}: its loader (GET) is not declared`)
			if (!route.hasLoader && methods.includes('GET')) problems.push(`${route.id}: GET declared, but no loader`)
			const writes = methods.filter((method) => method !== 'GET')
			if (route.hasAction && writes.length === 0) problems.push(`${route.id}: its action's methods are not declared`)
			if (!route.hasAction && writes.length > 0) problems.push(`${route.id}: ${writes.join(', ')} declared, no action`)
		}
		const ids = new Set(manifest.map((route) => route.id))
		for (const id of Object.keys(ROUTE_ACCESS)) {
			if (!ids.has(id)) problems.push(`${id} is declared in tests/fixtures/route-access.ts but no longer a route`)
		}
		expect(problems).toEqual([])
	})

	it('every route answers each caller as declared', { timeout: 600_000 }, async () => {
		const w = await matrixWorld()
		const failures: string[] = []
		for (const route of manifest) {
			const declared = ROUTE_ACCESS[route.id]
			if (!declared) {
				failures.push(`${route.id} (app/${route.file}) has no entry in tests/fixtures/route-access.ts`)
				continue
			}
			try {
				for (const [method, access] of Object.entries(declared) as [Method, Access][]) {
					await check(route, method, access, w)
				}
				tally.routes += 1
			} catch (error) {
				failures.push(`${route.id}: ${(error as Error).message}`)
			}
		}
		expect(failures).toEqual([])
	})
})
