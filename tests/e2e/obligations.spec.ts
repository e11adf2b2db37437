import { type Page } from '@playwright/test'
import { gotoHydrated, vendorAndReviewer, expect, registerApp, test } from './utils'

// Issue 9: an app approved as storing personal data, whose accounts were
// retrieved 16 days ago, is overdue at the top of the dashboard — with the
// reason in words — and never "no report needed" while the answer is open.

async function stateIs(page: Page, label: string) {
	await expect(page.locator('.page-header').getByText(label, { exact: true })).toBeVisible()
}

function isoDaysAgo(daysAgo: number) {
	return new Date(Date.now() - daysAgo * 86_400_000).toISOString()
}

test('an app approved as storing personal data, with accounts retrieved 16 days ago, is overdue at the top of the dashboard', async ({
	page,
	browser,
}) => {
	const { base, reviewer, reviewerContext } = await vendorAndReviewer(page, browser, {
		vendorName: 'Olga Owner',
		orgName: 'Obligation Works',
		reviewerName: 'Rui Reviewer',
	})

	// The app is registered before anyone decided on personal data.
	await registerApp(
		page,
		{
			name: 'Ledger Lens',
			key: 'com.obligation.ledger-lens',
			privacyPolicyUrl: 'https://obligation.example/privacy',
			termsUrl: 'https://obligation.example/terms',
			personalData: 'Not decided yet',
		},
		`${base}/apps/new`,
	)

	// Not decided is never "no report needed".
	await gotoHydrated(page, base)
	const undecided = page.locator('tbody tr.deadline-row').filter({ hasText: 'Ledger Lens' })
	await expect(undecided).toContainText('Answer needed')
	await expect(undecided).not.toContainText('No report needed')

	// The request says yes, it stores personal data; it is reviewed and sent.
	await gotoHydrated(page, `${base}/apps`)
	await page.getByRole('link', { name: 'Ledger Lens' }).click()
	await page.getByRole('button', { name: 'Start an Email API request' }).click()
	await expect(page.getByRole('heading', { name: /Email API request: Ledger Lens/ })).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	const requestUrl = page.url()
	await page.getByLabel('Company name').fill('Obligation Works Ltd')
	await page.getByLabel('Yes, it stores personal data').check()
	await page.getByLabel(/send security alerts/).check()
	await page
		.getByLabel('Functionality that needs email addresses')
		.fill(
			'Ledger Lens emails security alerts to the users affected when their linked ledgers change unexpectedly. Users can switch them off.',
		)
	await page
		.getByLabel('Privacy policy excerpt')
		.fill('We use email addresses only to send the security alerts you subscribed to.')
	await page.getByRole('button', { name: 'Save draft' }).click()
	await expect(page.getByText('Draft saved. The checklist passes.')).toBeVisible()
	await page.getByRole('button', { name: 'Submit for review' }).click()
	await stateIs(page, 'In review')

	await gotoHydrated(reviewer, requestUrl)
	await reviewer.getByRole('button', { name: 'Complete review' }).click()
	await stateIs(reviewer, 'Ready to submit')

	await gotoHydrated(page, requestUrl)
	await page.getByLabel('Ticket key').fill('DEVHELP-7001')
	await page.getByRole('button', { name: 'Record ticket' }).click()
	await stateIs(page, 'Submitted to Atlassian')

	await gotoHydrated(reviewer, requestUrl)
	await reviewer.getByLabel('Products and scopes approved').fill('Jira: read:email-address:jira')
	await reviewer.getByRole('button', { name: 'Record approval' }).click()
	await stateIs(reviewer, 'Approved')
	await reviewerContext.close()

	// The approval answered the app's personal-data question; the ledger holds data retrieved 16 days ago.
	await gotoHydrated(page, `${base}/apps`)
	await page.getByRole('link', { name: 'Ledger Lens' }).click()
	await page.getByRole('link', { name: 'Open reporting' }).click()
	await expect(page.getByRole('heading', { name: 'Reporting: Ledger Lens' })).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	const importForm = page.getByRole('region', { name: 'Import account ids' })
	await importForm.getByLabel('CSV file').setInputFiles({
		name: 'accounts.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(
			`accountId,updatedAt\r\n5be24ad8b1653240376955d2,${isoDaysAgo(16)}\r\n712020:lens-0002,${isoDaysAgo(3)}\r\n`,
		),
	})
	await importForm.getByRole('button', { name: 'Import' }).click()
	await expect(importForm.getByRole('status')).toContainText('2 added')

	// A second app, on track, so "at the top" means something.
	await registerApp(
		page,
		{ name: 'Calm Counter', key: 'com.obligation.calm', personalData: 'Yes, it stores personal data' },
		`${base}/apps/new`,
	)

	await gotoHydrated(page, base)
	await expect(page.getByRole('alert')).toContainText('1 app is overdue')
	const top = page.locator('tbody tr.deadline-row').first()
	await expect(top).toContainText('Ledger Lens')
	await expect(top).toContainText('Overdue')
	await expect(top).toContainText(
		'First report overdue by 1 day, counted from when the oldest stored data was retrieved',
	)
	await expect(page.locator('tbody tr.deadline-row').nth(1)).toContainText('Calm Counter')
})
