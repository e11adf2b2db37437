import { z } from 'zod'

const blank = (value: unknown) => (value === '' ? undefined : value)

/** The outbox page's query string: which page, and which emails (GET: reading never changes anything). */
export const OutboxQuerySchema = z.object({
	status: z.preprocess(
		blank,
		z.enum(['pending', 'sent', 'failed', 'held'], { error: 'Pick a status from the list.' }).optional(),
	),
	page: z.preprocess(
		blank,
		z.coerce
			.number({ error: 'The page must be a whole number from 1.' })
			.int('The page must be a whole number from 1.')
			.min(1, 'The page must be a whole number from 1.')
			.max(100_000, 'There is no such page.')
			.default(1),
	),
})

export function parseOutboxQuery(url: URL) {
	const parsed = OutboxQuerySchema.safeParse({
		status: url.searchParams.get('status') ?? undefined,
		page: url.searchParams.get('page') ?? undefined,
	})
	if (!parsed.success) return { ok: false as const, error: parsed.error.issues[0]?.message ?? 'Invalid query.' }
	return { ok: true as const, ...parsed.data }
}
