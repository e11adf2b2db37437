import { Link } from '@remix-run/react'

/**
 * "Showing x–y of z" with Previous/Next links. `hrefFor(page)` builds the
 * link, keeping whatever filters the page carries in its query string.
 */
export function Pagination({
	first,
	last,
	total,
	page,
	hrefFor,
	label = 'Pages',
}: {
	first: number
	last: number
	total: number
	page: number
	hrefFor: (page: number) => string
	label?: string
}) {
	return (
		<nav className="row" aria-label={label}>
			<p aria-live="polite">
				Showing {first}–{last} of {total}
			</p>
			{page > 1 ? (
				<Link className="button button-secondary button-small" rel="prev" to={hrefFor(page - 1)}>
					Previous
				</Link>
			) : null}
			{last < total ? (
				<Link className="button button-secondary button-small" rel="next" to={hrefFor(page + 1)}>
					Next
				</Link>
			) : null}
		</nav>
	)
}
