import { formatDateTime } from '~/components/reporting-status'
import { Badge } from '~/components/ui/status'
import { TableScroll } from '~/components/ui/table-scroll'
import { counted, formatNumber } from '~/domain/counts'
import { describeCycle } from '~/domain/cycle-period'
import { shortDigest } from '~/domain/report-evidence'

export type RunView = {
	id: string
	sentAt: Date | string
	accountCount: number
	batchCount: number
	closedCount: number
	updatedCount: number
	cyclePeriodRaw: string | null
	cyclePeriodDays: number | null
	cyclePeriodOutcome: string | null
	preparedSha256: string | null
	answeredBatches: number
	recordedByName: string
	/** Sent by Clearance's own reporter (issue 14), not recorded by a person or a key. */
	sentByClearance?: boolean
	createdAt: Date | string
	recordedLater: boolean
}

const HEADER_OUTCOME: Record<string, string> = {
	applied: 'became the cycle',
	pending: 'waiting for confirmation',
	dismissed: 'not applied (a person kept the cycle)',
	unchanged: 'same as the cycle in force',
	unreadable: 'not readable: not applied',
}

/** Report runs as evidence: what was sent (the prepared report), what came back, who recorded it and when. */
export function RunsTable({ runs, timeZone }: { runs: RunView[]; timeZone: string }) {
	return (
		<section className="card stack-sm" aria-labelledby="runs-heading">
			<h2 id="runs-heading">Report runs (evidence)</h2>
			{runs.length === 0 ? (
				<p>
					No report recorded yet. After sending a prepared report’s batches to Atlassian, record the run and its
					answers.
				</p>
			) : (
				<TableScroll label="Report runs">
					<table className="stack-table">
						<caption className="visually-hidden">Report runs</caption>
						<thead>
							<tr>
								<th scope="col">Sent</th>
								<th scope="col">Report sent</th>
								<th scope="col">Answers</th>
								<th scope="col">Closed</th>
								<th scope="col">Updated</th>
								<th scope="col">Cycle-Period</th>
								<th scope="col">Recorded by</th>
							</tr>
						</thead>
						<tbody>
							{runs.map((run) => (
								<tr key={run.id}>
									<td data-label="Sent">
										{formatDateTime(run.sentAt, timeZone)}
										{run.recordedLater ? (
											<span className="sub">
												<Badge tone="warn">Recorded later</Badge>
											</span>
										) : null}
									</td>
									<td data-label="Report sent">
										{counted(run.accountCount, 'account')} in {counted(run.batchCount, 'batch', 'batches')}
										<span className="sub">
											{run.preparedSha256 ? (
												<>
													prepared report, fingerprint <span className="mono">{shortDigest(run.preparedSha256)}</span>
												</>
											) : (
												'not tied to a prepared report (recorded before Clearance kept them)'
											)}
										</span>
									</td>
									<td data-label="Answers">
										{run.preparedSha256
											? `${formatNumber(run.answeredBatches)} of ${formatNumber(run.batchCount)}`
											: '—'}
										{run.preparedSha256 && run.answeredBatches < run.batchCount ? (
											<span className="sub">
												<Badge tone="warn">
													{formatNumber(run.batchCount - run.answeredBatches)} without an answer: no task from them
												</Badge>
											</span>
										) : null}
									</td>
									<td data-label="Closed">{run.closedCount}</td>
									<td data-label="Updated">{run.updatedCount}</td>
									<td data-label="Cycle-Period">
										{run.cyclePeriodRaw ? (
											<>
												<span className="mono">{run.cyclePeriodRaw}</span>
												<span className="sub">
													{run.cyclePeriodDays != null ? `${describeCycle(run.cyclePeriodDays)}, ` : ''}
													{HEADER_OUTCOME[run.cyclePeriodOutcome ?? ''] ?? 'kept as evidence'}
												</span>
											</>
										) : (
											'—'
										)}
									</td>
									<td data-label="Recorded by">
										{run.sentByClearance ? <Badge tone="info">Sent by Clearance</Badge> : run.recordedByName}
										<span className="sub">{formatDateTime(run.createdAt, timeZone)}</span>
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</TableScroll>
			)}
		</section>
	)
}
