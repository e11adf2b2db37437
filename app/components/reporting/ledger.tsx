import { Form } from '@remix-run/react'
import { formatDateTime, formatDay } from '~/components/reporting-status'
import { TextField } from '~/components/ui/form'
import { Pagination } from '~/components/ui/pagination'
import { EmptyState } from '~/components/ui/status'

export type LedgerView = {
	accounts: { accountId: string; updatedAt: Date | string; createdAt: Date | string }[]
	total: number
}

/** The page's address for a search and page of the ledger, landing on the ledger. */
export function ledgerHref(base: string, { q, page }: { q: string; page: number }) {
	const search = new URLSearchParams()
	if (q) search.set('q', q)
	if (page > 1) search.set('page', String(page))
	const text = search.toString()
	return `${base}${text ? `?${text}` : ''}#ledger-heading`
}

/** The account ledger: search, one page of accounts, the CSV export. `base` is the reporting page's path. */
export function Ledger({
	base,
	ledger,
	q,
	page,
	pageSize,
	timeZone,
}: {
	base: string
	ledger: LedgerView
	q: string
	page: number
	pageSize: number
	timeZone: string
}) {
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
				action={base}
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
						: 'Import a CSV of the account ids this app stores, with when each was last updated.'}
				</EmptyState>
			) : (
				<>
					<div className="table-wrap">
						<table>
							<caption className="visually-hidden">Stored accounts</caption>
							<thead>
								<tr>
									<th scope="col">Account id</th>
									<th scope="col">Last updated</th>
									<th scope="col">First stored</th>
								</tr>
							</thead>
							<tbody>
								{ledger.accounts.map((account) => (
									<tr key={account.accountId}>
										<td className="mono">{account.accountId}</td>
										<td>{formatDateTime(account.updatedAt, timeZone)}</td>
										<td>{formatDay(account.createdAt, timeZone)}</td>
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
						hrefFor={(to) => ledgerHref(base, { q, page: to })}
					/>
				</>
			)}
		</section>
	)
}
