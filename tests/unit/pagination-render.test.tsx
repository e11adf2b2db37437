import { describe, expect, it } from 'vitest'
import { Pagination } from '~/components/ui/pagination'
import { renderRoute } from '../fixtures/render'

// Issue 16 point 1 asks for first/last/jump on long lists: an organisation of 10,000 apps has 400 dashboard pages.
const hrefFor = (page: number) => `/o/acme?status=overdue&q=a%26b${page > 1 ? `&page=${page}` : ''}`
const render = (page: number, total: number) =>
	renderRoute(() => (
		<Pagination
			first={(page - 1) * 25 + 1}
			last={Math.min(total, page * 25)}
			total={total}
			page={page}
			pageSize={25}
			hrefFor={hrefFor}
		/>
	))

describe('pagination', () => {
	it('in the middle of many pages: first, previous, next, last, where it is, and a box to jump', async () => {
		const html = await render(200, 10_000)
		expect(html).toContain('Showing 4,976–5,000 of 10,000')
		expect(html).toContain('Page 200 of 400')
		expect(html).toContain('href="/o/acme?status=overdue&amp;q=a%26b">First</a>')
		expect(html).toContain('href="/o/acme?status=overdue&amp;q=a%26b&amp;page=199">Previous</a>')
		expect(html).toContain('href="/o/acme?status=overdue&amp;q=a%26b&amp;page=201">Next</a>')
		expect(html).toContain('href="/o/acme?status=overdue&amp;q=a%26b&amp;page=400">Last</a>')
		// The box sends the filters along, decoded as the form will send them, and only pages that exist.
		expect(html).toMatch(/<form method="get" action="\/o\/acme"/)
		expect(html).toContain('<input type="hidden" name="status" value="overdue"/>')
		expect(html).toContain('<input type="hidden" name="q" value="a&amp;b"/>')
		expect(html).toMatch(/name="page" min="1" max="400"/)
	})

	it('on the first and last pages, no links to where the person already is', async () => {
		const firstPage = await render(1, 10_000)
		expect(firstPage).not.toContain('>First<')
		expect(firstPage).not.toContain('>Previous<')
		expect(firstPage).toContain('>Last<')
		const lastPage = await render(400, 10_000)
		expect(lastPage).toContain('>First<')
		expect(lastPage).not.toContain('>Next<')
		expect(lastPage).not.toContain('>Last<')
	})

	it('one page: the count alone; two or three: links without the box', async () => {
		const one = await render(1, 20)
		expect(one).toContain('Showing 1–20 of 20')
		expect(one).not.toContain('Page 1 of')
		const two = await render(1, 30)
		expect(two).toContain('Page 1 of 2')
		expect(two).not.toContain('Go to page')
	})
})
