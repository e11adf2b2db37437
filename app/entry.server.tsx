import { randomBytes } from 'node:crypto'
import { createReadableStreamFromReadable, type EntryContext } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { isbot } from 'isbot'
import { renderToPipeableStream } from 'react-dom/server'
import { coalescingStream } from '~/utils/coalescing-stream.server'
import { databaseUnavailable } from '~/utils/db-errors.server'
import { NonceProvider } from '~/utils/nonce'
import { securityHeaders } from '~/utils/security-headers.server'

export const streamTimeout = 5_000

export default function handleRequest(
	request: Request,
	responseStatusCode: number,
	responseHeaders: Headers,
	remixContext: EntryContext,
) {
	const nonce = randomBytes(16).toString('base64')
	const waitForAll = isbot(request.headers.get('user-agent')) || remixContext.isSpaMode
	const production = process.env.NODE_ENV === 'production'

	return new Promise<Response>((resolve, reject) => {
		let shellRendered = false
		const { pipe, abort } = renderToPipeableStream(
			<NonceProvider value={nonce}>
				<RemixServer context={remixContext} url={request.url} nonce={nonce} />
			</NonceProvider>,
			{
				nonce,
				[waitForAll ? 'onAllReady' : 'onShellReady']() {
					shellRendered = true
					// React writes the page in ~2 KB pieces: passed on together, a page is one write to the socket.
					const body = coalescingStream()
					responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
					for (const [name, value] of Object.entries(securityHeaders(nonce, { production }))) {
						responseHeaders.set(name, value)
					}
					resolve(
						new Response(createReadableStreamFromReadable(body), {
							headers: responseHeaders,
							status: responseStatusCode,
						}),
					)
					pipe(body)
				},
				onShellError(error: unknown) {
					reject(error)
				},
				onError(error: unknown) {
					responseStatusCode = 500
					if (shellRendered) console.error(error)
				},
			},
		)
		setTimeout(abort, streamTimeout + 1000)
	})
}

export function handleError(error: unknown, { request }: { request: Request }) {
	// Aborted requests (client went away) are not errors worth logging.
	if (request.signal.aborted) return
	// The database unreachable (outside the production server's 503 answer, e.g. in development): one line, no stack.
	const outage = databaseUnavailable(error)
	if (outage)
		return console.error(`Database unavailable (${outage}) during ${request.method} ${new URL(request.url).pathname}.`)
	console.error(error)
}
