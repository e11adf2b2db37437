import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { ReporterCard, type ReporterResult } from '~/components/reporting/reporter-card'
import { PageHeader } from '~/components/ui/status'
import { can } from '~/domain/roles'
import { requireApp } from '~/services/apps.server'
import { getReporterOverview, runReporterPass } from '~/services/reporter.server'
import { requirePermission } from '~/utils/auth.server'
import { formDataToObject, readFormData } from '~/utils/forms'
import { throwRefusal, formRefusal } from '~/utils/refusals.server'

/*
 * The reporter (`…/reporting/reporter`): the reporting page's "Send now" and
 * "Dry run" post here through a fetcher and show the answer in place; without
 * JavaScript the browser posts here as a page, which shows the card with the
 * same answer and the way back. Sending is a person's explicit choice: it does
 * not wait for the planned moment, but it waits as long as Atlassian asks
 * (Retry-After, at most a minute; past that the run pauses and resumes later).
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Automatic reports · ${data.app.name} · Clearance` : 'Automatic reports · Clearance' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, roles } = await requirePermission(request, params.org, 'org:view')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const reporter = await getReporterOverview(org.id, app.id)
	return {
		base: `/o/${org.slug}/apps/${app.id}/reporting`,
		app: { name: app.name },
		connected: reporter.connection?.state === 'ok' ? ('ok' as const) : reporter.connection ? ('broken' as const) : null,
		runs: reporter.runs,
		canSend: can(roles, 'apps:edit'),
		timeZone: org.timeZone,
	}
}

function plural(count: number, one: string, many = `${one}s`) {
	return `${count} ${count === 1 ? one : many}`
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'apps:edit')
	// Before reading the body, so another org's app is a 404 whatever was posted.
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const input = formDataToObject(await readFormData(request))
	const intent = input.intent
	if (intent !== 'send' && intent !== 'dry-run') {
		return data<ReporterResult>({ formError: 'Choose Send now or Dry run.' }, 400)
	}
	try {
		const { runs } = await runReporterPass({
			orgId: org.id,
			appId: app.id,
			force: true,
			dryRun: intent === 'dry-run',
			requestedBy: user.id,
		})
		const run = runs[0]
		if (!run) return data<ReporterResult>({ intent, formError: 'This app has no reporting connection.' }, 409)
		if (intent === 'dry-run') {
			if (!run.dryRun) return data<ReporterResult>({ intent, formError: run.error ?? 'Nothing to show.' }, 409)
			return data<ReporterResult>({
				intent,
				dryRun: {
					batchCount: run.dryRun.batchCount,
					accountCount: run.dryRun.accountCount,
					firstBody: run.dryRun.firstBody ? JSON.stringify(run.dryRun.firstBody, null, 2) : null,
				},
				...(run.dryRun.resumes ? { warning: run.note } : {}),
			})
		}
		const counts = `${plural(run.batches, 'batch', 'batches')} acknowledged, ${plural(run.closed, 'account')} closed, ${plural(run.updated, 'account')} updated`
		if (run.status === 'sent') {
			return data<ReporterResult>({
				intent,
				notice: `Report sent: ${counts}. The run and its tasks are recorded below.${run.note ? ` ${run.note}` : ''}`,
			})
		}
		if (run.status === 'skipped') {
			return data<ReporterResult>({
				intent,
				warning: `Nothing was sent now: ${run.error ?? run.note ?? 'another send for this app is under way.'}${run.batches > 0 ? ` So far: ${counts}.` : ''}`,
			})
		}
		return data<ReporterResult>({ intent, formError: `The report was not sent: ${run.error ?? 'see the runs below.'}` })
	} catch (error) {
		return formRefusal<ReporterResult>(error, { intent }, { place: 'top' })
	}
}

export default function ReporterPage() {
	const { base, app, connected, runs, canSend, timeZone } = useLoaderData<typeof loader>()
	const posted = useActionData<typeof action>()
	return (
		<div className="stack">
			<PageHeader
				title={`Automatic reports: ${app.name}`}
				actions={
					<Link className="button button-secondary" to={base}>
						Back to reporting
					</Link>
				}
			/>
			<ReporterCard
				action={`${base}/reporter`}
				connected={connected}
				runs={runs}
				timeZone={timeZone}
				canSend={canSend}
				result={posted}
			/>
		</div>
	)
}
