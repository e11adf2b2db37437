// Several app servers on one PostgreSQL (issue 16, point 4): two servers of the production build on one
// database. A session made on one is valid on the other; limits count across both; both schedulers run
// their round at the same time and the reporter and the reminders are done once. PostgreSQL only (the
// embedded database belongs to one process). No browser: the subject is the servers, through HTTP.
import { randomBytes } from 'node:crypto'
import { createServer, request as httpRequest } from 'node:http'
import { type AddressInfo } from 'node:net'
import postgres from 'postgres'
import { sealJson } from '../../app/utils/secret-box.server'
import { startAtlassianStandIn, type AtlassianStandIn } from '../fixtures/atlassian-stand-in'
import { freshDatabase, dropDatabase, startServer, logInCookie, type AppServer } from './server-processes'
import { DEMO_PASSWORD, expect, test } from './utils'

const DATABASE = 'clearance_scale_out'
const ACCOUNTS = Array.from({ length: 5 }, (_, i) => `5be24ad8b16532403769${i.toString(16).padStart(4, '0')}`)

test.describe.configure({ mode: 'serial' })
test.skip(!process.env.DATABASE_URL, 'needs PostgreSQL (DATABASE_URL): the embedded database belongs to one process')

let sql: postgres.Sql
let standIn: AtlassianStandIn
let gate: Gate
let servers: AppServer[] = []
let appId: string

/**
 * In front of the stand-in's web trigger: holds every report call until `release()`, so the server
 * whose scheduler got the reporter is still in its pass while the other one runs its round.
 */
type Gate = { url: string; held: () => number; release: () => void; close: () => Promise<void> }

async function startGate(target: string): Promise<Gate> {
	let held = 0
	let release = () => {}
	const released = new Promise<void>((resolve) => (release = resolve))
	const server = createServer((req, res) => {
		held += 1
		const chunks: Buffer[] = []
		req.on('data', (chunk: Buffer) => chunks.push(chunk))
		req.on('end', () => {
			void released.then(() => {
				const url = new URL(req.url ?? '/', target)
				const forward = httpRequest(url, { method: req.method, headers: req.headers }, (answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers)
					answer.pipe(res)
				})
				forward.on('error', () => res.destroy())
				forward.end(Buffer.concat(chunks))
			})
		})
	})
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		held: () => held,
		release: () => release(),
		close: () => new Promise((resolve) => server.close(() => resolve())),
	}
}

test.beforeAll(async () => {
	test.setTimeout(480_000)
	const url = await freshDatabase(DATABASE)
	sql = postgres(url, { max: 2, onnotice: () => {} })
	standIn = await startAtlassianStandIn()
	gate = await startGate(standIn.url)
	const secretKey = randomBytes(32).toString('base64')

	// An app of the demo organisation that has stored personal data for 60 days and never reported:
	// overdue, so the reporter sends it and the reminders remind about it.
	const [org] = await sql<{ id: string }[]>`select id from organizations where slug = 'demo'`
	const since = new Date(Date.now() - 60 * 86_400_000)
	const [app] = await sql<{ id: string }[]>`
		insert into apps (org_id, name, app_key, app_type, products, stores_personal_data, personal_data_since,
			storing_since, storing_since_source, created_at)
		values (${org!.id}, 'Scale Bridge', 'com.demo.scale-bridge', 'forge', ${['jira']}, 'yes', ${since},
			${since}, 'person', ${new Date(since.getTime() - 86_400_000)})
		returning id`
	appId = app!.id
	for (const accountId of ACCOUNTS) {
		await sql`insert into stored_accounts (app_id, account_id, updated_at) values (${appId}, ${accountId}, ${since})`
	}
	const webTriggerUrl = new URL(new URL(standIn.webTriggerUrl).pathname, gate.url).toString()
	const secrets = sealJson({ secret: standIn.webTriggerSecret }, `reporting-connection:${appId}`, {
		CLEARANCE_SECRET_KEY: secretKey,
	})
	await sql`
		insert into reporting_connections (app_id, org_id, kind, settings, secrets_ciphertext)
		values (${appId}, ${org!.id}, 'forge_webtrigger', ${sql.json({ url: webTriggerUrl })}, ${secrets})`

	// Both at once, each running its scheduler's first round as it starts (the next one a day later).
	const env = {
		DATABASE_URL: url,
		CLEARANCE_SECRET_KEY: secretKey,
		CLEARANCE_SCHEDULER: 'on',
		CLEARANCE_SCHEDULER_INTERVAL_SECONDS: '86400',
		EVALUATE_PER_CLIENT: '6',
		LOGIN_ACCOUNT_FREE_FAILURES: '3',
	}
	servers = await Promise.all([startServer(0, env), startServer(0, env)])
})

test.afterAll(async () => {
	if (!process.env.DATABASE_URL) return
	gate?.release()
	await Promise.all(servers.map((server) => server.stop()))
	await gate?.close()
	await standIn?.close()
	await sql?.end()
	await dropDatabase(DATABASE)
})

test('both schedulers at once: one report run, one set of reminders', async () => {
	test.setTimeout(180_000)
	const [a, b] = servers as [AppServer, AppServer]
	// One server's reporter has reached Atlassian and is held there, inside its pass and its lock...
	await expect.poll(() => gate.held(), { timeout: 120_000 }).toBe(1)
	// ...while the other finishes its whole round: the reporter was running elsewhere, so it skipped it.
	const first = await Promise.race([
		a.says(/Scheduled jobs: .*\./).then(() => a),
		b.says(/Scheduled jobs: .*\./).then(() => b),
	])
	const second = first === a ? b : a
	expect(first.output()).toMatch(
		/Scheduled jobs: reporter skipped \(running elsewhere\), reminders done, email done, webhooks done/,
	)
	gate.release()
	await second.says(/Scheduled jobs: .*\./)
	expect(second.output()).toMatch(
		/Scheduled jobs: reporter done, reminders (done|skipped \(running elsewhere\)), email/,
	)

	// Atlassian got the report once; one run recorded.
	expect(gate.held()).toBe(1)
	expect(standIn.reportRequests()).toHaveLength(1)
	expect(
		standIn
			.reportRequests()[0]!
			.accounts?.map((account) => account.accountId)
			.sort(),
	).toEqual(ACCOUNTS)
	const runs = await sql<{ status: string }[]>`select status from reporter_runs where app_id = ${appId}`
	expect(runs).toEqual([{ status: 'sent' }])
	expect(await sql`select id from report_runs where app_id = ${appId}`).toHaveLength(1)

	// One set of reminders: created by one server's pass, none again by the other; no pass failed.
	const reminders = await sql<{ n: number; distinct: number }[]>`
		select count(*)::int as n,
			count(distinct (org_id, subject_type, subject_id, kind, due_on, offset_days))::int as distinct
		from reminders`
	expect(reminders[0]!.n).toBeGreaterThan(0)
	expect(reminders[0]!.distinct).toBe(reminders[0]!.n)
	const created = [a, b].flatMap((server) => server.output().match(/Reminders: \d+ new\./g) ?? [])
	expect(created).toEqual([`Reminders: ${reminders[0]!.n} new.`])
	for (const server of [a, b]) expect(server.output()).not.toMatch(/failed/i)
})

test('a session made on one server is valid on the other', async () => {
	test.setTimeout(180_000)
	const [a, b] = servers as [AppServer, AppServer]
	const fromA = await logInCookie(a.base, 'admin@demo.test', DEMO_PASSWORD)
	const fromB = await logInCookie(b.base, 'reviewer@demo.test', DEMO_PASSWORD)
	for (const [server, cookie] of [
		[b, fromA],
		[a, fromB],
	] as const) {
		const answer = await fetch(`${server.base}/o/demo`, { headers: { Cookie: cookie }, redirect: 'manual' })
		expect(answer.status).toBe(200)
		expect(await answer.text()).toContain('Dashboard')
	}
	// Without it: the login page.
	const anonymous = await fetch(`${b.base}/o/demo`, { redirect: 'manual' })
	expect(anonymous.status).toBe(302)
})

test('limits count across both servers: the evaluate API’s per-client limit and failed logins per account', async () => {
	test.setTimeout(180_000)
	const [a, b] = servers as [AppServer, AppServer]
	const evaluate = (server: AppServer) =>
		fetch(`${server.base}/api/v1/checklist/evaluate`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: '{}',
		}).then((answer) => answer.status)
	// EVALUATE_PER_CLIENT=6 on each: three on each server use up the one shared allowance.
	const allowed: number[] = []
	for (let i = 0; i < 6; i++) allowed.push(await evaluate(i % 2 === 0 ? a : b))
	expect(allowed).toEqual([200, 200, 200, 200, 200, 200])
	expect([await evaluate(a), await evaluate(b)]).toEqual([429, 429])

	// LOGIN_ACCOUNT_FREE_FAILURES=3: three wrong passwords spread over both, then the account waits on both.
	const wrong = (server: AppServer) =>
		fetch(`${server.base}/login`, {
			method: 'POST',
			body: new URLSearchParams({ email: 'vendor@demo.test', password: 'not the password', redirectTo: '' }),
			redirect: 'manual',
		}).then((answer) => answer.status)
	expect([await wrong(a), await wrong(b), await wrong(a)]).toEqual([400, 400, 400])
	expect([await wrong(b), await wrong(a)]).toEqual([429, 429])
})
