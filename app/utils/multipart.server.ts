import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
	MaxPartSizeExceededError,
	NodeOnDiskFile,
	unstable_composeUploadHandlers,
	unstable_createFileUploadHandler,
	unstable_createMemoryUploadHandler,
	unstable_parseMultipartFormData,
} from '@remix-run/node'
import { UserFacingError } from './errors'

/** Large enough for millions of ledger rows; the file goes to disk, never into memory. */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024
const MAX_FIELD_BYTES = 1024 * 1024

export function isMultipart(request: Request) {
	return (request.headers.get('Content-Type') ?? '').toLowerCase().startsWith('multipart/form-data')
}

/**
 * Parses a multipart form: text fields in memory (small), files streamed to
 * a temporary file so an upload of any size is never held as one string.
 * Callers `removeUploads` when done.
 */
export async function parseMultipart(request: Request): Promise<FormData> {
	const directory = path.join(tmpdir(), 'clearance-uploads')
	const handler = unstable_composeUploadHandlers(
		unstable_createFileUploadHandler({
			directory,
			file: () => `${randomUUID()}.upload`,
			maxPartSize: MAX_UPLOAD_BYTES,
			// An empty file input still sends a part with no file name.
			filter: ({ filename }) => Boolean(filename),
		}),
		unstable_createMemoryUploadHandler({ maxPartSize: MAX_FIELD_BYTES }),
	)
	try {
		return await unstable_parseMultipartFormData(request, handler)
	} catch (error) {
		if (error instanceof MaxPartSizeExceededError) {
			throw new UserFacingError('The upload is too large: paste at most 1 MB, or upload a file of at most 512 MB.', 400)
		}
		throw new UserFacingError('The upload could not be read. Send it again.', 400)
	}
}

/** The uploaded file under `name`, or null when none was chosen. */
export function uploadedFile(form: FormData, name: string): NodeOnDiskFile | null {
	const value = form.get(name)
	return value instanceof NodeOnDiskFile && value.size > 0 ? value : null
}

export async function removeUploads(form: FormData) {
	for (const value of form.values()) {
		if (value instanceof NodeOnDiskFile) await value.remove().catch(() => {})
	}
}

/** The file's text in decoded chunks, read from disk as it is consumed. */
export async function* textChunks(file: NodeOnDiskFile): AsyncGenerator<string, void, undefined> {
	const reader = (file.stream() as ReadableStream<Uint8Array>).getReader()
	// `stream: true` keeps a character split across two reads whole.
	const decoder = new TextDecoder('utf-8')
	try {
		for (;;) {
			const { done, value } = await reader.read()
			if (done) break
			yield decoder.decode(value, { stream: true })
		}
		const rest = decoder.decode()
		if (rest) yield rest
	} finally {
		// Closes the file when the reader stops early (a header error, say).
		await reader.cancel().catch(() => {})
	}
}
