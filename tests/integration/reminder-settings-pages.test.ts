import { describe, expect, it } from 'vitest'
import { action as preferencesAction, loader as preferencesLoader } from '~/routes/o.$org.notifications_.settings'
import { action as settingsAction, loader as settingsLoader } from '~/routes/o.$org.settings'
import { getNotificationPreferences, getReminderSettings } from '~/services/reminder-settings.server'
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
