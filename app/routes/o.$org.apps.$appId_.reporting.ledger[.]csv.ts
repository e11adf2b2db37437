import { type LoaderFunctionArgs } from '@remix-run/node'
import { toRfc3339 } from '~/domain/account-ids'
import { csvLine } from '~/domain/csv'
import { requireApp } from '~/services/apps.server'
import { CSV_HEADER, streamLedger } from '~/services/ledger.server'
import { requirePermission } from '~/utils/auth.server'
import { throwRefusal } from '~/utils/refusals.server'

/** The ledger as CSV in the import's own format, streamed in keyset pages (docs/architecture.md › Scaling out). */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'org:view')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const accounts = streamLedger(org.id, app.id)
	const encoder = new TextEncoder()
	let headerSent = false
	const stream = new ReadableStream<Uint8Array>({
		async pull(controller) {
			if (!headerSent) {
				headerSent = true
				controller.enqueue(encoder.encode(csvLine(CSV_HEADER)))
				return
			}
			// Up to a page of rows per chunk: fewer, larger writes.
			let text = ''
			for (let i = 0; i < 1000; i++) {
				const next = await accounts.next()
				if (next.done) {
					if (text) controller.enqueue(encoder.encode(text))
					controller.close()
					return
				}
				text += csvLine([next.value.accountId, toRfc3339(next.value.updatedAt)])
			}
			controller.enqueue(encoder.encode(text))
		},
		async cancel() {
			await accounts.return(undefined)
		},
	})
	const stamp = new Date().toISOString().slice(0, 10)
	return new Response(stream, {
		headers: {
			'Content-Type': 'text/csv; charset=utf-8',
			'Content-Disposition': `attachment; filename="${app.appKey.replace(/[^A-Za-z0-9._-]/g, '_')}-accounts-${stamp}.csv"`,
			'Cache-Control': 'no-store',
		},
	})
}
