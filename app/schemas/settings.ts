import { z } from 'zod'
import { isValidTimeZone } from '~/domain/reporting-cycle'
import { canonicalTimeZone } from '~/domain/zoned-time'
import { SignupSchema } from './auth'
import { days } from './text'

/** An IANA zone the runtime knows; Intl throws RangeError for anything else. */

export const OrgSettingsSchema = z.object({
	timeZone: z
		.string()
		.trim()
		.min(1, 'Enter a time zone, for example Europe/Berlin.')
		.max(100, 'That is too long for a time zone.')
		.refine(
			isValidTimeZone,
			'Unknown time zone. Pick one from the list, such as Europe/Berlin, America/New_York or UTC.',
		)
		// Stored as the zone spells itself: "europe/berlin" is kept as Europe/Berlin.
		.transform((zone) => canonicalTimeZone(zone) ?? zone),
	followUpDays: days('follow-up period', 1, 60),
	taskDueDays: days('task due period', 1, 365),
})

export type OrgSettings = z.infer<typeof OrgSettingsSchema>

/** The form adds the version it was opened at: a save over someone else's is refused, not silently reverted. */
export const SaveOrgSettingsSchema = OrgSettingsSchema.extend({
	version: z.coerce.number('Reload the page and try again.').int().positive(),
})

/**
 * Renaming the organisation (issue 17, point 5): the same rules as the name
 * given at sign-up. Only the name changes; the slug in its web address stays.
 */
export const RenameOrgSchema = z.object({
	name: SignupSchema.shape.orgName,
	version: z.coerce.number('Reload the page and try again.').int().positive(),
})
