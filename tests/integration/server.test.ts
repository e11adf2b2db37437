import { existsSync } from 'node:fs'
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import { type AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as evaluateRoute from '~/routes/api.v1.checklist.evaluate'
import * as loginRoute from '~/routes/login'
import { clientAddress } from '~/utils/http.server'
import { parseMultipart } from '~/utils/multipart.server'
import { createServerApp, type ServerOptions } from '../../scripts/server-app'
import { testBuild } from './server-helpers'

/** Small routes standing in for the app's JSON, CSV and upload answers. */
const probes = {
	'routes/whoami': {
		path: 'whoami',
		module: { loader: ({ context }: { context: unknown }) => Response.json({ client: clientAddress(context) }) },
	},
	'routes/export': {
		path: 'export.csv',
		module: {
			loader: () =>
				new Response('a,b\n1,2\n', {
					headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="x.csv"' },
				}),
		},
	},
	'routes/upload': {
		path: 'upload',
		module: {
			// Parses an upload and "forgets" to remove it: the server removes it when the response closes.
			action: async ({ request }: { request: Request }) => {
				const form = await parseMultipart(request, { import: ['file'] })
				const file = form.get('file') as unknown as { filepath?: string }
				return Response.json({ file: file.filepath })
			},
		},
	},
	'routes/big': {
		path: 'big.csv',
		module: {
			// 16 MB in 64 KB pieces of text that compresses poorly enough to fill the socket (a large ledger download).
			loader: () => {
				let sent = 0
				const piece = () =>
					new TextEncoder().encode(Array.from({ length: 4096 }, () => Math.random().toString(36)).join(','))
				return new Response(
					new ReadableStream<Uint8Array>({
						pull(controller) {
							if (sent++ >= 256) return controller.close()
							controller.enqueue(piece())
						},
					}),
					{ headers: { 'Content-Type': 'text/csv' } },
				)
			},
		},
	},
	'routes/api.v1.checklist.evaluate': { path: 'api/v1/checklist/evaluate', module: evaluateRoute },
	'routes/login': { path: 'login', module: loginRoute },
}

let server: Server | undefined
afterEach(async () => {
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
	server = undefined
})

async function start(options: Partial<ServerOptions> = {}) {
	const { app } = createServerApp({ build: testBuild(probes as never), publicDir: null, ...options })
	server = app.listen(0, '127.0.0.1')
	await new Promise((resolve) => server!.once('listening', resolve))
	return (server.address() as AddressInfo).port
}

type Answer = { status: number; headers: IncomingHttpHeaders; body: string }

/** One HTTP request over a real socket; `body` chunks are written one after another, as a slow client would. */
function send(
	port: number,
	{ method = 'GET', path: urlPath = '/', headers = {}, body = [] as (string | Buffer)[] } = {},
): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const req = httpRequest({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
			const chunks: Buffer[] = []
			res.on('data', (chunk: Buffer) => chunks.push(chunk))
			res.on('end', () =>
				resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
			)
			res.on('error', reject)
		})
		req.on('error', reject)
		const write = (index: number) => {
			if (index >= body.length) return req.end()
			// A write to a request the server already answered is the client's business, not a failure of the answer.
			if (!req.write(body[index]!)) req.once('drain', () => write(index + 1))
			else setImmediate(() => write(index + 1))
		}
		write(0)
	})
}

const json = { 'Content-Type': 'application/json' }
const megabyte = () => Array.from({ length: 16 }, () => Buffer.alloc(64 * 1024, 0x20))

describe('the server (issue 10, findings 3 and 9)', () => {
	it('a body over 64 KB to the evaluate API gets the documented 413 JSON, never a connection reset', async () => {
		const port = await start()
		const declared = await send(port, {
			method: 'POST',
			path: '/api/v1/checklist/evaluate',
			headers: { ...json, 'Content-Length': String(1024 * 1024) },
			body: megabyte(),
		})
		expect(declared.status).toBe(413)
		expect(JSON.parse(declared.body)).toEqual({ error: 'Request body is larger than 64 KB.' })
		// Chunked: no length given, so the limit is found while reading.
		const chunked = await send(port, {
			method: 'POST',
			path: '/api/v1/checklist/evaluate',
			headers: { ...json, 'Transfer-Encoding': 'chunked' },
			body: megabyte(),
		})
		expect(chunked.status).toBe(413)
		expect(JSON.parse(chunked.body)).toMatchObject({ error: expect.stringContaining('64 KB') })
		// And the server goes on answering.
		const ok = await send(port, { method: 'POST', path: '/api/v1/checklist/evaluate', headers: json, body: ['{}'] })
		expect(ok.status).toBe(200)
	})

	it('a form body over FORM_MAX_BYTES gets a 413 page, not a reset, and is not parsed', async () => {
		const port = await start()
		const form = [Buffer.from('email=a%40b.test&password=')].concat(
			Array.from({ length: 40 }, () => Buffer.alloc(64 * 1024, 0x78)),
		)
		const answer = await send(port, {
			method: 'POST',
			path: '/login',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' },
			body: form,
		})
		expect(answer.status).toBe(413)
	})

	it('a large compressed download read slowly waits for the socket without piling up listeners', async () => {
		const port = await start()
		const warnings: Error[] = []
		const onWarning = (warning: Error) => warnings.push(warning)
		process.on('warning', onWarning)
		try {
			const bytes = await new Promise<number>((resolve, reject) => {
				const req = httpRequest(
					{ host: '127.0.0.1', port, path: '/big.csv', headers: { 'Accept-Encoding': 'gzip' } },
					(res) => {
						expect(res.headers['content-encoding']).toBe('gzip')
						let received = 0
						// A slow reader: the server's writes meet backpressure again and again.
						res.on('data', (chunk: Buffer) => {
							received += chunk.length
							res.pause()
							setTimeout(() => res.resume(), 1)
						})
						res.on('end', () => resolve(received))
						res.on('error', reject)
					},
				)
				req.on('error', reject)
				req.end()
			})
			expect(bytes).toBeGreaterThan(1_000_000)
			// Warnings are emitted on the next tick.
			await new Promise((resolve) => setImmediate(resolve))
			expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([])
		} finally {
			process.off('warning', onWarning)
		}
	})

	it('X-Content-Type-Options: nosniff on every response: JSON, CSV downloads, errors', async () => {
		const port = await start()
		for (const urlPath of ['/whoami', '/export.csv', '/no-such-page']) {
			const answer = await send(port, { path: urlPath })
			expect(answer.headers['x-content-type-options'], urlPath).toBe('nosniff')
		}
		const api = await send(port, { method: 'POST', path: '/api/v1/checklist/evaluate', headers: json, body: ['{}'] })
		expect(api.headers['x-content-type-options']).toBe('nosniff')
	})

	it('HSTS only for HTTPS through a trusted proxy; X-Forwarded-* from anyone else is ignored', async () => {
		const untrusted = await start({ hstsMaxAgeSeconds: 31_536_000 })
		const spoofed = await send(untrusted, {
			path: '/whoami',
			headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.9' },
		})
		expect(spoofed.headers['strict-transport-security']).toBeUndefined()
		// The client is the socket's address, not what the header claims.
		expect(JSON.parse(spoofed.body).client).toMatch(/127\.0\.0\.1$/)
		await new Promise<void>((resolve) => server!.close(() => resolve()))

		const trusted = await start({ hstsMaxAgeSeconds: 31_536_000, trustProxy: ['loopback'] })
		const viaProxy = await send(trusted, {
			path: '/whoami',
			headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.9' },
		})
		expect(viaProxy.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
		expect(JSON.parse(viaProxy.body).client).toBe('203.0.113.9')
		const plain = await send(trusted, { path: '/whoami' })
		expect(plain.headers['strict-transport-security']).toBeUndefined()
	})

	it('an upload a route did not remove is removed when its response closes', async () => {
		const port = await start()
		const boundary = 'x-boundary'
		const body = [
			`--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\nimport\r\n`,
			`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="ledger.csv"\r\nContent-Type: text/csv\r\n\r\naccountId,updatedAt\r\n`,
			`--${boundary}--\r\n`,
		]
		const answer = await send(port, {
			method: 'POST',
			path: '/upload',
			headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
			body,
		})
		expect(answer.status).toBe(200)
		const file = JSON.parse(answer.body).file as string
		expect(typeof file).toBe('string')
		await expect.poll(() => existsSync(path.dirname(file)), { timeout: 2000 }).toBe(false)
	})
})
