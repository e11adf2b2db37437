import { Form, Link, useLocation } from '@remix-run/react'
import { formatDay } from '~/components/reporting-status'
import { FormAlert } from '~/components/ui/form'
import { Badge } from '~/components/ui/status'
import { TableScroll } from '~/components/ui/table-scroll'
import { counted, formatNumber } from '~/domain/counts'
import { type ReportingActionResult } from './action-result'
import { UndoTask } from './result-alerts'

export type TaskView = {
	id: string
	accountId: string
	kind: string
	dueAt: Date | string
}

/** Where the open tasks are paged: the ids the Previous and Next links go before and after, and how many are open. */
export type TaskPageView = { total: number; prevBefore: string | null; nextAfter: string | null }

/** The page's own address with another page of tasks (the ledger's position and search kept): a plain link. */
export function tasksHref(search: string, position: { after?: string; before?: string }) {
	const params = new URLSearchParams(search)
	params.delete('tasksAfter')
	params.delete('tasksBefore')
	if (position.after) params.set('tasksAfter', position.after)
	if (position.before) params.set('tasksBefore', position.before)
	const text = params.toString()
	return `${text ? `?${text}` : '?'}#tasks-heading`
}

/** "Showing 50 of 12,000 open tasks." */
export function tasksSummary(shown: number, total: number) {
	return `Showing ${formatNumber(shown)} of ${counted(total, 'open task')}.`
}

/**
 * A task is late once its due time has passed, read against the instant the
 * loader read the clock (never the clock during render: the server's render
 * and the browser's hydration must say the same).
 */
export function isTaskLate(dueAt: Date | string, now: string) {
	return new Date(dueAt).getTime() < new Date(now).getTime()
}

/**
 * Erase and refresh tasks from Atlassian's answers, due by the organisation's
 * internal policy, a page at a time (a run closing 12,000 accounts does not
 * put 12,000 forms on the page). "Done?" posts the page's `complete` intent
 * to the page's address, so the same page of tasks comes back after it.
 */
export function TasksCard({
	tasks,
	page,
	taskDueDays,
	timeZone,
	now,
	canEdit,
	busy,
	result,
}: {
	tasks: TaskView[]
	page: TaskPageView
	taskDueDays: number
	timeZone: string
	/** The loader's clock (ISO): what "late" is read against. */
	now: string
	canEdit: boolean
	busy: boolean
	/**
	 * The answer to marking a task done or undoing it: said here, where the button was pressed, with the way to undo
	 * (or why it was refused), not at the top of the page out of view.
	 */
	result?: ReportingActionResult
}) {
	return (
		<section className="card stack-sm" aria-labelledby="tasks-heading">
			<h2 id="tasks-heading">Open tasks</h2>
			<p className="card-muted">
				Due {taskDueDays} {taskDueDays === 1 ? 'day' : 'days'} after the answer is recorded: your organisation’s
				internal policy, not an Atlassian deadline (Atlassian publishes none).
			</p>
			<FormAlert message={result?.formError} />
			<div role="status">
				{result?.notice ? (
					<div className="alert alert-ok">
						{result.notice}
						{result.undoTaskId ? <UndoTask taskId={result.undoTaskId} /> : null}
					</div>
				) : null}
			</div>
			{tasks.length === 0 ? (
				<p>
					No erase or refresh tasks are open. Tasks appear here when a recorded answer reports accounts closed or
					updated.
				</p>
			) : (
				<TableScroll label="Open erase and refresh tasks">
					<table className="stack-table">
						<caption className="visually-hidden">Open erase and refresh tasks</caption>
						<thead>
							<tr>
								<th scope="col">Account id</th>
								<th scope="col">Task</th>
								<th scope="col">Due (internal policy)</th>
								{canEdit ? <th scope="col">Done?</th> : null}
							</tr>
						</thead>
						<tbody>
							{tasks.map((task) => (
								<TaskRow
									key={task.id}
									task={task}
									timeZone={timeZone}
									late={isTaskLate(task.dueAt, now)}
									canEdit={canEdit}
									busy={busy}
								/>
							))}
						</tbody>
					</table>
				</TableScroll>
			)}
			{tasks.length > 0 ? <TaskPages shown={tasks.length} page={page} /> : null}
		</section>
	)
}

function TaskPages({ shown, page }: { shown: number; page: TaskPageView }) {
	const { search } = useLocation()
	return (
		<nav className="row" aria-label="Task pages">
			<p aria-live="polite">{tasksSummary(shown, page.total)}</p>
			{page.prevBefore ? (
				<>
					<Link className="button button-secondary button-small" to={tasksHref(search, {})}>
						First
					</Link>
					<Link
						className="button button-secondary button-small"
						rel="prev"
						to={tasksHref(search, { before: page.prevBefore })}
					>
						Previous
					</Link>
				</>
			) : null}
			{page.nextAfter ? (
				<Link
					className="button button-secondary button-small"
					rel="next"
					to={tasksHref(search, { after: page.nextAfter })}
				>
					Next
				</Link>
			) : null}
		</nav>
	)
}

function TaskRow({
	task,
	timeZone,
	late,
	canEdit,
	busy,
}: {
	task: TaskView
	timeZone: string
	late: boolean
	canEdit: boolean
	busy: boolean
}) {
	return (
		<tr>
			<td className="mono" data-label="Account id">
				{task.accountId}
			</td>
			<td data-label="Task">
				{task.kind === 'erase' ? (
					<Badge tone="bad">Erase personal data</Badge>
				) : (
					<Badge tone="info">Refresh stored data</Badge>
				)}
			</td>
			<td data-label="Due (internal policy)">
				{formatDay(task.dueAt, timeZone)}
				{late ? (
					<>
						{' '}
						<Badge tone="bad">Late</Badge>
					</>
				) : null}
			</td>
			{canEdit ? (
				<td>
					<Form method="post">
						<input type="hidden" name="intent" value="complete" />
						<input type="hidden" name="taskId" value={task.id} />
						<button type="submit" className="button button-small" disabled={busy}>
							{task.kind === 'erase' ? `Mark erased: ${task.accountId}` : `Mark refreshed: ${task.accountId}`}
						</button>
					</Form>
				</td>
			) : null}
		</tr>
	)
}
