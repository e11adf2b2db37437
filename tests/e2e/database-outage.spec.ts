// Database outage (issue 15; docs/decisions/018-database-outages.md), on PostgreSQL only: the production
// build runs against PostgreSQL through a TCP proxy the test controls. Cut off, the app answers every
// page with the "temporarily unavailable" page (503, words for people, no stack trace), the API with its
// 503 JSON error and /healthz with 503, each within a bound; behind a black hole (connections accepted,
// never answered) too, within the connect timeout. Reopened, the same process serves again: no restart.
import { DatabaseProxy, dropDatabase, freshDatabase, logInCookie, runScript, startServer } from './server-processes'
import { DEMO_PASSWORD, expect, test } from './utils'

const DATABASE = 'clearance_outage'
// Generous for a busy machine, far below "forever": a hang fails the test here.
const BOUND_MS = 20_000

test.describe.configure({ mode: 'serial' })
test.skip(!process.env.DATABASE_URL, 'needs PostgreSQL (DATABASE_URL); the embedded database runs in-process')

test('the database cut off and back: 503 page, 503 API and 503 /healthz within a bound, then served again without a restart', async ({
	page,
	browserErrors,
}) => {
	test.setTimeout(480_000)
	const direct = await freshDatabase(DATABASE)
	const key = await runScript('scripts/api-key.ts', ['--org', 'demo', '--name', 'Outage probe', '--scopes', 'read'], {
		DATABASE_URL: direct,
	})
	expect(key.code, key.stderr).toBe(0)
	const apiKey = key.stdout.trim().split('\n').at(-1)!

	const proxy = DatabaseProxy.inFrontOf(direct)
	await proxy.open()
	const server = await startServer(0, {
		DATABASE_URL: proxy.url(direct),
		DATABASE_CONNECT_TIMEOUT_SECONDS: '3',
	})
	try {
		const cookie = await logInCookie(server.base, 'admin@demo.test', DEMO_PASSWORD)
		const [name, value] = cookie.split('; ')[0]!.split('=')
		await page.context().addCookies([{ name: name!, value: value!, url: server.base }])
		const bounded = (path: string, headers: Record<string, string> = {}) =>
			fetch(`${server.base}${path}`, { headers, signal: AbortSignal.timeout(BOUND_MS) })
		const api = () => bounded('/api/v1/apps', { Authorization: `Bearer ${apiKey}` })

		// Before: everything answers.
		expect((await bounded('/healthz')).status).toBe(200)
		expect((await api()).status).toBe(200)
		await page.goto(`${server.base}/o/demo`)
		await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible()

		const expectOutage = async (what: string) => {
			const health = await bounded('/healthz')
			expect(health.status, what).toBe(503)
			expect(await health.json(), what).toMatchObject({ ok: false })

			const refused = await api()
			expect(refused.status, what).toBe(503)
			expect(refused.headers.get('Content-Type'), what).toMatch(/^application\/json/)
			expect(refused.headers.get('Retry-After'), what).toBe('30')
			const body = (await refused.json()) as { error: string }
			expect(Object.keys(body), what).toEqual(['error'])
			expect(body.error, what).toMatch(/cannot reach its database.*try again/)

			const shown = await page.goto(`${server.base}/o/demo`, { timeout: BOUND_MS })
			expect(shown?.status(), what).toBe(503)
			await expect(page.getByRole('heading', { name: 'Clearance is temporarily unavailable' })).toBeVisible()
			await expect(page.getByText(/try again in a minute/)).toBeVisible()
			const text = await page.locator('body').innerText()
			expect(text, what).not.toMatch(/ECONNREFUSED|CONNECT_TIMEOUT|CONNECTION_|postgres|\bat \S+:\d+|Error:/i)
		}

		// Cut off: open connections closed, new ones refused.
		await proxy.cut()
		await expectOutage('connections refused')

		// A black hole: connections accepted and never answered; the connect timeout bounds each request.
		await proxy.open('black-hole')
		await expectOutage('a database that never answers')

		// Back: the same server process serves again, as soon as the database answers.
		await proxy.open()
		await expect.poll(async () => (await bounded('/healthz')).status, { timeout: 60_000 }).toBe(200)
		expect((await api()).status).toBe(200)
		const again = await page.goto(`${server.base}/o/demo`)
		expect(again?.status()).toBe(200)
		await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible()
		// Chromium logs each 503 page as "Failed to load resource": expected here, and only those.
		const outageLoads = /^console error on .*: Failed to load resource: the server responded with a status of 503/
		expect(browserErrors.filter((line) => outageLoads.test(line)).length).toBeGreaterThan(0)
		browserErrors.splice(0, browserErrors.length, ...browserErrors.filter((line) => !outageLoads.test(line)))
		expect(server.child.exitCode).toBeNull()
		expect(server.output().match(/listening on http/g)).toHaveLength(1)
		expect(server.output()).toMatch(/Database unavailable \((ECONNREFUSED|CONNECTION_CLOSED)\)/)
		expect(server.output()).toMatch(/Database unavailable \(CONNECT_TIMEOUT\)/)
	} finally {
		await server.stop()
		await proxy.cut()
		await dropDatabase(DATABASE)
	}
})
