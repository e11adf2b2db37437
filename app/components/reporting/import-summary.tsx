import { formatNumber } from '~/domain/counts'
import { MAX_REJECTED_LISTED } from '~/schemas/reporting'
import { type ReportingActionResult } from './action-result'

type ImportResult = NonNullable<ReportingActionResult['importResult']>

/**
 * The rows an import wrote past: each repeats an id a later row of the file gives again, and the last row for an id
 * is the one kept (ledger.server.ts › importAccounts). Said, so every row is accounted for; nothing when nothing was
 * written.
 */
export function repeatedRowsText({
	written,
	rows,
	inserted,
	updated,
	rejected,
}: Pick<ImportResult, 'written' | 'rows' | 'inserted' | 'updated' | 'rejected'>) {
	const repeated = rows - inserted - updated - rejected
	if (!written || repeated <= 0) return null
	return repeated === 1
		? '1 row skipped: its account id comes again further down the file, and the last row for an id is the one kept.'
		: `${formatNumber(repeated)} rows skipped: their account ids come again further down the file, and the last row for an id is the one kept.`
}

/** What an import wrote and which rows it refused (the first MAX_REJECTED_LISTED of them), as a status. */
export function ImportSummary({ result, rejectionsUrl }: { result: ImportResult; rejectionsUrl?: string }) {
	const tone = !result.written ? 'alert-bad' : result.rejected > 0 ? 'alert-warn' : 'alert-ok'
	const repeated = repeatedRowsText(result)
	return (
		<div className={`alert ${tone} stack-sm`} role="status">
			<p>
				<strong>
					{result.written
						? `Imported: ${result.inserted} added, ${result.updated} updated, ${result.rejected} rejected.`
						: `Nothing imported: ${result.rejected} row${result.rejected === 1 ? ' was' : 's were'} rejected and “All or nothing” was ticked.`}
				</strong>
			</p>
			{repeated ? <p>{repeated}</p> : null}
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
			{rejectionsUrl ? (
				<p>
					<a href={rejectionsUrl} download>
						Download every rejected row with its reason (CSV)
					</a>
				</p>
			) : null}
		</div>
	)
}
