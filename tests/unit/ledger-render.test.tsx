import { renderToString } from 'react-dom/server'
import { createMemoryRouter, RouterProvider } from 'react-router-dom'
import { describe, expect, it } from 'vitest'
import { Ledger, type LedgerView } from '~/components/reporting/ledger'

function render(element: React.ReactElement) {
	const router = createMemoryRouter([{ path: '/', element }])
	return renderToString(<RouterProvider router={router} />).replaceAll('<!-- -->', '')
}

const at = '2026-03-01T10:17:00.000Z'
const ledger = (ids: string[]): LedgerView => ({
	accounts: ids.map((accountId) => ({ accountId, updatedAt: at, createdAt: at })),
	total: 40,
	matches: null,
	prevBefore: null,
	nextAfter: null,
})

const show = (view: LedgerView, { q = '', from = '' } = {}) =>
	render(<Ledger base="/o/acme/apps/x/reporting" ledger={view} q={q} from={from} timeZone="UTC" />)

describe('Ledger', () => {
	it('marks the row of the id a person went to, and says nothing more', () => {
		const html = show(ledger(['5b10a', '5b10b', '5b10c']), { from: '5b10b' })
		expect(html).toMatch(/<tr class="row-target" aria-current="true"><td class="mono" data-label="Account id">5b10b</)
		expect(html.match(/aria-current/g)).toHaveLength(1)
		expect(html).not.toContain('is stored')
	})

	it('says when the id gone to is not stored, and that letter case counts', () => {
		const html = show(ledger(['5b10a', '5b10c']), { from: '5B10B' })
		expect(html).toContain('No account id “5B10B” is stored. The page shows where it would come')
		expect(html).toContain('upper and lower case differ')
		expect(html).not.toContain('aria-current')
	})

	it('says why the id gone to is not on a page of a search it does not match', () => {
		const html = show({ ...ledger(['ab1', 'ab2']), matches: { count: 2, more: false } }, { q: 'ab', from: 'zz' })
		expect(html).toContain('“zz” does not start with “ab”: clear the search to go to it.')
		expect(html).not.toContain('is stored')
	})

	it('tells that a search matches letter case, and lets the keyboard scroll the table', () => {
		expect(show(ledger(['5b10a']))).toContain('Exactly as written: upper and lower case differ.')
		expect(show(ledger([]), { q: '5B' })).toContain('letter case included')
		expect(show(ledger(['5b10a']))).toMatch(
			/<div class="table-wrap" tabindex="0" role="region" aria-label="Stored accounts"/,
		)
	})
})
