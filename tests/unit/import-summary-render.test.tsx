import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { ImportSummary, repeatedRowsText } from '~/components/reporting/import-summary'

const result = (counts: { rows: number; inserted: number; updated: number; rejected: number }) => ({
	atomic: false,
	written: true,
	rejectedRows: [],
	...counts,
})

describe('an import summary accounts for every row', () => {
	it('says how many rows were skipped for a later row of the same id', () => {
		const html = renderToString(<ImportSummary result={result({ rows: 6, inserted: 3, updated: 0, rejected: 2 })} />)
		expect(html).toContain('Imported: 3 added, 0 updated, 2 rejected.')
		expect(html).toContain('1 row skipped: its account id comes again further down the file')
		expect(repeatedRowsText({ written: true, rows: 41_003, inserted: 40_000, updated: 0, rejected: 0 })).toMatch(
			/^1,003 rows skipped: their account ids come again further down the file/,
		)
	})

	it('says nothing more when every row was written or rejected', () => {
		expect(repeatedRowsText({ written: true, rows: 5, inserted: 3, updated: 1, rejected: 1 })).toBeNull()
		const html = renderToString(<ImportSummary result={result({ rows: 5, inserted: 3, updated: 1, rejected: 1 })} />)
		expect(html).not.toContain('skipped')
	})
})
