import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { ConnectionCard, type ConnectionResult } from '~/components/reporting/connection-card'
import { PageHeader } from '~/components/ui/status'
import { can } from '~/domain/roles'
import { hasNul, NUL_MESSAGE, pathsWithNul } from '~/domain/text'
import { ReportingConnectionInputSchema } from '~/schemas/reporting-connection'
import { requireApp } from '~/services/apps.server'
import {
	deleteReportingConnection,
	getConnectionForPage,
	saveReportingConnection,
} from '~/services/reporting-connection.server'
import { requirePermission } from '~/utils/auth.server'
import { formDataToObject, issuesToErrors, readFormData } from '~/utils/forms'
import { throwRefusal, formRefusal } from '~/utils/refusals.server'

/*
 * The reporting connection (`…/reporting/connection`): the reporting page's
 * connection card posts here through a fetcher and shows the answer in place;
 * without JavaScript the browser posts here as a page, which shows the card
 * with the same answer and the way back. Admins only. Nothing typed into a
 * secret field is ever sent back to the browser, not even after a refusal.
 */

const SHOWN_FIELDS = ['kind', 'clientId', 'url', 'baseUrl'] as const

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Reporting connection · ${data.app.name} · Clearance` : 'Reporting connection · Clearance' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, roles } = await requirePermission(request, params.org, 'org:view')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	return {
		base: `/o/${org.slug}/apps/${app.id}/reporting`,
		app: { name: app.name, appKey: app.appKey },
		connection: {
			...(await getConnectionForPage(org.id, app.id)),
			canManage: can(roles, 'reporting-connections:manage'),
		},
		timeZone: org.timeZone,
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'reporting-connections:manage')
	// Before reading the body, so another org's app is a 404 whatever was posted.
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const input = formDataToObject(await readFormData(request))
	// Only what may be shown again: never a secret field, never a NUL.
	const values = Object.fromEntries(
		SHOWN_FIELDS.flatMap((key) => {
			const value = input[key]
			return typeof value === 'string' && !hasNul(value) ? [[key, value]] : []
		}),
	)
	if (input.intent === 'remove') {
		const removed = await deleteReportingConnection(org.id, user.id, app.id)
		return data<ConnectionResult>({
			intent: 'remove',
			notice: removed
				? 'Connection removed: Clearance no longer sends this app’s reports, and its secrets are deleted.'
				: 'There was no connection to remove.',
		})
	}
	if (input.intent !== 'save') {
		return data<ConnectionResult>({ formError: 'Choose Save connection or Remove connection.' }, 400)
	}
	try {
		const nul = pathsWithNul(input)
		if (nul.length > 0) {
			const errors = Object.fromEntries(nul.map((path) => [path, NUL_MESSAGE]))
			return data<ConnectionResult>({ intent: 'save', errors, values }, 400)
		}
		const parsed = ReportingConnectionInputSchema.safeParse(input)
		if (!parsed.success) {
			return data<ConnectionResult>({ intent: 'save', errors: issuesToErrors(parsed.error), values }, 400)
		}
		await saveReportingConnection(org.id, user.id, app.id, parsed.data)
		return data<ConnectionResult>({
			intent: 'save',
			notice: 'Connection saved. Its secrets are sealed and will not be shown again.',
		})
	} catch (error) {
		return formRefusal<ConnectionResult>(error, { intent: 'save', values }, { place: 'both' })
	}
}

export default function ConnectionPage() {
	const { base, app, connection, timeZone } = useLoaderData<typeof loader>()
	const posted = useActionData<typeof action>()
	return (
		<div className="stack">
			<PageHeader
				title={`Reporting connection: ${app.name}`}
				actions={
					<Link className="button button-secondary" to={base}>
						Back to reporting
					</Link>
				}
			/>
			<ConnectionCard
				action={`${base}/connection`}
				connection={connection}
				appKey={app.appKey}
				timeZone={timeZone}
				result={posted}
			/>
		</div>
	)
}
