import { type z } from 'zod'
import { formatSize, readBodyLimited } from './http.server'

/**
 * Helpers for the JSON API under /api/v1 (docs/architecture.md › REST API): every error
 * is `{ error, issues? }` with a 4xx status, and no request body — however
 * large, broken or odd — may end in a 500. Guards throw their error
 * `Response` so routes read top to bottom (docs/architecture.md › Routes and forms); Remix answers
 * a thrown Response as is.
 */

export type ApiIssue = { path: string; message: string }

/** A JSON response that is never cached. */
export function apiJson(data: unknown, init: { status?: number; headers?: HeadersInit } = {}): Response {
	const headers = new Headers(init.headers)
	// Answers depend on the body or the key: no proxy or browser may reuse one.
	headers.set('Cache-Control', 'no-store')
	if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json')
	// The bytes `Response.json` would send, encoded by Buffer: on Node 20 its TextEncoder takes about 4 ms
	// for the 100 KB answer to a 64 KB evaluate body (any non-Latin-1 character makes the text two-byte), Buffer under 1 ms.
	const text = JSON.stringify(data) as string | undefined
	if (text === undefined) throw new TypeError('Value is not JSON serializable')
	return new Response(Buffer.from(text, 'utf8'), { status: init.status ?? 200, headers })
}

/** The API's error shape, `{ error, issues? }`, never cached. */
export function apiError(status: number, error: string, issues?: ApiIssue[], headers?: HeadersInit): Response {
	return apiJson(issues === undefined ? { error } : { error, issues }, { status, headers })
}

/** 405 with the `Allow` header HTTP asks for. */
export function methodNotAllowed(allowed: readonly string[]): Response {
	return apiError(405, `Method not allowed: use ${allowed.join(' or ')}.`, undefined, { Allow: allowed.join(', ') })
}

/**
 * zod issues as `{ path, message }`, the path joined with '.' ('' for the body
 * itself). Capped, because a large body of wrong values would otherwise be
 * answered with a far larger list of near-identical issues.
 */
export function zodIssues(error: z.core.$ZodError, max = 50): ApiIssue[] {
	return error.issues.slice(0, max).map((issue) => ({
		path: issue.path.map((key) => String(key)).join('.'),
		message: issue.message,
	}))
}

export type ReadJsonOptions = { limitBytes: number }

/**
 * Reads a JSON body, counting bytes as they arrive so an oversized body is
 * refused without being buffered (Content-Length can be absent or lie).
 * Returns whatever JSON value was sent; throws an `apiError` Response:
 * 415 not JSON, 413 too large, 400 empty / not UTF-8 / not JSON. Every 400
 * carries `issues` (path '' = the body), so clients handle one shape.
 */
export async function readJsonBody(request: Request, { limitBytes }: ReadJsonOptions): Promise<unknown> {
	requireJsonContentType(request)
	const tooLarge = () => apiError(413, `Request body is larger than ${formatSize(limitBytes)}.`)

	// Counted as it arrives (Content-Length can be absent or lie), the same reader as forms.
	const bytes = await readBodyLimited(request, limitBytes, tooLarge, () =>
		badBody('Request body could not be read.', 'The upload broke off; send it again.'),
	)

	let text: string
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
	} catch {
		throw badBody('Request body is not valid UTF-8.', 'Encode JSON as UTF-8.')
	}
	if (text.trim() === '') throw badBody('Request body is empty.', 'Send a JSON document.')
	try {
		return JSON.parse(text) as unknown
	} catch (error) {
		throw badBody('Request body is not valid JSON.', error instanceof Error ? error.message : 'Unparsable JSON.')
	}
}

/**
 * `readJsonBody`, then the schema: the parsed value, or a thrown 400 listing
 * every issue. Unknown keys follow the schema (zod objects strip them).
 */
export async function parseJsonBody<Schema extends z.ZodType>(
	request: Request,
	schema: Schema,
	options: ReadJsonOptions,
): Promise<z.output<Schema>> {
	const body = await readJsonBody(request, options)
	const parsed = schema.safeParse(body)
	if (!parsed.success) throw apiError(400, 'Request body is invalid: see issues.', zodIssues(parsed.error))
	return parsed.data
}

/** A missing Content-Type is accepted (curl, scripts); a non-JSON one is a 415. */
function requireJsonContentType(request: Request): void {
	const header = request.headers.get('Content-Type')
	if (header === null || header.trim() === '') return
	const [mediaType = '', ...params] = header.split(';').map((part) => part.trim().toLowerCase())
	const [type, subtype] = mediaType.split('/')
	const isJson = (type === 'application' && subtype === 'json') || (type !== '' && subtype?.endsWith('+json'))
	if (!isJson) throw apiError(415, 'Send the request body as JSON (Content-Type: application/json).')
	// JSON is UTF-8 (RFC 8259); another declared charset would be decoded wrongly.
	const charset = params
		.find((param) => param.startsWith('charset='))
		?.slice('charset='.length)
		.replace(/"/g, '')
	if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
		throw apiError(415, 'Send the request body as UTF-8 JSON.')
	}
}

function badBody(error: string, message: string): Response {
	return apiError(400, error, [{ path: '', message }])
}
