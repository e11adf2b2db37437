// Retakes the README's screenshots (docs/screenshots/*.png) from the seeded demo organisation, in Chromium.
//
//   BUILD_DIR=build E2E_PORT=3130 tsx scripts/e2e-server.ts &   # a fresh database with the demo, on a free port
//   SCREENSHOT_URL=http://localhost:3130 tsx scripts/screenshots.ts
//
// Each shot signs in as the demo person whose view it shows (the demo password is in the README).
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from '@playwright/test'

const baseURL = process.env.SCREENSHOT_URL ?? 'http://localhost:3000'
const out = path.resolve(import.meta.dirname, '../docs/screenshots')
const DEMO_PASSWORD = 'clearance-demo-2026'
const DESKTOP = { width: 1280, height: 860 }
const PHONE = { width: 390, height: 844 }

type Shot = {
	file: string
	as: 'admin' | 'reviewer' | 'vendor'
	viewport: { width: number; height: number }
	/** Opens the page to photograph. */
	open: (page: Page) => Promise<void>
}

async function hydrated(page: Page, url: string) {
	await page.goto(url)
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' })
}

/** Follows a link and waits until the app has navigated to `to`. */
async function openLink(page: Page, name: string | RegExp, to: RegExp) {
	await page
		.getByRole('link', { name, exact: typeof name === 'string' })
		.first()
		.click()
	await page.waitForURL(to)
	await page.waitForLoadState('load')
}

const REQUEST_PAGE = /\/requests\/[0-9a-f-]{36}$/

const SHOTS: Shot[] = [
	{ file: 'dashboard.png', as: 'admin', viewport: DESKTOP, open: (page) => hydrated(page, '/o/demo') },
	{
		file: 'request-editor.png',
		as: 'vendor',
		viewport: DESKTOP,
		open: async (page) => {
			await hydrated(page, '/o/demo/requests')
			await openLink(page, /Status Board/, REQUEST_PAGE)
			await page.getByRole('heading', { level: 1 }).waitFor()
		},
	},
	{
		file: 'review.png',
		as: 'reviewer',
		viewport: DESKTOP,
		open: async (page) => {
			await hydrated(page, '/o/demo/requests')
			await openLink(page, /Ticket Mailer/, REQUEST_PAGE)
			await page.getByRole('heading', { level: 1 }).waitFor()
		},
	},
	{
		file: 'reporting.png',
		// The vendor, who imports the ledger and records the runs: the page with its forms.
		as: 'vendor',
		viewport: DESKTOP,
		open: async (page) => {
			await hydrated(page, '/o/demo/apps')
			await openLink(page, 'Acme Sync for Jira', /\/apps\/[0-9a-f-]{36}$/)
			await openLink(page, 'Open reporting', /\/reporting$/)
			await page.getByRole('heading', { name: 'Reporting status' }).waitFor()
		},
	},
	{
		file: 'phone.png',
		as: 'admin',
		viewport: PHONE,
		open: async (page) => {
			await hydrated(page, '/o/demo')
			await page.getByRole('img', { name: /week by week/ }).scrollIntoViewIfNeeded()
			await page.evaluate(() => window.scrollTo(0, 0))
		},
	},
	{
		file: 'phone-menu.png',
		as: 'admin',
		viewport: PHONE,
		open: async (page) => {
			await hydrated(page, '/o/demo')
			await page.getByRole('button', { name: /^Menu/ }).click()
			await page.getByRole('navigation', { name: 'Main' }).waitFor()
		},
	},
]

async function signIn(context: BrowserContext, who: Shot['as']) {
	const response = await context.request.post(`${baseURL}/login`, {
		form: { email: `${who}@demo.test`, password: DEMO_PASSWORD, website: '' },
	})
	if (!(await context.cookies()).some((cookie) => cookie.name === '__clearance_session'))
		throw new Error(`Could not sign in as ${who}@demo.test (status ${response.status()}): is ${baseURL} the demo?`)
}

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	args: [
		...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
		'--disable-dev-shm-usage',
		'--hide-scrollbars',
		'--font-render-hinting=none',
	],
})
try {
	for (const shot of SHOTS) {
		const context = await browser.newContext({ baseURL, viewport: shot.viewport, deviceScaleFactor: 1 })
		await signIn(context, shot.as)
		const page = await context.newPage()
		await shot.open(page)
		await page.screenshot({ path: path.join(out, shot.file) })
		console.log(`docs/screenshots/${shot.file}`)
		await context.close()
	}
} finally {
	await browser.close()
}
