import { type LoaderFunctionArgs } from '@remix-run/node'
import { requireApp } from '~/services/apps.server'
import { getImportJob, summarizeJob } from '~/services/import-jobs.server'
import { requirePermission } from '~/utils/auth.server'
import { throwRefusal } from '~/utils/refusals.server'

/**
 * One import job as JSON (`…/reporting/imports/{jobId}`): its status
 * (queued, running, succeeded, failed, cancelled), `finished`, bytes and rows
 * read so far, what it wrote and refused, rows per second. A stable URL to
 * poll until `finished` is true (the reporting page and `npm run bench` do).
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'org:view')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const job = await getImportJob(org.id, app.id, params.jobId ?? '').catch(throwRefusal)
	return Response.json(summarizeJob(job), { headers: { 'Cache-Control': 'no-store' } })
}
