import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useFetcher, useLoaderData } from '@remix-run/react'
import { type ReportingActionResult as ActionResult } from '~/components/reporting/action-result'
import { ResultAlerts } from '~/components/reporting/result-alerts'
import { RunForm } from '~/components/reporting/run-form'
import { RUN_FETCHER } from '~/components/reporting/use-reporting-result'
import { PageHeader } from '~/components/ui/status'
import { validateUpdatedAt } from '~/domain/account-ids'
import { isBeforeEarliestYear, TOO_EARLY_MESSAGE } from '~/domain/calendar-day'
import { counted, formatNumber } from '~/domain/counts'
import { describeCycle } from '~/domain/cycle-period'
import { unansweredText } from '~/domain/report-batches'
import { instantToLocalDateTime, localDateTimeToInstant } from '~/domain/zoned-time'
import { RunActionSchema, RunFieldsSchema } from '~/schemas/reporting'
import { requireApp } from '~/services/apps.server'
import { listPreparedReports } from '~/services/prepared-reports.server'
import { recordRun } from '~/services/reporting.server'
import { requirePermission } from '~/utils/auth.server'
import { issuesToErrors } from '~/utils/forms'
import { removeUploads, uploadedFile } from '~/utils/multipart.server'
import { throwRefusal, formRefusal } from '~/utils/refusals.server'
import { readReportingForm } from '~/utils/reporting-form.server'

/*
 * Recording a report run (`…/reporting/runs`). The reporting page's run form
 * posts here through a fetcher and shows the answer in place; without
 * JavaScript the browser posts here as a page, and this page shows the same
 * answer and the form (with what was typed), with the way back. Not nested
 * in the reporting page, so that page's loaders do not run for it.
 */

/** The file field a run takes (Atlassian's answers); any other file is refused before a byte of it is written. */
const UPLOADS = { run: ['answersFile'] }
/** Answers are small (90 accounts per batch); a file above this is not Atlassian's answer. */
const MAX_ANSWERS_FILE_BYTES = 20 * 1024 * 1024

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Record a report run · ${data.app.name} · Clearance` : 'Record a report run · Clearance' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'apps:edit')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	return {
		base: `/o/${org.slug}/apps/${app.id}/reporting`,
		app: { name: app.name, cycleDays: app.cycleDays, required: app.storesPersonalData === 'yes' },
		prepared: await listPreparedReports(org.id, app.id),
		timeZone: org.timeZone,
		nowLocal: instantToLocalDateTime(new Date(), org.timeZone),
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'apps:edit')
	// Before reading the body, so another org's app is a 404 whatever was posted.
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const read = await readReportingForm(request, RunActionSchema, { uploads: UPLOADS, intent: 'run' })
	if (!read.ok) return read.answer
	const { form, values, input } = read
	try {
		const fields = RunFieldsSchema.safeParse(input)
		if (!fields.success) return data<ActionResult>({ intent: 'run', errors: issuesToErrors(fields.error), values }, 400)
		const sentAt = readSentAt(fields.data.sentAt, org.timeZone)
		if (!sentAt) {
			const message = isBeforeEarliestYear(fields.data.sentAt)
				? TOO_EARLY_MESSAGE
				: 'Enter the date and time the report was sent.'
			return data<ActionResult>({ intent: 'run', errors: { sentAt: message }, values }, 400)
		}
		const answersFile = uploadedFile(form, 'answersFile')
		if (answersFile && answersFile.size > MAX_ANSWERS_FILE_BYTES) {
			return data<ActionResult>(
				{ intent: 'run', errors: { answersFile: 'That file is too large to be Atlassian’s answers.' }, values },
				400,
			)
		}
		const answers = answersFile ? await answersFile.text() : fields.data.answers
		const { run, cycle, tasksCreated, answeredBatches, skipped } = await recordRun(org.id, user.id, app.id, {
			sentAt,
			preparedReport: { id: fields.data.preparedReport },
			cyclePeriod: fields.data.cyclePeriod,
			answers,
		})
		const cycleNote =
			cycle.outcome === 'applied' && cycle.reading?.kind === 'clear'
				? ` The cycle is now ${describeCycle(cycle.reading.days)} (Cycle-Period header).`
				: cycle.outcome === 'pending'
					? ' The Cycle-Period value waits for your confirmation (see Reporting cycle).'
					: cycle.outcome === 'unreadable'
						? ' The Cycle-Period value could not be read: it is kept with the run, and the cycle is unchanged.'
						: ''
		const skippedNote =
			skipped.count > 0
				? `${skipped.count} account${skipped.count === 1 ? '' : 's'} in the answer ${skipped.count === 1 ? 'is' : 'are'} no longer in the ledger (${skipped.sample.join(', ')}${skipped.count > skipped.sample.length ? ', …' : ''}), probably erased after the batches were downloaded: no task was created for ${skipped.count === 1 ? 'it' : 'them'}.`
				: undefined
		const unanswered = run.batchCount - answeredBatches
		const unansweredNote =
			unanswered > 0
				? `Answers were given for ${formatNumber(answeredBatches)} of ${counted(run.batchCount, 'batch', 'batches')}: ${unansweredText(unanswered, 'did')}`
				: undefined
		return data<ActionResult>({
			intent: 'run',
			notice: `Report run recorded: ${counted(run.accountCount, 'account')}, ${formatNumber(run.closedCount)} closed, ${formatNumber(run.updatedCount)} updated; ${counted(tasksCreated, 'new task')}.${cycleNote}`,
			warning: [unansweredNote, skippedNote].filter(Boolean).join(' ') || undefined,
		})
	} catch (error) {
		return formRefusal<ActionResult>(error, { intent: 'run', values })
	} finally {
		await removeUploads(form)
	}
}

/** A `datetime-local` value in the organisation's zone, or an RFC 3339 stamp (scripts). */
function readSentAt(text: string, timeZone: string): Date | null {
	const local = localDateTimeToInstant(text, timeZone)
	if (local) return local
	const stamped = validateUpdatedAt(text)
	return stamped.ok ? stamped.value : null
}

export default function RecordRunPage() {
	const { base, app, prepared, timeZone, nowLocal } = useLoaderData<typeof loader>()
	const fetcher = useFetcher<ActionResult>({ key: RUN_FETCHER })
	const posted = useActionData<typeof action>()
	// With JavaScript the form answers through its fetcher; without, as this page's action data.
	const result = fetcher.data ?? posted
	return (
		<div className="stack">
			<PageHeader
				title={`Record a report run: ${app.name}`}
				actions={
					<Link className="button button-secondary" to={base}>
						Back to reporting
					</Link>
				}
			/>
			<ResultAlerts result={result} />
			{app.required ? (
				<RunForm
					action={`${base}/runs`}
					prepared={prepared}
					cycleDays={app.cycleDays}
					nowLocal={nowLocal}
					timeZone={timeZone}
					busy={false}
					result={result}
				/>
			) : (
				<p>This app stores no personal data, so it has no report runs to record.</p>
			)}
		</div>
	)
}
