import { describe, expect, it } from 'vitest'
import ImportPage from '~/routes/o.$org.apps.$appId_.reporting_.import'
import { type JobSummary } from '~/services/import-jobs.server'
import { renderRoute } from '../fixtures/render'

// The import page as a person without JavaScript sees it: the job under way
// with its progress, a Cancel button and a Refresh link; a finished job with
// what it wrote and its rejected rows to download.

const base = '/o/acme/apps/11111111-1111-4111-8111-111111111111/reporting'

function job(overrides: Partial<JobSummary>): JobSummary {
	return {
		id: '22222222-2222-4222-8222-222222222222',
		status: 'running',
		finished: false,
		atomic: false,
		source: 'upload',
		fileName: 'accounts.csv',
		totalBytes: 20 * 1024 * 1024,
		processedBytes: 5 * 1024 * 1024,
		percent: 25,
		rows: 80_000,
		inserted: 79_000,
		updated: 900,
		rejected: 100,
		rowsPerSecond: 4000,
		written: true,
		cancelRequested: false,
		error: null,
		createdAt: '2026-11-29T10:00:00.000Z',
		startedAt: '2026-11-29T10:00:01.000Z',
		finishedAt: null,
		...overrides,
	}
}

describe('the import page’s recent imports', () => {
	it('shows a running import’s progress with Cancel and Refresh, and a finished one’s outcome and rejected rows', async () => {
		const running = job({})
		const cancelled = job({
			id: '33333333-3333-4333-8333-333333333333',
			status: 'cancelled',
			finished: true,
			fileName: 'older.csv',
			rows: 12_000,
			inserted: 11_000,
			updated: 1000,
			rejected: 1,
			finishedAt: '2026-11-29T09:00:00.000Z',
		})
		const html = await renderRoute(ImportPage, { base, app: { name: 'Mail Bridge' }, jobs: [running, cancelled] })
		expect(html).toContain('Recent imports')
		expect(html).toContain('Importing')
		expect(html).toMatch(/<progress[^>]*max="100"[^>]*value="25"/)
		expect(html).toContain('25% · 5.0 MB of 20.0 MB read · 4,000 rows a second')
		expect(html).toContain('80,000 rows read so far: 79,000 accounts added, 900 accounts updated, 100 rows rejected.')
		expect(html).toContain('name="intent" value="cancel-import"')
		expect(html).toContain('Cancel import')
		expect(html).toContain(`href="${base}/import"`)
		expect(html).toContain('Refresh')
		// The cancelled one: what stayed, and its one rejected row as CSV.
		expect(html).toContain('Cancelled')
		expect(html).toContain(
			'Cancelled after 12,000 rows. What was already written stays in the ledger: 11,000 accounts added, 1,000 accounts updated.',
		)
		expect(html).toContain(`href="${base}/imports/${cancelled.id}/rejections.csv"`)
		expect(html).toContain('Download the 1 rejected row (CSV)')
	})
})
