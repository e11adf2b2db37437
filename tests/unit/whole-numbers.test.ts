import { describe, expect, it } from 'vitest'
import { ReminderSettingsSchema } from '~/schemas/reminders'
import { CorrectDateSchema } from '~/schemas/review'
import { OrgSettingsSchema } from '~/schemas/settings'

// A number typed in a form is read from digits only: Number() reads "" as 0, "0x10" as 16, "1e1" as 10, "+5" as 5.
const LOOSE = ['', '   ', '0x10', '1e1', '+5', '7.0', '١٢']

describe('whole numbers typed in forms', () => {
	const reminders = {
		reportingOffsetsDays: '7, 3, 1, 0',
		taskOffsetsDays: '3, 0',
		escalateAfterDays: '2',
		reviewWaitDays: '3',
		version: '1',
	}

	it('reads digits, with spaces around, as the number', () => {
		expect(ReminderSettingsSchema.parse({ ...reminders, escalateAfterDays: ' 0 ' }).escalateAfterDays).toBe(0)
		expect(ReminderSettingsSchema.parse(reminders).reviewWaitDays).toBe(3)
	})

	it.each(LOOSE)('refuses %j as a number of days, with the field’s own message', (typed) => {
		const parsed = ReminderSettingsSchema.safeParse({ ...reminders, escalateAfterDays: typed })
		expect(parsed.success).toBe(false)
		expect(parsed.error?.issues[0]).toMatchObject({
			path: ['escalateAfterDays'],
			message: expect.stringContaining('the escalation period'),
		})
	})

	it('keeps the range messages', () => {
		const parsed = ReminderSettingsSchema.safeParse({ ...reminders, reviewWaitDays: '0' })
		expect(parsed.error?.issues[0]?.message).toBe('The review wait is at least 1 day.')
	})

	it('refuses a loose number as the organisation’s periods and as the date to correct', () => {
		const settings = OrgSettingsSchema.safeParse({
			timeZone: 'UTC',
			followUpDays: '0x10',
			taskDueDays: '30',
			version: '1',
		})
		expect(settings.error?.issues.map((issue) => issue.path[0])).toContain('followUpDays')
		for (const eventId of ['0x4', '1e1', '']) {
			const corrected = CorrectDateSchema.safeParse({
				intent: 'correct_date',
				version: '1',
				eventId,
				correctedOn: '2026-01-05',
				reason: 'Typed the wrong month',
			})
			expect(corrected.error?.issues.map((issue) => issue.path[0])).toContain('eventId')
		}
	})
})
