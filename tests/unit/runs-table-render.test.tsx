import { describe, expect, it } from 'vitest'
import { RunsTable, type RunView } from '~/components/reporting/runs-table'
import { renderRoute } from '../fixtures/render'

const run: RunView = {
	id: 'r1',
	sentAt: '2026-03-10T12:00:00.000Z',
	accountCount: 181,
	batchCount: 3,
	closedCount: 1,
	updatedCount: 0,
	cyclePeriodRaw: null,
	cyclePeriodDays: null,
	cyclePeriodOutcome: null,
	preparedSha256: 'cdd84da592b9aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
	answeredBatches: 1,
	recordedByName: 'Vera Vendor',
	createdAt: '2026-03-10T12:05:00.000Z',
	recordedLater: false,
}

describe('the runs table', () => {
	it('flags a run recorded with fewer answers than its batches: those batches gave no task', async () => {
		const html = await renderRoute(() => <RunsTable runs={[run]} timeZone="UTC" />)
		expect(html).toContain('1 of 3')
		expect(html).toContain('2 without an answer: no task from them')
	})
	it('says nothing more of a run answered for every batch', async () => {
		const html = await renderRoute(() => <RunsTable runs={[{ ...run, answeredBatches: 3 }]} timeZone="UTC" />)
		expect(html).toContain('3 of 3')
		expect(html).not.toContain('without an answer')
	})
})
