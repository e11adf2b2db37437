import { randomUUID } from 'node:crypto'
import { expect, type Browser, type Page } from '@playwright/test'

export const PASSWORD = 'correct horse battery staple'
export const DEMO_PASSWORD = 'clearance-demo-2026'

export function uniqueEmail(prefix: string) {
	return `${prefix}-${randomUUID().slice(0, 8)}@example.test`
}

/** Navigates and waits until React has hydrated, so clicks reach handlers. */
export async function gotoHydrated(page: Page, url: string) {
	const response = await page.goto(url)
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	return response
}

export async function signUp(page: Page, { name, email, orgName }: { name: string; email: string; orgName: string }) {
	await gotoHydrated(page, '/signup')
	await page.getByLabel('Your name').fill(name)
	await page.getByLabel('Work email').fill(email)
	await page.getByLabel('Password').fill(PASSWORD)
	await page.getByLabel('Organisation name').fill(orgName)
	await page.getByRole('button', { name: 'Create organisation' }).click()
	await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
}

export async function logIn(page: Page, email: string, password = PASSWORD) {
	await gotoHydrated(page, '/login')
	await page.getByLabel('Email').fill(email)
	await page.getByLabel('Password').fill(password)
	await page.getByRole('button', { name: 'Log in' }).click()
}

/**
 * Signs up a vendor (admin + vendor of a new organisation) and brings in a
 * compliance reviewer through an invite, in a browser context of their own:
 * two people, so four eyes can be satisfied.
 */
export async function vendorAndReviewer(
	page: Page,
	browser: Browser,
	{ vendorName, orgName, reviewerName }: { vendorName: string; orgName: string; reviewerName: string },
) {
	await signUp(page, { name: vendorName, email: uniqueEmail('vendor'), orgName })
	const slug = new URL(page.url()).pathname.split('/')[2]!
	const base = `/o/${slug}`
	await gotoHydrated(page, `${base}/members`)
	const inviteForm = page.getByRole('region', { name: 'Invite someone' })
	await inviteForm.getByLabel('Email address').fill(uniqueEmail('reviewer'))
	await inviteForm.getByLabel(/Compliance reviewer/).check()
	await inviteForm.getByLabel(/^Vendor/).uncheck()
	await inviteForm.getByRole('button', { name: 'Create invite link' }).click()
	const link = await page.getByLabel('Invite link').inputValue()

	const reviewerContext = await browser.newContext()
	const reviewer = await reviewerContext.newPage()
	await gotoHydrated(reviewer, link)
	await reviewer.getByLabel('Your name').fill(reviewerName)
	await reviewer.getByLabel('Choose a password').fill(PASSWORD)
	await reviewer.getByRole('button', { name: 'Create account and join' }).click()
	await expect(reviewer.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
	return { base, reviewer, reviewerContext }
}
