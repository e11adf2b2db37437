import { type Page } from '@playwright/test'
import { signUp, uniqueEmail, expect, registerApp, test } from './utils'

/** A vendor registers a Connect app and opens a request: several checks fail, one warns. */
async function openRequest(page: Page) {
	await signUp(page, { name: 'Lea Leads', email: uniqueEmail('leads'), orgName: 'Leading Works' })
	const slug = new URL(page.url()).pathname.split('/')[2]!
	await registerApp(
		page,
		{ name: 'Lead Mailer', key: 'com.leading.mailer', type: 'connect', personalData: 'Yes, it stores personal data' },
		`/o/${slug}/apps/new`,
	)
	await page.getByRole('button', { name: 'Start an Email API request' }).click()
	await expect(page.getByRole('heading', { name: /Email API request: Lead Mailer/ })).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	await expect(page.getByTestId('checklist-verdict')).toContainText('Not ready')
}

test.describe('on a desktop', () => {
	test.use({ viewport: { width: 1280, height: 800 } })

	test('the checklist leads: failing checks first, a failing check’s link focuses its field, and the panel stays in view while scrolling', async ({
		page,
	}) => {
		await openRequest(page)
		const panel = page.locator('#checklist')
		const items = panel.locator('[data-check]')

		// Failing checks first, then the warning, then the passing ones.
		const statuses = await items.evaluateAll((elements) => elements.map((element) => element.dataset.status))
		const firstPass = statuses.indexOf('pass')
		const lastFail = statuses.lastIndexOf('fail')
		expect(lastFail).toBeGreaterThanOrEqual(0)
		expect(lastFail).toBeLessThan(statuses.indexOf('warn'))
		expect(statuses.lastIndexOf('warn')).toBeLessThan(firstPass)
		await expect(items.first()).toHaveAttribute('data-status', 'fail')

		// The summary line is for narrow screens only.
		await expect(page.getByTestId('checklist-summary')).toBeHidden()

		// A failing check's link moves the focus to its field.
		await panel.getByRole('link', { name: 'Functionality description', exact: true }).click()
		await expect(page.getByLabel('Functionality that needs email addresses')).toBeFocused()
		await panel.getByRole('link', { name: 'Terms of use', exact: true }).click()
		const terms = page.getByLabel('Customer terms of use URL')
		await expect(terms).toBeFocused()
		await terms.fill('https://leading.example/terms')
		await expect(panel.locator('[data-check="terms_of_use"]')).toHaveAttribute('data-status', 'pass')
		// A passing check has no link.
		await expect(panel.getByRole('link', { name: 'Terms of use', exact: true })).toHaveCount(0)

		// Scrolled down through the long form (to the use cases, half-way), the panel is still in the window.
		await page.locator('#useCases').evaluate((element) => element.scrollIntoView({ block: 'start' }))
		await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(600)
		const box = await panel.boundingBox()
		expect(box).not.toBeNull()
		expect(box!.y).toBeGreaterThanOrEqual(0)
		expect(box!.y).toBeLessThan(100)
		expect(box!.y + box!.height).toBeLessThanOrEqual(800)
		await expect(panel.getByTestId('checklist-verdict')).toBeInViewport()
	})
})

test.describe('on a phone', () => {
	test.use({ viewport: { width: 375, height: 800 }, isMobile: true, hasTouch: true })

	test('a compact summary of the checklist sits near the top of the page, and opens to the failing checks with links to their fields', async ({
		page,
	}) => {
		await openRequest(page)
		const summary = page.getByTestId('checklist-summary')
		await expect(summary).toBeVisible()
		await expect(summary).toContainText(/\d+ checks? to fix — show/)

		// Near the top: above the form, within a screen and a half (it used to be 3,700 px down).
		const summaryBox = await summary.boundingBox()
		const formBox = await page.getByRole('form', { name: 'Access request' }).boundingBox()
		expect(summaryBox!.y).toBeLessThan(formBox!.y)
		expect(summaryBox!.y).toBeLessThan(1200)

		// Folded: the list is not shown until asked for.
		const firstItem = page.locator('#checklist [data-check]').first()
		await expect(firstItem).toBeHidden()
		await summary.click()
		await expect(summary).toContainText('— hide')
		await expect(firstItem).toBeVisible()
		await expect(firstItem).toHaveAttribute('data-status', 'fail')

		// A failing check's link still leads to its field.
		await page.locator('#checklist').getByRole('link', { name: 'Privacy policy mentions email', exact: true }).click()
		await expect(page.getByLabel('Privacy policy excerpt')).toBeFocused()
		await expect(page.getByLabel('Privacy policy excerpt')).toBeInViewport()
	})
})
