import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { ReminderSettingsForm, type ReminderFormResult } from '~/components/reminder-settings-form'
import { FormAlert, TextField } from '~/components/ui/form'
import { PageHeader } from '~/components/ui/status'
import { DEFAULT_FOLLOW_UP_DAYS } from '~/domain/tickets'
import { timeZoneChoices } from '~/domain/zoned-time'
import { ReminderSettingsSchema } from '~/schemas/reminders'
import { RenameOrgSchema, SaveOrgSettingsSchema } from '~/schemas/settings'
import { getOrgSettings, renameOrg, updateOrgSettings } from '~/services/org-settings.server'
import { getReminderSettings, updateReminderSettings } from '~/services/reminder-settings.server'
import { requirePermission } from '~/utils/auth.server'
import { parseForm } from '~/utils/forms'
import { formRefusal } from '~/utils/refusals.server'

export const meta: MetaFunction = () => [{ title: 'Settings · Clearance' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'members:manage')
	return {
		org: { name: org.name, slug: org.slug },
		settings: await getOrgSettings(org.id),
		reminders: await getReminderSettings(org.id),
		timeZones: timeZoneChoices(),
	}
}

/** The rename form's answer (?form=name), beside the top form's. */
type RenameResult = {
	errors?: Record<string, string>
	values?: Record<string, unknown>
	notice: string | null
	formError?: string | null
}

type SettingsResult = {
	errors?: Record<string, string>
	values?: Record<string, unknown>
	notice: string | null
	formError?: string | null
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'members:manage')
	// The reminders form (app/components/reminder-settings-form.tsx) posts here with ?form=reminders.
	const which = new URL(request.url).searchParams.get('form')
	if (which === 'reminders') return saveReminderSettings(request, org.id, user.id)
	// The organisation's name posts here with ?form=name.
	if (which === 'name') return renameOrganisation(request, org.id, user.id)
	const form = await parseForm(request, SaveOrgSettingsSchema)
	if (!form.success) {
		return data(
			{ errors: form.errors, values: form.values, notice: null as string | null, formError: null as string | null },
			400,
		)
	}
	const { version, ...settings } = form.data
	try {
		await updateOrgSettings(org.id, user.id, settings, version)
	} catch (error) {
		return formRefusal<SettingsResult>(
			error,
			{ values: form.data as Record<string, unknown>, notice: null },
			{ place: 'top' },
		)
	}
	return { errors: undefined, values: undefined, notice: 'Settings saved.', formError: null }
}

/** Renames the organisation; its slug, and so every web address, stays. */
async function renameOrganisation(request: Request, orgId: string, userId: string) {
	const untouched = { errors: undefined, values: undefined, notice: null, formError: null }
	const form = await parseForm(request, RenameOrgSchema)
	if (!form.success) {
		return data(
			{ ...untouched, rename: { errors: form.errors, values: form.values, notice: null } as RenameResult },
			400,
		)
	}
	try {
		const { changed } = await renameOrg(orgId, userId, form.data.name, form.data.version)
		return {
			...untouched,
			rename: {
				notice: changed
					? `The organisation is now called ${form.data.name}.`
					: 'That is already its name: nothing changed.',
			} as RenameResult,
		}
	} catch (error) {
		const refused = formRefusal<RenameResult>(
			error,
			{ values: { name: form.data.name }, notice: null },
			{ place: 'top' },
		)
		return data({ ...untouched, rename: refused.data }, refused.init?.status ?? 409)
	}
}

/** The reminder policy's answer, beside the top form's (which it leaves alone). */
async function saveReminderSettings(request: Request, orgId: string, userId: string) {
	const untouched = { errors: undefined, values: undefined, notice: null, formError: null }
	const form = await parseForm(request, ReminderSettingsSchema)
	if (!form.success) {
		return data(
			{ ...untouched, reminders: { errors: form.errors, values: form.values, notice: null } as ReminderFormResult },
			400,
		)
	}
	const { version, ...settings } = form.data
	try {
		await updateReminderSettings(orgId, userId, settings, version)
	} catch (error) {
		const refused = formRefusal<ReminderFormResult>(error, { notice: null }, { place: 'top' })
		return data({ ...untouched, reminders: refused.data }, refused.init?.status ?? 409)
	}
	return { ...untouched, reminders: { notice: 'Reminder settings saved.' } as ReminderFormResult }
}

export default function SettingsPage() {
	const { org, settings, reminders, timeZones } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	const navigation = useNavigation()
	const value = (name: 'timeZone' | 'followUpDays' | 'taskDueDays') => String(result?.values?.[name] ?? settings[name])
	const reminderResult = result && 'reminders' in result ? (result.reminders as ReminderFormResult) : null
	const renameResult = result && 'rename' in result ? (result.rename as RenameResult) : null
	return (
		<div className="stack">
			<PageHeader
				title="Settings"
				description="The organisation’s name, and organisation-wide rules: the time zone dates are shown in, and internal deadlines."
				actions={
					<>
						<Link to="outbox" className="button button-secondary">
							Email outbox
						</Link>
						<Link to="../webhooks" relative="path" className="button button-secondary">
							Webhooks
						</Link>
					</>
				}
			/>
			<Form
				method="post"
				action="?form=name"
				className="card form"
				aria-labelledby="rename-heading"
				key={`name-${settings.version}`}
			>
				<h2 id="rename-heading">Organisation name</h2>
				{renameResult?.notice ? (
					<div className="alert alert-ok" role="status">
						{renameResult.notice}
					</div>
				) : null}
				<FormAlert message={renameResult?.formError} />
				<input type="hidden" name="version" value={settings.version} />
				<TextField
					label="Name"
					name="name"
					id="org-name"
					required
					minLength={2}
					maxLength={80}
					hint={
						<>
							Shown to everyone in the organisation and in emails (2–80 characters). The web address stays{' '}
							<span className="mono">/o/{org.slug}</span>: links and bookmarks keep working.
						</>
					}
					defaultValue={String(renameResult?.values?.name ?? org.name)}
					error={renameResult?.errors?.name}
				/>
				<div>
					<button type="submit" className="button" disabled={navigation.state !== 'idle'}>
						Rename organisation
					</button>
				</div>
			</Form>
			{result?.notice ? (
				<div className="alert alert-ok" role="status">
					{result.notice}
				</div>
			) : null}
			<FormAlert
				message={result?.formError ?? (result?.errors ? 'Some fields need attention; nothing was saved.' : null)}
			/>
			<Form method="post" className="card form" aria-label="Organisation settings" key={JSON.stringify(settings)}>
				<input type="hidden" name="version" value={settings.version} />
				<TextField
					label="Time zone"
					name="timeZone"
					list="time-zone-choices"
					autoComplete="off"
					spellCheck={false}
					hint="Type to search, for example Berlin or New_York, and pick the zone from the list. Days waiting and due dates are counted in it."
					defaultValue={value('timeZone')}
					error={result?.errors?.timeZone}
				/>
				<datalist id="time-zone-choices">
					{timeZones.map((zone) => (
						<option key={zone} value={zone} />
					))}
				</datalist>
				<TextField
					label="Ticket follow-up after (days)"
					name="followUpDays"
					type="number"
					min={1}
					max={60}
					hint={`Atlassian publishes no turnaround time. Clearance prompts a follow-up after this many days without activity on a ticket (1–60, default ${DEFAULT_FOLLOW_UP_DAYS}).`}
					defaultValue={value('followUpDays')}
					error={result?.errors?.followUpDays}
				/>
				<TextField
					label="Erase and refresh tasks due after (days)"
					name="taskDueDays"
					type="number"
					min={1}
					max={365}
					hint="Internal policy, not Atlassian’s: Atlassian publishes no erasure deadline (1–365, default 30)."
					defaultValue={value('taskDueDays')}
					error={result?.errors?.taskDueDays}
				/>
				<div>
					<button type="submit" className="button" disabled={navigation.state !== 'idle'}>
						Save settings
					</button>
				</div>
			</Form>
			<ReminderSettingsForm settings={reminders} result={reminderResult} />
		</div>
	)
}
