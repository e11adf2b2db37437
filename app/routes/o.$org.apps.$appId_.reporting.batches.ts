import { type LoaderFunctionArgs } from '@remix-run/node'
import { batchAccountsAsync } from '~/domain/report-batches'
import { BatchFormatSchema } from '~/schemas/reporting'
import { getApp } from '~/services/apps.server'
import { streamLedger } from '~/services/ledger.server'
import { requirePermission } from '~/utils/auth.server'
import { notFound } from '~/utils/http.server'

/**
 * The app's report bodies for `POST /app/report-accounts/` (domain.md): a JSON
 * array of bodies or NDJSON (one body per line), at most 90 accounts each,
 * streamed from the ledger in keyset pages so a million accounts need little
 * memory (design.md, "Scaling out").
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'org:view')
	const app = await getApp(org.id, params.appId)
	if (!app) notFound('No such app in this organisation.')
	const format = BatchFormatSchema.parse(new URL(request.url).searchParams.get('format') ?? undefined)
	const bodies = batchAccountsAsync(streamLedger(app.id))
	const encoder = new TextEncoder()
	let first = true
	const stream = new ReadableStream<Uint8Array>({
		async pull(controller) {
			const next = await bodies.next()
			if (next.done) {
				if (format === 'json') controller.enqueue(encoder.encode(first ? '[]\n' : '\n]\n'))
				controller.close()
				return
			}
			const body = JSON.stringify(next.value)
			const text = format === 'ndjson' ? `${body}\n` : `${first ? '[\n' : ',\n'}${body}`
			first = false
			controller.enqueue(encoder.encode(text))
		},
		async cancel() {
			await bodies.return(undefined)
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
