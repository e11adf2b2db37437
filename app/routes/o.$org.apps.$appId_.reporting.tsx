import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, Outlet, useActionData, useLoaderData, type ShouldRevalidateFunction } from '@remix-run/react'
import { type ReportingActionResult as ActionResult } from '~/components/reporting/action-result'
import { ConnectionCard } from '~/components/reporting/connection-card'
import { CycleCard } from '~/components/reporting/cycle-card'
import { ImportForm } from '~/components/reporting/import-form'
import { PrepareCard } from '~/components/reporting/prepare-card'
import { ReporterCard } from '~/components/reporting/reporter-card'
import { ResultAlerts } from '~/components/reporting/result-alerts'
import { RunForm } from '~/components/reporting/run-form'
import { RunsTable } from '~/components/reporting/runs-table'
import { StatusCard } from '~/components/reporting/status-card'
import { TasksCard } from '~/components/reporting/tasks-card'
import { useReportingResult } from '~/components/reporting/use-reporting-result'
import { formatDay } from '~/components/reporting-status'
import { PageHeader } from '~/components/ui/status'
import { counted } from '~/domain/counts'
import { describeCycle } from '~/domain/cycle-period'
import { cycleLabel, type CycleSource } from '~/domain/reporting-cycle'
import { can } from '~/domain/roles'
import { instantToLocalDateTime, localDateTimeToInstant } from '~/domain/zoned-time'
import {
	CycleSchema,
	ReportingActionSchema,
	StoringSinceSchema,
	TASK_PAGE_PARAMS,
	TaskPageQuerySchema,
} from '~/schemas/reporting'
import { requireApp } from '~/services/apps.server'
import { prepareReport } from '~/services/prepared-reports.server'
import { getReporterOverview } from '~/services/reporter.server'
import { getConnectionForPage } from '~/services/reporting-connection.server'
import {
	completeTask,
	decideHeaderCycle,
	getReportingOverview,
	reopenTask,
	setCycle,
} from '~/services/reporting.server'
import { keepStoringSince, setStoringSince } from '~/services/storing-since.server'
import { requirePermission } from '~/utils/auth.server'
import { issuesToErrors } from '~/utils/forms'
import { removeUploads } from '~/utils/multipart.server'
import { throwRefusal, formRefusal } from '~/utils/refusals.server'
import { readReportingForm } from '~/utils/reporting-form.server'

/*
 * The reporting page. This route loads the overview (status, cycle, tasks,
 * prepared reports, runs) and handles the page's small intents; the ledger
 * is the nested index route (`reporting._index`: its own loader counts,
 * pages and searches it) shown at <Outlet />; importing the ledger and
 * recording a run post to routes of their own (`reporting_.import`,
 * `reporting_.runs`). The cards are in app/components/reporting.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Reporting · ${data.app.name} · Clearance` : 'Reporting · Clearance' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, roles } = await requirePermission(request, params.org, 'org:view')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	// Which page of open tasks (`?tasksAfter=…` / `?tasksBefore=…`, a task's id).
	const taskPosition = TaskPageQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
	// The clock is read once, here: the page renders "late" against this instant on the server and in the browser alike.
	const now = new Date()
	const overview = await getReportingOverview(org.id, app, now, taskPosition)
	return {
		org,
		app,
		...overview,
		now: now.toISOString(),
		nowLocal: instantToLocalDateTime(now, overview.policy.timeZone),
		canEdit: can(roles, 'apps:edit'),
		connection: {
			...(await getConnectionForPage(org.id, app.id)),
			canManage: can(roles, 'reporting-connections:manage'),
		},
		reporterRuns: (await getReporterOverview(org.id, app.id)).runs,
	}
}

/**
 * Searching or paging the ledger changes only the query string, which this
 * loader does not read: the ledger route reloads itself, and the overview
 * (which digests ledgers up to 20,000 accounts to tell whether the latest
 * prepared report is current) is not recomputed for it.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({
	currentUrl,
	nextUrl,
	formMethod,
	defaultShouldRevalidate,
}) => {
	const navigationOnly = !formMethod || formMethod.toUpperCase() === 'GET'
	// Another page of open tasks is this loader's to read; another page or search of the ledger is not.
	const sameTasks = TASK_PAGE_PARAMS.every(
		(name) => currentUrl.searchParams.get(name) === nextUrl.searchParams.get(name),
	)
	if (navigationOnly && currentUrl.pathname === nextUrl.pathname && currentUrl.search !== nextUrl.search && sameTasks)
		return false
	return defaultShouldRevalidate
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'apps:edit')
	// Before reading the body, so another org's app is a 404 whatever was posted.
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const read = await readReportingForm(request, ReportingActionSchema)
	if (!read.ok) return read.answer
	const { form, values, input } = read
	try {
		switch (input.intent) {
			case 'cycle': {
				const cycle = CycleSchema.safeParse(input)
				if (!cycle.success)
					return data<ActionResult>({ intent: 'cycle', errors: issuesToErrors(cycle.error), values }, 400)
				const saved = await setCycle(org.id, user.id, app.id, cycle.data)
				return data<ActionResult>({
					intent: 'cycle',
					notice: `The reporting cycle is now ${describeCycle(saved.cycleDays)}.`,
				})
			}
			case 'complete': {
				const task = await completeTask(org.id, user.id, app.id, input.taskId)
				return data<ActionResult>({
					intent: 'complete',
					notice:
						task.kind === 'erase'
							? `Erased: account ${task.accountId} was removed from the ledger.`
							: `Refreshed: account ${task.accountId} now carries today’s updatedAt.`,
					undoTaskId: task.id,
				})
			}
			case 'reopen': {
				const task = await reopenTask(org.id, user.id, app.id, input.taskId)
				const ledger =
					task.kind === 'erase'
						? task.ledgerRestored
							? 'it is back in the ledger as it was'
							: 'the ledger keeps what it holds for it now'
						: task.ledgerRestored
							? 'its updatedAt is back to what it was'
							: 'the ledger keeps the updatedAt written since'
				return data<ActionResult>({
					intent: 'reopen',
					notice: `Undone: the ${task.kind === 'erase' ? 'erase' : 'refresh'} task for account ${task.accountId} is open again, and ${ledger}.`,
				})
			}
			case 'prepare': {
				const report = await prepareReport(org.id, user.id, app.id)
				return data<ActionResult>({
					intent: 'prepare',
					notice: `Report prepared: ${counted(report.accountCount, 'account')} in ${counted(report.batchCount, 'batch', 'batches')}. Download its batches, send them, then record the run.`,
				})
			}
			case 'storing-since': {
				const fields = StoringSinceSchema.safeParse(input)
				const at = fields.success ? localDateTimeToInstant(`${fields.data.storingSince}T00:00`, org.timeZone) : null
				if (!at) {
					const errors = fields.success
						? { storingSince: 'Enter the date the app started storing personal data.' }
						: issuesToErrors(fields.error)
					return data<ActionResult>({ intent: 'storing-since', errors, values }, 400)
				}
				const saved = await setStoringSince(org.id, user.id, app.id, at)
				const notice = `Storing personal data since ${formatDay(at, org.timeZone)}: the first report is due one cycle after it.`
				return data<ActionResult>(
					saved.storingSinceProposed
						? {
								intent: 'storing-since',
								notice,
								warning: `The ledger holds data retrieved on ${formatDay(saved.storingSinceProposed, org.timeZone)}, before that date: Clearance counts from the earlier date until you choose “Keep” under Storing personal data since.`,
							}
						: { intent: 'storing-since', notice },
				)
			}
			case 'keep-storing-since': {
				await keepStoringSince(org.id, user.id, app.id)
				return data<ActionResult>({ intent: 'keep-storing-since', notice: 'The storing-since date stays as it was.' })
			}
			case 'header-cycle': {
				const decided = await decideHeaderCycle(
					org.id,
					user.id,
					app.id,
					input.runId,
					input.decision === 'confirm'
						? { decision: 'confirm', unit: input.unit }
						: { decision: 'dismiss', reason: input.reason ?? '' },
				)
				return data<ActionResult>({
					intent: 'header-cycle',
					notice: decided.applied
						? `The reporting cycle is now ${describeCycle(decided.cycleDays)}, as Atlassian’s Cycle-Period header set it.`
						: `The ${describeCycle(decided.cycleDays)} cycle stays; your reason is in the audit log.`,
				})
			}
		}
	} catch (error) {
		return formRefusal<ActionResult>(error, { intent: input.intent, values })
	} finally {
		await removeUploads(form)
	}
}

export default function ReportingPage() {
	const loaderData = useLoaderData<typeof loader>()
	const { org, app, status, policy, accountCount, batchCount, runs, preparedReports, tasks, canEdit } = loaderData
	// The latest answer of this page's action or of the import and run routes (posted through fetchers).
	const { result, busy, source } = useReportingResult(useActionData<typeof action>())
	const timeZone = policy.timeZone
	const base = `/o/${org.slug}/apps/${app.id}/reporting`
	const required = app.storesPersonalData === 'yes'
	const cycleDecisionPending = Boolean(loaderData.cycle.pendingHeader)
	const cycleCard = (
		<CycleCard
			label={cycleLabel(
				app.cycleDays,
				app.cycleSource as CycleSource,
				app.cycleSetAt ? new Date(app.cycleSetAt) : null,
				timeZone,
			)}
			cycleDays={app.cycleDays}
			atlassianCycleDays={app.atlassianCycleDays}
			warnings={loaderData.cycle.warnings}
			pendingHeader={loaderData.cycle.pendingHeader}
			timeZone={timeZone}
			canEdit={canEdit}
			busy={busy}
			result={result}
		/>
	)
	// Marking a task done (or undoing it) is answered in the tasks card, which stays where it was pressed.
	const taskResult = result?.intent === 'complete' || result?.intent === 'reopen' ? result : undefined
	const tasksUp = tasks.length > 0 || taskResult !== undefined
	const tasksCard = (
		<TasksCard
			result={taskResult}
			tasks={tasks}
			page={loaderData.taskPage}
			taskDueDays={policy.taskDueDays}
			timeZone={timeZone}
			now={loaderData.now}
			canEdit={canEdit}
			busy={busy}
		/>
	)
	return (
		<div className="stack">
			<PageHeader
				title={`Reporting: ${app.name}`}
				description={
					<>
						The accounts this app stores, the personal-data reports sent to Atlassian about them, and what to erase or
						refresh.
					</>
				}
				actions={
					<Link className="button button-secondary" to={`/o/${org.slug}/apps/${app.id}`}>
						Back to app
					</Link>
				}
			/>

			<ResultAlerts
				result={result}
				noticeShownByForm={
					(source === 'run' && canEdit && required) || taskResult !== undefined || result?.intent === 'prepare'
				}
			/>

			{/*
			 * The page's cards, ordered by the next action (issue 17, point 5):
			 * the status; what needs deciding or doing now (a cycle Atlassian
			 * sent, open erase/refresh tasks); the steps of a report in their
			 * order (import the ledger, prepare, record the run or send it
			 * automatically); then the history (runs, the ledger); then the
			 * set-up that rarely changes (cycle, tasks when none are open, the
			 * connection). A new card is one more element here: its component in
			 * app/components/reporting, its data from this route's loader, its
			 * forms posting a new intent to this route's action or to a route of
			 * its own (as import and runs do).
			 */}
			<StatusCard
				status={status}
				storingSince={loaderData.storingSince}
				storingSinceValue={app.storingSince}
				storingSinceSetByName={loaderData.storingSinceSetByName}
				partialRun={loaderData.partialRun}
				cycleWarned={loaderData.cycle.warnings.length > 0}
				answeredNo={app.storesPersonalData === 'no'}
				proposedOver={loaderData.storingSince?.source === 'proposed'}
				appHref={`/o/${org.slug}/apps/${app.id}`}
				timeZone={timeZone}
				canEdit={canEdit}
				busy={busy}
				result={result}
			/>
			{cycleDecisionPending ? cycleCard : null}
			{tasksUp ? tasksCard : null}
			{canEdit ? (
				<ImportForm action={`${base}/import`} busy={busy} result={result?.intent === 'import' ? result : undefined} />
			) : null}
			<PrepareCard
				base={base}
				accountCount={accountCount}
				batchCount={batchCount}
				prepared={preparedReports}
				latestIsCurrent={loaderData.latestPreparedIsCurrent}
				timeZone={timeZone}
				canEdit={canEdit}
				busy={busy}
				result={result?.intent === 'prepare' ? result : undefined}
			/>
			{canEdit && required ? (
				<RunForm
					action={`${base}/runs`}
					prepared={preparedReports}
					cycleDays={app.cycleDays}
					nowLocal={loaderData.nowLocal}
					timeZone={timeZone}
					busy={busy}
					result={result?.intent === 'run' ? result : undefined}
				/>
			) : null}
			<ReporterCard
				action={`${base}/reporter`}
				connected={loaderData.connection.summary?.state ?? null}
				runs={loaderData.reporterRuns}
				timeZone={timeZone}
				canSend={canEdit}
			/>
			<RunsTable runs={runs} timeZone={timeZone} />
			{/* The account ledger: the nested index route (reporting._index). */}
			<Outlet />
			{cycleDecisionPending ? null : cycleCard}
			{tasksUp ? null : tasksCard}
			<ConnectionCard
				action={`${base}/connection`}
				connection={loaderData.connection}
				appKey={app.appKey}
				timeZone={timeZone}
			/>
		</div>
	)
}
