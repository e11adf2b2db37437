import { Form, Link } from '@remix-run/react'
import { formatDateTime, formatDay } from '~/components/reporting-status'
import { TextField } from '~/components/ui/form'
import { EmptyState } from '~/components/ui/status'
import { TableScroll } from '~/components/ui/table-scroll'
import { counted, formatNumber } from '~/domain/counts'

export type LedgerView = {
	accounts: { accountId: string; updatedAt: Date | string; createdAt: Date | string }[]
	total: number
	matches: { count: number; more: boolean } | null
	prevBefore: string | null
	nextAfter: string | null
}

/** Where a link of the ledger goes: a search and a keyset position (docs/performance.md › Indexes). */
export type LedgerLink = { q: string; after?: string; before?: string; from?: string; last?: boolean }

/** The page's address for a search and page of the ledger, landing on the ledger: shareable, no JavaScript needed. */
export function ledgerHref(base: string, { q, after, before, from, last }: LedgerLink) {
	const search = new URLSearchParams()
	if (q) search.set('q', q)
	if (after) search.set('after', after)
	if (before) search.set('before', before)
	if (from) search.set('from', from)
	if (last) search.set('last', '1')
	const text = search.toString()
	return `${base}${text ? `?${text}` : ''}#ledger-heading`
}

/** What the page shows, in words: how many here, of how many stored or found. */
export function ledgerSummary(ledger: LedgerView, q: string) {
	const shown = ledger.accounts.length
	if (q && ledger.matches) {
		const found = `${formatNumber(ledger.matches.count)}${ledger.matches.more ? '+' : ''}`
		const plural =
			ledger.matches.count === 1 && !ledger.matches.more ? 'account whose id starts' : 'accounts whose ids start'
		return `Showing ${formatNumber(shown)} of ${found} ${plural} with “${q}”.`
	}
	const first = ledger.accounts[0]?.accountId
	const last = ledger.accounts[shown - 1]?.accountId
	const range = shown === 1 ? first : `${first} to ${last}`
	return `Showing ${counted(shown, 'account')}, ${range}, of ${formatNumber(ledger.total)} stored.`
}

/** The account ledger: search by id prefix, go to an id, one page of accounts, the CSV export. `base` is the reporting page's path. */
export function Ledger({
	base,
	ledger,
	q,
	from,
	timeZone,
}: {
	base: string
	ledger: LedgerView
	q: string
	from: string
	timeZone: string
}) {
	const empty = ledger.accounts.length === 0
	// "Go to an id": the row of that id when it is stored; otherwise the page shows where it would be, and says so.
	const target = from && !empty ? from : ''
	const found = target ? ledger.accounts.some((account) => account.accountId === target) : false
	return (
		<section className="card stack-sm" aria-labelledby="ledger-heading">
			<div className="row">
				<h2 id="ledger-heading">Account ledger</h2>
				<a className="button button-secondary button-small" href={`${base}/ledger.csv`} download>
					Export CSV
				</a>
			</div>
			<div className="row" style={{ alignItems: 'flex-end' }}>
				<Form
					method="get"
					action={base}
					className="row"
					role="search"
					aria-label="Search the ledger"
					style={{ alignItems: 'flex-end' }}
				>
					<TextField
						label="Account ids starting with"
						hint="Exactly as written: upper and lower case differ."
						type="search"
						name="q"
						defaultValue={q}
						autoComplete="off"
						spellCheck={false}
					/>
					<button type="submit" className="button button-secondary">
						Search
					</button>
				</Form>
				{ledger.total > 0 ? (
					<Form
						method="get"
						action={base}
						className="row"
						aria-label="Go to an account id"
						style={{ alignItems: 'flex-end' }}
					>
						{q ? <input type="hidden" name="q" value={q} /> : null}
						<TextField label="Go to account id" name="from" defaultValue={from} autoComplete="off" spellCheck={false} />
						<button type="submit" className="button button-secondary">
							Go
						</button>
					</Form>
				) : null}
			</div>
			{empty ? (
				<EmptyState title={q ? `No account id starts with “${q}”` : 'No accounts stored'}>
					{q
						? 'Check the beginning of the id, letter case included (account ids are matched exactly), or clear the search.'
						: 'Import a CSV of the account ids this app stores, with when each was last updated.'}
				</EmptyState>
			) : (
				<>
					{target && !found ? (
						<p className="alert alert-info" role="status">
							{q && !target.startsWith(q)
								? `“${target}” does not start with “${q}”: clear the search to go to it.`
								: `No account id “${target}” is stored. The page shows where it would come in the ledger’s order (upper and lower case differ).`}
						</p>
					) : null}
					<TableScroll label="Stored accounts">
						<table className="stack-table">
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
									<tr
										key={account.accountId}
										className={account.accountId === target ? 'row-target' : undefined}
										aria-current={account.accountId === target ? 'true' : undefined}
									>
										<td className="mono" data-label="Account id">
											{account.accountId}
										</td>
										<td data-label="Last updated">{formatDateTime(account.updatedAt, timeZone)}</td>
										<td data-label="First stored">{formatDay(account.createdAt, timeZone)}</td>
									</tr>
								))}
							</tbody>
						</table>
					</TableScroll>
					<nav className="row" aria-label="Ledger pages">
						<p aria-live="polite">{ledgerSummary(ledger, q)}</p>
						{ledger.prevBefore ? (
							<>
								<Link className="button button-secondary button-small" to={ledgerHref(base, { q })}>
									First
								</Link>
								<Link
									className="button button-secondary button-small"
									rel="prev"
									to={ledgerHref(base, { q, before: ledger.prevBefore })}
								>
									Previous
								</Link>
							</>
						) : null}
						{ledger.nextAfter ? (
							<>
								<Link
									className="button button-secondary button-small"
									rel="next"
									to={ledgerHref(base, { q, after: ledger.nextAfter })}
								>
									Next
								</Link>
								<Link className="button button-secondary button-small" to={ledgerHref(base, { q, last: true })}>
									Last
								</Link>
							</>
						) : null}
					</nav>
				</>
			)}
		</section>
	)
}
