import { type LoaderFunctionArgs } from '@remix-run/node'
import { batchPagesAsync } from '~/domain/report-batches'
import { requireApp } from '~/services/apps.server'
import { streamLedgerPages } from '~/services/ledger.server'
import { digestLedger, sha256Hex } from '~/services/prepared-reports.server'
import { answerApi, requireApiKey } from '~/utils/api-auth.server'
import { methodNotAllowed } from '~/utils/api.server'

/**
 * GET /api/v1/apps/{appId}/report-batches (read): the bodies to send to
 * Atlassian, at most 90 accounts each (docs/rules.md › Evidence: prepared
 * reports and runs), as a JSON array or, with `Accept: application/x-ndjson`,
 * one body per line. Streamed from the ledger in keyset pages, one page's
 * batches per chunk, the next page read only when the client has taken the
 * last (bounded memory whatever the ledger's size). The
 * `Clearance-Prepared-Report` header is the batch set's SHA-256: record the
 * run with it. The GET writes nothing.
 */

export const PREPARED_REPORT_HEADER = 'Clearance-Prepared-Report'

export function action() {
	return methodNotAllowed(['GET'])
}

function wantsNdjson(request: Request) {
	const url = new URL(request.url)
	if (url.searchParams.get('format') === 'ndjson') return true
	const accept = request.headers.get('Accept') ?? ''
	return /application\/(x-)?ndjson/i.test(accept)
}

export function loader({ request, params }: LoaderFunctionArgs) {
	return answerApi(async () => {
		const caller = await requireApiKey(request, 'read')
		const app = await requireApp(caller.org.id, params.appId)
		const ndjson = wantsNdjson(request)
		// The set's digest first, for the header; the batches streamed after are checked against it.
		const digest = await digestLedger(caller.org.id, app.id)
		const pages = batchPagesAsync(streamLedgerPages(caller.org.id, app.id))
		const encoder = new TextEncoder()
		let index = 0
		const stream = new ReadableStream<Uint8Array>({
			async pull(controller) {
				const next = await pages.next()
				if (next.done) {
					if (index !== digest.batchCount)
						return controller.error(new Error('The ledger changed while its batches were sent: fetch them again.'))
					if (!ndjson) controller.enqueue(encoder.encode(index === 0 ? '[]\n' : '\n]\n'))
					controller.close()
					return
				}
				let text = ''
				for (const batch of next.value) {
					const body = JSON.stringify(batch)
					// A ledger written to meanwhile would not match the header: the answer breaks off rather than lie.
					if (sha256Hex(body) !== digest.batchSha256[index]) {
						await pages.return(undefined)
						return controller.error(new Error('The ledger changed while its batches were sent: fetch them again.'))
					}
					text += ndjson ? `${body}\n` : `${index === 0 ? '[\n' : ',\n'}${body}`
					index++
				}
				controller.enqueue(encoder.encode(text))
			},
			async cancel() {
				await pages.return(undefined)
			},
		})
		return new Response(stream, {
			headers: {
				'Content-Type': ndjson ? 'application/x-ndjson; charset=utf-8' : 'application/json; charset=utf-8',
				'Cache-Control': 'no-store',
				Vary: 'Accept',
				[PREPARED_REPORT_HEADER]: digest.sha256,
				'Clearance-Batch-Count': String(digest.batchCount),
				'Clearance-Account-Count': String(digest.accountCount),
			},
		})
	})
}
