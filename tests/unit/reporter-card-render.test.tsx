import { renderToString } from 'react-dom/server'
import { createMemoryRouter, RouterProvider } from 'react-router-dom'
import { describe, expect, it } from 'vitest'
import { ReporterCard, type ReporterRunView } from '~/components/reporting/reporter-card'

function render(element: React.ReactElement) {
	const router = createMemoryRouter([{ path: '/', element }])
	return renderToString(<RouterProvider router={router} />).replaceAll('<!-- -->', '')
}

const run = (overrides: Partial<ReporterRunView>): ReporterRunView => ({
	id: crypto.randomUUID(),
	status: 'sent',
	batchCount: 2,
	nextBatch: 2,
	batches: 2,
	closed: 1,
	updated: 0,
	attempts: 0,
	resumeAfter: null,
	error: null,
	reportRunId: null,
	requestedBy: null,
	startedAt: '2026-03-01T10:17:00.000Z',
	finishedAt: '2026-03-01T10:17:05.000Z',
	...overrides,
})

describe('ReporterCard', () => {
	it('shows each automatic run’s status in words, its progress, and why it paused or failed', () => {
		const html = render(
			<ReporterCard
				action="/o/acme/apps/x/reporting/reporter"
				connected="ok"
				timeZone="UTC"
				canSend
				runs={[
					run({
						status: 'waiting',
						nextBatch: 1,
						batches: 1,
						closed: 0,
						resumeAfter: '2026-03-01T11:17:00.000Z',
						error: 'Atlassian asked to wait 3600 seconds.',
					}),
					run({
						status: 'failed',
						nextBatch: 0,
						batches: 0,
						closed: 0,
						error: 'INVALID_REQUEST: bad',
						requestedBy: 'u',
					}),
					run({}),
				]}
			/>,
		)
		expect(html).toContain('badge-warn">Paused')
		expect(html).toContain('badge-bad">Failed')
		expect(html).toContain('badge-ok">Sent')
		expect(html).toContain('1 of 2')
		expect(html).toContain('Resumes after')
		expect(html).toContain('INVALID_REQUEST: bad')
		expect(html).toContain('1 closed, 0 updated')
		expect(html).toContain('Send now')
		expect(html).toContain('Dry run')
		expect(html).toContain('On schedule')
	})

	it('says what a dry run would send, with plurals right, and offers no Send now on a broken connection', () => {
		const html = render(
			<ReporterCard
				action="/r"
				connected="broken"
				timeZone="UTC"
				canSend
				runs={[]}
				result={{ intent: 'dry-run', dryRun: { batchCount: 1, accountCount: 1, firstBody: '{"accounts":[]}' } }}
			/>,
		)
		expect(html).toContain('would send 1 account in 1 batch.')
		expect(html).toMatch(/<button[^>]*disabled=""[^>]*value="send"|<button[^>]*value="send"[^>]*disabled=""/)
		expect(html).toContain('Send now is off until the connection is saved again.')
	})

	it('without a connection it says how to get one and shows no buttons', () => {
		const html = render(<ReporterCard action="/r" connected={null} timeZone="UTC" canSend runs={[]} />)
		expect(html).toContain('Once an admin sets the app’s reporting connection')
		// The card stands on the reporting page (the connection is further down) and on its own page: no "above".
		expect(html).not.toMatch(/\b(above|below)\b/)
		expect(html).not.toContain('Send now')
	})
})
