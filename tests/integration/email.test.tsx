import { type AddressInfo } from 'node:net'
import { eq } from 'drizzle-orm'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '#db/client.server'
import { emailOutbox, notificationPreferences, notifications, organizations } from '#db/schema'
import { EMAIL_MAX_ATTEMPTS } from '~/domain/email-message'
import * as settingsPage from '~/routes/o.$org.settings'
import * as outboxPage from '~/routes/o.$org.settings_.outbox'
import { deliverPendingEmails, queueEmail, runEmailJob, sendDigests } from '~/services/email.server'
import { scheduledJobs } from '~/services/scheduled-jobs.server'
import { withAdvisoryLock } from '~/utils/advisory-lock.server'
import { renderRoute } from '../fixtures/render'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

type Received = { rcptTo: string[]; mailFrom: string; mail: ParsedMail }

/** A real SMTP server on 127.0.0.1 and a random port; `reject` answers every message with a 550. */
async function startSmtpServer({ reject = false, delayMs = 0 } = {}) {
	const received: Received[] = []
	let tries = 0
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onData(stream, session, callback) {
			tries++
			if (reject) {
				stream.resume()
				stream.on('end', () => callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 })))
				return
			}
			simpleParser(stream).then(
				(mail) =>
					setTimeout(() => {
						received.push({
							rcptTo: session.envelope.rcptTo.map((to) => to.address),
							mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
							mail,
						})
						callback()
					}, delayMs),
				(error: Error) => callback(error),
			)
		},
	})
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
	const { port } = server.server.address() as AddressInfo
	return {
		url: `smtp://127.0.0.1:${port}`,
		received,
		tries: () => tries,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	}
}

const PUBLIC_URL = 'https://clearance.example'

async function world() {
	const { org, admin } = await createOrg('Mailed Apps')
	const vendor = await addMember(org.id, ['member'], 'Vera Vendor')
	return { org, admin, vendor }
}

function queue(orgId: string, userId: string, subject = 'Report due in 3 days: Widget') {
	return db.transaction((tx) =>
		queueEmail(tx, {
			orgId,
			userId,
			subject,
			text: 'Widget must report personal data by Fri 12 Jun 2026.\n\nReport it, or record that it stores none.',
			link: `/o/mailed-apps/apps/app-1/reporting`,
		}),
	)
}

async function outboxRows(orgId: string) {
	return db.select().from(emailOutbox).where(eq(emailOutbox.orgId, orgId))
}

let smtp: Awaited<ReturnType<typeof startSmtpServer>> | undefined

beforeEach(() => {
	vi.stubEnv('PUBLIC_URL', PUBLIC_URL)
	vi.stubEnv('SMTP_URL', '')
	vi.stubEnv('SMTP_FROM', 'Clearance <reminders@clearance.example>')
})

afterEach(async () => {
	vi.unstubAllEnvs()
	await smtp?.close()
	smtp = undefined
})

describe('email through SMTP', () => {
	it('arrives at the SMTP server for the member’s login address, with both parts, the item’s absolute link and the settings link', async () => {
		smtp = await startSmtpServer()
		vi.stubEnv('SMTP_URL', smtp.url)
		const { org, vendor } = await world()
		await queue(org.id, vendor.id)
		expect((await outboxRows(org.id))[0]).toMatchObject({ status: 'pending', toAddress: vendor.email })

		expect(await deliverPendingEmails()).toEqual({ sent: 1, failed: 0, retrying: 0 })

		expect(smtp.received).toHaveLength(1)
		const { rcptTo, mailFrom, mail } = smtp.received[0]!
		expect(rcptTo).toEqual([vendor.email])
		expect(mailFrom).toBe('reminders@clearance.example')
		expect(mail.subject).toBe('Report due in 3 days: Widget')
		const itemLink = `${PUBLIC_URL}/o/mailed-apps/apps/app-1/reporting`
		const settingsLink = `${PUBLIC_URL}/o/${org.slug}/notifications/settings`
		expect(mail.text).toContain('Hello Vera Vendor,')
		expect(mail.text).toContain('Widget must report personal data by Fri 12 Jun 2026.')
		expect(mail.text).toContain(itemLink)
		expect(mail.text).toContain(settingsLink)
		expect(mail.html).toContain(`href="${itemLink}"`)
		expect(mail.html).toContain(`href="${settingsLink}"`)
		expect(mail.html).toContain('Widget must report personal data by Fri 12 Jun 2026.')

		const [row] = await outboxRows(org.id)
		expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null, lockedUntil: null })
		expect(row!.sentAt).toBeInstanceOf(Date)
		// Sent once: a second pass finds nothing.
		expect(await deliverPendingEmails()).toEqual({ sent: 0, failed: 0, retrying: 0 })
		expect(smtp.received).toHaveLength(1)
	})

	it('writes nothing for a person who is not a member of the organisation', async () => {
		const { org } = await world()
		const other = await createOrg('Elsewhere')
		await queue(org.id, other.admin.id)
		expect(await outboxRows(org.id)).toHaveLength(0)
	})

	it('two concurrent deliveries send each email once', async () => {
		smtp = await startSmtpServer({ delayMs: 30 })
		vi.stubEnv('SMTP_URL', smtp.url)
		const { org, admin, vendor } = await world()
		for (const [index, userId] of [vendor.id, admin.id, vendor.id, admin.id].entries()) {
			await queue(org.id, userId, `Reminder ${index + 1}`)
		}
		const [first, second] = await Promise.all([deliverPendingEmails(), deliverPendingEmails()])
		expect(first.sent + second.sent).toBe(4)
		expect(smtp.received.map((message) => message.mail.subject).sort()).toEqual([
			'Reminder 1',
			'Reminder 2',
			'Reminder 3',
			'Reminder 4',
		])
		const rows = await outboxRows(org.id)
		expect(rows.map((row) => [row.status, row.attempts])).toEqual(Array(4).fill(['sent', 1]))
	})

	it('a refusing server is retried later, then the email is failed with the server’s answer kept', async () => {
		smtp = await startSmtpServer({ reject: true })
		vi.stubEnv('SMTP_URL', smtp.url)
		const { org, vendor } = await world()
		await queue(org.id, vendor.id)
		const start = new Date()

		expect(await deliverPendingEmails({ now: start })).toEqual({ sent: 0, failed: 0, retrying: 1 })
		let [row] = await outboxRows(org.id)
		expect(row).toMatchObject({ status: 'pending', attempts: 1, lockedUntil: null })
		expect(row!.lastError).toMatch(/550.*Mailbox unavailable/)
		expect(row!.nextAttemptAt.getTime()).toBe(start.getTime() + 60_000)

		// Not before its time: the same moment tries nothing.
		expect(await deliverPendingEmails({ now: start })).toEqual({ sent: 0, failed: 0, retrying: 0 })
		expect(smtp.tries()).toBe(1)

		// Each later pass after the wait tries once more, until the last try.
		for (let attempt = 2; attempt <= EMAIL_MAX_ATTEMPTS; attempt++) {
			;[row] = await outboxRows(org.id)
			const outcome = await deliverPendingEmails({ now: row!.nextAttemptAt })
			expect(outcome).toEqual(
				attempt < EMAIL_MAX_ATTEMPTS ? { sent: 0, failed: 0, retrying: 1 } : { sent: 0, failed: 1, retrying: 0 },
			)
		}
		;[row] = await outboxRows(org.id)
		expect(row).toMatchObject({ status: 'failed', attempts: EMAIL_MAX_ATTEMPTS, sentAt: null })
		expect(row!.lastError).toMatch(/550.*Mailbox unavailable/)
		expect(smtp.tries()).toBe(EMAIL_MAX_ATTEMPTS)
		// Failed is final.
		expect(await deliverPendingEmails({ now: new Date(start.getTime() + 30 * 86_400_000) })).toEqual({
			sent: 0,
			failed: 0,
			retrying: 0,
		})
		expect(smtp.tries()).toBe(EMAIL_MAX_ATTEMPTS)
	})

	it('an email claimed by a pass that died is tried again once its claim has expired', async () => {
		smtp = await startSmtpServer()
		vi.stubEnv('SMTP_URL', smtp.url)
		const { org, vendor } = await world()
		await queue(org.id, vendor.id)
		const now = new Date()
		await db
			.update(emailOutbox)
			.set({ lockedUntil: new Date(now.getTime() + 60_000), attempts: 1 })
			.where(eq(emailOutbox.orgId, org.id))
		expect(await deliverPendingEmails({ now })).toEqual({ sent: 0, failed: 0, retrying: 0 })
		expect(await deliverPendingEmails({ now: new Date(now.getTime() + 120_000) })).toEqual({
			sent: 1,
			failed: 0,
			retrying: 0,
		})
		expect(smtp.received).toHaveLength(1)
	})
})

describe('without a mail server', () => {
	it('keeps the email as not sent, and shows it to admins on the outbox page linked from the settings', async () => {
		const { org, admin, vendor } = await world()
		await queue(org.id, vendor.id)
		expect(await deliverPendingEmails()).toEqual({ sent: 0, failed: 0, retrying: 0 })
		const [row] = await outboxRows(org.id)
		expect(row).toMatchObject({ status: 'held', attempts: 0, sentAt: null })

		const { cookie } = await cookieFor(admin.id)
		const params = { org: org.slug }
		const settings = await runRoute(settingsPage.loader, makeRequest(`/o/${org.slug}/settings`, { cookie }), params)
		expect(await renderRoute(settingsPage.default, settings.data)).toContain('href="/outbox"')

		const page = await runRoute(outboxPage.loader, makeRequest(`/o/${org.slug}/settings/outbox`, { cookie }), params)
		expect(page.status).toBe(200)
		const html = await renderRoute(outboxPage.default, page.data)
		expect(html).toContain('No mail server is set up')
		expect(html).toContain('Report due in 3 days: Widget')
		expect(html).toContain('Vera Vendor')
		expect(html).toContain(vendor.email)
		expect(html).toContain('<span class="badge badge-neutral">Not sent</span>')
		// The text part can be read on the page.
		expect(html).toContain('Show the email')
		expect(html).toContain(`${PUBLIC_URL}/o/mailed-apps/apps/app-1/reporting`)
		expect(html).toContain(`${PUBLIC_URL}/o/${org.slug}/notifications/settings`)
	})

	it('the outbox is for admins only', async () => {
		const { org, vendor } = await world()
		const { cookie } = await cookieFor(vendor.id)
		const page = await runRoute(outboxPage.loader, makeRequest(`/o/${org.slug}/settings/outbox`, { cookie }), {
			org: org.slug,
		})
		expect(page.status).toBe(403)
	})

	it('pages newest first, filters by status, and answers a bad page with 400 and a message', async () => {
		const { org, admin, vendor } = await world()
		for (let index = 1; index <= 27; index++) await queue(org.id, vendor.id, `Reminder ${index}`)
		await db
			.update(emailOutbox)
			.set({ status: 'failed', attempts: 5, lastError: '550 Mailbox unavailable' })
			.where(eq(emailOutbox.subject, 'Reminder 1'))
		const { cookie } = await cookieFor(admin.id)
		const params = { org: org.slug }
		const load = (query: string) =>
			runRoute(outboxPage.loader, makeRequest(`/o/${org.slug}/settings/outbox${query}`, { cookie }), params)
		type Page = { entries: { subject: string }[]; page: number; pageCount: number; total: number }

		const first = (await load('')).data as Page
		expect(first).toMatchObject({ page: 1, pageCount: 2, total: 27 })
		expect(first.entries).toHaveLength(25)
		expect(first.entries[0]!.subject).toBe('Reminder 27')
		const firstHtml = await renderRoute(outboxPage.default, first)
		expect(firstHtml).toContain('Page 1 of 2 (27 emails)')
		expect(firstHtml).toContain('Older emails')

		const second = (await load('?page=2')).data as Page
		expect(second.entries.map((entry) => entry.subject)).toEqual(['Reminder 2', 'Reminder 1'])

		const failed = await load('?status=failed')
		expect((failed.data as Page).entries.map((entry) => entry.subject)).toEqual(['Reminder 1'])
		const failedHtml = await renderRoute(outboxPage.default, failed.data)
		expect(failedHtml).toContain('<span class="badge badge-bad">Failed</span>')
		expect(failedHtml).toContain('Gave up after 5 tries: 550 Mailbox unavailable')

		const bad = await load('?page=0')
		expect(bad.status).toBe(400)
		expect(await renderRoute(outboxPage.default, bad.data)).toContain('The page must be a whole number from 1.')
		expect((await load('?status=lost')).status).toBe(400)
	})
})

describe('daily digest', () => {
	async function digestWorld() {
		const w = await world()
		await db.insert(notificationPreferences).values({ orgId: w.org.id, userId: w.vendor.id, emailMode: 'digest' })
		const remind = (message: string, at: Date, kind = 'reminder') =>
			db.insert(notifications).values({
				orgId: w.org.id,
				userId: w.vendor.id,
				kind,
				message,
				link: `/o/${w.org.slug}/apps/${message.length}`,
				createdAt: at,
			})
		return { ...w, remind }
	}

	it('sends one email a local day listing the reminders since the last digest, none when there is nothing', async () => {
		const { org, admin, vendor, remind } = await digestWorld()
		const day1 = new Date('2026-06-10T06:00:00Z')
		await remind('Widget: report due in 7 days', new Date('2026-06-10T05:00:00Z'))
		await remind('Gadget: answer needed', new Date('2026-06-10T05:30:00Z'))
		await remind('Request sent back', new Date('2026-06-10T05:40:00Z'), 'request_sent_back')
		// Someone on immediate email gets no digest.
		await db.insert(notifications).values({
			orgId: org.id,
			userId: admin.id,
			kind: 'reminder',
			message: 'Widget: escalated',
			createdAt: new Date('2026-06-10T05:00:00Z'),
		})

		expect(await sendDigests({ now: day1 })).toEqual({ queued: 1 })
		let rows = await outboxRows(org.id)
		expect(rows).toHaveLength(1)
		expect(rows[0]).toMatchObject({
			userId: vendor.id,
			toAddress: vendor.email,
			status: 'held',
			subject: 'Daily digest: 2 reminders in Mailed Apps',
		})
		expect(rows[0]!.textBody).toContain('- Widget: report due in 7 days\n  https://clearance.example/o/')
		expect(rows[0]!.textBody).toContain('- Gadget: answer needed')
		expect(rows[0]!.textBody).not.toContain('Request sent back')
		expect(rows[0]!.htmlBody).toContain(`href="${PUBLIC_URL}/o/${org.slug}/notifications/settings"`)
		const [preference] = await db.select().from(notificationPreferences)
		expect(preference!.lastDigestOn).toBe('2026-06-10')

		// Later the same day: nothing more, even with a new reminder.
		await remind('Widget: report due in 3 days', new Date('2026-06-10T12:00:00Z'))
		expect(await sendDigests({ now: new Date('2026-06-10T13:00:00Z') })).toEqual({ queued: 0 })

		// The next day: only what came since the last digest.
		expect(await sendDigests({ now: new Date('2026-06-11T06:00:00Z') })).toEqual({ queued: 1 })
		rows = await outboxRows(org.id)
		const next = rows.find((row) => row.subject === 'Daily digest: 1 reminder in Mailed Apps')
		expect(next?.textBody).toContain('Widget: report due in 3 days')
		expect(next?.textBody).not.toContain('Gadget: answer needed')

		// A day with nothing new sends nothing.
		expect(await sendDigests({ now: new Date('2026-06-12T06:00:00Z') })).toEqual({ queued: 0 })
	})

	it('two passes at once send one digest', async () => {
		const { org, remind } = await digestWorld()
		const now = new Date('2026-06-10T06:00:00Z')
		await remind('Widget: report due in 7 days', new Date('2026-06-10T05:00:00Z'))
		const [first, second] = await Promise.all([sendDigests({ now }), sendDigests({ now })])
		expect(first.queued + second.queued).toBe(1)
		expect(await outboxRows(org.id)).toHaveLength(1)
	})

	it('counts the day in the organisation’s time zone', async () => {
		const { org, remind } = await digestWorld()
		await db.update(organizations).set({ timeZone: 'Pacific/Auckland' }).where(eq(organizations.id, org.id))
		await remind('Widget: report due in 7 days', new Date('2026-06-10T10:00:00Z'))
		// 10 June 11:00 UTC is 23:00 on 10 June in Auckland (UTC+12 in June).
		expect(await sendDigests({ now: new Date('2026-06-10T11:00:00Z') })).toEqual({ queued: 1 })
		let [preference] = await db.select().from(notificationPreferences)
		expect(preference!.lastDigestOn).toBe('2026-06-10')
		// 12:30 UTC, still 10 June in UTC, is 00:30 on 11 June there: a new local day, a new digest.
		await remind('Widget: report due in 6 days', new Date('2026-06-10T11:30:00Z'))
		expect(await sendDigests({ now: new Date('2026-06-10T12:30:00Z') })).toEqual({ queued: 1 })
		;[preference] = await db.select().from(notificationPreferences)
		expect(preference!.lastDigestOn).toBe('2026-06-11')
		// 11 June 10:00 UTC is 22:00 on 11 June there: no second digest that day.
		await remind('Widget: report due in 5 days', new Date('2026-06-11T09:00:00Z'))
		expect(await sendDigests({ now: new Date('2026-06-11T10:00:00Z') })).toEqual({ queued: 0 })
	})

	it('is sent by the email job, which the scheduler runs after the reminder pass', async () => {
		expect(scheduledJobs.map((job) => job.name).indexOf('email')).toBeGreaterThan(
			scheduledJobs.map((job) => job.name).indexOf('reminders'),
		)
		smtp = await startSmtpServer()
		vi.stubEnv('SMTP_URL', smtp.url)
		const { vendor, remind } = await digestWorld()
		const now = new Date()
		await remind('Widget: report due in 7 days', new Date(now.getTime() - 60_000))
		// While a reminder pass runs (it may still be writing notifications), digests wait for the next round.
		const during = await withAdvisoryLock('reminders', () => runEmailJob({ now }))
		expect(during).toEqual({ ran: true, value: { digests: 0, sent: 0, failed: 0, retrying: 0 } })
		expect(await runEmailJob({ now })).toEqual({ digests: 1, sent: 1, failed: 0, retrying: 0 })
		expect(smtp.received[0]!.rcptTo).toEqual([vendor.email])
		expect(smtp.received[0]!.mail.subject).toBe('Daily digest: 1 reminder in Mailed Apps')
		expect(smtp.received[0]!.mail.html).toContain('Widget: report due in 7 days')
	})
})
