import { type HeadersFunction } from '@remix-run/node'
import { env } from './env.server'
import { honeypotFilled } from './honeypot'

// Guards throw these so loaders read top to bottom (docs/architecture.md › Routes and forms).
// Responses, not `data()`: a resource route (CSV, JSON, batches) delivers a
// thrown Response as is, where a thrown `data()` becomes "Unexpected Server Error".

export function notFound(message = 'Not found'): never {
	throw Response.json({ error: message }, { status: 404 })
}

export function forbidden(message = 'You do not have permission to do that.'): never {
	throw Response.json({ error: message }, { status: 403 })
}

/** A 400 with `{ error }`: a Response, so resource routes (CSV, JSON) deliver it as is, not as a 500-style error. */
export function badRequest(message: string): never {
	throw Response.json({ error: message }, { status: 400 })
}

/**
 * The address the request came from, as the server put it in the load
 * context (`scripts/server.ts`: the socket's address, or the client named by
 * X-Forwarded-For when TRUST_PROXY says which proxies to believe). Null when
 * unknown (the Vite dev server, a route called directly): limits per client
 * are then not applied, rather than lumping every client into one.
 */
export function clientAddress(context: unknown): string | null {
	const value = (context as { clientAddress?: unknown } | null | undefined)?.clientAddress
	return typeof value === 'string' && value !== '' ? value : null
}

/** "45 seconds", "1 minute", "3 hours": how long to wait, for people. */
export function waitText(seconds: number) {
	const [amount, unit] =
		seconds < 90
			? [Math.max(1, Math.ceil(seconds)), 'second']
			: seconds < 90 * 60
				? [Math.ceil(seconds / 60), 'minute']
				: [Math.ceil(seconds / 3600), 'hour']
	return `${amount} ${unit}${amount === 1 ? '' : 's'}`
}

/**
 * The body's bytes, at most `limitBytes`; beyond it (declared or counted as
 * it arrives) a thrown `tooLarge()` Response, without buffering the rest.
 */
export async function readBodyLimited(
	request: Request,
	limitBytes: number,
	tooLarge: () => Response,
	/** The answer when the client's stream breaks off (its fault, not ours). */
	brokenOff: () => Response = () =>
		Response.json({ error: 'The form could not be read: the upload broke off. Send it again.' }, { status: 400 }),
): Promise<Uint8Array<ArrayBuffer>> {
	const declared = request.headers.get('Content-Length')
	// Cancels are not awaited: on a cloned request the cancel settles only once both copies are cancelled.
	if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limitBytes) {
		request.body?.cancel().catch(() => {})
		throw tooLarge()
	}
	if (request.body === null) return new Uint8Array()
	const reader = request.body.getReader()
	const chunks: Uint8Array[] = []
	let total = 0
	try {
		for (;;) {
			const { done, value } = await reader.read()
			if (done) break
			total += value.byteLength
			if (total > limitBytes) {
				reader.cancel().catch(() => {})
				throw tooLarge()
			}
			chunks.push(value)
		}
	} catch (error) {
		if (error instanceof Response) throw error
		throw brokenOff()
	} finally {
		reader.releaseLock()
	}
	const bytes = new Uint8Array(total)
	let offset = 0
	for (const chunk of chunks) {
		bytes.set(chunk, offset)
		offset += chunk.byteLength
	}
	return bytes
}

/**
 * The form's data, reading at most FORM_MAX_BYTES of body (a 413 with a
 * message beyond it). Uploads (multipart to the reporting page) do not come
 * here: `parseMultipart` streams files to disk under their own cap.
 */
export async function readFormBody(request: Request, limitBytes = env().FORM_MAX_BYTES): Promise<FormData> {
	const tooLarge = () =>
		Response.json(
			{
				error: `The form is too large: at most ${formatSize(limitBytes)} can be sent at once. Shorten the longest texts and send it again.`,
			},
			{ status: 413 },
		)
	const bytes = await readBodyLimited(request, limitBytes, tooLarge)
	const headers = new Headers()
	const type = request.headers.get('Content-Type')
	if (type) headers.set('Content-Type', type)
	return new Response(bytes, { headers }).formData()
}

/** A byte limit for people: "4 MB", "64 KB", "1000 bytes" (the largest unit it is a whole number of). The one byte formatter. */
export function formatSize(bytes: number) {
	if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`
	if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`
	return `${bytes} bytes`
}

/** A route's `headers` export that lets its action's Retry-After reach the browser (a 429 without it says nothing). */
export const retryAfterHeaders: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
	const headers = new Headers()
	const value = actionHeaders.get('Retry-After') ?? loaderHeaders.get('Retry-After')
	if (value) headers.set('Retry-After', value)
	return headers
}

/**
 * True when the honeypot field came back filled in (app/utils/honeypot.ts).
 * A body without a content type (a bare POST) has no honeypot to fill.
 */
export async function submittedByBot(request: Request) {
	if (!request.headers.get('Content-Type')) return false
	let form: FormData
	try {
		form = await readFormBody(request.clone())
	} catch (error) {
		if (error instanceof Response && error.status === 413) throw error
		return false
	}
	return honeypotFilled(form)
}
