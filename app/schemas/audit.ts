import { z } from 'zod'
import { isBeforeEarliestYear, isCalendarDay, TOO_EARLY_MESSAGE } from '~/domain/calendar-day'

const day = z
	.string()
	.trim()
	.refine((value) => !isBeforeEarliestYear(value), TOO_EARLY_MESSAGE)
	.refine(isCalendarDay, 'Enter a real date, like 2026-03-31.')
const blank = (value: unknown) => (value === '' ? undefined : value)

/** The audit log's filter, from the query string (GET: filtering never changes anything). */
export const AuditFilterSchema = z.object({
	action: z.preprocess(
		blank,
		z
			.string()
			.trim()
			.max(100)
			.regex(/^[a-z_.]+$/, 'Pick an action from the list.')
			.optional(),
	),
	actor: z.preprocess(blank, z.uuid('Pick a person from the list.').optional()),
	from: z.preprocess(blank, day.optional()),
	to: z.preprocess(blank, day.optional()),
	before: z.preprocess(blank, z.coerce.number().int().positive().optional()),
})

export function parseAuditFilter(url: URL) {
	const parsed = AuditFilterSchema.safeParse(Object.fromEntries(url.searchParams))
	if (!parsed.success) return { ok: false as const, error: parsed.error.issues[0]?.message ?? 'Invalid filter.' }
	const { action, actor, from, to, before } = parsed.data
	return { ok: true as const, filter: { action, actorUserId: actor, from, to }, before }
}
