import { Form } from '@remix-run/react'
import { formatDay } from '~/components/reporting-status'
import { Badge } from '~/components/ui/status'

export type TaskView = {
	id: string
	accountId: string
	kind: string
	dueAt: Date | string
}

/**
 * Erase and refresh tasks from Atlassian's answers, due by the organisation's
 * internal policy. "Done?" posts the page's `complete` intent.
 */
export function TasksCard({
	tasks,
	taskDueDays,
	timeZone,
	canEdit,
	busy,
}: {
	tasks: TaskView[]
	taskDueDays: number
	timeZone: string
	canEdit: boolean
	busy: boolean
}) {
	return (
		<section className="card stack-sm" aria-labelledby="tasks-heading">
			<h2 id="tasks-heading">Open tasks</h2>
			<p className="card-muted">
				Due {taskDueDays} {taskDueDays === 1 ? 'day' : 'days'} after the answer is recorded: your organisation’s
				internal policy, not an Atlassian deadline (Atlassian publishes none).
			</p>
			{tasks.length === 0 ? (
				<p>
					No erase or refresh tasks are open. Tasks appear here when a recorded answer reports accounts closed or
					updated.
				</p>
			) : (
				<div className="table-wrap">
					<table>
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
								<TaskRow key={task.id} task={task} timeZone={timeZone} canEdit={canEdit} busy={busy} />
							))}
						</tbody>
					</table>
				</div>
			)}
		</section>
	)
}

function TaskRow({
	task,
	timeZone,
	canEdit,
	busy,
}: {
	task: TaskView
	timeZone: string
	canEdit: boolean
	busy: boolean
}) {
	const late = new Date(task.dueAt).getTime() < Date.now()
	return (
		<tr>
			<td className="mono">{task.accountId}</td>
			<td>
				{task.kind === 'erase' ? (
					<Badge tone="bad">Erase personal data</Badge>
				) : (
					<Badge tone="info">Refresh stored data</Badge>
				)}
			</td>
			<td>
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
