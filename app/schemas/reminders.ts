import { z } from 'zod'
import { parseOffsets } from '~/domain/reminder-plan'
import { days } from './text'

/** "7, 3, 1, 0" → [7, 3, 1, 0], or the reason it cannot be read. */
const offsets = z.string('Enter the days, for example 7, 3, 1, 0.').transform((text, context) => {
	const parsed = parseOffsets(text)
	if (!parsed.ok) {
		context.addIssue({ code: 'custom', message: parsed.message })
		return z.NEVER
	}
	return parsed.value
})

/** The organisation's reminder policy as the settings form sends it, with the version it was opened at. */
export const ReminderSettingsSchema = z.object({
	reportingOffsetsDays: offsets,
	taskOffsetsDays: offsets,
	escalateAfterDays: days('escalation period', 0, 365),
	reviewWaitDays: days('review wait', 1, 365),
	version: z.coerce.number('Reload the page and try again.').int().positive(),
})

/** A checkbox sends "on" when ticked and nothing when not. */
const checkbox = z.preprocess((value) => value === 'on' || value === 'true', z.boolean())

export const NotificationPreferencesSchema = z.object({
	inApp: checkbox,
	email: checkbox,
	emailMode: z.enum(['immediate', 'digest'], 'Choose when email is sent.'),
	webhooks: checkbox,
})
