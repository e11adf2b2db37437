import { z } from 'zod'
import { isBeforeEarliestYear, isCalendarDay, TOO_EARLY_MESSAGE } from '~/domain/calendar-day'
import { CYCLE_UNITS } from '~/domain/cycle-period'
import { ATLASSIAN_API_DEFAULT_CYCLE_DAYS, DEFAULT_CYCLE_DAYS, validateCycleDays } from '~/domain/reporting-cycle'
import { keyText, multilineText, searchText } from './text'

// Shared by the browser and the actions (docs/architecture.md › Routes and forms); no server code here.

/** Rejected import rows listed back to the person; the count covers the rest. */
export const MAX_REJECTED_LISTED = 50

export const REPORTING_LIMITS = { search: 128, cyclePeriod: 200, answers: 1_000_000, reason: 1_000 } as const

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
		/** Needed (with a reason) only for a cycle longer than the one Atlassian set by header. */
		confirmLonger: checkbox,
		reason: multilineText().max(REPORTING_LIMITS.reason, 'Keep the reason under 1,000 characters.').optional(),
	})
	.transform((value, context) => {
		const raw = value.cycle === 'custom' ? (value.customDays ?? '') : value.cycle
		const days = validateCycleDays(raw)
		if (!days.ok) {
			context.addIssue({
				code: 'custom',
				path: ['customDays'],
				message: `Enter a cycle from 1 to 90 days: ${days.reason}.`,
			})
			return z.NEVER
		}
		return { cycleDays: days.value, confirmLonger: value.confirmLonger, reason: value.reason ?? '' }
	})

export const RunFieldsSchema = z.object({
	sentAt: z.string().trim().min(1, 'Enter when the report was sent.'),
	preparedReport: z.uuid('Choose the prepared report whose batches were sent.'),
	cyclePeriod: keyText()
		.max(REPORTING_LIMITS.cyclePeriod, 'That is not a Cycle-Period header value.')
		.optional()
		.transform((value) => value || null),
	answers: multilineText({ trim: false })
		.max(REPORTING_LIMITS.answers, 'The answers are too long to paste; upload them as a file.')
		.optional()
		.transform((value) => value ?? ''),
})

/**
 * The reporting page's own actions; `intent` picks one (docs/architecture.md › Routes and forms). Importing
 * the ledger and recording a run post to routes of their own (ImportActionSchema, RunActionSchema).
 */
export const ReportingActionSchema = z.discriminatedUnion('intent', [
	z.object({
		intent: z.literal('cycle'),
		cycle: z.string().optional(),
		customDays: z.string().optional(),
		confirmLonger: z.string().optional(),
		reason: z.string().optional(),
	}),
	z.object({ intent: z.literal('complete'), taskId: z.uuid('No such task.') }),
	z.object({ intent: z.literal('reopen'), taskId: z.uuid('No such task.') }),
	z.object({ intent: z.literal('prepare') }),
	z.object({ intent: z.literal('storing-since'), storingSince: z.string().optional() }),
	z.object({ intent: z.literal('keep-storing-since') }),
	z.object({
		intent: z.literal('header-cycle'),
		runId: z.uuid('No such report run.'),
		decision: z.enum(['confirm', 'dismiss'], 'Confirm or dismiss the value.'),
		unit: z.enum(CYCLE_UNITS).optional().catch(undefined),
		reason: multilineText().max(REPORTING_LIMITS.reason, 'Keep the reason under 1,000 characters.').optional(),
	}),
])

/** The ledger import (`…/reporting/import`): the file itself is read from the upload. */
export const ImportActionSchema = z.object({ intent: z.literal('import'), atomic: checkbox })

/** The import route's forms: an upload, or stopping an import job that is under way. */
export const ImportRouteSchema = z.discriminatedUnion('intent', [
	ImportActionSchema,
	z.object({ intent: z.literal('cancel-import'), jobId: z.uuid('No such import.') }),
])

/** Recording a report run (`…/reporting/runs`); RunFieldsSchema then checks the fields. */
export const RunActionSchema = z.object({
	intent: z.literal('run'),
	sentAt: z.string().optional(),
	preparedReport: z.string().optional(),
	cyclePeriod: z.string().optional(),
	answers: z.string().optional(),
})

/** "Storing personal data since": a calendar date in the organisation's zone. */
export const StoringSinceSchema = z.object({
	storingSince: z
		.string('Enter the date the app started storing personal data.')
		.trim()
		.refine((value) => !isBeforeEarliestYear(value), TOO_EARLY_MESSAGE)
		.refine(isCalendarDay, 'Enter the date the app started storing personal data, like 2026-03-31.'),
})

/** An account id the ledger's links carry (`after`, `before`, `from`): compared, never stored; anything else is ignored. */
const ledgerKey = z
	.string()
	.trim()
	.min(1)
	.max(REPORTING_LIMITS.search)
	.refine((value) => !value.includes('\u0000'))
	.optional()
	.catch(undefined)

/**
 * Where the ledger page stands (keyset pages by account id, docs/performance.md › Indexes):
 * `q` an account-id prefix; `after` the page after that id, `before` the page before it,
 * `from` the page starting at that id (or the next one), `last=1` the last page; none of them: the first page.
 */
export const LedgerQuerySchema = z.object({
	q: searchText(REPORTING_LIMITS.search),
	after: ledgerKey,
	before: ledgerKey,
	from: ledgerKey,
	last: z
		.enum(['1'])
		.optional()
		.catch(undefined)
		.transform((value) => value === '1'),
})

/** The reporting page's query parameters for a page of open tasks (a task's id; anything else is the first page). */
export const TASK_PAGE_PARAMS = ['tasksAfter', 'tasksBefore'] as const

const taskKey = z.string().trim().uuid().optional().catch(undefined)

export const TaskPageQuerySchema = z
	.object({ tasksAfter: taskKey, tasksBefore: taskKey })
	.transform(({ tasksAfter, tasksBefore }) => ({ after: tasksAfter, before: tasksBefore }))

export const BatchFormatSchema = z.enum(['json', 'ndjson']).catch('json')

export const DASHBOARD_FILTERS = ['all', 'overdue', 'answer_needed', 'due_soon', 'on_track', 'not_required'] as const
export type DashboardFilter = (typeof DASHBOARD_FILTERS)[number]

export const DashboardQuerySchema = z.object({
	status: z.enum(DASHBOARD_FILTERS).catch('all'),
	q: searchText(120),
	page: z.coerce.number().int().min(1).max(100_000).catch(1),
})
