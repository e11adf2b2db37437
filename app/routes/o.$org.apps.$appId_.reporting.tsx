import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useState } from 'react'
import { type z } from 'zod'
import { daysLeftText, formatDateTime, formatDay, ReportingBadge } from '~/components/reporting-status'
import { FieldError, FormAlert, TextAreaField, TextField, type FieldErrorMap } from '~/components/ui/form'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { useValidatedForm } from '~/components/ui/use-validated-form'
import { validateUpdatedAt } from '~/domain/account-ids'
import { MAX_BATCH } from '~/domain/report-batches'
import { ATLASSIAN_API_DEFAULT_CYCLE_DAYS, DEFAULT_CYCLE_DAYS, MAX_CYCLE_DAYS, parseCyclePeriod } from '~/domain/reporting-cycle'
import { can } from '~/domain/roles'
import { instantToLocalDateTime, localDateTimeToInstant } from '~/domain/zoned-time'
import { CycleSchema, LedgerQuerySchema, MAX_REJECTED_LISTED, ReportingActionSchema, RunFieldsSchema } from '~/schemas/reporting'
import { getApp } from '~/services/apps.server'
import { importAccounts, listLedgerPage } from '~/services/ledger.server'
import type { ImportResult } from '~/services/ledger.server'
import { completeTask, getReportingOverview, recordRun, setCycle } from '~/services/reporting.server'
import { parseCsv } from '~/domain/csv'
import { requirePermission } from '~/utils/auth.server'
import { UserFacingError } from '~/utils/errors'
import { formDataToObject, issuesToErrors } from '~/utils/forms'
import { notFound } from '~/utils/http.server'
import { isMultipart, parseMultipart, removeUploads, textChunks, uploadedFile } from '~/utils/multipart.server'
import { Pagination } from '~/components/ui/pagination'

const LEDGER_PAGE_SIZE = 50
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
		listLedgerPage(app.id, { q: query.q, page: query.page, pageSize: LEDGER_PAGE_SIZE }),
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

type Intent = 'cycle' | 'import' | 'run' | 'complete'
type ActionResult = {
	intent?: Intent
	errors?: FieldErrorMap
	values?: Record<string, unknown>
	formError?: string | null
	notice?: string
	/** Recorded, but something needs a look (accounts the ledger no longer holds). */
	warning?: string
	importResult?: ImportResult
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
		form = isMultipart(request) ? await parseMultipart(request) : await request.formData()
	} catch (error) {
		// Which form it came from is unknown yet, so the message goes to the top of the page.
		if (error instanceof UserFacingError) return data<ActionResult>({ formError: error.message }, error.status)
		throw error
	}
	const values = formDataToObject(form)
	const parsed = ReportingActionSchema.safeParse(values)
	if (!parsed.success) {
		await removeUploads(form)
		return data<ActionResult>({ errors: issuesToErrors(parsed.error), formError: 'That action is not understood.' }, 400)
	}
	const input = parsed.data
	try {
		switch (input.intent) {
			case 'cycle': {
				const cycle = CycleSchema.safeParse(input)
				if (!cycle.success) return data<ActionResult>({ intent: 'cycle', errors: issuesToErrors(cycle.error), values }, 400)
				const saved = await setCycle(org.id, user.id, app.id, cycle.data.cycleDays)
				return data<ActionResult>({ intent: 'cycle', notice: `The reporting cycle is now ${saved.cycleDays} days.` })
			}
			case 'import': {
				const file = uploadedFile(form, 'file')
				if (!file) {
					return data<ActionResult>({ intent: 'import', errors: { file: 'Choose a CSV file with the header accountId,updatedAt.' } }, 400)
				}
				const importResult = await importAccounts(org.id, user.id, app.id, parseCsv(textChunks(file)), { atomic: input.atomic })
				return data<ActionResult>({ intent: 'import', importResult }, importResult.written ? 200 : 422)
			}
			case 'run': {
				const fields = RunFieldsSchema.safeParse(input)
				if (!fields.success) return data<ActionResult>({ intent: 'run', errors: issuesToErrors(fields.error), values }, 400)
				const sentAt = readSentAt(fields.data.sentAt, org.timeZone)
				if (!sentAt) {
					return data<ActionResult>(
						{ intent: 'run', errors: { sentAt: 'Enter the date and time the report was sent.' }, values },
						400,
					)
				}
				const answersFile = uploadedFile(form, 'answersFile')
				if (answersFile && answersFile.size > MAX_ANSWERS_FILE_BYTES) {
					return data<ActionResult>({ intent: 'run', errors: { answersFile: 'That file is too large to be Atlassian’s answers.' }, values }, 400)
				}
				const answers = answersFile ? await answersFile.text() : fields.data.answers
				const { run, tasksCreated, skipped } = await recordRun(org.id, user.id, app.id, {
					sentAt,
					cyclePeriod: fields.data.cyclePeriod,
					answers,
				})
				const cycle = run.cyclePeriodDays ? ` The cycle is now ${run.cyclePeriodDays} days (Cycle-Period header).` : ''
				return data<ActionResult>({
					intent: 'run',
					notice: `Report run recorded: ${run.accountCount} accounts, ${run.closedCount} closed, ${run.updatedCount} updated; ${tasksCreated} new task${tasksCreated === 1 ? '' : 's'}.${cycle}`,
					warning:
						skipped.count > 0
							? `${skipped.count} account${skipped.count === 1 ? '' : 's'} in the answer ${skipped.count === 1 ? 'is' : 'are'} no longer in the ledger (${skipped.sample.join(', ')}${skipped.count > skipped.sample.length ? ', …' : ''}), probably erased after the batches were downloaded: no task was created for ${skipped.count === 1 ? 'it' : 'them'}.`
							: undefined,
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
	const { org, app, status, policy, accountCount, batchCount, runs, tasks, canEdit } = loaderData
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

			<section
				className={`card stack-sm reporting-status reporting-status-${status.status}`}
				aria-labelledby="status-heading"
			>
				<div className="row">
					<h2 id="status-heading">Reporting status</h2>
					<ReportingBadge status={status.status} />
				</div>
				{required ? (
					<>
						<p className="reporting-due">
							<strong>{daysLeftText(status.daysLeft, status.status)}</strong>
							{status.dueAt ? <> · next report due by the end of {formatDay(status.dueAt, timeZone)}</> : null}
						</p>
						<p>{status.explanation}</p>
						<p className="card-muted">
							Times are shown in {timeZone}. The cycle restarts from each recorded report.
						</p>
					</>
				) : (
					<p>
						{status.explanation}{' '}
						<Link to={`/o/${org.slug}/apps/${app.id}`}>Change the personal-data answer on the app page</Link> if the app
						stores Atlassian users’ personal data.
					</p>
				)}
			</section>

			{canEdit ? <CycleForm cycleDays={app.cycleDays} busy={busy} result={result?.intent === 'cycle' ? result : undefined} /> : null}

			<section className="card stack-sm" aria-labelledby="tasks-heading">
				<h2 id="tasks-heading">Open tasks</h2>
				<p className="card-muted">
					Due {policy.taskDueDays} days after the answer is recorded: your organisation’s internal policy, not an
					Atlassian deadline (Atlassian publishes none).
				</p>
				{tasks.length === 0 ? (
					<p>No erase or refresh tasks are open. Tasks appear here when a recorded answer reports accounts closed or updated.</p>
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
															{task.kind === 'erase' ? `Mark erased: ${task.accountId}` : `Mark refreshed: ${task.accountId}`}
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

			<section className="card stack-sm" aria-labelledby="batches-heading">
				<h2 id="batches-heading">Prepare the report</h2>
				<p>
					{accountCount === 0
						? 'The ledger is empty: import the account ids this app stores first.'
						: `${accountCount} stored account${accountCount === 1 ? '' : 's'} in ${batchCount} batch${batchCount === 1 ? '' : 'es'} of at most ${MAX_BATCH} — each batch is one request body for POST /app/report-accounts/.`}
				</p>
				{accountCount > 0 ? (
					<div className="row">
						<a className="button button-secondary" href={`${base}/batches?format=json`} download>
							Download batches (JSON array)
						</a>
						<a className="button button-secondary" href={`${base}/batches?format=ndjson`} download>
							Download batches (NDJSON)
						</a>
					</div>
				) : null}
			</section>

			{canEdit && required ? (
				<RunForm
					nowLocal={loaderData.nowLocal}
					timeZone={timeZone}
					busy={busy}
					result={result?.intent === 'run' ? result : undefined}
				/>
			) : null}

			<section className="card stack-sm" aria-labelledby="runs-heading">
				<h2 id="runs-heading">Report runs (evidence)</h2>
				{runs.length === 0 ? (
					<p>No report recorded yet. After sending the batches to Atlassian, record the run and its answers above.</p>
				) : (
					<div className="table-wrap">
						<table>
							<caption className="visually-hidden">Report runs</caption>
							<thead>
								<tr>
									<th scope="col">Sent</th>
									<th scope="col">Accounts</th>
									<th scope="col">Batches</th>
									<th scope="col">Closed</th>
									<th scope="col">Updated</th>
									<th scope="col">Cycle-Period</th>
									<th scope="col">Recorded by</th>
								</tr>
							</thead>
							<tbody>
								{runs.map((run) => (
									<tr key={run.id}>
										<td>{formatDateTime(run.sentAt, timeZone)}</td>
										<td>{run.accountCount}</td>
										<td>{run.batchCount}</td>
										<td>{run.closedCount}</td>
										<td>{run.updatedCount}</td>
										<td>
											{run.cyclePeriodRaw ? (
												<>
													<span className="mono">{run.cyclePeriodRaw}</span>
													<span className="sub">{run.cyclePeriodDays} days</span>
												</>
											) : (
												'—'
											)}
										</td>
										<td>
											{run.recordedByName}
											<span className="sub">{formatDateTime(run.createdAt, timeZone)}</span>
										</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
				)}
			</section>

			{canEdit ? <ImportForm busy={busy} result={result?.intent === 'import' ? result : undefined} /> : null}

			<Ledger base={base} />
		</div>
	)
}

function CycleForm({ cycleDays, busy, result }: { cycleDays: number; busy: boolean; result?: ActionResult }) {
	const preset = cycleDays === DEFAULT_CYCLE_DAYS || cycleDays === ATLASSIAN_API_DEFAULT_CYCLE_DAYS ? String(cycleDays) : 'custom'
	// The action's schema checks in the browser first (style.md habit 3); without JavaScript the action answers.
	const { formRef, onSubmit, errorOf, radio, text } = useValidatedForm(CycleSchema, {
		defaultValues: {
			cycle: preset as z.input<typeof CycleSchema>['cycle'],
			customDays: preset === 'custom' ? String(cycleDays) : '',
		},
		serverErrors: result?.errors,
	})
	return (
		<section className="card stack-sm" aria-labelledby="cycle-heading">
			<h2 id="cycle-heading">Change the cycle</h2>
			<FormAlert message={result?.formError} />
			<Form method="post" className="form" ref={formRef} onSubmit={onSubmit} noValidate>
				<input type="hidden" name="intent" value="cycle" />
				<fieldset className="fieldset">
					<legend>Report every</legend>
					<label className="check">
						<input type="radio" {...radio('cycle', String(DEFAULT_CYCLE_DAYS))} />
						<span>
							{DEFAULT_CYCLE_DAYS} days <small>the Email API guideline</small>
						</span>
					</label>
					<label className="check">
						<input type="radio" {...radio('cycle', String(ATLASSIAN_API_DEFAULT_CYCLE_DAYS))} />
						<span>
							{ATLASSIAN_API_DEFAULT_CYCLE_DAYS} days <small>Atlassian’s reporting API default</small>
						</span>
					</label>
					<label className="check">
						<input type="radio" {...radio('cycle', 'custom')} />
						<span>Another number of days</span>
					</label>
				</fieldset>
				<TextField
					label="Days (1–90), for another number"
					type="number"
					min={1}
					max={MAX_CYCLE_DAYS}
					inputMode="numeric"
					{...text('customDays')}
					error={errorOf('customDays')}
				/>
				<div className="row">
					<button type="submit" className="button button-secondary" disabled={busy}>
						Save cycle
					</button>
				</div>
			</Form>
		</section>
	)
}

function RunForm({
	nowLocal,
	timeZone,
	busy,
	result,
}: {
	nowLocal: string
	timeZone: string
	busy: boolean
	result?: ActionResult
}) {
	const values = result?.values ?? {}
	const [cyclePeriod, setCyclePeriod] = useState(typeof values.cyclePeriod === 'string' ? values.cyclePeriod : '')
	const implied = cyclePeriod.trim() ? parseCyclePeriod(cyclePeriod.trim()) : null
	return (
		<section className="card stack-sm" aria-labelledby="run-heading">
			<h2 id="run-heading">Record a report run</h2>
			<p className="card-muted">
				Once the batches are sent, record when and what Atlassian answered. Accounts answered <strong>closed</strong>{' '}
				become erase tasks, <strong>updated</strong> ones refresh tasks. Recording restarts the cycle from the time sent.
			</p>
			<FormAlert message={result?.formError} />
			<Form method="post" encType="multipart/form-data" className="form">
				<input type="hidden" name="intent" value="run" />
				<TextField
					label={`Sent at (${timeZone})`}
					name="sentAt"
					type="datetime-local"
					required
					defaultValue={typeof values.sentAt === 'string' ? values.sentAt : nowLocal}
					error={result?.errors?.sentAt}
				/>
				<TextField
					label="Cycle-Period header (optional)"
					name="cyclePeriod"
					autoComplete="off"
					value={cyclePeriod}
					onChange={(event) => setCyclePeriod(event.currentTarget.value)}
					hint="As Atlassian returned it, e.g. 604800 (seconds) or P7D. It becomes this app’s cycle."
					error={result?.errors?.cyclePeriod}
				/>
				{implied ? (
					<p className={implied.ok ? 'alert alert-info' : 'alert alert-warn'} aria-live="polite">
						{implied.ok
							? `“${cyclePeriod.trim()}” means ${implied.days} day${implied.days === 1 ? '' : 's'}: recording this run sets the cycle to ${implied.days} days.`
							: implied.reason}
					</p>
				) : null}
				<TextAreaField
					label="Atlassian’s answers (paste)"
					name="answers"
					rows={6}
					defaultValue={typeof values.answers === 'string' ? values.answers : ''}
					hint='One per batch as returned: {"accounts":[{"accountId":"…","status":"closed"}]}, a JSON array of those, NDJSON, or leave empty / 204 when nothing came back.'
					error={result?.errors?.answers}
				/>
				<div className="field">
					<label htmlFor="answersFile">…or upload the answers file</label>
					<input id="answersFile" name="answersFile" type="file" accept=".json,.ndjson,.txt,application/json" />
					<FieldError name="answersFile" message={result?.errors?.answersFile} />
				</div>
				<div className="row">
					<button type="submit" className="button" disabled={busy}>
						Record run
					</button>
				</div>
			</Form>
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
							{result.rejected > result.rejectedRows.length ? ` (the first ${MAX_REJECTED_LISTED} of ${result.rejected})` : ''}
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
			<Form method="get" className="row" role="search" aria-label="Search the ledger" style={{ alignItems: 'flex-end' }}>
				<TextField label="Search account ids" type="search" name="q" defaultValue={q} autoComplete="off" />
				<button type="submit" className="button button-secondary">
					Search
				</button>
			</Form>
			{ledger.total === 0 ? (
				<EmptyState title={q ? `No account id contains “${q}”` : 'No accounts stored'}>
					{q ? 'Check the id, or clear the search.' : 'Import a CSV of the account ids this app stores, with their updatedAt.'}
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
					<Pagination label="Ledger pages" first={first} last={last} total={ledger.total} page={page} hrefFor={(to) => ledgerSearch({ q, page: to })} />
				</>
			)}
		</section>
	)
}
