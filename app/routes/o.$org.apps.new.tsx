import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { AppForm, appFormDefaults } from '~/components/app-form'
import { type FieldErrorMap } from '~/components/ui/form'
import { PageHeader } from '~/components/ui/status'
import { AppSchema } from '~/schemas/apps'
import { createApp } from '~/services/apps.server'
import { requirePermission } from '~/utils/auth.server'
import { parseForm } from '~/utils/forms'
import { formRefusal } from '~/utils/refusals.server'

export const meta: MetaFunction = () => [{ title: 'Register an app · Clearance' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'apps:edit')
	return { orgSlug: org.slug }
}

type ActionResult = { errors?: FieldErrorMap; values?: Record<string, unknown>; formError?: string | null }

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'apps:edit')
	const form = await parseForm(request, AppSchema, { arrayKeys: ['products'] })
	if (!form.success) return data<ActionResult>({ errors: form.errors, values: form.values }, 400)
	try {
		const app = await createApp(org.id, user.id, form.data)
		return redirect(`/o/${org.slug}/apps/${app.id}`)
	} catch (error) {
		return formRefusal<ActionResult>(error, { values: form.data })
	}
}

export default function NewAppPage() {
	const { orgSlug } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	return (
		<div className="stack">
			<PageHeader
				title="Register an app"
				description="The Atlassian app that needs email addresses. Clearance checks its access request against these details."
			/>
			<section className="card" aria-label="App details">
				<AppForm
					defaults={appFormDefaults(result?.values)}
					serverErrors={result?.errors}
					formError={result?.formError}
					submitLabel="Register app"
					submittingLabel="Registering…"
					secondaryAction={
						<Link className="button button-secondary" to={`/o/${orgSlug}/apps`}>
							Cancel
						</Link>
					}
				/>
			</section>
		</div>
	)
}
