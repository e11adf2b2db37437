import { Form } from '@remix-run/react'
import { formatDateTime } from '~/components/reporting-status'
import { FormAlert } from '~/components/ui/form'
import { counted } from '~/domain/counts'
import { MAX_BATCH } from '~/domain/report-batches'
import { shortDigest } from '~/domain/report-evidence'
import { type ReportingActionResult } from './action-result'

export type PreparedReportView = {
	id: string
	sha256: string
	accountCount: number
	batchCount: number
	preparedAt: Date | string
}

/**
 * Prepare the report: record the ledger's batch set (its SHA-256, counts and
 * each batch's SHA-256) so the run that answers it is tied to exactly what
 * was sent; then download those batches.
 */
export function PrepareCard({
	base,
	accountCount,
	batchCount,
	prepared,
	latestIsCurrent,
	timeZone,
	canEdit,
	busy,
	result,
}: {
	base: string
	accountCount: number
	batchCount: number
	prepared: PreparedReportView[]
	/** False when the ledger changed since the latest report was prepared; null when unknown. */
	latestIsCurrent: boolean | null
	timeZone: string
	canEdit: boolean
	busy: boolean
	result?: ReportingActionResult
}) {
	const latest = prepared[0]
	return (
		<section className="card stack-sm" aria-labelledby="batches-heading">
			<h2 id="batches-heading">Prepare the report</h2>
			<p>
				{accountCount === 0
					? 'The ledger is empty: import the account ids this app stores first.'
					: `${counted(accountCount, 'stored account')} in ${counted(batchCount, 'batch', 'batches')} of at most ${MAX_BATCH} — each batch is one request body for Atlassian’s reporting API.`}
			</p>
			<FormAlert message={result?.formError} />
			{accountCount > 0 && canEdit ? (
				<Form method="post" className="row">
					<input type="hidden" name="intent" value="prepare" />
					<button type="submit" className="button" disabled={busy}>
						Prepare report
					</button>
					<span className="card-muted">Records what will be sent, so the run you record later proves it.</span>
				</Form>
			) : null}
			{/* What preparing did, said here where the button was pressed (the page's alerts leave it out). */}
			<div role="status">{result?.notice ? <p className="alert alert-ok">{result.notice}</p> : null}</div>
			{latest ? (
				<div className="stack-sm">
					<p>
						Latest prepared report: {counted(latest.accountCount, 'account')} in{' '}
						{counted(latest.batchCount, 'batch', 'batches')}, prepared {formatDateTime(latest.preparedAt, timeZone)}{' '}
						(fingerprint <span className="mono">{shortDigest(latest.sha256)}</span>).
					</p>
					{latestIsCurrent === false ? (
						<p className="alert alert-warn" role="status">
							The ledger has changed since this report was prepared, so its batches are no longer what the ledger holds.
							Prepare the report again to send the current accounts.
						</p>
					) : (
						<div className="row">
							<a
								className="button button-secondary"
								href={`${base}/batches?format=json&report=${latest.sha256}`}
								download
							>
								Download its batches (JSON array)
							</a>
							<a
								className="button button-secondary"
								href={`${base}/batches?format=ndjson&report=${latest.sha256}`}
								download
							>
								Download its batches (NDJSON)
							</a>
						</div>
					)}
					<p className="card-muted">
						The download is refused if the ledger has changed since: prepare again then. The fingerprint is the SHA-256
						of the batches, kept with each run recorded from them:{' '}
						<span className="mono break-anywhere">{latest.sha256}</span>
					</p>
				</div>
			) : accountCount > 0 ? (
				<p className="card-muted">
					No report prepared yet.
					{canEdit ? '' : ' Someone with the vendor role prepares it before the batches are sent.'}
				</p>
			) : null}
		</section>
	)
}
