// The HTTP server around the Remix build (what remix-serve did, plus what it
// could not): the client's address for limits, a request body that a route
// stops reading is drained instead of resetting the connection (so a 413
// arrives), headers on every response, per-request clean-up, and a shutdown
// that lets requests in flight finish. See docs/decisions/006-limits-and-operations.md.
import { type IncomingMessage, type ServerResponse } from 'node:http'
import { PassThrough } from 'node:stream'
import { createReadableStreamFromReadable, createRequestHandler, type ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express, { type NextFunction, type Request as ExpressRequest, type Response as ExpressResponse } from 'express'
import { refuseCrossSite } from '../app/utils/cross-site.server'
import { answerDatabaseOutages } from '../app/utils/database-outage.server'
import { endScope, requestScope, runInScope } from '../app/utils/request-scope.server'
import { transportHeaders } from '../app/utils/security-headers.server'

export type ServerOptions = {
	build: ServerBuild
	/** Express's `trust proxy`: false (default) = the socket's address is the client, X-Forwarded-* ignored. */
	trustProxy?: boolean | number | string[]
	hstsMaxAgeSeconds?: number
	/** Static files besides the build's assets (favicon…); null for none. */
	publicDir?: string | null
	/** Log one line per request. */
	log?: (line: string) => void
	/** A body a route stopped reading is discarded up to this many bytes, then the connection is cut. */
	maxDiscardBytes?: number
}

export type ServerApp = {
	app: express.Express
	/** From now on every response asks the client to close its connection (used while draining). */
	startDraining(): void
}

export function createServerApp({
	build,
	trustProxy = false,
	hstsMaxAgeSeconds = 0,
	publicDir = 'public',
	log,
	maxDiscardBytes = 1024 * 1024 * 1024,
}: ServerOptions): ServerApp {
	let draining = false
	const app = express()
	app.disable('x-powered-by')
	app.set('trust proxy', trustProxy)

	// Every response, whatever produced it, gets the transport headers; set when
	// the head is written so a header the route set itself is not doubled.
	app.use((req, res, next) => {
		const writeHead = res.writeHead
		res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
			for (const [name, value] of Object.entries(transportHeaders({ secure: req.secure, hstsMaxAgeSeconds }))) {
				if (!res.hasHeader(name)) res.setHeader(name, value)
			}
			if (draining && !res.headersSent) res.setHeader('Connection', 'close')
			return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args)
		} as typeof res.writeHead
		next()
	})
	if (log) {
		app.use((req, res, next) => {
			const started = performance.now()
			res.on('finish', () => {
				// Invite links carry a secret token in the path: never in the log.
				const path = req.originalUrl.split('?')[0]!.replace(/^\/invite\/[^/]+/, '/invite/…')
				log(`${req.method} ${path} ${res.statusCode} ${Math.round(performance.now() - started)} ms`)
			})
			next()
		})
	}
	app.use(compression())
	app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: '1y' }))
	if (publicDir) app.use(express.static(publicDir, { maxAge: '1h' }))

	// A form posted from another site: a 403 page saying why, not Remix's own check, which throws (a 500).
	// The database unreachable: a 503 ("temporarily unavailable"), not a 500 (app/utils/database-outage.server.ts).
	const handle = refuseCrossSite(createRequestHandler(answerDatabaseOutages(build), process.env.NODE_ENV))
	app.all('*', (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
		const scope = requestScope(req.method)
		res.on('close', () => {
			void endScope(scope).catch((error: unknown) => console.error(error))
		})
		runInScope(scope, async () => {
			try {
				const request = remixRequest(req, res, maxDiscardBytes)
				// The client: the socket's address, or (TRUST_PROXY) the one the trusted proxies name.
				const response = await handle(request, { clientAddress: req.ip ?? '' })
				await sendRemixResponse(res, response)
			} catch (error) {
				next(error)
			}
		})
	})
	return { app, startDraining: () => (draining = true) }
}

/**
 * The Remix request for an Express request, as @remix-run/express builds it,
 * except for the body: when a route stops reading it (a 413, a refused
 * upload), the rest is read and thrown away instead of destroying the socket,
 * which reset the connection before the answer could arrive.
 */
function remixRequest(req: ExpressRequest, res: ExpressResponse, maxDiscardBytes: number): Request {
	const [, hostPortText] = req.get('host')?.split(':') ?? []
	const hostPort = Number.parseInt(hostPortText ?? '', 10)
	const url = new URL(
		`${req.protocol}://${req.hostname}${Number.isSafeInteger(hostPort) ? `:${hostPort}` : ''}${req.originalUrl}`,
	)
	let controller: AbortController | null = new AbortController()
	const init: RequestInit & { duplex?: 'half' } = {
		method: req.method,
		headers: remixHeaders(req.headers),
		signal: controller.signal,
	}
	if (req.method !== 'GET' && req.method !== 'HEAD') {
		const body = new PassThrough()
		req.pipe(body)
		// The web stream's cancel destroys `body`, not the socket.
		body.on('close', () => {
			if (!req.readableEnded) {
				req.unpipe(body)
				discardRest(req, maxDiscardBytes)
			}
		})
		// Answered without reading it all (or a copy of it was read instead): the rest goes too.
		res.on('finish', () => {
			if (!req.readableEnded && !body.destroyed) {
				req.unpipe(body)
				body.destroy()
			}
		})
		init.body = createReadableStreamFromReadable(body)
		init.duplex = 'half'
	}
	// Abort loaders and actions when the client goes away before the answer is sent.
	res.on('finish', () => (controller = null))
	res.on('close', () => controller?.abort())
	return new Request(url.href, init)
}

function discardRest(req: IncomingMessage, maxDiscardBytes: number) {
	let discarded = 0
	req.on('data', (chunk: Buffer) => {
		discarded += chunk.byteLength
		if (discarded > maxDiscardBytes) req.destroy()
	})
	req.resume()
}

function remixHeaders(incoming: IncomingMessage['headers']) {
	const headers = new Headers()
	for (const [name, values] of Object.entries(incoming)) {
		if (values === undefined) continue
		for (const value of Array.isArray(values) ? values : [values]) headers.append(name, value)
	}
	return headers
}

/** Writes Remix's response to Express's, as @remix-run/express does. */
async function sendRemixResponse(res: ExpressResponse, response: Response) {
	res.statusMessage = response.statusText
	res.status(response.status)
	for (const [name, value] of response.headers.entries()) res.append(name, value)
	if (/text\/event-stream/i.test(response.headers.get('Content-Type') ?? '')) res.flushHeaders()
	if (response.body) await writeWithBackpressure(response.body, res)
	else res.end()
}

/**
 * @remix-run/node's writeReadableStreamToWritable, with backpressure: that one
 * writes each chunk as soon as the route makes it, so whatever the client has
 * not read yet (a long download: the report batches of a million accounts)
 * piles up in the server's memory. Here the next chunk is asked of the route
 * only once the response (or compression's stream in front of it) has taken
 * the last; a client gone stops the route's stream instead of reading it to
 * the end for nobody.
 */
async function writeWithBackpressure(body: ReadableStream<Uint8Array>, res: ExpressResponse) {
	const reader = body.getReader()
	const flushable = res as { flush?: () => void }
	let drained: (() => Promise<void>) | null = null
	try {
		for (;;) {
			if (res.destroyed) {
				await reader.cancel()
				return
			}
			const { done, value } = await reader.read()
			if (done) {
				res.end()
				return
			}
			const more = res.write(value)
			// compression's flush: each chunk leaves at once (server-sent events, a download's progress).
			flushable.flush?.()
			if (!more) await (drained ??= drainWaiter(res))()
		}
	} catch (error) {
		res.destroy(error as Error)
		throw error
	}
}

/**
 * A wait for the response's next 'drain' or its close, with one listener of each for the response's life.
 * compression routes `res.on('drain')` to its own stream but not the removal of it, so a listener added per wait
 * (`once`) stayed on that stream: hundreds of them during a large download (MaxListenersExceededWarning).
 */
function drainWaiter(res: ExpressResponse): () => Promise<void> {
	let wake: (() => void) | null = null
	const onEvent = () => {
		const resolve = wake
		wake = null
		resolve?.()
	}
	res.on('drain', onEvent)
	res.on('close', onEvent)
	return () => new Promise<void>((resolve) => (res.destroyed ? resolve() : (wake = resolve)))
}
