import { useFetcher } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { FieldError, FormAlert } from '~/components/ui/form'
import { type JobSummary } from '~/services/import-jobs.server'
import { type ReportingActionResult } from './action-result'
import { ImportJobs } from './import-jobs'
import { ImportSummary } from './import-summary'
import { IMPORT_FETCHER } from './use-reporting-result'

/**
 * The ledger import: a CSV file posted to the import route (`action`). With
 * JavaScript through the shared import fetcher, so the reporting page stays;
 * without, as an ordinary multipart form to that route's page.
 */
export function ImportForm({
	action,
	busy,
	result,
	jobs,
}: {
	action: string
	busy: boolean
	result?: ReportingActionResult
	/** The app's recent import jobs when the page's loader read them (without JavaScript the list is not fetched). */
	jobs?: JobSummary[]
}) {
	const fetcher = useFetcher({ key: IMPORT_FETCHER })
	const form = useRef<HTMLFormElement>(null)
	// A file taken (imported, or accepted as a job) is cleared from the form, once: pressing Import again must not send
	// it twice. A refused file stays chosen, and "All or nothing" stays as it was, for the retry.
	const taken =
		result?.intent === 'import' &&
		!result.errors &&
		!result.formError &&
		(result.importResult ? result.importResult.written : Boolean(result.importJob))
	const cleared = useRef<unknown>(null)
	useEffect(() => {
		if (!taken || fetcher.state !== 'idle' || cleared.current === result) return
		cleared.current = result
		const file = form.current?.elements.namedItem('file')
		if (file instanceof HTMLInputElement) file.value = ''
	}, [taken, fetcher.state, result])
	const imported = result?.importResult
	const job = result?.importJob
	// The upload's answer saw the job just accepted; the list below reads it again while it runs.
	const [liveJobs, setLiveJobs] = useState<JobSummary[]>()
	const importing = job ? !(liveJobs?.find((live) => live.id === job.id) ?? job).finished : false
	const base = action.replace(/\/import$/, '')
	return (
		<section className="card stack-sm" aria-labelledby="import-heading">
			<h2 id="import-heading">Import account ids</h2>
			<p className="card-muted">
				A CSV file with the header <span className="mono">accountId,updatedAt</span>: Atlassian account ids and RFC 3339
				dates, never email addresses. Existing accounts are updated; any file size.
			</p>
			<FormAlert message={result?.formError} />
			{imported ? (
				<ImportSummary
					result={imported}
					rejectionsUrl={job && imported.rejected > 0 ? `${base}/imports/${job.id}/rejections.csv` : undefined}
				/>
			) : null}
			{importing && !imported && result?.intent === 'import' ? (
				<p className="alert alert-info" role="status">
					File received: it is being imported now. Its progress shows under Recent imports; the rest of Clearance stays
					usable meanwhile.
				</p>
			) : null}
			{result?.notice && result.intent === 'cancel-import' ? (
				<p className="alert alert-warn" role="status">
					{result.notice}
				</p>
			) : null}
			<fetcher.Form ref={form} method="post" action={action} encType="multipart/form-data" className="form">
				{/* First in the form: the upload parser writes a file only for an intent that takes it. */}
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
					<button type="submit" className="button" disabled={busy || fetcher.state === 'submitting'}>
						Import
					</button>
				</div>
			</fetcher.Form>
			<ImportJobs base={base} initial={jobs} onJobs={setLiveJobs} />
		</section>
	)
}
