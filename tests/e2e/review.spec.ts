import { type Page } from '@playwright/test'
import { gotoHydrated, vendorAndReviewer, expect, registerApp, test } from './utils'

const CUSTOM = 'Notify watchers when a linked incident changes state'
const CUSTOM_FIXED = 'Email incident watchers a summary when a linked incident is resolved'

async function stateIs(page: Page, label: string) {
	await expect(page.locator('.page-header').getByText(label, { exact: true })).toBeVisible()
}

test('vendor and reviewer take a request from draft to approval, then start an amendment', async ({
	page,
	browser,
}) => {
	// The vendor signs up (admin + vendor) and invites a compliance reviewer.
	const { base, reviewer, reviewerContext } = await vendorAndReviewer(page, browser, {
		vendorName: 'Val Vendor',
		orgName: 'Relay Apps',
		reviewerName: 'Rita Reviewer',
	})

	// The vendor registers the app and fills a request that passes the checklist.
	await registerApp(
		page,
		{
			name: 'Mail Bridge',
			key: 'com.relay.mail-bridge',
			privacyPolicyUrl: 'https://relay.example/privacy',
			termsUrl: 'https://relay.example/terms',
			personalData: 'Yes, it stores personal data',
		},
		`${base}/apps/new`,
	)
	await expect(page.getByRole('heading', { name: 'Current approved scope' })).toBeVisible()
	await page.getByRole('button', { name: 'Start an Email API request' }).click()
	await expect(page.getByRole('heading', { name: /Email API request: Mail Bridge/ })).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	const requestUrl = page.url()

	await page.getByLabel(/send security alerts/).check()
	await page.getByLabel('Custom use case 1').fill(CUSTOM)
	await page
		.getByLabel('Functionality that needs email addresses')
		.fill(
			'Mail Bridge sends security alerts to the affected users when suspicious sign-ins happen. It also notifies watchers of incidents.',
		)
	await page
		.getByLabel('Privacy policy excerpt')
		.fill('We use email addresses only to send security alerts and incident notifications you subscribed to.')
	await page.getByRole('button', { name: 'Save draft' }).click()
	await expect(page.getByText('Draft saved. The checklist passes.')).toBeVisible()
	await page.getByRole('button', { name: 'Submit for review' }).click()
	await stateIs(page, 'In review')
	// Four eyes, explained: the vendor is not a reviewer and sees no decision buttons.
	await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0)

	// The reviewer finds it in the queue and rejects the custom use case with a reason.
	await gotoHydrated(reviewer, `${base}/review`)
	await expect(reviewer.getByTestId('queue-item')).toHaveCount(1)
	await reviewer.getByRole('link', { name: 'Mail Bridge' }).click()
	await stateIs(reviewer, 'In review')
	await expect(reviewer.locator('html[data-hydrated]')).toBeAttached()
	const customDecision = reviewer.getByRole('form', { name: `Decision on Custom: ${CUSTOM}` })
	await customDecision.getByRole('button', { name: 'Reject' }).click()
	await expect(customDecision.getByText('Give a reason so the vendor knows what to change.')).toBeVisible()
	await customDecision.getByLabel('Reason (required to reject)').fill('Say which incident emails are sent and when')
	await customDecision.getByRole('button', { name: 'Reject' }).click()
	await expect(reviewer.getByText('Use case rejected; the reason is kept for the vendor.')).toBeVisible()
	await reviewer.getByLabel('Comment for the vendor').fill('Please describe the incident emails precisely.')
	await reviewer.getByRole('button', { name: 'Send back for changes' }).click()
	await stateIs(reviewer, 'Changes requested')

	// The vendor sees why, fixes the use case and resubmits.
	await gotoHydrated(page, requestUrl)
	await expect(page.getByTestId('sent-back')).toContainText('Please describe the incident emails precisely.')
	await expect(page.getByRole('link', { name: /Notifications: 1 unread/ })).toBeVisible()
	await page.getByLabel('Custom use case 1').fill(CUSTOM_FIXED)
	await page.getByRole('button', { name: 'Save draft' }).click()
	await expect(page.getByText('Draft saved. The checklist passes.')).toBeVisible()
	await page.getByRole('button', { name: 'Submit for review' }).click()
	await stateIs(page, 'In review')

	// The reviewer approves every use case and completes the review.
	await gotoHydrated(reviewer, requestUrl)
	await reviewer
		.getByRole('form', { name: `Decision on Custom: ${CUSTOM_FIXED}` })
		.getByRole('button', { name: 'Approve' })
		.click()
	await expect(reviewer.getByText('Use case approved.')).toBeVisible()
	await reviewer.getByRole('button', { name: 'Complete review' }).click()
	await stateIs(reviewer, 'Ready to submit')

	// The vendor records the ticket; Atlassian asks for information; the vendor replies.
	await gotoHydrated(page, requestUrl)
	await stateIs(page, 'Ready to submit')
	await page.getByLabel('Ticket key').fill('DEVHELP-5718')
	await page.getByRole('button', { name: 'Record ticket' }).click()
	await stateIs(page, 'Submitted to Atlassian')
	await expect(page.getByTestId('ticket-summary')).toContainText('DEVHELP-5718')
	await expect(page.getByTestId('days-waiting')).toHaveText('0 days')
	await page.getByLabel('What Atlassian asked').fill('Which incident emails does the app send?')
	await page.getByRole('button', { name: 'Record question' }).click()
	await stateIs(page, 'Atlassian wants more information')
	await page.getByLabel('What you answered').fill('Only a summary when an incident is resolved.')
	await page.getByRole('button', { name: 'Record reply' }).click()
	await stateIs(page, 'Submitted to Atlassian')

	// The reviewer records Atlassian's approval. A decline, which closes the request, is asked about first: dismissed,
	// nothing is recorded (the approval below could not be recorded on a declined request).
	await gotoHydrated(reviewer, requestUrl)
	const asked: string[] = []
	reviewer.once('dialog', (dialog) => {
		asked.push(dialog.message())
		void dialog.dismiss()
	})
	await reviewer.getByLabel('Reason Atlassian gave').first().fill('Misclicked')
	await reviewer.getByRole('button', { name: 'Record decline' }).click()
	await expect.poll(() => asked).toEqual([expect.stringContaining('Atlassian declined this request?')])
	await reviewer.getByLabel('Products and scopes approved').fill('Jira: read:email-address:jira')
	await reviewer.getByRole('button', { name: 'Record approval' }).click()
	await stateIs(reviewer, 'Approved')
	await expect(reviewer.getByRole('button', { name: 'Record revocation' })).toBeVisible()
	await reviewerContext.close()

	// The vendor starts an amendment and sees the diff against the approved scope.
	await gotoHydrated(page, requestUrl)
	await stateIs(page, 'Approved')
	await expect(page.getByRole('heading', { name: 'Timeline' })).toBeVisible()
	await expect(page.getByText('Atlassian asked: Which incident emails does the app send?')).toBeVisible()
	await page.getByRole('button', { name: 'Start an amendment' }).click()
	await stateIs(page, 'Draft')
	await expect(page.getByTestId('amendment-diff')).toContainText('No use case changed yet')
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	// As started it says nothing new: its checklist passes but it is not ready to send, and says why.
	const verdict = page.getByTestId('checklist-verdict')
	await expect(verdict).toContainText('The checklist passes')
	await expect(verdict).toContainText('still the same as the approved request')
	await page.getByLabel(/let users invite other users to collaborate/).check()
	await expect(verdict).toContainText('Ready to send')
	await page.getByRole('button', { name: 'Save draft' }).click()
	await expect(page.getByText(/Draft saved/)).toBeVisible()
	const diff = page.getByTestId('amendment-diff')
	await expect(diff.locator('.diff-added')).toContainText('let users invite other users to collaborate')
	await expect(diff.locator('.diff-unchanged')).toHaveCount(2)
})
