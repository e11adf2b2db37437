import { randomUUID } from 'node:crypto'
import path from 'node:path'
import {
	test as base,
	expect,
	type Browser,
	type BrowserContext,
	type ConsoleMessage,
	type Page,
} from '@playwright/test'

export { expect }

export const PASSWORD = 'correct horse battery staple'
export const DEMO_PASSWORD = 'clearance-demo-2026'

/**
 * What the browser may say in red without failing a test. Only this: the app
 * answers refused input and missing or forbidden things with a 4xx status by
 * design (a form message, a 404 page), and Chromium logs every 4xx response
 * as "Failed to load resource". The test asserts what the person sees instead.
 * A 5xx, a script error, a failed hydration or a blocked script (CSP) fails.
 */
function allowedConsoleError(message: ConsoleMessage) {
	return /^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())
}

let collected: string[] | null = null
const watched = new WeakSet<BrowserContext>()

function watchPage(page: Page) {
	page.on('console', (message) => {
		if (message.type() !== 'error' || allowedConsoleError(message)) return
		collected?.push(`console error on ${page.url()}: ${message.text()}`)
	})
	page.on('pageerror', (error) => collected?.push(`uncaught error on ${page.url()}: ${error.message}`))
}

function watchContext(context: BrowserContext) {
	if (watched.has(context)) return
	watched.add(context)
	context.pages().forEach(watchPage)
	context.on('page', watchPage)
}

/**
 * The suite's `test`: every spec imports it from here (suite-rules.spec.ts checks).
 * A console error or an uncaught exception in any page the test opens, in its
 * own context or in one it makes with `browser.newContext()`, fails the test.
 */
export const test = base.extend<{ browserErrors: string[] }>({
	browser: [
		async ({ browser }, provide) => {
			const newContext = browser.newContext.bind(browser)
			browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
				const context = await newContext(...args)
				watchContext(context)
				return context
			}
			await provide(browser)
		},
		{ scope: 'worker' },
	],
	context: async ({ context }, provide) => {
		watchContext(context)
		await provide(context)
	},
	browserErrors: [
		// Taking the context makes this fixture end before the context does: the errors are those of the test,
		// not of the pages being closed after it (a request still in flight then is aborted, and the router
		// reported its AbortError as an error of the page).
		async ({ context }, provide) => {
			watchContext(context)
			const errors: string[] = []
			collected = errors
			await provide(errors)
			collected = null
			expect(errors, 'console errors and uncaught exceptions in the browser').toEqual([])
		},
		{ auto: true },
	],
})

export function uniqueEmail(prefix: string) {
	return `${prefix}-${randomUUID().slice(0, 8)}@example.test`
}

/** Navigates and waits until React has hydrated, so clicks reach handlers. */
export async function gotoHydrated(page: Page, url: string) {
	const response = await page.goto(url)
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	return response
}

export type AppForm = {
	name: string
	key: string
	type?: 'forge' | 'connect'
	product?: 'Jira' | 'Confluence'
	/** The answer to "does it store personal data", as its label reads; left unanswered when absent. */
	personalData?: 'Yes, it stores personal data' | 'No, it stores no personal data' | 'Not decided yet'
	privacyPolicyUrl?: string
	termsUrl?: string
}

/**
 * Registers an app through its form and waits for the app's page: the form is reached from the Apps link,
 * or opened at `formUrl` (the organisation's …/apps/new).
 */
export async function registerApp(page: Page, app: AppForm, formUrl?: string) {
	if (formUrl) await gotoHydrated(page, formUrl)
	else {
		await page.getByRole('link', { name: 'Apps', exact: true }).click()
		// The Apps page itself, not the page before it: an empty dashboard has a "Register an app" link too, and a
		// click on it as the Apps page replaces it lands on whatever is then under the pointer (seen in CI).
		await expect(page.getByRole('heading', { level: 1, name: 'Apps' })).toBeVisible()
		await page.getByRole('link', { name: 'Register an app' }).first().click()
		await expect(page).toHaveURL(/\/apps\/new$/)
		await expect(page.locator('html[data-hydrated]')).toBeAttached()
	}
	await page.getByLabel('App name').fill(app.name)
	await page.getByLabel('App key or app id').fill(app.key)
	await page.getByLabel('App type').selectOption(app.type ?? 'forge')
	await page.getByLabel(app.product ?? 'Jira').check()
	if (app.privacyPolicyUrl) await page.getByLabel('Privacy policy URL (optional)').fill(app.privacyPolicyUrl)
	if (app.termsUrl) await page.getByLabel('Customer terms-of-use URL (optional)').fill(app.termsUrl)
	if (app.personalData) await page.getByLabel(app.personalData).check()
	await page.getByRole('button', { name: 'Register app' }).click()
	await expect(page.getByRole('heading', { name: app.name })).toBeVisible()
}

/**
 * Signs up through the sign-up form's own action, posted by the page's
 * request context (which shares the browser's cookies): a real session
 * cookie, without typing into the page where signing up is not the subject.
 * Ends on the new organisation's dashboard, as signing up in the browser does.
 */
export async function signUp(page: Page, { name, email, orgName }: { name: string; email: string; orgName: string }) {
	const response = await page.request.post('/signup', {
		form: { name, email, password: PASSWORD, orgName, website: '' },
	})
	const slug = /\/o\/([^/?#]+)/.exec(new URL(response.url()).pathname)?.[1]
	expect(slug, `signing up ${email} should land in the new organisation (status ${response.status()})`).toBeTruthy()
	await gotoHydrated(page, `/o/${slug}`)
	await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
	return { slug: slug!, base: `/o/${slug}` }
}

/** Signing up by typing into the sign-up page: for tests whose subject it is. */
export async function signUpInBrowser(
	page: Page,
	{ name, email, orgName }: { name: string; email: string; orgName: string },
) {
	await gotoHydrated(page, '/signup')
	await page.getByLabel('Your name').fill(name)
	await page.getByLabel('Work email').fill(email)
	await page.getByLabel('Password').fill(PASSWORD)
	await page.getByLabel('Organisation name').fill(orgName)
	await page.getByRole('button', { name: 'Create organisation' }).click()
	await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
}

/** Logs in by typing into the login page: for tests whose subject it is. */
export async function logIn(page: Page, email: string, password = PASSWORD) {
	await gotoHydrated(page, '/login')
	await page.getByLabel('Email').fill(email)
	await page.getByLabel('Password').fill(password)
	await page.getByRole('button', { name: 'Log in' }).click()
}

/** A session for an existing account through the login form's action (a real session cookie), no page typed into. */
export async function signInAs(context: BrowserContext, email: string, password = PASSWORD) {
	const response = await context.request.post('/login', { form: { email, password, website: '' } })
	const cookies = await context.cookies()
	expect(
		cookies.some((cookie) => cookie.name === '__clearance_session' && cookie.value !== ''),
		`logging in as ${email} should give a session (status ${response.status()})`,
	).toBe(true)
}

/**
 * Signs up a vendor (admin + vendor of a new organisation) and brings in a
 * compliance reviewer through an invite, in a browser context of their own:
 * two people, so four eyes can be satisfied. Both through the forms' actions
 * (see signUp); each ends on the organisation's dashboard.
 */
export async function vendorAndReviewer(
	page: Page,
	browser: Browser,
	{ vendorName, orgName, reviewerName }: { vendorName: string; orgName: string; reviewerName: string },
) {
	const { base } = await signUp(page, { name: vendorName, email: uniqueEmail('vendor'), orgName })
	const invited = await page.request.post(`${base}/members`, {
		form: { intent: 'invite', email: uniqueEmail('reviewer'), roles: 'reviewer' },
	})
	const token = /\/invite\/([A-Za-z0-9_-]{20,})/.exec(await invited.text())?.[1]
	expect(token, `the invite should give a link (status ${invited.status()})`).toBeTruthy()

	const reviewerContext = await browser.newContext()
	const origin = new URL(page.url()).origin
	const joined = await reviewerContext.request.post(`${origin}/invite/${token}`, {
		form: { name: reviewerName, password: PASSWORD, website: '' },
	})
	expect(new URL(joined.url()).pathname, `joining should land in the organisation (status ${joined.status()})`).toBe(
		base,
	)
	const reviewer = await reviewerContext.newPage()
	await gotoHydrated(reviewer, `${origin}${base}`)
	await expect(reviewer.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
	return { base, reviewer, reviewerContext }
}

/** The pid file scripts/e2e-server.ts writes for this suite's port (the email scan's findings sit beside it). */
export function e2ePidFile() {
	return path.resolve(import.meta.dirname, '../..', `.data/e2e-${process.env.E2E_PORT ?? '3100'}.pid`)
}
