import { type LoaderFunctionArgs } from '@remix-run/node'
import { csvLine } from '~/domain/csv'
import { requireApp } from '~/services/apps.server'
import { getImportJob, streamRejections } from '~/services/import-jobs.server'
import { requirePermission } from '~/utils/auth.server'
import { throwRefusal } from '~/utils/refusals.server'

/**
 * Every row an import refused, with its line, its account id as written, the reason and its updatedAt as written, as
 * CSV, streamed in keyset pages whatever their number. updatedAt came last (after the first three columns scripts may
 * already read by position). A value that looks like an email
 * address was never kept (docs/rules.md › Emails are never stored).
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'org:view')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const job = await getImportJob(org.id, app.id, params.jobId ?? '').catch(throwRefusal)
	const rows = streamRejections(org.id, app.id, job.id)
	const encoder = new TextEncoder()
	let headerSent = false
	const stream = new ReadableStream<Uint8Array>({
		async pull(controller) {
			if (!headerSent) {
				headerSent = true
				controller.enqueue(encoder.encode(csvLine(['line', 'accountId', 'reason', 'updatedAt'])))
				return
			}
			let text = ''
			for (let i = 0; i < 1000; i++) {
				const next = await rows.next()
				if (next.done) {
					if (text) controller.enqueue(encoder.encode(text))
					controller.close()
					return
				}
				text += csvLine([String(next.value.position), next.value.value, next.value.reason, next.value.updatedAt ?? ''])
			}
			controller.enqueue(encoder.encode(text))
		},
		async cancel() {
			await rows.return(undefined)
		},
	})
	const stamp = job.createdAt.toISOString().slice(0, 10)
	return new Response(stream, {
		headers: {
			'Content-Type': 'text/csv; charset=utf-8',
			'Content-Disposition': `attachment; filename="${app.appKey.replace(/[^A-Za-z0-9._-]/g, '_')}-rejected-rows-${stamp}.csv"`,
			'Cache-Control': 'no-store',
		},
	})
}
