import { describe, expect, it } from 'vitest'
import { action as appAction, loader as appLoader } from '~/routes/o.$org.apps.$appId'
import { action as preferencesAction, loader as preferencesLoader } from '~/routes/o.$org.notifications_.settings'
import { action as settingsAction, loader as settingsLoader } from '~/routes/o.$org.settings'
import { listOwners } from '~/services/app-owners.server'
import { getNotificationPreferences, getReminderSettings } from '~/services/reminder-settings.server'
import { createTestApp } from '../fixtures/requests'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

const reminderForm = (overrides: Record<string, string> = {}) => ({
	reportingOffsetsDays: '14, 7, 1, 0',
	taskOffsetsDays: '5, 0',
	escalateAfterDays: '2',
	reviewWaitDays: '4',
	version: '1',
	...overrides,
})

describe('the organisation’s reminder settings on the settings page (issue 13)', () => {
	it('an admin saves offsets typed as “14, 7, 1, 0”; bad input says what is wrong and saves nothing', async () => {
		const { org, admin } = await createOrg()
		const { cookie } = await cookieFor(admin.id)
		const url = `/o/${org.slug}/settings?form=reminders`
		const page = await runRoute(settingsLoader, makeRequest(`/o/${org.slug}/settings`, { cookie }), { org: org.slug })
		expect(page.data).toMatchObject({ reminders: { reportingOffsetsDays: [7, 3, 1, 0], version: 1 } })

		const bad = await runRoute(
			settingsAction,
			makeRequest(url, { cookie, form: reminderForm({ reportingOffsetsDays: '7, soon', reviewWaitDays: '0' }) }),
			{ org: org.slug },
		)
		expect(bad.status).toBe(400)
		expect(bad.data).toMatchObject({
			notice: null,
			reminders: {
				errors: {
					reportingOffsetsDays: '“soon” is not a whole number of days. Write them like 7, 3, 1, 0.',
					reviewWaitDays: 'The review wait is at least 1 day.',
				},
				values: { reportingOffsetsDays: '7, soon' },
			},
		})
		expect((await getReminderSettings(org.id)).reportingOffsetsDays).toEqual([7, 3, 1, 0])

		const saved = await runRoute(settingsAction, makeRequest(url, { cookie, form: reminderForm() }), { org: org.slug })
		expect(saved).toMatchObject({ status: 200, data: { reminders: { notice: 'Reminder settings saved.' } } })
		expect(await getReminderSettings(org.id)).toEqual({
			reportingOffsetsDays: [14, 7, 1, 0],
			taskOffsetsDays: [5, 0],
			escalateAfterDays: 2,
			reviewWaitDays: 4,
			version: 2,
		})
		// The same form sent again (opened before that save): refused, not silently reverting.
		const stale = await runRoute(
			settingsAction,
			makeRequest(url, { cookie, form: reminderForm({ escalateAfterDays: '9' }) }),
			{
				org: org.slug,
			},
		)
		expect(stale.status).toBe(409)
		expect(stale.data).toMatchObject({ reminders: { formError: expect.stringContaining('Someone else saved') } })
	})

	it('a vendor who is not an admin cannot change them', async () => {
		const { org } = await createOrg()
		const vendor = await addMember(org.id, ['member'])
		const { cookie } = await cookieFor(vendor.id)
		const refused = await runRoute(
			settingsAction,
			makeRequest(`/o/${org.slug}/settings?form=reminders`, { cookie, form: reminderForm() }),
			{ org: org.slug },
		)
		expect(refused.status).toBe(403)
		expect((await getReminderSettings(org.id)).version).toBe(1)
	})
})

describe('a person’s reminder settings page', () => {
	it('shows the defaults (everything on, email at once) and saves what the person chose, for them only', async () => {
		const { org, admin } = await createOrg()
		const vendor = await addMember(org.id, ['member'], 'Vera Vendor')
		const { cookie } = await cookieFor(vendor.id)
		const url = `/o/${org.slug}/notifications/settings`
		const page = await runRoute(preferencesLoader, makeRequest(url, { cookie }), { org: org.slug })
		expect(page.data).toMatchObject({
			preferences: { inApp: true, email: true, emailMode: 'immediate', webhooks: true },
		})

		// Unticked boxes are not sent at all.
		const saved = await runRoute(
			preferencesAction,
			makeRequest(url, { cookie, form: { email: 'on', emailMode: 'digest' } }),
			{
				org: org.slug,
			},
		)
		expect(saved.data).toMatchObject({ notice: 'Your reminder settings are saved.' })
		expect(await getNotificationPreferences(org.id, vendor.id)).toEqual({
			inApp: false,
			email: true,
			emailMode: 'digest',
			webhooks: false,
		})
		expect(await getNotificationPreferences(org.id, admin.id)).toMatchObject({ inApp: true, emailMode: 'immediate' })

		const bad = await runRoute(preferencesAction, makeRequest(url, { cookie, form: { emailMode: 'hourly' } }), {
			org: org.slug,
		})
		expect(bad.status).toBe(400)
	})
})

describe('the app page’s Owners form (issue 13, point 3)', () => {
	it('the app’s editors and the admins choose its owners; a reviewer may not; names only reach the page', async () => {
		const { org, admin } = await createOrg()
		const vendor = await addMember(org.id, ['member'], 'Vera Vendor')
		const adminOnly = await addMember(org.id, ['admin'], 'Ada Admin')
		const reviewer = await addMember(org.id, ['reviewer'], 'Rita Reviewer')
		const app = await createTestApp(org.id, vendor.id)
		const url = `/o/${org.slug}/apps/${app.id}?form=owners`
		const params = { org: org.slug, appId: app.id }

		const page = await runRoute(appLoader, makeRequest(url, { cookie: (await cookieFor(adminOnly.id)).cookie }), params)
		expect(page.data).toMatchObject({
			canEditOwners: true,
			owners: { owners: [{ userId: vendor.id, name: 'Vera Vendor' }], fallback: null },
		})
		expect(JSON.stringify((page.data as { members: unknown }).members)).not.toContain('@')

		const byAdmin = await runRoute(
			appAction,
			makeRequest(url, { cookie: (await cookieFor(adminOnly.id)).cookie, form: { owners: [vendor.id, admin.id] } }),
			params,
		)
		expect(byAdmin.data).toMatchObject({ intent: 'owners', notice: expect.stringContaining('Owners saved') })
		expect((await listOwners(org.id, app.id)).owners.map((owner) => owner.name)).toEqual(['Fay Founder', 'Vera Vendor'])

		const none = await runRoute(
			appAction,
			makeRequest(url, { cookie: (await cookieFor(vendor.id)).cookie, form: { intent: 'owners' } }),
			params,
		)
		expect(none).toMatchObject({ status: 400, data: { formError: 'Pick at least one owner.' } })

		const byReviewer = await runRoute(
			appAction,
			makeRequest(url, { cookie: (await cookieFor(reviewer.id)).cookie, form: { owners: [reviewer.id] } }),
			params,
		)
		expect(byReviewer.status).toBe(403)
		expect((await listOwners(org.id, app.id)).owners).toHaveLength(2)
	})
})
