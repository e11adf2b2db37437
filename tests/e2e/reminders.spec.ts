import { gotoHydrated, signUp, uniqueEmail, expect, test } from './utils'

// Issue 13: a person changes their reminder settings (in Clearance off, email
// as a daily digest), sees them kept after a reload; an admin sets the
// organisation's reminder days and is told when what they typed cannot be read.

test('a person changes their reminder settings, and an admin the organisation’s reminder days', async ({ page }) => {
	await signUp(page, { name: 'Rhea Reminded', email: uniqueEmail('admin'), orgName: 'Reminded Works' })
	const slug = new URL(page.url()).pathname.split('/')[2]!

	await page.getByRole('link', { name: /^Notifications/ }).click()
	await page.getByRole('link', { name: 'Reminder settings' }).click()
	await expect(page.getByRole('heading', { name: 'Reminder settings', level: 1 })).toBeVisible()
	// Everything is on by default, email at once.
	await expect(page.getByLabel(/^In Clearance/)).toBeChecked()
	await expect(page.getByLabel(/^By email/)).toBeChecked()
	await expect(page.getByLabel(/^In the team’s chat/)).toBeChecked()
	await expect(page.getByLabel(/^At once/)).toBeChecked()

	await page.getByLabel(/^In Clearance/).uncheck()
	await page.getByLabel(/^Once a day/).check()
	await page.getByRole('button', { name: 'Save reminder settings' }).click()
	await expect(page.getByText('Your reminder settings are saved.')).toBeVisible()

	await gotoHydrated(page, `/o/${slug}/notifications/settings`)
	await expect(page.getByLabel(/^In Clearance/)).not.toBeChecked()
	await expect(page.getByLabel(/^Once a day/)).toBeChecked()
	await expect(page.getByLabel(/^By email/)).toBeChecked()

	// The organisation's policy, on the settings page.
	await gotoHydrated(page, `/o/${slug}/settings`)
	const reminders = page.getByRole('form', { name: 'Reminder settings' })
	await expect(reminders.getByLabel('Remind of a report due (days before)')).toHaveValue('7, 3, 1, 0')
	await reminders.getByLabel('Remind of a report due (days before)').fill('14, 7, soon')
	await reminders.getByRole('button', { name: 'Save reminder settings' }).click()
	await expect(page.getByText('“soon” is not a whole number of days. Write them like 7, 3, 1, 0.')).toBeVisible()

	await reminders.getByLabel('Remind of a report due (days before)').fill('0, 14 ,7')
	await reminders.getByLabel('Tell the admins after (days overdue)').fill('5')
	await reminders.getByRole('button', { name: 'Save reminder settings' }).click()
	await expect(page.getByText('Reminder settings saved.')).toBeVisible()
	await gotoHydrated(page, `/o/${slug}/settings`)
	await expect(page.getByLabel('Remind of a report due (days before)')).toHaveValue('14, 7, 0')
	await expect(page.getByLabel('Tell the admins after (days overdue)')).toHaveValue('5')

	// Both changes are in the audit log.
	await gotoHydrated(page, `/o/${slug}/audit`)
	const log = page.getByRole('table')
	await expect(log.getByText('Changed their reminder settings').first()).toBeVisible()
	await expect(log.getByText('Changed the reminder settings').first()).toBeVisible()
})
