import { randomUUID } from 'node:crypto'
import { readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
	MaxPartSizeExceededError,
	NodeOnDiskFile,
	unstable_createFileUploadHandler,
	unstable_createMemoryUploadHandler,
	unstable_parseMultipartFormData,
	type UploadHandler,
} from '@remix-run/node'
import { env } from './env.server'
import { UserFacingError } from './errors'
import { formatSize } from './http.server'
import { onRequestEnd } from './request-scope.server'

/** A pasted text field (Atlassian's answers) can be this large. */
const MAX_FIELD_BYTES = 1024 * 1024

/** Every upload of this machine lives under here, in a folder per process and one per request. */
export const UPLOAD_ROOT = path.join(tmpdir(), 'clearance-uploads')
export const processUploadDir = () => path.join(UPLOAD_ROOT, String(process.pid))

export function isMultipart(request: Request) {
	return (request.headers.get('Content-Type') ?? '').toLowerCase().startsWith('multipart/form-data')
}

/** Which file fields each `intent` accepts, e.g. `{ import: ['file'] }`. */
export type UploadsByIntent = Readonly<Record<string, readonly string[]>>

const UNEXPECTED_FILE = new UserFacingError(
	'That file was not expected: upload a ledger CSV with the import form, or Atlassian’s answers with the report-run form.',
	400,
)

/**
 * Parses a multipart form: text fields in memory (small), files streamed to
 * a temporary folder of this request so an upload is never held as one
 * string. The parts arrive in the form's order, so the `intent` field comes
 * first: a file part is written only when that intent takes a file under
 * that name (once), and never past UPLOAD_MAX_BYTES. When parsing fails the
 * request's folder is removed at once; otherwise callers `removeUploads`, and
 * the server removes the folder when the response closes in any case.
 */
export async function parseMultipart(
	request: Request,
	uploadsByIntent: UploadsByIntent,
	{ maxUploadBytes = env().UPLOAD_MAX_BYTES, maxFieldsBytes = MAX_FIELD_BYTES + env().FORM_MAX_BYTES } = {},
): Promise<FormData> {
	const tooLarge = new UserFacingError(
		`The upload is too large: paste at most ${formatSize(MAX_FIELD_BYTES)}, or upload a file of at most ${formatSize(maxUploadBytes)}.`,
		413,
	)
	const declared = request.headers.get('Content-Length')
	if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxUploadBytes + maxFieldsBytes) {
		await request.body?.cancel().catch(() => {})
		throw tooLarge
	}
	const directory = path.join(processUploadDir(), randomUUID())
	const removeDirectory = () => rm(directory, { recursive: true, force: true }).catch(() => {})
	onRequestEnd(removeDirectory)

	const toDisk = unstable_createFileUploadHandler({
		directory,
		file: () => `${randomUUID()}.upload`,
		maxPartSize: maxUploadBytes,
	})
	const toMemory = unstable_createMemoryUploadHandler({ maxPartSize: MAX_FIELD_BYTES })
	let intent: string | undefined
	const filesSeen = new Set<string>()
	let fieldBytes = 0
	const handler: UploadHandler = async (part) => {
		// An empty file input still sends a part, with no file name: kept as an empty text field.
		if (part.filename) {
			const accepted = intent !== undefined && Object.hasOwn(uploadsByIntent, intent) ? uploadsByIntent[intent]! : []
			if (!accepted.includes(part.name) || filesSeen.has(part.name)) throw UNEXPECTED_FILE
			filesSeen.add(part.name)
			return toDisk(part)
		}
		const value = await toMemory({ ...part, filename: undefined })
		if (typeof value === 'string') {
			fieldBytes += value.length
			if (fieldBytes > maxFieldsBytes) throw tooLarge
			if (part.name === 'intent' && intent === undefined) intent = value
		}
		return value
	}
	try {
		return await unstable_parseMultipartFormData(request, handler)
	} catch (error) {
		await removeDirectory()
		await request.body?.cancel().catch(() => {})
		if (error instanceof UserFacingError) throw error
		if (error instanceof MaxPartSizeExceededError) throw tooLarge
		throw new UserFacingError('The upload could not be read. Send it again.', 400)
	}
}

/** The uploaded file under `name`, or null when none was chosen. */
export function uploadedFile(form: FormData, name: string): NodeOnDiskFile | null {
	const value = form.get(name)
	return value instanceof NodeOnDiskFile && value.size > 0 ? value : null
}

/** Removes the form's files and their request folder. */
export async function removeUploads(form: FormData) {
	const folders = new Set<string>()
	for (const value of form.values()) {
		if (!(value instanceof NodeOnDiskFile)) continue
		const file = (value as unknown as { filepath?: string }).filepath
		await value.remove().catch(() => {})
		if (file) folders.add(path.dirname(file))
	}
	for (const folder of folders) {
		if (path.dirname(folder) === processUploadDir()) await rm(folder, { recursive: true, force: true }).catch(() => {})
	}
}

function processAlive(pid: number) {
	try {
		process.kill(pid, 0)
		return true
	} catch (error) {
		// EPERM: it exists, under another user.
		return (error as NodeJS.ErrnoException).code === 'EPERM'
	}
}

/**
 * Removes uploads nobody will read: the folders of processes that are gone
 * (a crash or a kill mid-upload), and loose files an older version left in
 * the root over an hour ago. Run when the server starts. A folder of a live
 * process (another server on this machine) is left alone.
 */
export async function removeOrphanUploads({ root = UPLOAD_ROOT, ownPid = process.pid } = {}) {
	let removed = 0
	const entries = await readdir(root, { withFileTypes: true }).catch(() => [])
	for (const entry of entries) {
		const full = path.join(root, entry.name)
		if (entry.isDirectory() && /^\d+$/.test(entry.name)) {
			const pid = Number(entry.name)
			// Our own pid at start is a previous process that had the same number.
			if (pid !== ownPid && processAlive(pid)) continue
			await rm(full, { recursive: true, force: true }).catch(() => {})
			removed++
		} else if (entry.isFile()) {
			const info = await stat(full).catch(() => null)
			if (info && Date.now() - info.mtimeMs > 60 * 60 * 1000) {
				await rm(full, { force: true }).catch(() => {})
				removed++
			}
		}
	}
	return removed
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
