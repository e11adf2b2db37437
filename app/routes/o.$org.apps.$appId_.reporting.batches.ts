import { type LoaderFunctionArgs } from '@remix-run/node'
import { batchPagesAsync } from '~/domain/report-batches'
import { BatchFormatSchema } from '~/schemas/reporting'
import { requireApp } from '~/services/apps.server'
import { streamLedgerPages } from '~/services/ledger.server'
import { digestLedger, preparedReportBySha } from '~/services/prepared-reports.server'
import { requirePermission } from '~/utils/auth.server'
import { throwRefusal } from '~/utils/refusals.server'

/**
 * The app's report bodies for `POST /app/report-accounts/` (docs/rules.md › Personal-data reporting): a JSON
 * array of bodies or NDJSON (one body per line), at most 90 accounts each,
 * streamed from the ledger in keyset pages so a million accounts need little
 * memory (docs/architecture.md › Scaling out): each pull reads one page and
 * sends its batches as one chunk, and the next page is read only when the
 * client has taken the last (the server writes with backpressure).
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'org:view')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const search = new URL(request.url).searchParams
	const format = BatchFormatSchema.parse(search.get('format') ?? undefined)
	// A prepared report's batches: served only while the ledger still yields exactly that set.
	const report = search.get('report')
	if (report !== null) {
		const prepared = await preparedReportBySha(org.id, app.id, report)
		// A ledger changing all through the read (an import under way) is a 409 that says so.
		const current = prepared ? await digestLedger(org.id, app.id).catch(throwRefusal) : null
		if (!prepared || current?.sha256 !== prepared.sha256) {
			return new Response(
				prepared
					? 'The ledger has changed since this report was prepared, so its batches can no longer be served. Prepare the report again.\n'
					: 'No prepared report of this app has that SHA-256.\n',
				{
					status: prepared ? 409 : 404,
					headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
				},
			)
		}
	}
	const pages = batchPagesAsync(streamLedgerPages(org.id, app.id))
	const encoder = new TextEncoder()
	let first = true
	const stream = new ReadableStream<Uint8Array>({
		async pull(controller) {
			const next = await pages.next()
			if (next.done) {
				if (format === 'json') controller.enqueue(encoder.encode(first ? '[]\n' : '\n]\n'))
				controller.close()
				return
			}
			let text = ''
			for (const batch of next.value) {
				const body = JSON.stringify(batch)
				text += format === 'ndjson' ? `${body}\n` : `${first ? '[\n' : ',\n'}${body}`
				first = false
			}
			controller.enqueue(encoder.encode(text))
		},
		async cancel() {
			await pages.return(undefined)
		},
	})
	const stamp = new Date().toISOString().slice(0, 10)
	const extension = format === 'ndjson' ? 'ndjson' : 'json'
	return new Response(stream, {
		headers: {
			'Content-Type': format === 'ndjson' ? 'application/x-ndjson; charset=utf-8' : 'application/json; charset=utf-8',
			'Content-Disposition': `attachment; filename="${app.appKey.replace(/[^A-Za-z0-9._-]/g, '_')}-report-batches-${stamp}.${extension}"`,
			'Cache-Control': 'no-store',
		},
	})
}
