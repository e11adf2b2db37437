import { randomUUID } from 'node:crypto'
import { expect, type Page } from '@playwright/test'

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
