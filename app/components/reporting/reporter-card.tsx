import { useFetcher } from '@remix-run/react'
import { formatDateTime } from '~/components/reporting-status'
import { Badge, type Tone } from '~/components/ui/status'

/**
 * Clearance's own reporter for this app (docs/rules.md › Personal-data
 * reporting): "Send now", "Dry run" (the batch count and the first body,
 * nothing sent) and the automatic runs with what became of each. The
 * connection's state, last success, last error and next planned send are on
 * the connection card above it.
 */

export const REPORTER_FETCHER = 'reporter'

export type ReporterRunView = {
	id: string
	status: string
	batchCount: number
	nextBatch: number
	batches: number
	closed: number
	updated: number
	attempts: number
	resumeAfter: Date | string | null
	error: string | null
	reportRunId: string | null
	requestedBy: string | null
	startedAt: Date | string
	finishedAt: Date | string | null
}

export type ReporterResult = {
	intent?: 'send' | 'dry-run'
	notice?: string
	warning?: string
	formError?: string | null
	dryRun?: { batchCount: number; accountCount: number; firstBody: string | null }
}

const RUN_STATUS: Record<string, { tone: Tone; label: string }> = {
	running: { tone: 'info', label: 'Sending' },
	waiting: { tone: 'warn', label: 'Paused' },
	sent: { tone: 'ok', label: 'Sent' },
	failed: { tone: 'bad', label: 'Failed' },
}

function plural(count: number, one: string, many = `${one}s`) {
	return `${count} ${count === 1 ? one : many}`
}

export function ReporterCard({
	action,
	connected,
	runs,
	timeZone,
	canSend,
	result: pageResult,
}: {
	/** The route the buttons post to (…/reporting/reporter). */
	action: string
	/** Whether the app has a working connection. */
	connected: 'ok' | 'broken' | null
	runs: ReporterRunView[]
	timeZone: string
	canSend: boolean
	/** The answer when posted without JavaScript. */
	result?: ReporterResult
}) {
	const fetcher = useFetcher<ReporterResult>({ key: REPORTER_FETCHER })
	const result = fetcher.data ?? pageResult
	const busy = fetcher.state !== 'idle'
	return (
		<section className="card stack-sm" aria-labelledby="reporter-heading">
			<h2 id="reporter-heading">Automatic reports</h2>
			{connected === null ? (
				<p className="card-muted">
					Once an admin sets the app’s reporting connection, Clearance sends this app’s reports itself, shortly before
					each is due.
				</p>
			) : (
				<p>
					Clearance sends this app’s report shortly before it is due (never on the hour), in batches of at most 90 one
					after another, records the answers as a run below, and creates the erase and refresh tasks.
				</p>
			)}
			{result?.notice ? (
				<p className="alert alert-ok" role="status">
					{result.notice}
				</p>
			) : null}
			{result?.warning ? (
				<p className="alert alert-warn" role="status">
					{result.warning}
				</p>
			) : null}
			{result?.formError ? (
				<p className="alert alert-bad" role="alert">
					{result.formError}
				</p>
			) : null}
			{result?.dryRun ? (
				<div className="stack-sm" data-testid="reporter-dry-run">
					<p>
						Dry run: nothing was sent. A report now would send {plural(result.dryRun.accountCount, 'account')} in{' '}
						{plural(result.dryRun.batchCount, 'batch', 'batches')}.
					</p>
					{result.dryRun.firstBody ? (
						<details>
							<summary>The first batch’s body</summary>
							<pre className="code-block">{result.dryRun.firstBody}</pre>
						</details>
					) : null}
				</div>
			) : null}
			{canSend && connected !== null ? (
				<fetcher.Form method="post" action={action} className="row">
					<button className="button" type="submit" name="intent" value="send" disabled={busy || connected !== 'ok'}>
						{busy && fetcher.formData?.get('intent') === 'send' ? 'Sending…' : 'Send now'}
					</button>
					<button className="button button-secondary" type="submit" name="intent" value="dry-run" disabled={busy}>
						Dry run
					</button>
				</fetcher.Form>
			) : null}
			{connected === 'broken' ? (
				<p className="card-muted">Send now is off until the connection is saved again.</p>
			) : null}
			{runs.length > 0 ? (
				<div className="table-wrap">
					<table>
						<caption>Automatic runs, latest first</caption>
						<thead>
							<tr>
								<th scope="col">Started</th>
								<th scope="col">Status</th>
								<th scope="col">Batches</th>
								<th scope="col">Answers</th>
								<th scope="col">What happened</th>
							</tr>
						</thead>
						<tbody>
							{runs.map((run) => {
								const status = RUN_STATUS[run.status] ?? { tone: 'neutral' as Tone, label: run.status }
								return (
									<tr key={run.id}>
										<td>
											{formatDateTime(run.startedAt, timeZone)}
											<span className="sub">{run.requestedBy ? 'Send now' : 'On schedule'}</span>
										</td>
										<td>
											<Badge tone={status.tone}>{status.label}</Badge>
										</td>
										<td>
											{run.nextBatch} of {run.batchCount}
										</td>
										<td>
											{plural(run.closed, 'closed', 'closed')}, {plural(run.updated, 'updated', 'updated')}
										</td>
										<td>
											{run.status === 'waiting' && run.resumeAfter
												? `Resumes after ${formatDateTime(run.resumeAfter, timeZone)}. `
												: null}
											{run.status === 'sent'
												? `Recorded ${run.finishedAt ? formatDateTime(run.finishedAt, timeZone) : ''} as a run below.`
												: (run.error ?? (run.status === 'running' ? 'Sending now, or resumes in the next pass.' : ''))}
										</td>
									</tr>
								)
							})}
						</tbody>
					</table>
				</div>
			) : connected !== null ? (
				<p className="card-muted">No automatic run yet.</p>
			) : null}
		</section>
	)
}
