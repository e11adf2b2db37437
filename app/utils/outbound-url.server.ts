import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { ADDRESS_KIND_WORDS, classifyAddress, hostnameAsAddress, type AddressKind } from '~/domain/ip-addresses'
import { HTTP_URL_MESSAGE, parseHttpUrl } from '~/domain/urls'

/**
 * The one rule for every request Clearance sends to an address someone typed
 * (webhooks, the reporter): `http:` or `https:` only (the app's own URL check,
 * app/domain/urls.ts), and only to the public internet. Every address the host
 * resolves to is checked (app/domain/ip-addresses.ts): private, loopback,
 * link-local, CGNAT, multicast, unspecified and reserved addresses, and IPv6
 * forms of them, are refused unless `OUTBOUND_ALLOW_PRIVATE=true` (tests and
 * a self-hosted install that posts to its own network).
 *
 * The check runs twice: when the address is registered (a clear form
 * message), and when each request connects: the socket connects only to an
 * address checked in that same lookup, so a name that resolved to a public
 * address at registration and to 127.0.0.1 later (DNS rebinding) is refused.
 * Redirects are never followed (one could point anywhere).
 */

export function outboundPrivateAllowed(env: Record<string, string | undefined> = process.env): boolean {
	return env.OUTBOUND_ALLOW_PRIVATE === 'true'
}

/** A request refused before it left, or that failed on the way: the message is fit for a form or a delivery log. */
export class OutboundError extends Error {
	constructor(
		message: string,
		readonly kind: 'syntax' | 'refused' | 'not-found' | 'timeout' | 'network' = 'network',
	) {
		super(message)
		this.name = 'OutboundError'
	}
}

export type Resolve = (hostname: string) => Promise<LookupAddress[]>

const resolveAll: Resolve = (hostname) =>
	new Promise((resolve, reject) =>
		dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
			error ? reject(error) : resolve(addresses),
		),
	)

function refusal(host: string, kind: Exclude<AddressKind, 'public'>) {
	return new OutboundError(
		`Clearance does not send to ${host}: it is ${ADDRESS_KIND_WORDS[kind]}. Use an address on the public internet.`,
		'refused',
	)
}

/** The first refused kind among these addresses, or null when all are public. */
function refusedKind(addresses: readonly string[]): Exclude<AddressKind, 'public'> | null {
	for (const address of addresses) {
		const kind = classifyAddress(address)
		if (kind !== 'public') return kind
	}
	return null
}

export type OutboundCheck = { ok: true; url: URL; addresses: string[] } | { ok: false; message: string }

/**
 * Whether Clearance may send to this URL now: the syntax, then every address
 * its host resolves to. `resolve` and `allowPrivate` are for tests.
 */
export async function checkOutboundUrl(
	value: string,
	{ allowPrivate = outboundPrivateAllowed(), resolve = resolveAll }: { allowPrivate?: boolean; resolve?: Resolve } = {},
): Promise<OutboundCheck> {
	const url = parseHttpUrl(value.trim())
	if (!url) return { ok: false, message: HTTP_URL_MESSAGE }
	const literal = hostnameAsAddress(url.hostname)
	let addresses: string[]
	if (literal) addresses = [literal]
	else {
		try {
			addresses = (await resolve(url.hostname)).map((entry) => entry.address)
		} catch {
			return { ok: false, message: `Clearance could not find the host “${url.hostname}”. Check the address.` }
		}
		if (addresses.length === 0)
			return { ok: false, message: `Clearance could not find the host “${url.hostname}”. Check the address.` }
	}
	const kind = allowPrivate ? null : refusedKind(addresses)
	if (kind) return { ok: false, message: refusal(url.hostname, kind).message }
	return { ok: true, url, addresses }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * A `lookup` for node:http that resolves the name and refuses the connection
 * when any address is not allowed: the socket then connects to an address
 * this very lookup checked (no window between the check and the connect).
 */
export function guardedLookup(allowPrivate: boolean, resolve: Resolve = resolveAll) {
	return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
		resolve(hostname).then(
			(addresses) => {
				const kind = allowPrivate ? null : refusedKind(addresses.map((entry) => entry.address))
				if (kind) return callback(refusal(hostname, kind) as NodeJS.ErrnoException, '', 0)
				const family = typeof options.family === 'number' && options.family !== 0 ? options.family : null
				const usable = family ? addresses.filter((entry) => entry.family === family) : addresses
				if (usable.length === 0) {
					const error = new Error(`No address for ${hostname}`) as NodeJS.ErrnoException
					error.code = 'ENOTFOUND'
					return callback(error, '', 0)
				}
				if (options.all) return callback(null, usable)
				callback(null, usable[0]!.address, usable[0]!.family)
			},
			(error: NodeJS.ErrnoException) => callback(error, '', 0),
		)
	}
}

/** A network failure in words, for a delivery log. */
export function describeNetworkError(error: unknown, timeoutMs: number): string {
	if (error instanceof OutboundError) return error.message
	const code = (error as NodeJS.ErrnoException | undefined)?.code
	switch (code) {
		case 'ECONNREFUSED':
			return 'Connection refused: nothing is listening at that address.'
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return 'The host could not be found.'
		case 'ECONNRESET':
		case 'EPIPE':
			return 'The connection was closed before an answer came.'
		case 'ETIMEDOUT':
		case 'ABORT_ERR': {
			const seconds = Math.max(1, Math.round(timeoutMs / 1000))
			return `No answer within ${seconds} second${seconds === 1 ? '' : 's'}.`
		}
		case 'EHOSTUNREACH':
		case 'ENETUNREACH':
			return 'The host cannot be reached.'
		default:
			if (code?.startsWith('ERR_TLS') || code?.includes('CERT') || code?.startsWith('UNABLE_TO'))
				return `The TLS certificate was refused (${code}).`
			return error instanceof Error ? error.message : String(error)
	}
}

export type OutboundResponse = { status: number; headers: IncomingHttpHeaders; body: string }

export type OutboundRequest = {
	method?: string
	headers?: Record<string, string>
	body?: string
	/** The whole exchange, connect to last byte. */
	timeoutMs?: number
	/** At most this much of the answer is kept (the rest is dropped unread). */
	maxResponseBytes?: number
	allowPrivate?: boolean
	resolve?: Resolve
}

/**
 * Sends one request under the outbound rule and answers the status, headers
 * and (the start of) the body; any HTTP status is an answer, not an error.
 * Throws an OutboundError for a refused address, a timeout or a network
 * failure, with the reason in words.
 */
export async function outboundRequest(
	value: string,
	{
		method = 'GET',
		headers = {},
		body,
		timeoutMs = 10_000,
		maxResponseBytes = 64 * 1024,
		allowPrivate = outboundPrivateAllowed(),
		resolve = resolveAll,
	}: OutboundRequest = {},
): Promise<OutboundResponse> {
	const url = parseHttpUrl(value)
	if (!url) throw new OutboundError(HTTP_URL_MESSAGE, 'syntax')
	// An IP literal is connected to without a lookup: checked here.
	const literal = hostnameAsAddress(url.hostname)
	if (literal && !allowPrivate) {
		const kind = refusedKind([literal])
		if (kind) throw refusal(url.hostname, kind)
	}
	const send = url.protocol === 'https:' ? httpsRequest : httpRequest
	const payload = body === undefined ? undefined : Buffer.from(body, 'utf8')
	return new Promise<OutboundResponse>((resolvePromise, reject) => {
		let settled = false
		const finish = (error: unknown, response?: OutboundResponse) => {
			if (settled) return
			settled = true
			clearTimeout(timer)
			if (error) reject(new OutboundError(describeNetworkError(error, timeoutMs), outboundKind(error)))
			else resolvePromise(response!)
		}
		const request = send(
			url,
			{
				method,
				headers: {
					'User-Agent': 'Clearance',
					...headers,
					...(payload ? { 'Content-Length': String(payload.length) } : {}),
				},
				lookup: guardedLookup(allowPrivate, resolve) as never,
				// A fresh connection each time: a pooled socket would skip the lookup's check.
				agent: false,
			},
			(response) => {
				const chunks: Buffer[] = []
				let kept = 0
				response.on('data', (chunk: Buffer) => {
					if (kept >= maxResponseBytes) return
					chunks.push(chunk.subarray(0, maxResponseBytes - kept))
					kept += Math.min(chunk.length, maxResponseBytes - kept)
					if (kept >= maxResponseBytes) {
						finish(null, {
							status: response.statusCode ?? 0,
							headers: response.headers,
							body: Buffer.concat(chunks).toString('utf8'),
						})
						response.destroy()
					}
				})
				response.on('end', () =>
					finish(null, {
						status: response.statusCode ?? 0,
						headers: response.headers,
						body: Buffer.concat(chunks).toString('utf8'),
					}),
				)
				response.on('error', (error) => finish(error))
			},
		)
		const timer = setTimeout(() => {
			const error = new Error('timeout') as NodeJS.ErrnoException
			error.code = 'ETIMEDOUT'
			finish(error)
			request.destroy(error)
		}, timeoutMs)
		request.on('error', (error) => finish(error))
		request.end(payload)
	})
}

function outboundKind(error: unknown): OutboundError['kind'] {
	if (error instanceof OutboundError) return error.kind
	const code = (error as NodeJS.ErrnoException | undefined)?.code
	if (code === 'ETIMEDOUT') return 'timeout'
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'not-found'
	return 'network'
}
