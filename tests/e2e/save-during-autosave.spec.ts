import { type Page } from '@playwright/test'
import { FIRST, MORE, openDraft } from './drafts'
import { gotoHydrated, expect, test } from './utils'

// The Save button pressed while an autosave is on its way: the click is never dropped. Found on a busy machine: the
// autosave's pause ran out between the typing and the click, the button was disabled under the pointer and 'Draft
// saved' never came. Here the autosave is held on its way (page.route) until the click is made: no race, no timing.

/** Every save posted to the request from now on; the first (the autosave) is held until `release`. */
async function holdFirstSave(page: Page) {
	let arrived!: () => void
	const held = new Promise<void>((resolve) => (arrived = resolve))
	let release!: () => void
	const released = new Promise<void>((resolve) => (release = resolve))
	const posted: string[] = []
	await page.route(
		(url) => url.pathname.includes('/requests/'),
		async (route) => {
			if (route.request().method() !== 'POST') return route.fallback()
			posted.push(route.request().postData() ?? '')
			if (posted.length === 1) {
				arrived()
				await released
			}
			await route.continue()
		},
	)
	return { held, release, posted }
}

const functionality = (page: Page) => page.getByLabel('Functionality that needs email addresses')
const autosave = (page: Page) => page.getByTestId('autosave-status')
const draftSaved = (page: Page) => page.getByRole('status').filter({ hasText: /^Draft saved/ })

test('Save clicked while the autosave is on its way, which already carries everything: the click says Draft saved, nothing is saved twice', async ({
	page,
}) => {
	const requestUrl = await openDraft(page, 'Bridge Clickers')
	const saves = await holdFirstSave(page)
	await functionality(page).fill(FIRST)
	await saves.held
	await expect(autosave(page)).toHaveAttribute('data-state', 'saving')

	// The button stays enabled under the pointer; the click waits for the autosave.
	const save = page.getByRole('button', { name: 'Save draft' })
	await expect(save).toBeEnabled()
	await save.click()
	await expect(page.getByRole('button', { name: 'Saving…' })).toBeEnabled()
	saves.release()

	await expect(draftSaved(page)).toBeVisible()
	await expect(autosave(page)).toHaveAttribute('data-state', 'saved')
	await expect(page.getByRole('button', { name: 'Save draft' })).toBeEnabled()
	expect(saves.posted).toHaveLength(1)

	// Saved: leaving does not ask, and the text is there after a reload.
	await page.getByRole('link', { name: 'Apps', exact: true }).click()
	await expect(page.getByRole('heading', { name: 'Apps', level: 1 })).toBeVisible()
	await gotoHydrated(page, requestUrl)
	await expect(functionality(page)).toHaveValue(FIRST)
})

test('Save pressed from the keyboard after typing more while the autosave is on its way: the save follows it with its version, no conflict', async ({
	page,
}) => {
	const requestUrl = await openDraft(page, 'Bridge Typists')
	const saves = await holdFirstSave(page)
	await functionality(page).fill(FIRST)
	await saves.held
	await functionality(page).fill(FIRST + MORE)

	const save = page.getByRole('button', { name: 'Save draft' })
	await expect(save).toBeEnabled()
	await save.focus()
	await page.keyboard.press('Enter')
	await expect(page.getByRole('button', { name: 'Saving…' })).toBeVisible()
	// Leaving while the click waits still asks first.
	await page.getByRole('link', { name: 'Apps', exact: true }).click()
	const dialog = page.getByRole('dialog', { name: 'Leave without saving?' })
	await expect(dialog).toBeVisible()
	await dialog.getByRole('button', { name: 'Stay' }).click()
	await expect(dialog).toBeHidden()
	saves.release()

	// The person's save was sent after the autosave answered, with the version the autosave made: saved, not refused.
	await expect(draftSaved(page)).toBeVisible()
	await expect(page.getByText('someone else')).toHaveCount(0)
	expect(saves.posted).toHaveLength(2)
	const [autosaved, clicked] = saves.posted.map((body) => new URLSearchParams(body))
	expect(clicked!.get('functionalityDescription')).toBe(FIRST + MORE)
	expect(Number(clicked!.get('version'))).toBe(Number(autosaved!.get('version')) + 1)
	await expect(functionality(page)).toHaveValue(FIRST + MORE)

	await gotoHydrated(page, requestUrl)
	await expect(functionality(page)).toHaveValue(FIRST + MORE)
})
