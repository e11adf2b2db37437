import { and, asc, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { appOwners, apps, auditEvents, emailOutbox, notifications, organizations, reminders } from '#db/schema'
import { localDateTimeToInstant } from '~/domain/zoned-time'
import { AppSchema } from '~/schemas/apps'
import { listOwners, setOwners } from '~/services/app-owners.server'
import { createApp } from '~/services/apps.server'
import { saveNotificationPreferences, updateReminderSettings } from '~/services/reminder-settings.server'
import { runOrgReminders, runReminderPass, type ReminderChannels } from '~/services/reminders.server'
import { withAdvisoryLock } from '~/utils/advisory-lock.server'
import { addMember, createOrg } from '../fixtures/world'
import { reviewWorld, submittedRequest } from './review-helpers'

const BERLIN = 'Europe/Berlin'
const at = (local: string) => localDateTimeToInstant(local, BERLIN)!

function appInput(name = 'Mail Bridge') {
	return AppSchema.parse({
		name,
		appKey: `com.acme.${name.toLowerCase().replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2, 8)}`,
		appType: 'forge',
		products: ['jira'],
		privacyPolicyUrl: 'https://acme.example/privacy',
		storesPersonalData: 'yes',
	})
}

/**
 * An organisation in Berlin; Olga (a vendor, not an admin) registers an app
 * that stores personal data since `storingSince`, so its first report is due
 * by the end of the local day 15 days later. Fay founded it (admin).
 */
async function world(storingSince: Date, name = 'Mail Bridge') {
	const { org, admin } = await createOrg()
	await db.update(organizations).set({ timeZone: BERLIN }).where(eq(organizations.id, org.id))
	const owner = await addMember(org.id, ['member'], 'Olga Owner')
	const app = await createApp(org.id, owner.id, appInput(name))
	await db
		.update(apps)
		.set({ storingSince, storingSinceSource: 'person', createdAt: new Date(storingSince.getTime() - 86_400_000) })
		.where(eq(apps.id, app.id))
	return { org, admin, owner, app }
}

/** Channels that record what they were asked to send. */
function recordingChannels() {
	const emails: { userId: string; subject: string; link?: string; reminderId?: string }[] = []
	const events: { type: string; reminderId?: string; text: string }[] = []
	const channels: ReminderChannels = {
		queueEmail: async (_tx, m) => {
			emails.push({ userId: m.userId, subject: m.subject, link: m.link, reminderId: m.reminderId })
		},
		queueWebhookEvent: async (_tx, _orgId, event) => {
			events.push({ type: event.type, reminderId: event.reminderId, text: event.text })
		},
	}
	return { channels, emails, events }
}

async function remindersOf(orgId: string) {
	return db
		.select()
		.from(reminders)
		.where(eq(reminders.orgId, orgId))
		.orderBy(asc(reminders.firesOn), asc(reminders.kind), asc(reminders.offsetDays))
}

async function notificationsOf(userId: string) {
	return db.select().from(notifications).where(eq(notifications.userId, userId))
}

describe('the reminder pass (issue 13)', () => {
	it('two concurrent passes produce one set: one runs under the lock, the other does nothing', async () => {
		// Last report would be due by the end of 30 March; on 27 March the 3-day reminder fires.
		const { org, owner } = await world(at('2026-03-15T10:00'))
		const now = at('2026-03-27T09:00')
		const { channels, emails, events } = recordingChannels()
		const results = await Promise.all([runReminderPass({ now, channels }), runReminderPass({ now, channels })])
		expect(results.map((result) => result.ran).sort()).toEqual([false, true])
		expect(results.find((result) => result.ran)).toMatchObject({ created: 1, skipped: 0 })
		const rows = await remindersOf(org.id)
		expect(rows.map((row) => [row.kind, row.dueOn, row.offsetDays, row.firesOn])).toEqual([
			['reporting_due', '2026-03-30', 3, '2026-03-27'],
		])
		expect(rows[0]!.link).toMatch(new RegExp(`^/o/${org.slug}/apps/[0-9a-f-]+/reporting$`))
		expect(await notificationsOf(owner.id)).toMatchObject([{ kind: 'reminder', message: rows[0]!.message }])
		expect(emails).toEqual([
			{
				userId: owner.id,
				subject: 'Personal-data report due: Mail Bridge',
				link: rows[0]!.link,
				reminderId: rows[0]!.id,
			},
		])
		expect(events).toEqual([{ type: 'reminder.reporting_due', reminderId: rows[0]!.id, text: rows[0]!.message }])
	})

	it('two passes that both got past the lock (two servers, no lock) still store and send each reminder once', async () => {
		const { org, owner } = await world(at('2026-03-15T10:00'))
		const now = at('2026-03-27T09:00')
		const { channels, emails } = recordingChannels()
		const results = await Promise.all([
			runOrgReminders(org.id, { now, channels }),
			runOrgReminders(org.id, { now, channels }),
		])
		expect(results.map((result) => result.created).sort()).toEqual([0, 1])
		expect(results.map((result) => result.skipped).sort()).toEqual([0, 1])
		expect(await remindersOf(org.id)).toHaveLength(1)
		expect(await notificationsOf(owner.id)).toHaveLength(1)
		expect(emails).toHaveLength(1)
	})

	it('a second pass the same day creates nothing and sends nothing', async () => {
		const { org, owner } = await world(at('2026-03-15T10:00'))
		const { channels, emails, events } = recordingChannels()
		expect(await runReminderPass({ now: at('2026-03-27T00:30'), channels })).toMatchObject({ created: 1, skipped: 0 })
		expect(await runReminderPass({ now: at('2026-03-27T23:30'), channels })).toEqual({
			created: 0,
			skipped: 1,
			ran: true,
		})
		expect(await remindersOf(org.id)).toHaveLength(1)
		expect(await notificationsOf(owner.id)).toHaveLength(1)
		expect(emails).toHaveLength(1)
		expect(events).toHaveLength(1)
	})

	it('a pass while another holds the lock does nothing', async () => {
		await world(at('2026-03-15T10:00'))
		const { channels, emails } = recordingChannels()
		// Held until released; on PostgreSQL the work starts once a connection is reserved, so wait for it.
		let release = () => {}
		let holder: Promise<unknown> = Promise.resolve()
		await new Promise<void>((started) => {
			holder = withAdvisoryLock(
				'reminders',
				() =>
					new Promise<void>((resolve) => {
						release = resolve
						started()
					}),
			)
		})
		expect(await runReminderPass({ now: at('2026-03-27T09:00'), channels })).toEqual({
			created: 0,
			skipped: 0,
			ran: false,
		})
		release()
		await holder
		expect(emails).toEqual([])
	})

	it('each offset fires on the right local day across the spring DST change (Europe/Berlin, 29 March 2026)', async () => {
		// Due by the end of Monday 30 March; Sunday 29 March has 23 hours.
		const { org } = await world(at('2026-03-15T10:00'))
		const { channels } = recordingChannels()
		for (let day = 20; day <= 31; day++) {
			for (const time of ['00:10', '23:50']) {
				await runReminderPass({ now: at(`2026-03-${String(day).padStart(2, '0')}T${time}`), channels })
			}
		}
		const rows = await remindersOf(org.id)
		expect(
			rows.filter((row) => row.kind === 'reporting_due').map((row) => [row.offsetDays, row.firesOn, row.dueOn]),
		).toEqual([
			[7, '2026-03-23', '2026-03-30'],
			[3, '2026-03-27', '2026-03-30'],
			[1, '2026-03-29', '2026-03-30'],
			[0, '2026-03-30', '2026-03-30'],
		])
		expect(rows.filter((row) => row.kind === 'reporting_overdue').map((row) => [row.offsetDays, row.firesOn])).toEqual([
			[-1, '2026-03-31'],
		])
	})

	it('each offset fires on the right local day across the autumn DST change (25 October 2026), with offsets the organisation chose', async () => {
		const { org, admin } = await world(at('2026-10-11T23:30'))
		await updateReminderSettings(
			org.id,
			admin.id,
			{ reportingOffsetsDays: [2, 1], taskOffsetsDays: [3, 0], escalateAfterDays: 3, reviewWaitDays: 3 },
			1,
		)
		const { channels } = recordingChannels()
		for (let day = 17; day <= 26; day++) {
			for (const time of ['00:10', '23:50']) await runReminderPass({ now: at(`2026-10-${day}T${time}`), channels })
		}
		expect((await remindersOf(org.id)).map((row) => [row.kind, row.offsetDays, row.firesOn])).toEqual([
			['reporting_due', 2, '2026-10-24'],
			['reporting_due', 1, '2026-10-25'],
		])
	})

	it('overdue reminders go to the app’s owners daily; after the escalation days the admins are told, once', async () => {
		const { org, admin, owner } = await world(at('2026-03-01T10:00'))
		// Due by the end of 16 March.
		const { channels, emails } = recordingChannels()
		for (const day of ['17', '18', '19', '20']) await runReminderPass({ now: at(`2026-03-${day}T08:00`), channels })
		const rows = await remindersOf(org.id)
		expect(rows.map((row) => [row.kind, row.offsetDays, row.firesOn])).toEqual([
			['reporting_overdue', -1, '2026-03-17'],
			['reporting_overdue', -2, '2026-03-18'],
			['escalation', -3, '2026-03-19'],
			['reporting_overdue', -3, '2026-03-19'],
			['reporting_overdue', -4, '2026-03-20'],
		])
		const toAdmin = await notificationsOf(admin.id)
		expect(toAdmin.map((row) => row.message)).toEqual([
			'Escalated: Mail Bridge’s personal-data report is overdue by 3 days (due Mon 16 Mar 2026). Its owners have been reminded.',
		])
		expect(await notificationsOf(owner.id)).toHaveLength(4)
		expect(emails.filter((email) => email.userId === admin.id).map((email) => email.subject)).toEqual([
			'Escalated: overdue: Mail Bridge',
		])
	})

	it('a person who is both the app’s owner and the only admin is reminded once a day, not escalated to as well', async () => {
		const { org, admin } = await createOrg()
		await db.update(organizations).set({ timeZone: BERLIN }).where(eq(organizations.id, org.id))
		const app = await createApp(org.id, admin.id, appInput('Solo Sync'))
		const since = at('2026-03-01T10:00')
		await db
			.update(apps)
			.set({ storingSince: since, storingSinceSource: 'person', createdAt: new Date(since.getTime() - 86_400_000) })
			.where(eq(apps.id, app.id))
		const { channels, emails } = recordingChannels()
		for (const day of ['17', '18', '19', '20']) await runReminderPass({ now: at(`2026-03-${day}T08:00`), channels })
		// The escalation is still kept (the audit of what was due), but nobody is left to tell who was not told already.
		expect((await remindersOf(org.id)).map((row) => row.kind)).toContain('escalation')
		const told = (await notificationsOf(admin.id)).map((row) => row.message)
		expect(told).toHaveLength(4)
		expect(told.filter((message) => message.startsWith('Escalated'))).toEqual([])
		expect(emails.filter((email) => email.subject.startsWith('Escalated'))).toEqual([])
	})

	it('honours each person’s channels: in-app off, email as a digest, webhooks off', async () => {
		const { org, owner } = await world(at('2026-03-15T10:00'))
		const second = await addMember(org.id, ['member'], 'Sam Second')
		const [app] = await db.select().from(apps).where(eq(apps.orgId, org.id))
		await setOwners(org.id, owner.id, app!.id, [owner.id, second.id])
		// Olga: no in-app, email at once, no webhooks. Sam: in-app, a daily digest, no webhooks.
		await saveNotificationPreferences(org.id, owner.id, {
			inApp: false,
			email: true,
			emailMode: 'immediate',
			webhooks: false,
		})
		await saveNotificationPreferences(org.id, second.id, {
			inApp: true,
			email: true,
			emailMode: 'digest',
			webhooks: false,
		})
		const { channels, emails, events } = recordingChannels()
		expect(await runReminderPass({ now: at('2026-03-27T09:00'), channels })).toMatchObject({ created: 1 })
		expect(await notificationsOf(owner.id)).toEqual([])
		expect(await notificationsOf(second.id)).toMatchObject([{ kind: 'reminder', readAt: null }])
		expect(emails.map((email) => email.userId)).toEqual([owner.id])
		// Everyone it concerns turned webhooks off: the chat channel stays quiet.
		expect(events).toEqual([])

		// Sam turns in-app off but keeps the digest: the reminder is kept, already read, for the digest.
		await saveNotificationPreferences(org.id, second.id, {
			inApp: false,
			email: true,
			emailMode: 'digest',
			webhooks: true,
		})
		await runReminderPass({ now: at('2026-03-29T09:00'), channels })
		const sams = await notificationsOf(second.id)
		expect(sams).toHaveLength(2)
		expect(sams.filter((row) => row.readAt !== null)).toHaveLength(1)
		expect(events.map((event) => event.type)).toEqual(['reminder.reporting_due'])
		// The changes are in the audit log under each person.
		const audit = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'user.notification_preferences_changed')))
		expect(audit.map((row) => row.actorUserId).sort()).toEqual([owner.id, second.id, second.id].sort())
	})

	it('through the real email channel: an email to the owner lands in the outbox with the item’s link', async () => {
		const { org, owner } = await world(at('2026-03-15T10:00'))
		await runReminderPass({ now: at('2026-03-27T09:00') })
		const outbox = await db.select().from(emailOutbox).where(eq(emailOutbox.orgId, org.id))
		expect(outbox).toHaveLength(1)
		expect(outbox[0]).toMatchObject({ userId: owner.id, subject: 'Personal-data report due: Mail Bridge' })
		expect(outbox[0]!.textBody).toContain(`/o/${org.slug}/apps/`)
		expect(outbox[0]!.textBody).toContain(`/o/${org.slug}/notifications/settings`)
	})

	it('a request waiting for review longer than the wait goes to the reviewers who may decide it, not its author', async () => {
		const w = await reviewWorld()
		const requestId = await submittedRequest(w)
		const { channels } = recordingChannels()
		const now = new Date(Date.now() + 4 * 86_400_000)
		await runReminderPass({ now, channels })
		const rows = (await remindersOf(w.org.id)).filter((row) => row.kind === 'review_waiting')
		expect(rows).toMatchObject([{ subjectType: 'request', subjectId: requestId }])
		const reminderTo = async (userId: string) =>
			(await notificationsOf(userId)).filter((row) => row.kind === 'reminder').map((row) => row.message)
		expect(await reminderTo(w.reviewer.id)).toEqual(['The request for Mail Bridge has waited 4 days for review.'])
		expect(await reminderTo(w.reviewer2.id)).toHaveLength(1)
		// Fay wrote the request: four eyes keeps her out of its review, and its reminders.
		expect(await reminderTo(w.admin.id)).toEqual([])
	})
})

describe('app owners (issue 13, point 3)', () => {
	it('the creator owns a new app; owners are editable, audited, members only', async () => {
		const { org, admin } = await createOrg()
		const vendor = await addMember(org.id, ['member'], 'Vera Vendor')
		const app = await createApp(org.id, vendor.id, appInput())
		expect(await listOwners(org.id, app.id)).toEqual({
			owners: [{ userId: vendor.id, name: 'Vera Vendor' }],
			fallback: null,
		})
		await setOwners(org.id, admin.id, app.id, [admin.id])
		expect((await listOwners(org.id, app.id)).owners.map((owner) => owner.name)).toEqual(['Fay Founder'])
		const [audit] = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'app.owners_changed')))
		expect(audit).toMatchObject({
			actorUserId: admin.id,
			subjectId: app.id,
			before: { owners: ['Vera Vendor'] },
			after: { owners: ['Fay Founder'] },
		})

		const other = await createOrg('Other Org')
		await expect(setOwners(org.id, admin.id, app.id, [other.admin.id])).rejects.toMatchObject({
			status: 400,
			message: 'Owners must be members of this organisation.',
		})
		await expect(setOwners(org.id, admin.id, app.id, [])).rejects.toMatchObject({ status: 400 })
		// Another organisation cannot touch this app.
		await expect(setOwners(other.org.id, other.admin.id, app.id, [other.admin.id])).rejects.toMatchObject({
			status: 404,
		})
	})

	it('an app without owners reminds its creator; without a creator who is still a member, the admins', async () => {
		const { org, admin, owner, app } = await world(at('2026-03-15T10:00'))
		await db.delete(appOwners).where(eq(appOwners.appId, app.id))
		expect((await listOwners(org.id, app.id)).fallback).toBe('creator')
		const { channels } = recordingChannels()
		await runReminderPass({ now: at('2026-03-23T09:00'), channels })
		expect(await notificationsOf(owner.id)).toHaveLength(1)

		await db.update(apps).set({ createdBy: null }).where(eq(apps.id, app.id))
		expect((await listOwners(org.id, app.id)).fallback).toBe('admins')
		await runReminderPass({ now: at('2026-03-27T09:00'), channels })
		expect(await notificationsOf(admin.id)).toHaveLength(1)
	})
})

describe('reminder settings', () => {
	it('a save over someone else’s is refused; the change is audited', async () => {
		const { org, admin } = await createOrg()
		const settings = {
			reportingOffsetsDays: [14, 7, 0],
			taskOffsetsDays: [3, 0],
			escalateAfterDays: 5,
			reviewWaitDays: 2,
		}
		await updateReminderSettings(org.id, admin.id, settings, 1)
		await expect(updateReminderSettings(org.id, admin.id, settings, 1)).rejects.toMatchObject({ status: 409 })
		const audit = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'org.reminder_settings_changed')))
		expect(audit).toHaveLength(1)
		expect(audit[0]!.after).toMatchObject({ reportingOffsetsDays: [14, 7, 0], escalateAfterDays: 5 })
	})
})
