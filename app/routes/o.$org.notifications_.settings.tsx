import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { FormAlert } from '~/components/ui/form'
import { PageHeader } from '~/components/ui/status'
import { NotificationPreferencesSchema } from '~/schemas/reminders'
import { getNotificationPreferences, saveNotificationPreferences } from '~/services/reminder-settings.server'
import { requireMember } from '~/utils/auth.server'
import { parseForm } from '~/utils/forms'

export const meta: MetaFunction = () => [{ title: 'Reminder settings · Clearance' }]

/**
 * A person's own reminder channels in this organisation (issue 13): in-app,
 * email (at once or one daily digest) and the team's chat webhooks. Everything
 * is on until the person turns it off.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, user } = await requireMember(request, params.org)
	return { org: { slug: org.slug, name: org.name }, preferences: await getNotificationPreferences(org.id, user.id) }
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requireMember(request, params.org)
	const form = await parseForm(request, NotificationPreferencesSchema)
	if (!form.success) {
		return data({ notice: null, formError: 'Choose when email is sent, then save again.' }, 400)
	}
	await saveNotificationPreferences(org.id, user.id, form.data)
	return { notice: 'Your reminder settings are saved.', formError: null }
}

export default function NotificationSettingsPage() {
	const { org, preferences } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	const navigation = useNavigation()
	return (
		<div className="stack">
			<PageHeader
				title="Reminder settings"
				description={`How Clearance reminds you of reporting deadlines, erase and refresh tasks, quiet tickets and reviews in ${org.name}.`}
				actions={
					<Link to={`/o/${org.slug}/notifications`} className="button button-secondary">
						Back to notifications
					</Link>
				}
			/>
			{result?.notice ? (
				<div className="alert alert-ok" role="status">
					{result.notice}
				</div>
			) : null}
			<FormAlert message={result?.formError} />
			<Form method="post" className="card form" aria-label="Reminder settings" key={JSON.stringify(preferences)}>
				<fieldset className="fieldset">
					<legend>Remind me</legend>
					<label className="check" htmlFor="inApp">
						<input id="inApp" type="checkbox" name="inApp" defaultChecked={preferences.inApp} />
						<span>
							In Clearance <small>on the notifications page and in the unread count</small>
						</span>
					</label>
					<label className="check" htmlFor="email">
						<input id="email" type="checkbox" name="email" defaultChecked={preferences.email} />
						<span>
							By email <small>to the address you sign in with</small>
						</span>
					</label>
					<label className="check" htmlFor="webhooks">
						<input id="webhooks" type="checkbox" name="webhooks" defaultChecked={preferences.webhooks} />
						<span>
							In the team’s chat <small>through the webhooks an admin registered; posted once per reminder</small>
						</span>
					</label>
				</fieldset>
				<fieldset className="fieldset">
					<legend>Send email</legend>
					<label className="check" htmlFor="emailMode-immediate">
						<input
							id="emailMode-immediate"
							type="radio"
							name="emailMode"
							value="immediate"
							defaultChecked={preferences.emailMode === 'immediate'}
						/>
						<span>
							At once <small>one email per reminder, as it happens</small>
						</span>
					</label>
					<label className="check" htmlFor="emailMode-digest">
						<input
							id="emailMode-digest"
							type="radio"
							name="emailMode"
							value="digest"
							defaultChecked={preferences.emailMode === 'digest'}
						/>
						<span>
							Once a day <small>one digest listing the day’s reminders</small>
						</span>
					</label>
				</fieldset>
				<p className="card-muted">
					Whatever you choose here, an overdue item is also escalated to the organisation’s admins after the days an
					admin set.
				</p>
				<div>
					<button type="submit" className="button" disabled={navigation.state !== 'idle'}>
						Save reminder settings
					</button>
				</div>
			</Form>
		</div>
	)
}
