import { Form, Link } from '@remix-run/react'

/**
 * "Showing x–y of z", then First/Previous and Next/Last links, "Page n of m", and a "Go to page" box when there
 * are more than a few pages (an organisation of 10,000 apps has 400). `hrefFor(page)` builds each link, keeping
 * whatever filters the page carries in its query string; the box sends the same filters with the page it asks for.
 */
export function Pagination({
	first,
	last,
	total,
	page,
	pageSize,
	hrefFor,
	label = 'Pages',
}: {
	first: number
	last: number
	total: number
	page: number
	pageSize: number
	hrefFor: (page: number) => string
	label?: string
}) {
	const pages = Math.max(1, Math.ceil(total / pageSize))
	const link = (to: number, text: string, rel?: string) => (
		<Link className="button button-secondary button-small" rel={rel} to={hrefFor(to)}>
			{text}
		</Link>
	)
	return (
		<nav className="row pagination" aria-label={label}>
			<p aria-live="polite">
				Showing {first.toLocaleString('en')}–{last.toLocaleString('en')} of {total.toLocaleString('en')}
			</p>
			{pages > 1 ? (
				<>
					{page > 2 ? link(1, 'First') : null}
					{page > 1 ? link(page - 1, 'Previous', 'prev') : null}
					<span className="card-muted">
						Page {page.toLocaleString('en')} of {pages.toLocaleString('en')}
					</span>
					{page < pages ? link(page + 1, 'Next', 'next') : null}
					{page < pages - 1 ? link(pages, 'Last') : null}
					{pages > 3 ? <PageJump pages={pages} page={page} href={hrefFor(1)} /> : null}
				</>
			) : null}
		</nav>
	)
}

/** A GET form to any page: the link's path and filters as hidden fields, the page typed by the person. */
function PageJump({ pages, page, href }: { pages: number; page: number; href: string }) {
	const [path, search = ''] = href.split('?')
	const kept = [...new URLSearchParams(search)].filter(([name]) => name !== 'page')
	return (
		// Keyed by the page, so the box shows the page reached after any link, not what was typed before.
		<Form key={page} method="get" action={path} className="row page-jump">
			{kept.map(([name, value]) => (
				<input key={name} type="hidden" name={name} value={value} />
			))}
			<label>
				Go to page{' '}
				<input
					className="input input-small"
					type="number"
					name="page"
					min={1}
					max={pages}
					defaultValue={page}
					required
					inputMode="numeric"
				/>
			</label>
			<button type="submit" className="button button-secondary button-small">
				Go
			</button>
		</Form>
	)
}
