import { type Page } from '@playwright/test'
import { signUp, uniqueEmail, expect, registerApp, test } from './utils'

const FUNCTIONALITY =
	'Mail Bridge sends security alerts to the affected users when suspicious sign-ins happen. It also tells watchers when an incident changes.'
const POLICY =
	'We use email addresses only to send security alerts and incident notifications that users subscribed to.'

function check(page: Page, id: string) {
	return page.locator(`[data-check="${id}"]`)
}

test('a vendor registers an app, fills a request while the checklist turns green, saves, reloads and copies the text', async ({
	page,
}) => {
	await signUp(page, { name: 'Vera Vendor', email: uniqueEmail('vendor'), orgName: 'Bridge Works' })

	// Register the app.
	await registerApp(page, {
		name: 'Mail Bridge',
		key: 'com.bridge.mail',
		type: 'connect',
		personalData: 'Yes, it stores personal data',
	})

	// Open a request: prefilled from the app, several checks still failing.
	await page.getByRole('button', { name: 'Start an Email API request' }).click()
	await expect(page.getByRole('heading', { name: /Email API request: Mail Bridge/ })).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	await expect(page.getByLabel('App name')).toHaveValue('Mail Bridge')
	await expect(page.getByTestId('checklist-verdict')).toContainText('Not ready')
	for (const id of ['privacy_policy', 'terms_of_use', 'use_cases', 'functionality', 'policy_language']) {
		await expect(check(page, id)).toHaveAttribute('data-status', 'fail')
	}
	await expect(check(page, 'connect_end_of_support')).toHaveAttribute('data-status', 'warn')

	// Fill the form; each failing check turns green as its field is filled.
	await page.getByLabel('Privacy policy URL').fill('https://bridge.example/privacy')
	await expect(check(page, 'privacy_policy')).toHaveAttribute('data-status', 'pass')
	await page.getByLabel('Customer terms of use URL').fill('https://bridge.example/terms')
	await expect(check(page, 'terms_of_use')).toHaveAttribute('data-status', 'pass')
	await page.getByLabel(/send security alerts/).check()
	await expect(check(page, 'use_cases')).toHaveAttribute('data-status', 'pass')
	await page.getByLabel('Functionality that needs email addresses').fill(FUNCTIONALITY)
	await expect(check(page, 'functionality')).toHaveAttribute('data-status', 'pass')
	await page.getByLabel('Privacy policy excerpt').fill(POLICY)
	await expect(check(page, 'policy_language')).toHaveAttribute('data-status', 'pass')
	await expect(page.getByTestId('checklist-verdict')).toContainText('Ready to send')

	// A use case on Atlassian's rejected list blocks the request.
	await page.getByLabel(/newsletters, campaigns, marketing/).check()
	await expect(check(page, 'use_cases')).toHaveAttribute('data-status', 'fail')
	await expect(page.getByTestId('checklist-verdict')).toContainText('Not ready')
	await expect(page.locator('[data-use-case="marketing_emails"]')).toContainText('Rejected by Atlassian')
	await page.getByLabel(/newsletters, campaigns, marketing/).uncheck()
	await expect(page.getByTestId('checklist-verdict')).toContainText('Ready to send')

	// A custom use case gets a suggestion but stays with the reviewer.
	await page.getByLabel('Custom use case 1').fill('Send a security alert when an API token leaks')
	await expect(page.getByText(/Closest catalogue entry: send security alerts/).first()).toBeVisible()
	await expect(page.locator('[data-use-case="other"]')).toContainText('Needs a reviewer')

	// Save, reload, and find everything as it was typed.
	await page.getByRole('button', { name: 'Save draft' }).click()
	await expect(page.getByRole('status').filter({ hasText: 'Draft saved' })).toBeVisible()
	await page.reload()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	await expect(page.getByLabel('Privacy policy URL')).toHaveValue('https://bridge.example/privacy')
	await expect(page.getByLabel('Functionality that needs email addresses')).toHaveValue(FUNCTIONALITY)
	await expect(page.getByLabel('Privacy policy excerpt')).toHaveValue(POLICY)
	await expect(page.getByLabel(/send security alerts/)).toBeChecked()
	await expect(page.getByLabel('Custom use case 1')).toHaveValue('Send a security alert when an API token leaks')
	await expect(page.getByTestId('checklist-verdict')).toContainText('Ready to send')

	// The request text, in Atlassian's order, copied to the clipboard.
	await page.getByRole('link', { name: 'Request text' }).click()
	await expect(page.getByText('The checklist passes.')).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	await page.getByRole('button', { name: 'Copy request text' }).click()
	await expect(page.getByText('Copied to the clipboard.')).toBeVisible()
	const copied = await page.evaluate(() => navigator.clipboard.readText())
	expect(copied).toContain('App name: Mail Bridge')
	expect(copied).toContain('Send security alerts')
	expect(copied).toContain(FUNCTIONALITY)
	expect(copied.indexOf('Company name: Bridge Works')).toBeLessThan(copied.indexOf('Use cases:'))
})

test('without JavaScript the request form still saves and the server shows the same checklist', async ({ browser }) => {
	const setup = await browser.newPage()
	await signUp(setup, { name: 'Nils NoScript', email: uniqueEmail('nojs'), orgName: 'Plain Forms' })
	const cookies = await setup.context().cookies()
	const orgUrl = setup.url()
	await registerApp(setup, { name: 'Quiet App', key: 'com.plain.quiet', product: 'Confluence' })
	const appUrl = setup.url()
	await setup.close()

	const context = await browser.newContext({ javaScriptEnabled: false })
	await context.addCookies(cookies)
	const page = await context.newPage()
	await page.goto(appUrl)
	await page.getByRole('button', { name: 'Start an Email API request' }).click()
	await expect(page.getByRole('heading', { name: /Email API request: Quiet App/ })).toBeVisible()
	await page.getByLabel('Privacy policy URL').fill('https://plain.example/privacy')
	await page.getByLabel('Custom use case 1').fill('Weekly digest of page changes the user watches')
	await page.getByRole('button', { name: 'Save draft' }).click()
	await expect(page.getByText('Draft saved')).toBeVisible()
	await expect(page.getByLabel('Privacy policy URL')).toHaveValue('https://plain.example/privacy')
	await expect(check(page, 'privacy_policy')).toHaveAttribute('data-status', 'pass')
	await expect(check(page, 'terms_of_use')).toHaveAttribute('data-status', 'fail')
	await expect(page.locator('[data-use-case="other"]')).toContainText('Needs a reviewer')
	expect(orgUrl).toContain('/o/plain-forms')
	await context.close()
})
