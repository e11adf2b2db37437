import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import {
	type ReportingActionResult as ActionResult,
	type ReportingIntent as Intent,
} from '~/components/reporting/action-result'
import { CycleCard } from '~/components/reporting/cycle-card'
import { PrepareCard } from '~/components/reporting/prepare-card'
import { RunForm } from '~/components/reporting/run-form'
import { RunsTable } from '~/components/reporting/runs-table'
import { StatusCard } from '~/components/reporting/status-card'
import { formatDay } from '~/components/reporting-status'
import { FieldError, FormAlert, TextField } from '~/components/ui/form'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { validateUpdatedAt } from '~/domain/account-ids'
import { isBeforeEarliestYear, TOO_EARLY_MESSAGE } from '~/domain/calendar-day'
import { NUL_MESSAGE, pathsWithNul, withoutNul } from '~/domain/text'
import { describeCycle } from '~/domain/cycle-period'
import { cycleLabel, type CycleSource } from '~/domain/reporting-cycle'
import { can } from '~/domain/roles'
import { instantToLocalDateTime, localDateTimeToInstant } from '~/domain/zoned-time'
import {
	CycleSchema,
	LedgerQuerySchema,
	MAX_REJECTED_LISTED,
	ReportingActionSchema,
	RunFieldsSchema,
	StoringSinceSchema,
} from '~/schemas/reporting'
import { getApp } from '~/services/apps.server'
import { importAccounts, listLedgerPage } from '~/services/ledger.server'
import type { ImportResult } from '~/services/ledger.server'
import { prepareReport } from '~/services/prepared-reports.server'
import { completeTask, decideHeaderCycle, getReportingOverview, recordRun, setCycle } from '~/services/reporting.server'
import { keepStoringSince, setStoringSince } from '~/services/storing-since.server'
import { parseCsv } from '~/domain/csv'
import { requirePermission } from '~/utils/auth.server'
import { UserFacingError } from '~/utils/errors'
import { formDataToObject, issuesToErrors, readFormData } from '~/utils/forms'
import { notFound } from '~/utils/http.server'
import { isMultipart, parseMultipart, removeUploads, textChunks, uploadedFile } from '~/utils/multipart.server'
import { Pagination } from '~/components/ui/pagination'

const LEDGER_PAGE_SIZE = 50
/** The file fields each intent takes; any other file is refused before a byte of it is written. */
const UPLOADS_BY_INTENT = { import: ['file'], run: ['answersFile'] }
/** Answers are small (90 accounts per batch); a file above this is not Atlassian's answer. */
const MAX_ANSWERS_FILE_BYTES = 20 * 1024 * 1024

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Reporting · ${data.app.name} · Clearance` : 'Reporting · Clearance' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, roles } = await requirePermission(request, params.org, 'org:view')
	const app = await getApp(org.id, params.appId)
	if (!app) notFound('No such app in this organisation.')
	const url = new URL(request.url)
	const query = LedgerQuerySchema.parse(Object.fromEntries(url.searchParams))
	const [overview, ledger] = await Promise.all([
		getReportingOverview(org.id, app),
		listLedgerPage(org.id, app.id, { q: query.q, page: query.page, pageSize: LEDGER_PAGE_SIZE }),
	])
	return {
		org,
		app,
		...overview,
		ledger,
		q: query.q,
		page: query.page,
		pageSize: LEDGER_PAGE_SIZE,
		nowLocal: instantToLocalDateTime(new Date(), overview.policy.timeZone),
		canEdit: can(roles, 'apps:edit'),
	}
}

function failure(intent: Intent | undefined, error: UserFacingError, values?: Record<string, unknown>) {
	return data<ActionResult>(
		{
			intent,
			errors: error.field ? { [error.field]: error.message } : undefined,
			formError: error.field ? null : error.message,
			values,
		},
		error.status,
	)
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'apps:edit')
	// Before reading the body, so another org's app is a 404 whatever was posted.
	const app = await getApp(org.id, params.appId)
	if (!app) notFound('No such app in this organisation.')
	let form: FormData
	try {
		// Uploads (ledger CSV, answers file) arrive as multipart and go to disk, not memory.
		form = isMultipart(request) ? await parseMultipart(request, UPLOADS_BY_INTENT) : await readFormData(request)
	} catch (error) {
		// Which form it came from is unknown yet, so the message goes to the top of the page.
		if (error instanceof UserFacingError) return data<ActionResult>({ formError: error.message }, error.status)
		throw error
	}
	const values = formDataToObject(form)
	const parsed = ReportingActionSchema.safeParse(values)
	// PostgreSQL cannot store NUL: refused in any field (domain/text.ts), as parseForm does.
	const nul = pathsWithNul(values)
	if (parsed.success && nul.length > 0) {
		await removeUploads(form)
		const errors = Object.fromEntries(nul.map((path) => [path, NUL_MESSAGE]))
		return data<ActionResult>(
			{ intent: parsed.data.intent, errors, values: withoutNul(values), formError: NUL_MESSAGE },
			400,
		)
	}
	if (!parsed.success) {
		await removeUploads(form)
		return data<ActionResult>(
			{ errors: issuesToErrors(parsed.error), formError: 'That action is not understood.' },
			400,
		)
	}
	const input = parsed.data
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
			case 'import': {
				const file = uploadedFile(form, 'file')
				if (!file) {
					return data<ActionResult>(
						{ intent: 'import', errors: { file: 'Choose a CSV file with the header accountId,updatedAt.' } },
						400,
					)
				}
				const importResult = await importAccounts(org.id, user.id, app.id, parseCsv(textChunks(file)), {
					atomic: input.atomic,
				})
				return data<ActionResult>({ intent: 'import', importResult }, importResult.written ? 200 : 422)
			}
			case 'run': {
				const fields = RunFieldsSchema.safeParse(input)
				if (!fields.success)
					return data<ActionResult>({ intent: 'run', errors: issuesToErrors(fields.error), values }, 400)
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
				const { run, cycle, tasksCreated, skipped } = await recordRun(org.id, user.id, app.id, {
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
				return data<ActionResult>({
					intent: 'run',
					notice: `Report run recorded: ${run.accountCount} account${run.accountCount === 1 ? '' : 's'}, ${run.closedCount} closed, ${run.updatedCount} updated; ${tasksCreated} new task${tasksCreated === 1 ? '' : 's'}.${cycleNote}`,
					warning: skippedNote,
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
				})
			}
			case 'prepare': {
				const report = await prepareReport(org.id, user.id, app.id)
				return data<ActionResult>({
					intent: 'prepare',
					notice: `Report prepared: ${report.accountCount} account${report.accountCount === 1 ? '' : 's'} in ${report.batchCount} batch${report.batchCount === 1 ? '' : 'es'}. Download its batches, send them, then record the run.`,
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
		if (error instanceof UserFacingError) return failure(input.intent, error, values)
		throw error
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

function ledgerSearch({ q, page }: { q: string; page: number }) {
	const search = new URLSearchParams()
	if (q) search.set('q', q)
	if (page > 1) search.set('page', String(page))
	const text = search.toString()
	return text ? `?${text}#ledger-heading` : '#ledger-heading'
}

export default function ReportingPage() {
	const loaderData = useLoaderData<typeof loader>()
	const { org, app, status, policy, accountCount, batchCount, runs, preparedReports, canEdit } = loaderData
	const result = useActionData<typeof action>()
	const navigation = useNavigation()
	const busy = navigation.state === 'submitting'
	const timeZone = policy.timeZone
	const base = `/o/${org.slug}/apps/${app.id}/reporting`
	const required = app.storesPersonalData === 'yes'
	const untargetedError = result && !result.intent ? result.formError : undefined
	return (
		<div className="stack">
			<PageHeader
				title={`Reporting: ${app.name}`}
				description={
					<>
						Personal-data reports to Atlassian’s <span className="mono">POST /app/report-accounts/</span>, the accounts
						this app stores, and what to erase or refresh.
					</>
				}
				actions={
					<Link className="button button-secondary" to={`/o/${org.slug}/apps/${app.id}`}>
						Back to app
					</Link>
				}
			/>

			<FormAlert message={untargetedError} />
			{result?.notice ? (
				<div className="alert alert-ok" role="status">
					{result.notice}
				</div>
			) : null}
			{result?.warning ? (
				<div className="alert alert-warn" role="status">
					{result.warning}
				</div>
			) : null}

			<StatusCard
				status={status}
				storingSince={loaderData.storingSince}
				storingSinceValue={app.storingSince}
				storingSinceSetByName={loaderData.storingSinceSetByName}
				proposedOver={loaderData.storingSince?.source === 'proposed'}
				appHref={`/o/${org.slug}/apps/${app.id}`}
				timeZone={timeZone}
				canEdit={canEdit}
				busy={busy}
				result={result}
			/>

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

			<TasksCard />

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
					prepared={preparedReports}
					cycleDays={app.cycleDays}
					nowLocal={loaderData.nowLocal}
					timeZone={timeZone}
					busy={busy}
					result={result?.intent === 'run' ? result : undefined}
				/>
			) : null}

			<RunsTable runs={runs} timeZone={timeZone} />

			{canEdit ? <ImportForm busy={busy} result={result?.intent === 'import' ? result : undefined} /> : null}

			<Ledger base={base} />
		</div>
	)
}

/** Erase and refresh tasks from Atlassian's answers, due by the organisation's internal policy. */
function TasksCard() {
	const { tasks, policy, canEdit } = useLoaderData<typeof loader>()
	const busy = useNavigation().state === 'submitting'
	const timeZone = policy.timeZone
	return (
		<section className="card stack-sm" aria-labelledby="tasks-heading">
			<h2 id="tasks-heading">Open tasks</h2>
			<p className="card-muted">
				Due {policy.taskDueDays} days after the answer is recorded: your organisation’s internal policy, not an
				Atlassian deadline (Atlassian publishes none).
			</p>
			{tasks.length === 0 ? (
				<p>
					No erase or refresh tasks are open. Tasks appear here when a recorded answer reports accounts closed or
					updated.
				</p>
			) : (
				<div className="table-wrap">
					<table>
						<caption className="visually-hidden">Open erase and refresh tasks</caption>
						<thead>
							<tr>
								<th scope="col">Account id</th>
								<th scope="col">Task</th>
								<th scope="col">Due (internal policy)</th>
								{canEdit ? <th scope="col">Done?</th> : null}
							</tr>
						</thead>
						<tbody>
							{tasks.map((task) => {
								const late = new Date(task.dueAt).getTime() < Date.now()
								return (
									<tr key={task.id}>
										<td className="mono">{task.accountId}</td>
										<td>
											{task.kind === 'erase' ? (
												<Badge tone="bad">Erase personal data</Badge>
											) : (
												<Badge tone="info">Refresh stored data</Badge>
											)}
										</td>
										<td>
											{formatDay(task.dueAt, timeZone)}
											{late ? (
												<>
													{' '}
													<Badge tone="bad">Late</Badge>
												</>
											) : null}
										</td>
										{canEdit ? (
											<td>
												<Form method="post">
													<input type="hidden" name="intent" value="complete" />
													<input type="hidden" name="taskId" value={task.id} />
													<button type="submit" className="button button-small" disabled={busy}>
														{task.kind === 'erase'
															? `Mark erased: ${task.accountId}`
															: `Mark refreshed: ${task.accountId}`}
													</button>
												</Form>
											</td>
										) : null}
									</tr>
								)
							})}
						</tbody>
					</table>
				</div>
			)}
		</section>
	)
}

function ImportForm({ busy, result }: { busy: boolean; result?: ActionResult }) {
	const imported = result?.importResult
	return (
		<section className="card stack-sm" aria-labelledby="import-heading">
			<h2 id="import-heading">Import account ids</h2>
			<p className="card-muted">
				A CSV file with the header <span className="mono">accountId,updatedAt</span>: Atlassian account ids and RFC 3339
				dates, never email addresses. Existing accounts are updated; any file size.
			</p>
			<FormAlert message={result?.formError} />
			{imported ? <ImportSummary result={imported} /> : null}
			<Form method="post" encType="multipart/form-data" className="form">
				<input type="hidden" name="intent" value="import" />
				<div className="field">
					<label htmlFor="file">CSV file</label>
					<input
						id="file"
						name="file"
						type="file"
						accept=".csv,text/csv"
						required
						aria-invalid={result?.errors?.file ? true : undefined}
						aria-describedby={result?.errors?.file ? 'file-error' : undefined}
					/>
					<FieldError name="file" message={result?.errors?.file} />
				</div>
				<label className="check">
					<input type="checkbox" name="atomic" value="1" />
					<span>
						All or nothing <small>write nothing if any row is rejected</small>
					</span>
				</label>
				<div className="row">
					<button type="submit" className="button" disabled={busy}>
						Import
					</button>
				</div>
			</Form>
		</section>
	)
}

function ImportSummary({ result }: { result: ImportResult }) {
	const tone = !result.written ? 'alert-bad' : result.rejected > 0 ? 'alert-warn' : 'alert-ok'
	return (
		<div className={`alert ${tone} stack-sm`} role="status">
			<p>
				<strong>
					{result.written
						? `Imported: ${result.inserted} added, ${result.updated} updated, ${result.rejected} rejected.`
						: `Nothing imported: ${result.rejected} row${result.rejected === 1 ? ' was' : 's were'} rejected and “All or nothing” was ticked.`}
				</strong>
			</p>
			{result.rejectedRows.length > 0 ? (
				<div className="table-wrap">
					<table>
						<caption>
							Rejected rows
							{result.rejected > result.rejectedRows.length
								? ` (the first ${MAX_REJECTED_LISTED} of ${result.rejected})`
								: ''}
						</caption>
						<thead>
							<tr>
								<th scope="col">Line</th>
								<th scope="col">Account id</th>
								<th scope="col">Reason</th>
							</tr>
						</thead>
						<tbody>
							{result.rejectedRows.map((row) => (
								<tr key={row.line}>
									<td>{row.line}</td>
									<td className="mono">{row.accountId}</td>
									<td>{row.reason}</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			) : null}
		</div>
	)
}

function Ledger({ base }: { base: string }) {
	const { ledger, q, page, pageSize, org } = useLoaderData<typeof loader>()
	const first = ledger.total === 0 ? 0 : (page - 1) * pageSize + 1
	const last = Math.min(page * pageSize, ledger.total)
	return (
		<section className="card stack-sm" aria-labelledby="ledger-heading">
			<div className="row">
				<h2 id="ledger-heading">Account ledger</h2>
				<a className="button button-secondary button-small" href={`${base}/ledger.csv`} download>
					Export CSV
				</a>
			</div>
			<Form
				method="get"
				className="row"
				role="search"
				aria-label="Search the ledger"
				style={{ alignItems: 'flex-end' }}
			>
				<TextField label="Search account ids" type="search" name="q" defaultValue={q} autoComplete="off" />
				<button type="submit" className="button button-secondary">
					Search
				</button>
			</Form>
			{ledger.total === 0 ? (
				<EmptyState title={q ? `No account id contains “${q}”` : 'No accounts stored'}>
					{q
						? 'Check the id, or clear the search.'
						: 'Import a CSV of the account ids this app stores, with their updatedAt.'}
				</EmptyState>
			) : (
				<>
					<div className="table-wrap">
						<table>
							<caption className="visually-hidden">Stored accounts</caption>
							<thead>
								<tr>
									<th scope="col">Account id</th>
									<th scope="col">updatedAt</th>
									<th scope="col">First stored</th>
								</tr>
							</thead>
							<tbody>
								{ledger.accounts.map((account) => (
									<tr key={account.accountId}>
										<td className="mono">{account.accountId}</td>
										<td className="mono">{new Date(account.updatedAt).toISOString()}</td>
										<td>{formatDay(account.createdAt, org.timeZone)}</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
					<Pagination
						label="Ledger pages"
						first={first}
						last={last}
						total={ledger.total}
						page={page}
						hrefFor={(to) => ledgerSearch({ q, page: to })}
					/>
				</>
			)}
		</section>
	)
}
