import { gotoHydrated, signUp, uniqueEmail, expect, registerApp, test } from './utils'

// Issue 13, point 5: a member copies their calendar URL from the Calendar
// page, and a calendar client (here the test's own request) fetches it.

test('a member creates and copies their calendar URL; fetching it gives a calendar with the app’s report due date', async ({
	page,
	request,
}) => {
	await signUp(page, { name: 'Cal Member', email: uniqueEmail('cal'), orgName: 'Calendar Works' })
	const slug = new URL(page.url()).pathname.split('/')[2]!

	// An app that stores personal data: its first report is due, so the calendar has an event.
	await registerApp(page, {
		name: 'Mail Bridge',
		key: 'com.calendar.mail',
		personalData: 'Yes, it stores personal data',
	})

	// The page is in the navigation.
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click()
	await expect(page.getByRole('heading', { name: 'Calendar', level: 1 })).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	await expect(page.getByText('Subscribe from web')).toBeVisible()
	await expect(page.getByText('From URL')).toBeVisible()

	const yours = page.getByRole('region', { name: 'Your calendar' })
	await expect(yours.getByText('Personal-data report due: Mail Bridge')).toBeVisible()
	await yours.getByRole('button', { name: 'Create the calendar URL' }).click()
	await expect(yours.getByText('it is shown only this once')).toBeVisible()
	const input = yours.getByLabel('Calendar URL')
	const url = await input.inputValue()
	expect(url).toMatch(/\/calendar\/[A-Za-z0-9_-]{43}\.ics$/)
	await expect(input).toHaveAttribute('readonly', '')

	// Copy: a visible "Copied" state, and the clipboard holds the URL.
	await yours.getByRole('button', { name: 'Copy' }).click()
	await expect(yours.getByRole('button', { name: 'Copied' })).toBeVisible()
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url)

	// A calendar client fetches it: no session, the token is the key.
	const feed = await request.get(url)
	expect(feed.status()).toBe(200)
	expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8')
	const text = await feed.text()
	expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true)
	expect(text).toContain('SUMMARY:Personal-data report due: Mail Bridge')
	expect(text).toContain('TRIGGER:-P1D')

	// A new URL stops the old one.
	await gotoHydrated(page, `/o/${slug}/calendar`)
	await page.getByRole('region', { name: 'Your calendar' }).getByRole('button', { name: 'Create a new URL' }).click()
	const newer = await page.getByRole('region', { name: 'Your calendar' }).getByLabel('Calendar URL').inputValue()
	expect(newer).not.toBe(url)
	expect((await request.get(url)).status()).toBe(404)
	expect((await request.get(newer)).status()).toBe(200)
})
