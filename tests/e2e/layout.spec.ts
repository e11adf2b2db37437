import { type Page } from '@playwright/test'
import { DEMO_PASSWORD, expect, gotoHydrated, signInAs, signUp, registerApp, test, uniqueEmail } from './utils'

// Issue 17, point 5: the layout. Phones get a menu button instead of stacked
// navigation; on a desktop the sidebar stays in view on a long page; the
// reporting page of a new app shows its first step above the runs and the ledger.

const PHONE = { width: 390, height: 780 }
/** The day-by-day chart's name: its title, then its summary (the weekly one's title goes on with “, week by week”). */
const DAILY_CHART = /^Reports falling due over the next 60 days \d/
const DESKTOP = { width: 1280, height: 720 }

const topOf = async (page: Page, name: string) => {
	const box = await page.getByRole('heading', { name, exact: true }).boundingBox()
	expect(box, `the heading “${name}” is on the page`).not.toBeNull()
	return box!.y
}

test('on a phone a menu button opens the navigation; Escape and following a link close it', async ({ page }) => {
	await page.setViewportSize(PHONE)
	await signUp(page, { name: 'Pia Phone', email: uniqueEmail('phone'), orgName: 'Pocket Apps' })
	const nav = page.getByRole('navigation', { name: 'Main' })
	const menu = page.getByRole('button', { name: /^Menu/ })

	// Folded: the button, not 340 px of links above the page.
	await expect(menu).toBeVisible()
	await expect(menu).toHaveAttribute('aria-expanded', 'false')
	await expect(nav).toBeHidden()
	const headingTop = await topOf(page, 'Dashboard')
	expect(headingTop).toBeLessThan(160)

	// The button names the panel it controls and opens it.
	const panelId = await menu.getAttribute('aria-controls')
	expect(panelId).toBeTruthy()
	await menu.click()
	await expect(menu).toHaveAttribute('aria-expanded', 'true')
	await expect(page.locator(`[id="${panelId}"]`)).toBeVisible()
	await expect(nav.getByRole('link', { name: 'Apps', exact: true })).toBeVisible()

	// Escape closes it and leaves focus on the button.
	await page.keyboard.press('Escape')
	await expect(menu).toHaveAttribute('aria-expanded', 'false')
	await expect(nav).toBeHidden()
	await expect(menu).toBeFocused()

	// Following a link closes it on the next page.
	await menu.click()
	await nav.getByRole('link', { name: 'Apps', exact: true }).click()
	await expect(page.getByRole('heading', { name: 'Apps', exact: true })).toBeVisible()
	await expect(menu).toHaveAttribute('aria-expanded', 'false')
	await expect(nav).toBeHidden()

	// Nothing is wider than the phone.
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
})

test('without JavaScript the phone’s menu still opens (a details element)', async ({ browser }) => {
	const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false })
	await signInAs(context, 'admin@demo.test', DEMO_PASSWORD)
	const page = await context.newPage()
	await page.goto('/o/demo')
	const nav = page.getByRole('navigation', { name: 'Main' })
	await expect(nav).toBeHidden()
	await page.locator('summary', { hasText: 'Menu' }).click()
	await expect(nav.getByRole('link', { name: 'Apps', exact: true })).toBeVisible()
	await context.close()
})

test('on a phone the 60-day chart shows week by week in readable text', async ({ browser }) => {
	const context = await browser.newContext({ viewport: PHONE })
	await signInAs(context, 'admin@demo.test', DEMO_PASSWORD)
	const page = await context.newPage()
	await gotoHydrated(page, '/o/demo')
	const weekly = page.getByRole('img', { name: /week by week/ })
	await expect(weekly).toBeVisible()
	await expect(page.getByRole('img', { name: DAILY_CHART })).toBeHidden()
	// Every label at least 10 px tall on the screen (the day-by-day chart's were about 5 px at this width).
	const heights = await weekly
		.locator('text')
		.evaluateAll((labels) => labels.map((label) => label.getBoundingClientRect().height))
	expect(heights.length).toBeGreaterThan(5)
	expect(Math.min(...heights)).toBeGreaterThanOrEqual(10)
	// The apps below are cards, each value under its column's name: the table needs no sideways scrolling.
	const table = page.getByRole('table', { name: 'Apps by reporting urgency' })
	await expect(table.locator('td[data-label="Next report due"]').first()).toBeVisible()
	const overflow = await table.evaluate(
		(element) => element.parentElement!.scrollWidth - element.parentElement!.clientWidth,
	)
	expect(overflow).toBeLessThanOrEqual(0)
	// So is the list of apps.
	await gotoHydrated(page, '/o/demo/apps')
	const list = page.getByRole('table', { name: 'Apps', exact: true })
	await expect(list.locator('td[data-label="Personal data"]').first()).toBeVisible()
	expect(
		await list.evaluate((element) => element.parentElement!.scrollWidth - element.parentElement!.clientWidth),
	).toBeLessThanOrEqual(0)
	// And the requests, the members (with their roles and Remove) and the audit log (with its changes).
	for (const [path, name, label] of [
		['/o/demo/requests', 'Requests', 'Checklist'],
		['/o/demo/members', 'Members and their roles', 'Roles'],
		['/o/demo/audit', 'Audit events, newest first', 'Changes'],
	] as const) {
		await gotoHydrated(page, path)
		const table = page.getByRole('table', { name, exact: true })
		await expect(table.locator(`td[data-label="${label}"]`).first()).toBeVisible()
		expect(
			await table.evaluate((element) => element.parentElement!.scrollWidth - element.parentElement!.clientWidth),
			path,
		).toBeLessThanOrEqual(0)
		expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(PHONE.width)
	}
	await gotoHydrated(page, '/o/demo')
	// A wide screen shows the day-by-day chart alone.
	await page.setViewportSize(DESKTOP)
	await expect(page.getByRole('img', { name: DAILY_CHART })).toBeVisible()
	await expect(weekly).toBeHidden()
	await context.close()
})

test('a new app’s reporting page shows its first step above the runs and the ledger; on a desktop the sidebar stays in view down a long page', async ({
	page,
}) => {
	await page.setViewportSize(DESKTOP)
	await signUp(page, { name: 'Dana Desk', email: uniqueEmail('desk'), orgName: 'Desk Apps' })
	await registerApp(page, {
		name: 'Long Page Tool',
		key: 'com.desk.long',
		personalData: 'Yes, it stores personal data',
	})
	await page.getByRole('link', { name: 'Open reporting' }).click()
	await expect(page.getByRole('heading', { name: 'Reporting: Long Page Tool' })).toBeVisible()

	// Status, then the first step (import the ledger), prepare and record, then the history.
	const status = await topOf(page, 'Reporting status')
	const importStep = await topOf(page, 'Import account ids')
	const prepare = await topOf(page, 'Prepare the report')
	const record = await topOf(page, 'Record a report run')
	const runs = await topOf(page, 'Report runs (evidence)')
	const ledger = await topOf(page, 'Account ledger')
	expect(status).toBeLessThan(importStep)
	expect(importStep).toBeLessThan(prepare)
	expect(prepare).toBeLessThan(record)
	expect(record).toBeLessThan(runs)
	expect(runs).toBeLessThan(ledger)

	// A long page: scrolled to its end, the sidebar's links are still on screen.
	const { scrollHeight, innerHeight } = await page.evaluate(() => ({
		scrollHeight: document.documentElement.scrollHeight,
		innerHeight: window.innerHeight,
	}))
	expect(scrollHeight).toBeGreaterThan(innerHeight * 2)
	await expect(page.getByRole('button', { name: /^Menu/ })).toBeHidden()
	await page.getByRole('heading', { name: 'Account ledger' }).scrollIntoViewIfNeeded()
	await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
	await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(innerHeight)
	const nav = page.getByRole('navigation', { name: 'Main' })
	await expect(nav.getByRole('link', { name: 'Dashboard', exact: true })).toBeInViewport()
	await expect(nav.getByRole('link', { name: 'Settings', exact: true })).toBeInViewport()
})

test('the skip link puts focus in the page, so the next Tab is a control of the page, not of the menu', async ({
	browser,
}) => {
	const context = await browser.newContext({ viewport: DESKTOP })
	await signInAs(context, 'admin@demo.test', DEMO_PASSWORD)
	const page = await context.newPage()
	await gotoHydrated(page, '/o/demo')
	await page.keyboard.press('Tab')
	await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused()
	await page.keyboard.press('Enter')
	await expect(page.locator('#main')).toBeFocused()
	// The next Tab lands on a control inside the page (before, focus was left on the body and Tab began again at
	// the menu).
	await page.keyboard.press('Tab')
	await expect(page.locator('#main :focus')).toHaveCount(1)
	await context.close()
})
