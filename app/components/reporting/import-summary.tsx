import { MAX_REJECTED_LISTED } from '~/schemas/reporting'
import { type ReportingActionResult } from './action-result'

type ImportResult = NonNullable<ReportingActionResult['importResult']>

/** What an import wrote and which rows it refused (the first MAX_REJECTED_LISTED of them), as a status. */
export function ImportSummary({ result, rejectionsUrl }: { result: ImportResult; rejectionsUrl?: string }) {
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
