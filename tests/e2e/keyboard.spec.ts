// The request form by keyboard alone (issue 15, accessibility): from the app's page a vendor starts a request,
// fills every kind of field in it (text, select, checkbox, radio group, text area), saves it and submits it for
// review with Tab, Shift+Tab, Space, Enter and the arrow keys, never the mouse; wherever focus lands, it shows.
import { type Locator, type Page } from '@playwright/test'
import { expect, gotoHydrated, signUp, test, uniqueEmail } from './utils'

/** The element that has focus is `target`, and it shows (an outline or a ring from :focus-visible styles). */
async function focusShows(target: Locator) {
	await expect(target).toBeFocused()
	const visible = await target.evaluate((element) => {
		const style = getComputedStyle(element)
		const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
		return element.matches(':focus-visible') && (outline || style.boxShadow !== 'none')
	})
	expect(visible, 'the focused element shows its focus').toBe(true)
}

/** Presses Tab (or Shift+Tab) until `target` has focus, as someone moving through the page would. */
async function tabTo(page: Page, target: Locator, { back = false, most = 120 } = {}) {
	const handle = await target.elementHandle()
	for (let presses = 0; presses < most; presses++) {
		if (await page.evaluate((element) => document.activeElement === element, handle)) break
		await page.keyboard.press(back ? 'Shift+Tab' : 'Tab')
	}
	await focusShows(target)
}

test('a vendor fills and submits an Email API request with the keyboard alone, seeing where focus is', async ({
	page,
}) => {
	// Setting up is not the subject: the organisation and its app come from the forms' actions.
	const { base } = await signUp(page, { name: 'Kim Keys', email: uniqueEmail('keys'), orgName: 'Keyboard Works' })
	const registered = await page.request.post(`${base}/apps/new`, {
		form: {
			name: 'Key Bridge',
			appKey: 'com.keyboard.key-bridge',
			appType: 'connect',
			products: 'jira',
			marketplaceListingUrl: 'https://marketplace.atlassian.com/apps/1000777/key-bridge',
			privacyPolicyUrl: 'https://keyboard.example/privacy',
			termsOfUseUrl: 'https://keyboard.example/terms',
			storesPersonalData: 'yes',
		},
	})
	expect(new URL(registered.url()).pathname).toMatch(new RegExp(`^${base}/apps/[0-9a-f-]{36}$`))
	await gotoHydrated(page, registered.url())

	// Start the request from the app's page: Tab to the button, Enter.
	await tabTo(page, page.getByRole('button', { name: 'Start an Email API request' }))
	await page.keyboard.press('Enter')
	await expect(page.getByRole('heading', { name: /Email API request: Key Bridge/ })).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	const form = page.getByRole('form', { name: 'Access request' })

	// The checklist comes first, a link per check: a link past it leads straight to the first field.
	await tabTo(page, page.getByRole('link', { name: 'Skip the checklist, to the form' }))
	await page.keyboard.press('Enter')
	// A text field: typed into.
	const company = form.getByLabel('Company name')
	await focusShows(company)
	await page.keyboard.press('ControlOrMeta+a')
	await page.keyboard.insertText('Keyboard Works Ltd')
	await expect(company).toHaveValue('Keyboard Works Ltd')

	// The select: arrow keys change the app type; back to Connect the same way.
	const appType = form.getByLabel('App type')
	await tabTo(page, appType)
	const before = await appType.inputValue()
	await page.keyboard.press('ArrowDown')
	await expect(appType).not.toHaveValue(before)
	await page.keyboard.press('ArrowUp')
	await expect(appType).toHaveValue(before)

	// A checkbox: Space ticks Confluence and Space unticks it.
	const confluence = form.getByRole('checkbox', { name: 'Confluence' })
	await tabTo(page, confluence)
	await page.keyboard.press('Space')
	await expect(confluence).toBeChecked()
	await page.keyboard.press('Space')
	await expect(confluence).not.toBeChecked()

	// The radio group: arrow keys move the choice, and back.
	const stores = form.getByRole('radio', { name: 'Yes, it stores personal data' })
	await tabTo(page, stores)
	await page.keyboard.press('ArrowDown')
	await expect(form.getByRole('radio', { name: 'No, it stores no personal data' })).toBeChecked()
	await page.keyboard.press('ArrowUp')
	await expect(stores).toBeChecked()

	// A use case from the catalogue: Space.
	const useCase = form.getByRole('checkbox', { name: /send security alerts/ })
	await tabTo(page, useCase)
	await page.keyboard.press('Space')
	await expect(useCase).toBeChecked()

	// The text areas: a few keys typed, the rest of the sentence entered as one keyboard input (as a paste or an
	// input method does), since each key costs a render on a busy machine.
	const functionality = form.getByLabel('Functionality that needs email addresses')
	await tabTo(page, functionality)
	await page.keyboard.type('Key ')
	await page.keyboard.insertText(
		'Bridge emails security alerts to the affected users when a suspicious sign-in happens on their account.',
	)
	const excerpt = form.getByLabel('Privacy policy excerpt')
	await tabTo(page, excerpt)
	await page.keyboard.type('We ')
	await page.keyboard.insertText('use email addresses only to send the security alerts our customers subscribed to.')
	await expect(excerpt).toHaveValue(/^We use email addresses only/)

	// Shift+Tab goes back to the field before.
	await page.keyboard.press('Shift+Tab')
	await focusShows(functionality)

	// Save with the keyboard: Tab to the button, Enter.
	await tabTo(page, form.getByRole('button', { name: 'Save draft' }))
	await page.keyboard.press('Enter')
	await expect(page.getByText('Draft saved. The checklist passes.')).toBeVisible()

	// Submit for review: found by Tab from wherever focus is now, pressed with Space.
	const submit = page.getByRole('button', { name: 'Submit for review' })
	await tabTo(page, submit, { most: 200 })
	await page.keyboard.press('Space')
	await expect(page.locator('.page-header').getByText('In review', { exact: true })).toBeVisible()
})
