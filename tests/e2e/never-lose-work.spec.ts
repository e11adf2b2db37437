import { type Page } from '@playwright/test'
import { FIRST, MORE, openDraft } from './drafts'
import { gotoHydrated, expect, test } from './utils'

// Issue 17, point 1: the request editor never drops what was typed.

const functionality = (page: Page) => page.getByLabel('Functionality that needs email addresses')
const autosave = (page: Page) => page.getByTestId('autosave-status')

async function allSaved(page: Page) {
	await expect(autosave(page)).toHaveAttribute('data-state', 'saved')
	await expect(autosave(page)).toContainText(/All changes saved at \d\d:\d\d/)
}

test('leaving with unsaved changes asks first; Stay keeps the text; the draft saves itself and is there after a reload', async ({
	page,
}) => {
	const requestUrl = await openDraft(page, 'Bridge Keepers')
	await expect(autosave(page)).toContainText('saved automatically')

	// Typed, then a link to another page at once: the question comes before anything is lost.
	await functionality(page).fill(FIRST)
	await page.getByRole('link', { name: 'Apps', exact: true }).click()
	const dialog = page.getByRole('dialog', { name: 'Leave without saving?' })
	await expect(dialog).toBeVisible()
	await expect(dialog).toContainText('You have unsaved changes.')
	await dialog.getByRole('button', { name: 'Stay' }).click()
	await expect(dialog).toBeHidden()
	expect(page.url()).toBe(requestUrl)
	await expect(functionality(page)).toHaveValue(FIRST)

	// A pause: the draft is saved by itself, the version moves on, and leaving no longer asks.
	await allSaved(page)
	await page.getByRole('link', { name: 'Apps', exact: true }).click()
	await expect(page.getByRole('heading', { name: 'Apps', level: 1 })).toBeVisible()
	await expect(dialog).toHaveCount(0)

	// Back and reloaded: what was typed is there.
	await gotoHydrated(page, requestUrl)
	await expect(functionality(page)).toHaveValue(FIRST)

	// Typing goes on after an autosave; the next one carries it too.
	await functionality(page).fill(FIRST + MORE)
	await expect(autosave(page)).not.toHaveAttribute('data-state', 'idle')
	await allSaved(page)
	await page.reload()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	await expect(functionality(page)).toHaveValue(FIRST + MORE)
})

test('someone else saved meanwhile: the autosave says it was not saved and their version stays', async ({
	page,
	context,
}) => {
	const requestUrl = await openDraft(page, 'Bridge Racers')
	await functionality(page).fill(FIRST)
	await allSaved(page)

	// The same request in a second tab: a change saved there first, by its own autosave. (Typing then pressing Save
	// raced it: on a busy machine the autosave's pause ran out between the typing and the click, the button was
	// disabled for the autosave under the pointer, and the click was lost.)
	const other = await context.newPage()
	await gotoHydrated(other, requestUrl)
	await other.getByLabel('App name').fill('Mail Bridge Pro')
	await allSaved(other)

	// The first tab types on, from the version it had: its autosave is refused, and says so.
	await functionality(page).fill(FIRST + MORE)
	await expect(autosave(page)).toHaveAttribute('data-state', 'conflict')
	await expect(autosave(page)).toContainText(
		'Not saved: someone else changed this request — reload to see their version',
	)
	// What was typed is still in the form, and leaving still asks.
	await expect(functionality(page)).toHaveValue(FIRST + MORE)
	await page.getByRole('link', { name: 'Apps', exact: true }).click()
	await expect(page.getByRole('dialog', { name: 'Leave without saving?' })).toBeVisible()
	await page.getByRole('button', { name: 'Stay' }).click()

	// Nothing was overwritten: the other tab's change is saved, the refused text is not.
	await gotoHydrated(other, requestUrl)
	await expect(other.getByLabel('App name')).toHaveValue('Mail Bridge Pro')
	await expect(functionality(other)).toHaveValue(FIRST)

	// Closing the tab with the refused text in it gets the browser's question.
	const question = page.waitForEvent('dialog')
	await page.close({ runBeforeUnload: true })
	const asked = await question
	expect(asked.type()).toBe('beforeunload')
	await asked.accept()
})
