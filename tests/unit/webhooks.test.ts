import { describe, expect, it } from 'vitest'
import {
	absoluteLink,
	maskWebhookUrl,
	nextWebhookAttempt,
	slackEscape,
	WEBHOOK_MAX_ATTEMPTS,
	webhookBody,
	webhookRetryDelayMs,
} from '~/domain/webhooks'

// Issue 13, outgoing webhooks: the body, the retry schedule and how an address is shown.

describe('the webhook body', () => {
	const org = { slug: 'acme', name: 'Acme Apps' }
	const now = new Date('2025-03-04T05:06:07.000Z')
	const event = {
		type: 'reminder.reporting_due',
		reminderId: '11111111-1111-4111-8111-111111111111',
		text: 'Report personal data for <Acme & Co> by 7 March',
		subject: { type: 'app', id: 'a1', name: 'Acme & Co' },
		dueOn: '2025-03-07',
		link: '/o/acme/apps/a1/reporting',
	}

	it('is Slack-compatible text with the link to the item, and the event for programs', () => {
		const body = JSON.parse(webhookBody(event, { publicUrl: 'https://clearance.example/', now, org }))
		expect(body.text).toBe(
			'Report personal data for &lt;Acme &amp; Co&gt; by 7 March\n<https://clearance.example/o/acme/apps/a1/reporting|Open in Clearance>',
		)
		expect(body.event).toEqual({
			...event,
			link: 'https://clearance.example/o/acme/apps/a1/reporting',
			organization: org,
			createdAt: '2025-03-04T05:06:07.000Z',
		})
	})

	it('without a public URL keeps the path in the event and leaves the text without a broken link', () => {
		const body = JSON.parse(webhookBody(event, { now, org }))
		expect(body.text).toBe('Report personal data for &lt;Acme &amp; Co&gt; by 7 March')
		expect(body.event.link).toBe('/o/acme/apps/a1/reporting')
	})

	it('escapes only what Slack reserves and keeps full URLs as they are', () => {
		expect(slackEscape('a < b > c & d "e"')).toBe('a &lt; b &gt; c &amp; d "e"')
		expect(absoluteLink('https://x.example/y', 'https://clearance.example')).toBe('https://x.example/y')
		expect(absoluteLink(undefined, 'https://clearance.example')).toBeUndefined()
	})
})

describe('retries', () => {
	it('wait 1, 2, 4 … minutes, at most an hour, and stop after the last attempt', () => {
		expect([1, 2, 3, 4, 5, 6, 7].map((attempts) => webhookRetryDelayMs(attempts) / 60_000)).toEqual([
			1, 2, 4, 8, 16, 32, 60,
		])
		expect(webhookRetryDelayMs(40)).toBe(60 * 60_000)
		const now = new Date('2025-01-01T00:00:00Z')
		expect(nextWebhookAttempt(1, now)).toEqual(new Date('2025-01-01T00:01:00Z'))
		expect(nextWebhookAttempt(WEBHOOK_MAX_ATTEMPTS - 1, now)).not.toBeNull()
		expect(nextWebhookAttempt(WEBHOOK_MAX_ATTEMPTS, now)).toBeNull()
	})
})

describe('a registered address as shown', () => {
	it('hides the path that is itself a password', () => {
		expect(maskWebhookUrl('https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX')).toBe(
			'https://hooks.slack.com/services/…',
		)
		expect(maskWebhookUrl('https://example.com/hook')).toBe('https://example.com/hook')
		expect(maskWebhookUrl('https://example.com/hook?token=abc')).toBe('https://example.com/hook?…')
		expect(maskWebhookUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080')
	})
})
