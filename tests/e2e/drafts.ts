import { type Page } from '@playwright/test'
import { expect, registerApp, signUp, uniqueEmail } from './utils'

// The request editor's specs (never-lose-work, save-during-autosave): a vendor's fresh draft and the text typed into it.

export const FIRST = 'Mail Bridge sends security alerts to the affected users when suspicious sign-ins happen.'
export const MORE = ' It also tells watchers when an incident changes.'

/** A new organisation with one app and a fresh draft request; returns the request's address. */
export async function openDraft(page: Page, orgName: string) {
	await signUp(page, { name: 'Vera Vendor', email: uniqueEmail('vendor'), orgName })
	await registerApp(page, { name: 'Mail Bridge', key: 'com.bridge.mail' })
	await page.getByRole('button', { name: 'Start an Email API request' }).click()
	await expect(page.getByRole('heading', { name: /Email API request: Mail Bridge/ })).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	return page.url()
}
