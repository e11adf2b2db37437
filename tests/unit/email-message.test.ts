import { describe, expect, it } from 'vitest'
import {
	absoluteLink,
	cleanSubject,
	digestWording,
	EMAIL_MAX_ATTEMPTS,
	emailRetryDelayMs,
	escapeHtml,
	renderEmail,
} from '~/domain/email-message'

describe('absoluteLink', () => {
	it('joins a path of Clearance to the public URL, keeping a base path and dropping a trailing slash', () => {
		expect(absoluteLink('https://clearance.example', '/o/acme/apps/1')).toBe('https://clearance.example/o/acme/apps/1')
		expect(absoluteLink('https://example.org/clearance/', '/o/acme/apps/1?tab=x#y')).toBe(
			'https://example.org/clearance/o/acme/apps/1?tab=x#y',
		)
		expect(absoluteLink('http://localhost:3000', '/o/a')).toBe('http://localhost:3000/o/a')
	})

	it('keeps a full http(s) URL and refuses anything else rather than link somewhere wrong', () => {
		expect(absoluteLink('https://c.example', 'https://other.example/x')).toBe('https://other.example/x')
		expect(absoluteLink('https://c.example', 'javascript:alert(1)')).toBeNull()
		expect(absoluteLink('https://c.example', '//evil.example/x')).toBeNull()
		expect(absoluteLink('https://c.example', '/\\evil.example')).toBeNull()
		expect(absoluteLink('https://c.example', '/o/a\nb')).toBeNull()
		expect(absoluteLink('https://c.example', 'o/a')).toBeNull()
		expect(absoluteLink('https://c.example', '')).toBeNull()
		expect(absoluteLink('https://c.example', undefined)).toBeNull()
	})
})

describe('cleanSubject', () => {
	it('is one line without control characters and at most 200 characters', () => {
		expect(cleanSubject('Due\r\nBcc: x@example.test\t soon')).toBe('Due Bcc: x@example.test soon')
		expect(cleanSubject('a\u202Eb')).toBe('a b')
		const long = cleanSubject('x'.repeat(500))
		expect(long).toHaveLength(200)
		expect(long.endsWith('…')).toBe(true)
	})
})

describe('retries', () => {
	it('wait longer after each failed try, and stop growing', () => {
		expect([1, 2, 3, 4, 5, 9].map((n) => emailRetryDelayMs(n) / 60_000)).toEqual([1, 5, 30, 120, 120, 120])
		expect(EMAIL_MAX_ATTEMPTS).toBeGreaterThan(1)
	})
})

describe('renderEmail', () => {
	const base = {
		recipientName: 'Ada <Admin>',
		orgName: 'Acme & Co',
		subject: 'Report due <soon>',
		text: 'Report personal data for "Widget".\n\nIt is due in 3 days.',
		settingsUrl: 'https://c.example/o/acme/notifications/settings',
	}

	it('gives plain text and HTML with the same words, the item link as a button and the settings link', () => {
		const email = renderEmail({
			...base,
			items: [{ text: 'Open in Clearance', url: 'https://c.example/o/acme/apps/1?a=1&b=2' }],
		})
		expect(email.subject).toBe('Report due <soon>')
		expect(email.text).toContain('Hello Ada <Admin>,')
		expect(email.text).toContain('Report personal data for "Widget".\n\nIt is due in 3 days.')
		expect(email.text).toContain('Open in Clearance:\nhttps://c.example/o/acme/apps/1?a=1&b=2')
		expect(email.text).toContain('https://c.example/o/acme/notifications/settings')
		expect(email.html).toContain('Hello Ada &lt;Admin&gt;,')
		expect(email.html).toContain('Clearance · Acme &amp; Co')
		expect(email.html).toContain('Report personal data for &quot;Widget&quot;.')
		expect(email.html).toContain('href="https://c.example/o/acme/apps/1?a=1&amp;b=2"')
		expect(email.html).toContain('>Open in Clearance</a>')
		expect(email.html).toContain('href="https://c.example/o/acme/notifications/settings"')
		expect(email.html).toContain('<title>Report due &lt;soon&gt;</title>')
		expect(email.html).not.toMatch(/<(?!\/?(?:html|head|meta|title|body|table|tr|td|p|a|ul|li|br)\b|!doctype)/i)
	})

	it('lists several items, each with its link, in both parts', () => {
		const email = renderEmail({
			...base,
			items: [
				{ text: 'Widget: report due in 7 days', url: 'https://c.example/o/acme/apps/1' },
				{ text: 'Gadget: <b>answer</b> needed', url: null },
			],
		})
		expect(email.text).toContain('- Widget: report due in 7 days\n  https://c.example/o/acme/apps/1')
		expect(email.text).toContain('- Gadget: <b>answer</b> needed')
		expect(email.html).toContain(
			'<a href="https://c.example/o/acme/apps/1" style="color:#1d4ed8">Widget: report due in 7 days</a>',
		)
		expect(email.html).toContain('<li style="margin:0 0 8px">Gadget: &lt;b&gt;answer&lt;/b&gt; needed</li>')
	})

	it('escapes every character HTML gives meaning to', () => {
		expect(escapeHtml(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;')
	})
})

describe('digestWording', () => {
	it('counts reminders in words, plurals right', () => {
		expect(digestWording(1, 'Acme', 'Wed 9 Dec 2026').subject).toBe('Daily digest: 1 reminder in Acme')
		expect(digestWording(3, 'Acme', 'Wed 9 Dec 2026')).toEqual({
			subject: 'Daily digest: 3 reminders in Acme',
			text: 'Your daily digest for Wed 9 Dec 2026: 3 reminders in Acme since your last digest.',
		})
	})
})

describe('email settings from the environment', () => {
	it('default to sending nothing, links from localhost, and a no-reply sender', async () => {
		const { parseEnv } = await import('~/utils/env.server')
		const env = parseEnv({ NODE_ENV: 'test' })
		expect(env.SMTP_URL).toBeUndefined()
		expect(env).toMatchObject({ PUBLIC_URL: 'http://localhost:3000', SMTP_FROM: 'Clearance <no-reply@localhost>' })
		expect(parseEnv({ NODE_ENV: 'test', SMTP_URL: '' }).SMTP_URL).toBeUndefined()
		expect(parseEnv({ NODE_ENV: 'test', SMTP_URL: 'smtps://u:p@mail.example:465' }).SMTP_URL).toBe(
			'smtps://u:p@mail.example:465',
		)
	})

	it('refuse at boot a mail server or public address that is not one', async () => {
		const { parseEnv } = await import('~/utils/env.server')
		expect(() => parseEnv({ NODE_ENV: 'test', SMTP_URL: 'http://mail.example' })).toThrow(
			'SMTP_URL must be an smtp:// or smtps:// URL',
		)
		expect(() => parseEnv({ NODE_ENV: 'test', PUBLIC_URL: 'clearance.example' })).toThrow(
			'PUBLIC_URL must be an http:// or https:// URL',
		)
	})
})
