import { type LoaderFunctionArgs } from '@remix-run/node'
import { requireApp } from '~/services/apps.server'
import { listImportJobs, summarizeJob } from '~/services/import-jobs.server'
import { requirePermission } from '~/utils/auth.server'
import { throwRefusal } from '~/utils/refusals.server'

/**
 * The app's latest import jobs, newest first, as JSON (`{ jobs: [...] }`,
 * each as `…/reporting/imports/{jobId}` answers it): the reporting page polls
 * it while an import runs.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'org:view')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const jobs = await listImportJobs(org.id, app.id)
	return Response.json({ jobs: jobs.map((job) => summarizeJob(job)) }, { headers: { 'Cache-Control': 'no-store' } })
}
