import { afterEach, describe, expect, it, vi } from 'vitest'
import { isTaskLate, TasksCard } from '~/components/reporting/tasks-card'
import { renderRoute } from '../fixtures/render'

// "Late" is read against the instant the loader read the clock, never the clock during render: the server's render
// and the browser's hydration said different things under load (React hydration errors #418/#425).

const task = { id: 't1', accountId: '5b10ac8d82e05b22cc7d4ef5', kind: 'erase', dueAt: '2026-03-10T12:00:00.000Z' }

function renderCard(now: string) {
	return renderRoute(() => (
		<TasksCard
			tasks={[task]}
			page={{ total: 1, prevBefore: null, nextAfter: null }}
			taskDueDays={30}
			timeZone="UTC"
			now={now}
			canEdit={false}
			busy={false}
		/>
	))
}

afterEach(() => {
	vi.useRealTimers()
})

describe('the tasks card says "Late" against the loader’s clock', () => {
	it('a task is late once its due time has passed, not before', () => {
		expect(isTaskLate(task.dueAt, '2026-03-10T12:00:00.001Z')).toBe(true)
		expect(isTaskLate(task.dueAt, '2026-03-10T12:00:00.000Z')).toBe(false)
		expect(isTaskLate(new Date(task.dueAt), '2026-03-09T00:00:00.000Z')).toBe(false)
	})

	it('renders the same whatever the clock says while rendering: only the loader’s instant decides', async () => {
		// The clock during render says the task is long overdue; the loader read it before the due time.
		vi.useFakeTimers({ toFake: ['Date'] })
		vi.setSystemTime(new Date('2027-01-01T00:00:00.000Z'))
		const before = await renderCard('2026-03-09T08:00:00.000Z')
		expect(before).toContain('Erase personal data')
		expect(before).not.toContain('>Late<')
		// And the other way round: the clock says early, the loader's instant says late.
		vi.setSystemTime(new Date('2026-01-01T00:00:00.000Z'))
		const after = await renderCard('2026-03-11T08:00:00.000Z')
		expect(after).toContain('>Late<')
	})
})

describe('the tasks card answers marking a task done, where it was pressed', () => {
	const card = (result: React.ComponentProps<typeof TasksCard>['result']) =>
		renderRoute(() => (
			<TasksCard
				tasks={[]}
				page={{ total: 0, prevBefore: null, nextAfter: null }}
				taskDueDays={30}
				timeZone="UTC"
				now="2026-03-09T08:00:00.000Z"
				canEdit
				busy={false}
				result={result}
			/>
		))

	it('says what was done, with its Undo, in a live region', async () => {
		const html = await card({
			intent: 'complete',
			notice: 'Erased: account abc was removed from the ledger.',
			undoTaskId: 't1',
		})
		expect(html).toMatch(/role="status"><div class="alert alert-ok">Erased: account abc/)
		expect(html).toContain('>Undo</button>')
	})

	it('says why an undo was refused, which no other part of the page says', async () => {
		const html = await card({ intent: 'reopen', formError: 'This task is open already.' })
		expect(html).toContain('This task is open already.')
		expect(html).not.toContain('>Undo</button>')
	})
})
