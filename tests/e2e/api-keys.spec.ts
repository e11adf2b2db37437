import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { type APIRequestContext, type Page } from '@playwright/test'
import { gotoHydrated, signUp, uniqueEmail, expect, test } from './utils'

// Issue 12: an admin creates an API key and sees it once, a job uses it
// (the test calls the API), and once the admin revokes it the API refuses it.

test('an admin creates an API key, sees it once, uses it against the API, and revokes it', async ({
	page,
	request,
}) => {
	await signUp(page, { name: 'Ada Admin', email: uniqueEmail('admin'), orgName: 'Keyed Works' })
	const slug = new URL(page.url()).pathname.split('/')[2]!

	// The page is in the navigation for admins.
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click()
	await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible()
	await expect(page.getByText('No API keys yet')).toBeVisible()

	await page.getByLabel('Name').fill('Release pipeline')
	await page.getByLabel(/apps:write/).check()
	await page.getByRole('button', { name: 'Create key' }).click()
	await expect(page.getByText('it is shown only once')).toBeVisible()
	const key = await page.getByLabel('New API key').inputValue()
	expect(key).toMatch(/^clr_[A-Za-z0-9_-]{43}$/)
	const row = page.locator('tbody tr').filter({ hasText: 'Release pipeline' })
	await expect(row).toContainText(`${key.slice(0, 12)}…`)
	await expect(row).toContainText('read, apps:write')
	await expect(row).toContainText('Active')

	// Shown once: after a reload only its start is on the page.
	await gotoHydrated(page, `/o/${slug}/api-keys`)
	await expect(page.getByText('it is shown only once')).toHaveCount(0)
	expect(await page.content()).not.toContain(key)
	await expect(page.locator('tbody tr').filter({ hasText: 'Release pipeline' })).toContainText(key.slice(0, 12))

	// A job uses it.
	const auth = { Authorization: `Bearer ${key}` }
	const created = await request.post('/api/v1/apps', {
		headers: auth,
		data: {
			name: 'Pipeline App',
			appKey: 'com.keyed.pipeline',
			appType: 'forge',
			products: ['jira'],
			storesPersonalData: true,
			cycleDays: 7,
		},
	})
	expect(created.status(), await created.text()).toBe(201)
	const listed = await request.get('/api/v1/apps', { headers: auth })
	expect(listed.status()).toBe(200)
	const { apps } = (await listed.json()) as {
		apps: { name: string; reporting: { status: string; cycleDays: number } }[]
	}
	expect(apps).toEqual([
		expect.objectContaining({
			name: 'Pipeline App',
			reporting: expect.objectContaining({ status: 'on_track', cycleDays: 7 }),
		}),
	])
	const document = await request.get('/api/v1/openapi.json')
	expect(((await document.json()) as { openapi: string }).openapi).toBe('3.1.0')

	// The page shows it was used.
	await gotoHydrated(page, `/o/${slug}/api-keys`)
	await expect(page.locator('tbody tr').filter({ hasText: 'Release pipeline' })).not.toContainText('Never')

	// Revoked: refused at once.
	page.once('dialog', (dialog) => dialog.accept())
	await page.getByRole('button', { name: 'Revoke Release pipeline' }).click()
	await expect(page.getByText('is revoked: requests with it are refused from now on')).toBeVisible()
	await expect(page.locator('tbody tr').filter({ hasText: 'Release pipeline' })).toContainText('Revoked')
	const refused = await request.get('/api/v1/apps', { headers: auth })
	expect(refused.status()).toBe(401)
	expect(((await refused.json()) as { error: string }).error).toMatch(/revoked/)

	// The API reference is linked from the app.
	await page.getByRole('link', { name: 'API reference' }).first().click()
	await expect(page.getByRole('heading', { name: 'Clearance API', level: 1 })).toBeVisible()
	await expect(page.getByRole('heading', { name: 'POST /api/v1/apps/{appId}/report-runs' })).toBeVisible()
})

// The README's two recipes, as written there, against this server (Atlassian played by a local stand-in).

const CLOSED = '5be24ba3f91c106033269289'
const root = path.resolve(import.meta.dirname, '../..')

/** The fenced block of `language` that follows `heading` in the README. */
function readmeBlock(heading: string, language: string) {
	const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
	const section = readme.slice(readme.indexOf(heading))
	const start = section.indexOf(`\`\`\`${language}\n`) + language.length + 4
	return section.slice(start, section.indexOf('```', start))
}

async function keyAndApp(page: Page, request: APIRequestContext) {
	await signUp(page, { name: 'Rita Recipe', email: uniqueEmail('recipe'), orgName: 'Recipe Works' })
	const slug = new URL(page.url()).pathname.split('/')[2]!
	await gotoHydrated(page, `/o/${slug}/api-keys`)
	await page.getByLabel('Name').fill('Reporter')
	for (const scope of ['apps:write', 'accounts:write', 'reports:write']) await page.getByLabel(scope).check()
	await page.getByRole('button', { name: 'Create key' }).click()
	const key = await page.getByLabel('New API key').inputValue()
	const auth = { Authorization: `Bearer ${key}` }
	const created = await request.post('/api/v1/apps', {
		headers: auth,
		data: {
			name: 'Recipe App',
			appKey: `com.recipe.${Date.now()}`,
			appType: 'oauth2',
			products: ['jira'],
			storesPersonalData: true,
		},
	})
	expect(created.status()).toBe(201)
	return { key, auth, appId: ((await created.json()) as { app: { id: string } }).app.id }
}

/** Atlassian's report-accounts call, played locally: the first call is a 429, then the closed account is reported closed. */
async function fakeAtlassian() {
	const seen: string[] = []
	const server = http.createServer((req, res) => {
		let body = ''
		req.on('data', (chunk: Buffer) => (body += chunk.toString()))
		req.on('end', () => {
			seen.push(body)
			if (seen.length === 1) {
				res.writeHead(429, { 'Retry-After': '1' })
				return res.end()
			}
			const { accounts } = JSON.parse(body) as { accounts: { accountId: string }[] }
			if (!accounts.some((account) => account.accountId === CLOSED)) {
				res.writeHead(204)
				return res.end()
			}
			res.writeHead(200, { 'Content-Type': 'application/json', 'Cycle-Period': 'P7D' })
			res.end(JSON.stringify({ accounts: [{ accountId: CLOSED, status: 'closed' }] }))
		})
	})
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/app/report-accounts/`,
		seen,
		close: () => server.close(),
	}
}

function runScript(
	script: string,
	cwd: string,
	env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn('bash', [script], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
		let stdout = ''
		let stderr = ''
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
		child.on('error', reject)
		child.on('close', (status) => resolve({ status, stdout, stderr }))
	})
}

test('the README’s cron recipe pushes the ledger, reports it, records the run and completes the task', async ({
	page,
	request,
	baseURL,
}) => {
	const script = readFileSync(path.join(root, 'docs/recipes/report-cron.sh'), 'utf8')
	expect(readmeBlock('### Recipe: a cron job', 'sh')).toBe(script)
	const { key, auth, appId } = await keyAndApp(page, request)
	const atlassian = await fakeAtlassian()
	const work = mkdtempSync(path.join(tmpdir(), 'clearance-recipe-'))
	try {
		const accounts = [
			CLOSED,
			...Array.from({ length: 95 }, (_, n) => `5be24ad8b16532403769${String(n).padStart(4, '0')}`),
		]
		writeFileSync(
			path.join(work, 'stored-accounts.json'),
			JSON.stringify({ accounts: accounts.map((accountId) => ({ accountId, updatedAt: '2026-01-10T08:00:00Z' })) }),
		)
		// Not spawnSync: the stand-in for Atlassian answers from this process.
		const run = await runScript(path.join(root, 'docs/recipes/report-cron.sh'), work, {
			CLEARANCE_URL: baseURL!,
			CLEARANCE_KEY: key,
			APP_ID: appId,
			ATLASSIAN_TOKEN: 'token-of-the-app',
			ATLASSIAN_URL: atlassian.url,
		})
		expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
		expect(run.stdout).toContain('"upserted":96')
		expect(run.stdout).toContain(`Completed: erase ${CLOSED}`)
		expect(readFileSync(path.join(work, 'tasks-done.log'), 'utf8')).toBe(`erase ${CLOSED}\n`)
		// Two batches, the first sent twice (429, Retry-After honoured).
		expect(atlassian.seen).toHaveLength(3)
	} finally {
		atlassian.close()
		rmSync(work, { recursive: true, force: true })
	}
	const app = (await (await request.get(`/api/v1/apps/${appId}`, { headers: auth })).json()) as {
		app: { reporting: { lastReportedAt: string | null; accounts: number } }
	}
	expect(app.app.reporting.lastReportedAt).not.toBeNull()
	expect(app.app.reporting.accounts).toBe(95)
	const done = (await (await request.get(`/api/v1/tasks?status=done&appId=${appId}`, { headers: auth })).json()) as {
		tasks: { accountId: string }[]
	}
	expect(done.tasks.map((task) => task.accountId)).toEqual([CLOSED])
})

test('the README’s Forge trigger records the answers of privacy.reportPersonalData() and completes the task', async ({
	page,
	request,
	baseURL,
}) => {
	const source = readFileSync(path.join(root, 'docs/recipes/forge-report/src/index.js'), 'utf8')
	expect(readmeBlock('### Recipe: a Forge scheduled trigger', 'js')).toBe(source)
	expect(readmeBlock('### Recipe: a Forge scheduled trigger', 'yaml')).toBe(
		readFileSync(path.join(root, 'docs/recipes/forge-report/manifest.yml'), 'utf8'),
	)
	const { key, auth, appId } = await keyAndApp(page, request)
	const stored = [CLOSED, '5be24ad8b1653240376955d2'].map((accountId) => ({
		accountId,
		updatedAt: '2026-01-10T08:00:00Z',
	}))
	expect(
		(await request.post(`/api/v1/apps/${appId}/accounts`, { headers: auth, data: { accounts: stored } })).status(),
	).toBe(200)

	// @forge/api played locally: fetch is the platform's, and the privacy helper answers as Atlassian would.
	const work = mkdtempSync(path.join(tmpdir(), 'clearance-forge-'))
	try {
		writeFileSync(
			path.join(work, 'forge-api.mjs'),
			`export const fetch = globalThis.fetch
export const privacy = { reportPersonalData: async (accounts) => accounts.filter((a) => a.accountId === '${CLOSED}').map((a) => ({ accountId: a.accountId, status: 'closed' })) }
`,
		)
		writeFileSync(path.join(work, 'index.mjs'), source.replace("from '@forge/api'", "from './forge-api.mjs'"))
		Object.assign(process.env, { CLEARANCE_URL: baseURL!, CLEARANCE_APP_ID: appId, CLEARANCE_KEY: key })
		const trigger = (await import(pathToFileURL(path.join(work, 'index.mjs')).href)) as { report: () => Promise<void> }
		await trigger.report()
	} finally {
		rmSync(work, { recursive: true, force: true })
	}
	const app = (await (await request.get(`/api/v1/apps/${appId}`, { headers: auth })).json()) as {
		app: { reporting: { lastReportedAt: string | null; accounts: number } }
	}
	expect(app.app.reporting.lastReportedAt).not.toBeNull()
	expect(app.app.reporting.accounts).toBe(1)
})
