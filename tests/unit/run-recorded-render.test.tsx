import { renderToString } from 'react-dom/server'
import { createMemoryRouter, RouterProvider } from 'react-router-dom'
import { describe, expect, it } from 'vitest'
import { ResultAlerts } from '~/components/reporting/result-alerts'
import { RecordedRun } from '~/components/reporting/run-form'

function render(element: React.ReactElement) {
	const router = createMemoryRouter([{ path: '/', element }])
	return renderToString(<RouterProvider router={router} />).replaceAll('<!-- -->', '')
}

const recorded = {
	intent: 'run' as const,
	notice: 'Report run recorded: 3 accounts, 1 closed, 0 updated; 1 new task.',
	warning: 'Answers were given for 1 of 3 batches: the other 2 have no answer recorded.',
}

describe('a recorded run is said beside the Record run button, with what needs a look, and once', () => {
	it('beside the button: what was recorded and what needs a look, in one live region', () => {
		const html = render(<RecordedRun answer={recorded} />)
		expect(html).toMatch(/^<div role="status"><p class="alert alert-ok"[^>]*>Report run recorded/)
		expect(html).toContain('alert-warn">Answers were given for 1 of 3 batches')
		// Once the answers change again, the region stays and is empty.
		expect(render(<RecordedRun answer={undefined} />)).toBe('<div role="status"></div>')
	})

	it('the page’s own alerts leave out both when the run form says them', () => {
		const page = render(<ResultAlerts result={recorded} noticeShownByForm />)
		expect(page).not.toContain('Report run recorded')
		expect(page).not.toContain('Answers were given')
		// Where no form says them (the run's own page, without JavaScript), the page does.
		const alone = render(<ResultAlerts result={recorded} />)
		expect(alone).toContain('Report run recorded')
		expect(alone).toContain('Answers were given for 1 of 3 batches')
	})
})
