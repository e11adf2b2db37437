import { z } from 'zod'
import { ATLASSIAN_API_DEFAULT_CYCLE_DAYS, DEFAULT_CYCLE_DAYS, validateCycleDays } from '~/domain/reporting-cycle'

// Shared by the browser and the actions (style.md habit 3); no server code here.

/** Rejected import rows listed back to the person; the count covers the rest. */
export const MAX_REJECTED_LISTED = 50

export const REPORTING_LIMITS = { search: 128, cyclePeriod: 200, answers: 1_000_000 } as const

const checkbox = z
	.enum(['1', 'on', 'true'])
	.optional()
	.catch(undefined)
	.transform((value) => value !== undefined)

/** The cycle form: the guideline's 15, Atlassian's API default 7, or a number of the organisation's choosing. */
export const CycleSchema = z
	.object({
		cycle: z.enum([String(DEFAULT_CYCLE_DAYS), String(ATLASSIAN_API_DEFAULT_CYCLE_DAYS), 'custom'], 'Choose a cycle.'),
		customDays: z.string().trim().optional(),
	})
	.transform((value, context) => {
		const raw = value.cycle === 'custom' ? (value.customDays ?? '') : value.cycle
		const days = validateCycleDays(raw)
		if (!days.ok) {
			context.addIssue({ code: 'custom', path: ['customDays'], message: `Enter a cycle from 1 to 90 days: ${days.reason}.` })
			return z.NEVER
		}
		return { cycleDays: days.value }
	})

export const RunFieldsSchema = z.object({
	sentAt: z.string().trim().min(1, 'Enter when the report was sent.'),
	cyclePeriod: z
		.string()
		.trim()
		.max(REPORTING_LIMITS.cyclePeriod, 'That is not a Cycle-Period header value.')
		.optional()
		.transform((value) => value || null),
	answers: z
		.string()
		.max(REPORTING_LIMITS.answers, 'The answers are too long to paste; upload them as a file.')
		.optional()
		.transform((value) => value ?? ''),
})

/** The reporting page posts several actions; `intent` picks one (style.md habit 4). */
export const ReportingActionSchema = z.discriminatedUnion('intent', [
	z.object({ intent: z.literal('cycle'), cycle: z.string().optional(), customDays: z.string().optional() }),
	z.object({ intent: z.literal('import'), atomic: checkbox }),
	z.object({ intent: z.literal('run'), sentAt: z.string().optional(), cyclePeriod: z.string().optional(), answers: z.string().optional() }),
	z.object({ intent: z.literal('complete'), taskId: z.uuid('No such task.') }),
])

export const LedgerQuerySchema = z.object({
	q: z.string().trim().max(REPORTING_LIMITS.search).catch(''),
	page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
})

export const BatchFormatSchema = z.enum(['json', 'ndjson']).catch('json')

export const DASHBOARD_FILTERS = ['all', 'overdue', 'due_soon', 'on_track', 'not_required'] as const
export type DashboardFilter = (typeof DASHBOARD_FILTERS)[number]

export const DashboardQuerySchema = z.object({
	status: z.enum(DASHBOARD_FILTERS).catch('all'),
	q: z.string().trim().max(120).catch(''),
	page: z.coerce.number().int().min(1).max(100_000).catch(1),
})
