import { useFetcher, useRevalidator } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { Badge, type Tone } from '~/components/ui/status'
import { counted, formatNumber } from '~/domain/counts'
import { type JobSummary } from '~/services/import-jobs.server'
import { repeatedRowsText } from './import-summary'
import { IMPORT_FETCHER } from './use-reporting-result'

/** How often a page with an import under way asks how far it got. */
const POLL_MS = 1000

const STATUS: Record<JobSummary['status'], { tone: Tone; words: string }> = {
	queued: { tone: 'info', words: 'Waiting to start' },
	running: { tone: 'info', words: 'Importing' },
	succeeded: { tone: 'ok', words: 'Imported' },
	failed: { tone: 'bad', words: 'Not imported' },
	cancelled: { tone: 'warn', words: 'Cancelled' },
}

function size(bytes: number) {
	if (bytes < 1024) return counted(bytes, 'byte')
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** What a job wrote, in words, for any status. */
function outcome(job: JobSummary) {
	const written = `${counted(job.inserted, 'account')} added, ${counted(job.updated, 'account')} updated`
	const rejected = `${counted(job.rejected, 'row')} rejected`
	switch (job.status) {
		case 'queued':
			return 'Waiting for the import to start.'
		case 'running':
			return job.atomic
				? `${counted(job.rows, 'row')} read, ${rejected}; nothing is written until the whole file is read.`
				: `${counted(job.rows, 'row')} read so far: ${written}, ${rejected}.`
		case 'succeeded': {
			const repeated = repeatedRowsText(job)
			return `${written}, ${rejected}.${repeated ? ` ${repeated}` : ''}`
		}
		case 'cancelled':
			return job.atomic || !job.written
				? `Cancelled after ${counted(job.rows, 'row')}: nothing was written.`
				: `Cancelled after ${counted(job.rows, 'row')}. What was already written stays in the ledger: ${written}.`
		case 'failed':
			return job.error ?? 'The import stopped.'
	}
}

/**
 * The app's recent imports: the one under way with its progress (bytes,
 * rows, rows per second) and a Cancel button, the finished ones with what
 * they wrote and their full list of rejected rows as a CSV file. With
 * JavaScript the list asks `…/reporting/imports` again every second while an
 * import runs; without, a Refresh link reloads the page.
 */
export function ImportJobs({
	base,
	initial,
	onJobs,
}: {
	base: string
	initial?: JobSummary[]
	/** Told each list read, so what is shown beside it follows the jobs too. */
	onJobs?: (jobs: JobSummary[]) => void
}) {
	const list = useFetcher<{ jobs: JobSummary[] }>()
	const upload = useFetcher({ key: IMPORT_FETCHER })
	const jobs = list.data?.jobs ?? initial ?? []
	const active = jobs.some((job) => !job.finished)
	const { load, state } = list
	const url = `${base}/imports`
	// Read once on arrival (the reporting page's loader does not), again after each upload or cancel; never while a
	// read is under way, which the router would abort and report as an error in the page: the next read waits for it.
	const [stale, setStale] = useState(true)
	useEffect(() => setStale(true), [url, upload.data])
	useEffect(() => {
		if (!stale || state !== 'idle') return
		setStale(false)
		void load(url)
	}, [stale, state, load, url])
	useEffect(() => {
		if (list.data) onJobs?.(list.data.jobs)
	}, [list.data, onJobs])
	// A job seen under way that has now ended changed the ledger, and with it the app's status, deadline and figures
	// shown around this list: the page reads them again, so it never keeps an "on track" the import has overturned.
	const { revalidate } = useRevalidator()
	const underWay = useRef(new Set<string>())
	useEffect(() => {
		// The upload's answer names its job under way, in case it ends before the list is first read.
		const accepted = (upload.data as { importJob?: JobSummary } | undefined)?.importJob
		if (accepted && !accepted.finished) underWay.current.add(accepted.id)
		const read = list.data?.jobs ?? initial ?? []
		const ended = read.some((job) => job.finished && underWay.current.has(job.id))
		for (const job of read) {
			if (job.finished) underWay.current.delete(job.id)
			else underWay.current.add(job.id)
		}
		if (ended) revalidate()
	}, [list.data, initial, upload.data, revalidate])
	useEffect(() => {
		if (!active || state !== 'idle') return
		const timer = setTimeout(() => void load(url), POLL_MS)
		return () => clearTimeout(timer)
	}, [active, state, url, load, list.data])
	if (jobs.length === 0) return null
	return (
		<section className="stack-sm" aria-labelledby="import-jobs-heading">
			<h3 id="import-jobs-heading">Recent imports</h3>
			<ul className="stack-sm" aria-live="polite">
				{jobs.map((job) => (
					<JobRow key={job.id} job={job} base={base} />
				))}
			</ul>
			{active ? (
				<p className="card-muted">
					<a href={`${base}/import`}>Refresh</a> to see how far the import got.
				</p>
			) : null}
		</section>
	)
}

function JobRow({ job, base }: { job: JobSummary; base: string }) {
	const cancel = useFetcher({ key: IMPORT_FETCHER })
	const status = STATUS[job.status]
	return (
		<li className="stack-sm" data-import-job={job.id}>
			<p>
				<Badge tone={status.tone}>{job.cancelRequested && !job.finished ? 'Stopping' : status.words}</Badge>{' '}
				<strong>{job.fileName ?? 'Import'}</strong>{' '}
				<span className="card-muted">
					{size(job.totalBytes)}
					{job.atomic ? ' · all or nothing' : ''}
				</span>
			</p>
			{!job.finished ? (
				<p>
					<progress max={100} value={job.percent} aria-label={`Import of ${job.fileName ?? 'the file'}`}>
						{job.percent}%
					</progress>{' '}
					{job.percent}% · {size(job.processedBytes)} of {size(job.totalBytes)} read
					{job.rowsPerSecond !== null ? ` · ${formatNumber(job.rowsPerSecond)} rows a second` : ''}
				</p>
			) : null}
			<p>{outcome(job)}</p>
			<div className="row">
				{!job.finished && !job.cancelRequested ? (
					<cancel.Form method="post" action={`${base}/import`}>
						<input type="hidden" name="intent" value="cancel-import" />
						<input type="hidden" name="jobId" value={job.id} />
						<button type="submit" className="button button-secondary" disabled={cancel.state !== 'idle'}>
							Cancel import
						</button>
					</cancel.Form>
				) : null}
				{job.rejected > 0 ? (
					<a className="button button-secondary" href={`${base}/imports/${job.id}/rejections.csv`} download>
						Download the {counted(job.rejected, 'rejected row')} (CSV)
					</a>
				) : null}
			</div>
		</li>
	)
}
