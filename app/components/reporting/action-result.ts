import { type FieldErrorMap } from '~/components/ui/form'
import { type JobSummary } from '~/services/import-jobs.server'
import { type ImportResult } from '~/services/ledger.server'

export const REPORTING_INTENTS = [
	'cycle',
	'import',
	'cancel-import',
	'run',
	'complete',
	'reopen',
	'prepare',
	'storing-since',
	'keep-storing-since',
	'header-cycle',
] as const
export type ReportingIntent = (typeof REPORTING_INTENTS)[number]

/** What every action of the reporting page answers; each form shows its own part. */
export type ReportingActionResult = {
	intent?: ReportingIntent
	errors?: FieldErrorMap
	values?: Record<string, unknown>
	formError?: string | null
	notice?: string
	/** The task just marked done, which the notice offers to undo (reopenTask). */
	undoTaskId?: string
	/** Done, but something needs a look (accounts the ledger no longer holds, a cycle to confirm). */
	warning?: string
	importResult?: ImportResult
	/** The import job the upload became (issue 16): its progress while it runs, its counts when it ends. */
	importJob?: JobSummary
}
