import { type Page } from '@playwright/test'
import { expect, signUp, uniqueEmail } from './utils'

// The request editor's specs (never-lose-work, save-during-autosave): a vendor's fresh draft and the text typed into it.

export const FIRST = 'Mail Bridge sends security alerts to the affected users when suspicious sign-ins happen.'
export const MORE = ' It also tells watchers when an incident changes.'

/** A new organisation with one app and a fresh draft request; returns the request's address. */
export async function openDraft(page: Page, orgName: string) {
	await signUp(page, { name: 'Vera Vendor', email: uniqueEmail('vendor'), orgName })
	await page.getByRole('link', { name: 'Apps', exact: true }).click()
	await page.getByRole('link', { name: 'Register an app' }).first().click()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	await page.getByLabel('App name').fill('Mail Bridge')
	await page.getByLabel('App key or app id').fill('com.bridge.mail')
	await page.getByLabel('App type').selectOption('forge')
	await page.getByLabel('Jira').check()
	await page.getByRole('button', { name: 'Register app' }).click()
	await expect(page.getByRole('heading', { name: 'Mail Bridge' })).toBeVisible()
	await page.getByRole('button', { name: 'Start an Email API request' }).click()
	await expect(page.getByRole('heading', { name: /Email API request: Mail Bridge/ })).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	return page.url()
}
