import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { type AddressInfo } from 'node:net'

export type Received = { method: string; url: string; headers: IncomingHttpHeaders; body: string }

/**
 * A webhook receiver on 127.0.0.1 started by the test: records what arrives
 * and answers what `answer` says (200 unless told otherwise).
 */
export async function startReceiver(answer: (request: Received) => number | 'hang' = () => 200) {
	const received: Received[] = []
	let respond = answer
	const server: Server = createServer((request, response) => {
		const chunks: Buffer[] = []
		request.on('data', (chunk: Buffer) => chunks.push(chunk))
		request.on('end', () => {
			const entry = {
				method: request.method ?? '',
				url: request.url ?? '',
				headers: request.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			}
			received.push(entry)
			const status = respond(entry)
			if (status === 'hang') return
			response.writeHead(status, { 'Content-Type': 'text/plain' })
			response.end(status >= 300 ? 'receiver says no' : 'ok')
		})
	})
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
	const { port } = server.address() as AddressInfo
	return {
		url: `http://127.0.0.1:${port}/hook`,
		port,
		received,
		answer(next: (request: Received) => number | 'hang') {
			respond = next
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections()
				server.close(() => resolve())
			}),
	}
}
