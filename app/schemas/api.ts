import { z } from 'zod'
import { API_SCOPES } from '~/domain/api-keys'
import { APP_TYPES, PRODUCTS } from '~/domain/catalogue'
import { ENGINE_OUTCOMES, REQUIRED_CHECK_IDS, WARNING_IDS, type ChecklistResult } from '~/domain/checklist'
import { MAX_BATCH } from '~/domain/report-batches'
import { CYCLE_SOURCES, MAX_CYCLE_DAYS, MIN_CYCLE_DAYS, REPORTING_STATES } from '~/domain/reporting-cycle'
import { AppSchema } from './apps'
import { keyText, multilineText } from './text'

/**
 * The REST API's bodies and answers under /api/v1 (docs/architecture.md ›
 * REST API), one zod schema each. The routes parse requests with them and
 * type their answers by them, and `app/schemas/openapi.ts` turns the same
 * schemas into the OpenAPI document: what is documented is what runs.
 * Every schema here is registered under its name in the document.
 */

export type ApiSchemaMeta = { id: string; title?: string; description?: string }
/** Schemas named in the OpenAPI document's components. */
export const apiRegistry = z.registry<ApiSchemaMeta>()

function named<T extends z.ZodType>(schema: T, id: string, description: string): T {
	apiRegistry.add(schema, { id, description })
	return schema
}

/** Accounts one push may carry; the endpoint's body limit admits that many of the longest. */
export const MAX_PUSHED_ACCOUNTS = 10_000
/** Batch answers one run may carry (a ledger of 1.8 million accounts). */
export const MAX_RUN_RESPONSES = 20_000
export const API_LIMITS = { cyclePeriod: 200, cycleReason: 1_000, cursor: 200, idempotencyKey: 255 } as const

// ── Shared pieces ───────────────────────────────────────────────────────

/** RFC 3339 date-time with `Z` or an offset, as the API reads and writes them. */
const dateTime = (description: string) =>
	z.iso
		.datetime({ offset: true, message: 'Use an RFC 3339 date-time with Z or an offset, such as 2026-03-01T09:30:00Z.' })
		.describe(description)

type UrlField = 'marketplaceListingUrl' | 'privacyPolicyUrl' | 'termsOfUseUrl'
const url = (field: UrlField, description: string) =>
	AppSchema.shape[field].nullable().optional().describe(`${description} \`null\` or "" for none.`)

export const ApiIssueSchema = z.object({
	path: z.string().describe('Where in the body: keys joined with "." ("" for the body itself).'),
	message: z.string(),
})

export const ApiErrorSchema = named(
	z.object({
		error: z.string().describe('What went wrong, in words.'),
		issues: z
			.array(ApiIssueSchema)
			.optional()
			.describe('For a body that could not be accepted: one entry per problem.'),
	}),
	'Error',
	'Every error answer (4xx). Never cached.',
)

// ── Apps ────────────────────────────────────────────────────────────────

export const ApiReportingSchema = named(
	z.object({
		status: z
			.enum(REPORTING_STATES)
			.describe(
				'overdue, answer_needed (the personal-data answer is open), due_soon (within 3 days), on_track, not_required (only for an explicit "no").',
			),
		headline: z.string().describe('Why this status, in one sentence.'),
		cycleDays: z
			.number()
			.describe('The reporting cycle in days; fractional when Atlassian’s Cycle-Period header set one (PT12H is 0.5).'),
		cycleSource: z
			.enum(CYCLE_SOURCES)
			.describe(
				'Why this cycle applies: the Email API guideline (15 days), Atlassian’s guide default (7), its Cycle-Period header, or the organisation’s choice.',
			),
		nextDueAt: dateTime(
			'When the next report is due, in the organisation’s time zone; null for answer_needed and not_required. For an overdue app with nothing recorded to count from, the time of this answer (due now).',
		).nullable(),
		lastReportedAt: dateTime('`sentAt` of the latest recorded report run.').nullable(),
		accounts: z.number().int().min(0).describe('Accounts in the app’s ledger.'),
		openTasks: z.number().int().min(0).describe('Erase and refresh tasks not yet completed.'),
	}),
	'Reporting',
	'The app’s personal-data reporting status (docs/rules.md › Personal-data reporting).',
)

export const ApiAppSchema = named(
	z.object({
		id: z.uuid(),
		name: z.string(),
		appKey: z.string().describe('Connect app key or Forge app id.'),
		appType: z.enum(APP_TYPES),
		products: z.array(z.enum(PRODUCTS)),
		marketplaceListingUrl: z.string().nullable(),
		privacyPolicyUrl: z.string().nullable(),
		termsOfUseUrl: z.string().nullable(),
		storesPersonalData: z.boolean().nullable().describe('true, false, or null while not decided.'),
		storingSince: dateTime(
			'Since when the app stores personal data: the date the status counts from before the first report.',
		).nullable(),
		version: z
			.number()
			.int()
			.min(1)
			.describe('Bumped by every change; send it back with PATCH to refuse a change over someone else’s.'),
		archived: z.boolean(),
		reporting: ApiReportingSchema,
	}),
	'App',
	'A registered app with its reporting status.',
)

export const ApiAppListSchema = named(
	z.object({
		apps: z
			.array(ApiAppSchema)
			.describe('Active apps, most urgent first (overdue, answer needed, due soon, on track, not required).'),
	}),
	'AppList',
	'The organisation’s active apps.',
)

export const ApiAppEnvelopeSchema = named(z.object({ app: ApiAppSchema }), 'AppEnvelope', 'One app.')

const appFields = {
	marketplaceListingUrl: url('marketplaceListingUrl', 'The Marketplace listing URL.'),
	privacyPolicyUrl: url('privacyPolicyUrl', 'The privacy policy URL.'),
	termsOfUseUrl: url('termsOfUseUrl', 'The customer terms-of-use URL.'),
	storingSince: dateTime(
		'Since when the app stores personal data of Atlassian users; the first report is due one cycle after it. Not in the future.',
	).optional(),
	cycleDays: z
		.number()
		.int('The cycle is a whole number of days.')
		.min(MIN_CYCLE_DAYS, `The cycle is ${MIN_CYCLE_DAYS} to ${MAX_CYCLE_DAYS} days.`)
		.max(MAX_CYCLE_DAYS, `The cycle is ${MIN_CYCLE_DAYS} to ${MAX_CYCLE_DAYS} days.`)
		.optional()
		.describe('The reporting cycle in whole days (7 recommended, 15 by default).'),
	cycleReason: multilineText()
		.min(1)
		.max(API_LIMITS.cycleReason)
		.optional()
		.describe(
			'Needed with a cycleDays longer than the cycle Atlassian set by Cycle-Period header: why your organisation chooses it.',
		),
}

export const ApiAppCreateSchema = named(
	z.strictObject({
		name: AppSchema.shape.name.describe(
			'The app’s name as on the Marketplace or in the developer console; no email address.',
		),
		appKey: AppSchema.shape.appKey.describe('Connect app key or Forge app id; unique in the organisation.'),
		appType: AppSchema.shape.appType,
		products: AppSchema.shape.products.describe('jira, confluence or both.'),
		storesPersonalData: z
			.boolean('Answer true, false or null.')
			.nullable()
			.optional()
			.describe('true, false, or null/absent while not decided.'),
		...appFields,
	}),
	'AppCreate',
	'A new app, with the same rules as the form.',
)

export const ApiAppUpdateSchema = named(
	z.strictObject({
		name: AppSchema.shape.name.optional(),
		appKey: AppSchema.shape.appKey.optional(),
		appType: AppSchema.shape.appType.optional(),
		products: AppSchema.shape.products.optional(),
		storesPersonalData: z
			.boolean('Answer true, false or null.')
			.nullable()
			.optional()
			.describe('true, false, or null for not decided; absent leaves it.'),
		...appFields,
		version: z
			.number()
			.int()
			.min(1)
			.optional()
			.describe('The version you read: the change is refused with 409 if the app changed since.'),
	}),
	'AppUpdate',
	'Fields to change; absent fields stay as they are.',
)

// ── Accounts ────────────────────────────────────────────────────────────

export const ApiPushedAccountSchema = z.object({
	accountId: z.string().describe('Atlassian account id: 1–128 letters, digits, "-" and ":". Never an email address.'),
	updatedAt: z
		.string()
		.describe(
			'When the personal data was retrieved: RFC 3339 with Z or an offset (a bare date is 00:00 UTC); not in the future.',
		),
})

export const ApiAccountsPushSchema = named(
	z.strictObject({
		accounts: z
			.array(ApiPushedAccountSchema)
			.max(MAX_PUSHED_ACCOUNTS, `Send at most ${MAX_PUSHED_ACCOUNTS.toLocaleString('en')} accounts per request.`)
			.describe('Upserted by accountId; a later entry for the same id wins.'),
	}),
	'AccountsPush',
	'Accounts the app stores, as the CSV import takes them.',
)

export const ApiRejectedAccountSchema = z.object({
	index: z.number().int().min(0).describe('0-based position in `accounts`.'),
	accountId: z.string().nullable().describe('The value sent; null when it looks like an email address (never echoed).'),
	reason: z.string(),
})

export const ApiAccountsResultSchema = named(
	z.object({
		upserted: z.number().int().min(0).describe('Accounts written (added or updated).'),
		rejected: z.array(ApiRejectedAccountSchema),
	}),
	'AccountsResult',
	'Answered once the write is done.',
)

export const ApiAccountsRefusedSchema = named(
	z.object({
		error: z.string(),
		issues: z.array(ApiIssueSchema).optional(),
		upserted: z.literal(0),
		rejected: z.array(ApiRejectedAccountSchema),
	}),
	'AccountsRefused',
	'With ?atomic=true, any rejected entry refuses the whole request: nothing was written.',
)

export const ApiAccountRemovedSchema = named(
	z.object({
		accountId: z.string(),
		tasksClosed: z.number().int().min(0).describe('Open erase or refresh tasks of that account, now closed.'),
	}),
	'AccountRemoved',
	'The account left the ledger.',
)

// ── Reports ─────────────────────────────────────────────────────────────

export const ApiReportBatchSchema = named(
	z.object({
		accounts: z
			.array(
				z.object({ accountId: z.string(), updatedAt: z.string().describe('RFC 3339 in UTC, as Atlassian takes it.') }),
			)
			.min(1)
			.max(MAX_BATCH),
	}),
	'ReportBatch',
	`One body for Atlassian’s report-accounts call (privacy.reportPersonalData in Forge): at most ${MAX_BATCH} accounts.`,
)

export const ApiReportBatchesSchema = named(
	z.array(ApiReportBatchSchema),
	'ReportBatches',
	'Every batch of the ledger, in order.',
)

export const ApiReportResponseSchema = named(
	z.object({
		status: z
			.number()
			.int()
			.min(100)
			.max(599)
			.describe(
				'The status Atlassian answered: 200 (accounts that need action) or 204 (nothing to do). Any other refuses the run: that batch was not processed and must be sent again.',
			),
		accounts: z
			.array(z.object({ accountId: z.string(), status: z.enum(['closed', 'updated']) }))
			.max(MAX_BATCH)
			.nullable()
			.optional()
			.describe('The 200 answer’s accounts; absent for a 204.'),
		cyclePeriod: keyText()
			.max(API_LIMITS.cyclePeriod)
			.nullable()
			.optional()
			.describe('This answer’s raw Cycle-Period header, if your client saw it.'),
	}),
	'ReportResponse',
	'What Atlassian answered to one batch, in batch order.',
)

const SHA256_OR_UUID =
	/^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/

export const ApiReportRunSchema = named(
	z.strictObject({
		sentAt: dateTime('When the batches were sent to Atlassian; not in the future.'),
		preparedReportId: z
			.string()
			.regex(SHA256_OR_UUID, 'Use the Clearance-Prepared-Report header of the batches you sent (a SHA-256).')
			.optional()
			.describe(
				'The Clearance-Prepared-Report header of the batches sent (their SHA-256), or a prepared report’s id. Absent: the ledger’s current batches.',
			),
		cyclePeriod: keyText()
			.max(API_LIMITS.cyclePeriod)
			.nullable()
			.optional()
			.describe(
				'The raw Cycle-Period response header, kept as given. Forge’s privacy.reportPersonalData() does not pass it on: leave it out then.',
			),
		responses: z
			.array(ApiReportResponseSchema)
			.min(1, 'Send one response per batch sent.')
			.max(MAX_RUN_RESPONSES)
			.describe('One per batch sent, in order.'),
	}),
	'ReportRun',
	'A report run: what was sent and what Atlassian answered.',
)

export const ApiReportRunResultSchema = named(
	z.object({
		id: z.uuid(),
		eraseTasks: z.number().int().min(0).describe('Erase tasks created (closed accounts).'),
		refreshTasks: z.number().int().min(0).describe('Refresh tasks created (updated accounts).'),
		nextDueAt: dateTime('When the next report is due.').nullable(),
		preparedReportId: z.string().describe('SHA-256 of the batch set the run answers.'),
		cyclePeriodOutcome: z
			.enum(['applied', 'pending', 'unchanged', 'unreadable'])
			.nullable()
			.describe(
				'What the Cycle-Period value did: applied to the cycle, pending a person’s confirmation, unchanged, or unreadable (kept on the run only).',
			),
	}),
	'ReportRunResult',
	'The run recorded.',
)

// ── Tasks ───────────────────────────────────────────────────────────────

export const TASK_STATUSES = ['open', 'done'] as const

export const ApiTaskSchema = named(
	z.object({
		id: z.uuid(),
		appId: z.uuid(),
		kind: z
			.enum(['erase', 'refresh'])
			.describe('erase: Atlassian reported the account closed. refresh: the profile changed after updatedAt.'),
		accountId: z.string(),
		dueAt: dateTime('Your organisation’s internal deadline (a setting), not Atlassian’s.'),
		status: z.enum(TASK_STATUSES),
		completedAt: dateTime('When it was completed.').nullable(),
	}),
	'Task',
	'An erase or refresh task from a report run.',
)

export const ApiTaskListSchema = named(
	z.object({
		tasks: z.array(ApiTaskSchema).describe('By due date, then id.'),
		nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page.'),
	}),
	'TaskList',
	'A page of tasks.',
)

export const ApiTaskEnvelopeSchema = named(z.object({ task: ApiTaskSchema }), 'TaskEnvelope', 'One task.')

export const ApiTaskQuerySchema = z.object({
	status: z.enum([...TASK_STATUSES, 'all'], 'Use status=open, done or all.').default('open'),
	appId: z.uuid('appId must be an app’s id.').optional(),
	limit: z.coerce.number('limit must be a number.').int().min(1).max(1000, 'limit is at most 1000.').default(1000),
	cursor: z.string().max(API_LIMITS.cursor).optional(),
})

// ── Checklist (public) ──────────────────────────────────────────────────

export const ApiChecklistResultSchema = named(
	z.object({
		ready: z.boolean().describe('True exactly when no check fails.'),
		eligibility: z.object({ status: z.enum(['eligible', 'conditional', 'not_eligible']), reason: z.string() }),
		checks: z.array(
			z.object({
				id: z.enum([...REQUIRED_CHECK_IDS, ...WARNING_IDS]),
				status: z.enum(['pass', 'fail', 'warn']),
				message: z.string(),
				field: z.string().optional(),
				source: z.string().describe('The rule, in docs/rules.md.'),
			}),
		),
		useCases: z.array(
			z.object({
				code: z.string(),
				outcome: z.enum(ENGINE_OUTCOMES),
				reason: z.string(),
				suggestedCode: z.string().optional(),
				matched: z.array(z.string()).optional(),
				description: z.string().optional(),
			}),
		),
		reportingObligation: z.object({ required: z.boolean(), cycleDays: z.number().int() }),
		submissionText: z.string(),
	}),
	'ChecklistResult',
	'The checklist’s verdict on a request.',
)

// The engine's answer must fit what the document says of it.
type ChecklistFits = ChecklistResult extends z.infer<typeof ApiChecklistResultSchema> ? true : never
const checklistFits: ChecklistFits = true
void checklistFits

export { API_SCOPES }
