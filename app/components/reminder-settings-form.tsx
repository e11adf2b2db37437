import { Form, useNavigation } from '@remix-run/react'
import { FormAlert, TextField } from '~/components/ui/form'
import { formatOffsets } from '~/domain/reminder-plan'

export type ReminderSettingsView = {
	reportingOffsetsDays: number[]
	taskOffsetsDays: number[]
	escalateAfterDays: number
	reviewWaitDays: number
	version: number
}

export type ReminderFormResult = {
	errors?: Record<string, string>
	values?: Record<string, unknown>
	notice: string | null
	formError?: string | null
}

/**
 * The organisation's reminder policy on the settings page (issue 13): when
 * reporting deadlines and tasks are reminded, when overdue items escalate to
 * admins, and how long a request may wait for review. Posted to the settings
 * route with `?form=reminders`.
 */
export function ReminderSettingsForm({
	settings,
	result,
}: {
	settings: ReminderSettingsView
	result?: ReminderFormResult | null
}) {
	const navigation = useNavigation()
	const value = (name: keyof Omit<ReminderSettingsView, 'version'>) => {
		const typed = result?.values?.[name]
		if (typeof typed === 'string') return typed
		const current = settings[name]
		return Array.isArray(current) ? formatOffsets(current) : String(current)
	}
	return (
		<section className="card stack-sm" aria-labelledby="reminder-settings-heading">
			<h2 id="reminder-settings-heading">Reminders</h2>
			<p className="card-muted">
				Each app’s owners are reminded in Clearance, by email and in the team’s chat, as each person chose. Days are
				counted in the organisation’s time zone.
			</p>
			{result?.notice ? (
				<div className="alert alert-ok" role="status">
					{result.notice}
				</div>
			) : null}
			<FormAlert
				message={
					result?.formError ??
					(result?.errors ? 'Some fields need attention; the reminder settings were not saved.' : null)
				}
			/>
			<Form
				method="post"
				action="?form=reminders"
				className="form"
				aria-label="Reminder settings"
				key={JSON.stringify(settings)}
			>
				<input type="hidden" name="version" value={settings.version} />
				<TextField
					label="Remind of a report due (days before)"
					name="reportingOffsetsDays"
					hint="Days before the due day, separated by commas; 0 is the due day itself. After it, owners are reminded daily until the report is recorded. Default 7, 3, 1, 0."
					defaultValue={value('reportingOffsetsDays')}
					error={result?.errors?.reportingOffsetsDays}
				/>
				<TextField
					label="Remind of erase and refresh tasks (days before)"
					name="taskOffsetsDays"
					hint="Days before a task’s due day (your internal policy), then daily while overdue. Default 3, 0."
					defaultValue={value('taskOffsetsDays')}
					error={result?.errors?.taskOffsetsDays}
				/>
				<TextField
					label="Tell the admins after (days overdue)"
					name="escalateAfterDays"
					type="number"
					min={0}
					max={365}
					hint="When a report or a task has been overdue this many days, the admins are told too (0–365, default 3)."
					defaultValue={value('escalateAfterDays')}
					error={result?.errors?.escalateAfterDays}
				/>
				<TextField
					label="Remind reviewers after (days waiting)"
					name="reviewWaitDays"
					type="number"
					min={1}
					max={365}
					hint="A request waiting this long for review reminds the reviewers who may decide it (1–365, default 3)."
					defaultValue={value('reviewWaitDays')}
					error={result?.errors?.reviewWaitDays}
				/>
				<div>
					<button type="submit" className="button" disabled={navigation.state !== 'idle'}>
						Save reminder settings
					</button>
				</div>
			</Form>
		</section>
	)
}
