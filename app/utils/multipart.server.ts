import { randomUUID } from 'node:crypto'
import { openAsBlob } from 'node:fs'
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
	MaxFileSizeExceededError,
	MaxTotalSizeExceededError,
	parseMultipartRequest,
	type MultipartPart,
} from '@remix-run/multipart-parser'
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

/** An uploaded file, written to its request's folder and read from there as it is consumed (never held whole). */
export class UploadedFile extends File {
	constructor(
		contents: Blob,
		name: string,
		/** Where it lies on disk, under UPLOAD_ROOT. */
		readonly filepath: string,
	) {
		super([contents], name, { type: contents.type })
	}

	/** Removes it from disk. */
	remove() {
		return rm(this.filepath, { force: true })
	}
}

const UNEXPECTED_FILE = new UserFacingError(
	'That file was not expected: upload a ledger CSV with the import form, or Atlassian’s answers with the report-run form.',
	400,
)

/** Writes an accepted file part to the request's folder; the form then holds it as a file read from disk. */
async function toDisk(part: MultipartPart, directory: string) {
	await mkdir(directory, { recursive: true })
	const filepath = path.join(directory, `${randomUUID()}.upload`)
	await writeFile(filepath, part.content)
	const type = part.mediaType ?? 'application/octet-stream'
	// A Blob backed by the file: read from disk when consumed, never copied into memory.
	const contents = (await openAsBlob(filepath, { type })) as unknown as Blob
	return new UploadedFile(contents, part.filename ?? 'upload', filepath)
}

/**
 * Parses a multipart form (decision 010: @remix-run/multipart-parser). The
 * parts arrive in the form's order, so the `intent` field comes first: a
 * file part is accepted only when that intent takes a file under that name
 * (once), and never past UPLOAD_MAX_BYTES; text fields are capped one by one
 * and together. An accepted file is written to a temporary folder of this
 * request and read from there, so the route never holds it as one string.
 * When parsing fails the request's folder is removed at once; otherwise
 * callers `removeUploads`, and the server removes the folder when the
 * response closes in any case.
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

	const form = new FormData()
	let intent: string | undefined
	const filesSeen = new Set<string>()
	let fieldBytes = 0
	try {
		const parts = parseMultipartRequest(request, {
			// The parser's cap per part (file or text) and for the whole body; each kind is checked below.
			maxFileSize: Math.max(maxUploadBytes, MAX_FIELD_BYTES),
			maxTotalSize: maxUploadBytes + maxFieldsBytes,
		})
		for await (const part of parts) {
			const name = part.name
			if (!name) continue
			// An empty file input still sends a part, with no file name: kept as an empty text field.
			if (part.filename) {
				const accepted = intent !== undefined && Object.hasOwn(uploadsByIntent, intent) ? uploadsByIntent[intent]! : []
				if (!accepted.includes(name) || filesSeen.has(name)) throw UNEXPECTED_FILE
				if (part.size > maxUploadBytes) throw tooLarge
				filesSeen.add(name)
				form.append(name, await toDisk(part, directory))
				continue
			}
			fieldBytes += part.size
			if (part.size > MAX_FIELD_BYTES || fieldBytes > maxFieldsBytes) throw tooLarge
			const value = part.text
			if (name === 'intent' && intent === undefined) intent = value
			form.append(name, value)
		}
		return form
	} catch (error) {
		await removeDirectory()
		await request.body?.cancel().catch(() => {})
		if (error instanceof UserFacingError) throw error
		if (error instanceof MaxFileSizeExceededError || error instanceof MaxTotalSizeExceededError) throw tooLarge
		throw new UserFacingError('The upload could not be read. Send it again.', 400)
	}
}

/** The uploaded file under `name`, or null when none was chosen. */
export function uploadedFile(form: FormData, name: string): UploadedFile | null {
	const value = form.get(name)
	return value instanceof UploadedFile && value.size > 0 ? value : null
}

/** Removes the form's files and their request folder. */
export async function removeUploads(form: FormData) {
	const folders = new Set<string>()
	for (const value of form.values()) {
		if (!(value instanceof UploadedFile)) continue
		await value.remove().catch(() => {})
		folders.add(path.dirname(value.filepath))
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
export async function* textChunks(file: Blob): AsyncGenerator<string, void, undefined> {
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
