import { useFetcher } from '@remix-run/react'
import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react'
import { formatDateTime } from '~/components/reporting-status'
import { FieldError, FormAlert, SelectField, TextAreaField, TextField } from '~/components/ui/form'
import { counted } from '~/domain/counts'
import { describeCycle, readCyclePeriod } from '~/domain/cycle-period'
import { answersPreview } from '~/domain/report-batches'
import { shortDigest } from '~/domain/report-evidence'
import { REPORTING_LIMITS } from '~/schemas/reporting'
import { type ReportingActionResult } from './action-result'
import { type PreparedReportView } from './prepare-card'
import { RUN_FETCHER } from './use-reporting-result'

/** An answers file above this is not read ahead in the browser (the run still reads it when recorded). */
const MAX_PREVIEW_FILE_BYTES = 2_000_000

/** The answers file chosen, as far as the browser has read it ahead. */
type AnswersFile = { state: 'none' } | { state: 'reading' | 'unread' } | { state: 'read'; text: string }

/** What Clearance will do with a Cycle-Period value, said before the run is recorded. */
function headerPreview(raw: string, cycleDays: number): { tone: 'info' | 'warn'; text: string } | null {
	const value = raw.trim()
	if (!value) return null
	const reading = readCyclePeriod(value)
	if (reading.kind === 'unreadable')
		return { tone: 'warn', text: `${reading.reason}. It is kept with the run and not applied.` }
	if (reading.kind === 'unclear')
		return { tone: 'warn', text: `${reading.reason} You will be asked to confirm it after recording.` }
	const means = `“${value}” means ${describeCycle(reading.days)}`
	if (reading.days < cycleDays) {
		return {
			tone: 'warn',
			text: `${means}, shorter than the ${describeCycle(cycleDays)} in force: you will be asked to confirm it after recording.`,
		}
	}
	return { tone: 'info', text: `${means}: recording this run makes it the app’s cycle, as Atlassian asks.` }
}

/**
 * Record a report run: posted to the run route (`action`). With JavaScript
 * through the shared run fetcher, so the reporting page stays; without, as
 * an ordinary multipart form to that route's page.
 */
export function RunForm({
	action,
	prepared,
	cycleDays,
	nowLocal,
	timeZone,
	busy,
	result,
}: {
	action: string
	prepared: PreparedReportView[]
	cycleDays: number
	nowLocal: string
	timeZone: string
	busy: boolean
	result?: ReportingActionResult
}) {
	const fetcher = useFetcher<ReportingActionResult>({ key: RUN_FETCHER })
	const values = result?.values ?? {}
	const [cyclePeriod, setCyclePeriod] = useState(typeof values.cyclePeriod === 'string' ? values.cyclePeriod : '')
	const preview = headerPreview(cyclePeriod, cycleDays)
	const [reportId, setReportId] = useState(
		typeof values.preparedReport === 'string' ? values.preparedReport : (prepared[0]?.id ?? ''),
	)
	const [answers, setAnswers] = useState(typeof values.answers === 'string' ? values.answers : '')
	const [file, setFile] = useState<AnswersFile>({ state: 'none' })
	// Whether the answers were touched since the form was last emptied: an untouched empty box says nothing.
	const [edited, setEdited] = useState(typeof values.answers === 'string' && values.answers !== '')
	const fileInput = useRef<HTMLInputElement>(null)
	const selected = prepared.find((report) => report.id === reportId) ?? prepared[0]
	// The result the answers were last changed under: until they change again, a refusal's own message under the
	// field says what is wrong with them, and the note does not say it a second time.
	const [changedUnder, setChangedUnder] = useState<ReportingActionResult | undefined>(undefined)
	const refused = Boolean(result?.errors?.answers ?? result?.errors?.answersFile) && changedUnder !== result
	const answersNote = useAnswersNote(answers, file, selected?.batchCount, edited && !refused)
	// A recorded run empties what it was recorded from, so the note does not go on describing it.
	const answer = fetcher.data
	useEffect(() => {
		if (!answer?.notice) return
		setAnswers('')
		// The header value was the recorded run's: left, it would go on warning about a run already recorded.
		setCyclePeriod('')
		setEdited(false)
		removeFile()
	}, [answer])
	function removeFile() {
		setFile({ state: 'none' })
		if (fileInput.current) fileInput.current.value = ''
	}
	return (
		<section className="card stack-sm" aria-labelledby="run-heading">
			<h2 id="run-heading">Record a report run</h2>
			<p className="card-muted">
				Once a prepared report’s batches are sent, record when and what Atlassian answered. Accounts answered{' '}
				<strong>closed</strong> become erase tasks, <strong>updated</strong> ones refresh tasks. Recording restarts the
				cycle from the time sent; a time more than a day before now is labelled “recorded later”.
			</p>
			<FormAlert message={result?.formError} />
			{prepared.length === 0 ? (
				<p>Prepare the report first: a run records which prepared report it answers.</p>
			) : (
				<fetcher.Form method="post" action={action} encType="multipart/form-data" className="form">
					{/* First in the form: the upload parser writes a file only for an intent that takes it. */}
					<input type="hidden" name="intent" value="run" />
					<SelectField
						label="Report sent"
						name="preparedReport"
						required
						value={selected?.id}
						onChange={(event) => setReportId(event.currentTarget.value)}
						error={result?.errors?.preparedReport}
					>
						{prepared.map((report) => (
							<option key={report.id} value={report.id}>
								Prepared {formatDateTime(report.preparedAt, timeZone)}: {counted(report.accountCount, 'account')} in{' '}
								{counted(report.batchCount, 'batch', 'batches')} (fingerprint {shortDigest(report.sha256)})
							</option>
						))}
					</SelectField>
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
						hint="Exactly as Atlassian returned it, e.g. P7D, 7 Days or 604800. It is kept with the run."
						error={result?.errors?.cyclePeriod}
					/>
					<LiveNote id="cycle-period-note" note={preview} />
					<TextAreaField
						label="Atlassian’s answers (paste)"
						name="answers"
						rows={6}
						value={answers}
						onChange={(event) => {
							setAnswers(event.currentTarget.value)
							setEdited(true)
							setChangedUnder(result)
						}}
						describedBy={answersNote ? 'answers-note' : undefined}
						hint={
							<>
								Atlassian’s answer to each batch, in batch order, as it came back (such as{' '}
								<code>{'{"accounts":[{"accountId":"…","status":"closed"}]}'}</code>), several as a JSON array or one per
								line. Enter 204 when Atlassian answered every batch with nothing to do.
							</>
						}
						error={result?.errors?.answers}
					/>
					<div className="field">
						<label htmlFor="answersFile">…or upload the answers file</label>
						<input
							ref={fileInput}
							id="answersFile"
							name="answersFile"
							type="file"
							accept=".json,.ndjson,.txt,application/json"
							aria-describedby={answersNote ? 'answers-note' : undefined}
							onChange={(event) => {
								const input = event.currentTarget
								const chosen = input.files?.[0]
								setEdited(true)
								setChangedUnder(result)
								// An empty file is not taken (the pasted answers are, as the server does).
								if (!chosen || chosen.size === 0) return setFile({ state: 'none' })
								if (chosen.size > MAX_PREVIEW_FILE_BYTES) return setFile({ state: 'unread' })
								setFile({ state: 'reading' })
								// Only the file still chosen when its reading ends counts.
								const still = () => input.files?.[0] === chosen
								chosen.text().then(
									(text) => still() && setFile({ state: 'read', text }),
									() => still() && setFile({ state: 'unread' }),
								)
							}}
						/>
						<FieldError name="answersFile" message={result?.errors?.answersFile} />
						{file.state !== 'none' ? (
							<button
								type="button"
								className="button-link"
								onClick={() => {
									removeFile()
									setChangedUnder(result)
								}}
							>
								Remove the file
							</button>
						) : null}
					</div>
					<LiveNote id="answers-note" note={answersNote} />
					<RecordedRun answer={edited ? undefined : answer} />
					<div className="row">
						<button type="submit" className="button" disabled={busy || fetcher.state === 'submitting'}>
							Record run
						</button>
					</div>
				</fetcher.Form>
			)}
		</section>
	)
}

/**
 * What the run just recorded did, and what needs a look (batches left unanswered, answers about accounts not in the
 * ledger), said where the button was pressed (and only there: the page's own alerts leave it out), aloud. Empty once
 * the answers are changed again.
 */
export function RecordedRun({ answer }: { answer: ReportingActionResult | undefined }) {
	return (
		<div role="status">
			{answer?.notice ? (
				<p className="alert alert-ok" data-testid="run-recorded">
					{answer.notice}
				</p>
			) : null}
			{answer?.notice && answer.warning ? <p className="alert alert-warn">{answer.warning}</p> : null}
		</div>
	)
}

type Note = { tone: 'info' | 'warn'; text: string } | null

/**
 * What recording these answers will do (answersPreview), read from the chosen file when there is one (the run
 * records the file, not the pasted text), and read after typing settles (a paste of up to a megabyte).
 */
function useAnswersNote(pasted: string, file: AnswersFile, batchCount: number | undefined, edited: boolean): Note {
	// A file read ahead is already bounded (MAX_PREVIEW_FILE_BYTES); a paste is bounded by what the form takes.
	const text = useDeferredValue(
		file.state === 'read' ? file.text : pasted.length > REPORTING_LIMITS.answers ? '' : pasted,
	)
	const parsed = useMemo(() => (batchCount === undefined ? null : answersPreview(text, batchCount)), [text, batchCount])
	if (batchCount === undefined || !edited) return null
	// The run records a chosen file, never the box beside it: said, so pasted answers are not lost unnoticed.
	if (file.state !== 'none' && pasted.trim() !== '') {
		const ignored = 'The chosen file is what the run records: the answers pasted above are not used.'
		return { tone: 'warn', text: file.state === 'read' && parsed ? `${ignored} ${parsed.text}` : ignored }
	}
	if (file.state === 'reading') return { tone: 'info', text: 'Reading the file…' }
	if (file.state === 'unread')
		return { tone: 'info', text: 'The file is read when the run is recorded: it is too large to read ahead here.' }
	if (file.state === 'none' && pasted.length > REPORTING_LIMITS.answers)
		return { tone: 'warn', text: 'These answers are too long to paste: upload them as a file instead.' }
	return parsed
}

/** A note that screen readers hear when it changes: the live region is always there, only its text comes and goes. */
function LiveNote({ id, note }: { id: string; note: Note }) {
	return (
		<div aria-live="polite">
			{note ? (
				<p id={id} className={`alert alert-${note.tone}`}>
					{note.text}
				</p>
			) : null}
		</div>
	)
}
