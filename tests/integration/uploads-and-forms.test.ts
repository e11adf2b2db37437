import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { action as loginAction } from '~/routes/login'
import { env } from '~/utils/env.server'
import { UserFacingError } from '~/utils/errors'
import { readFormData } from '~/utils/forms'
import {
	parseMultipart,
	processUploadDir,
	removeOrphanUploads,
	removeUploads,
	uploadedFile,
} from '~/utils/multipart.server'
import { endScope, runInScope } from '~/utils/request-scope.server'
import { runRoute } from '../fixtures/world'

const BOUNDARY = 'test-boundary'
type Part = { name: string; value: string; filename?: string }

function multipart(parts: Part[], headers: Record<string, string> = {}) {
	const body = parts
		.map((part) =>
			part.filename === undefined
				? `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`
				: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: text/csv\r\n\r\n${part.value}\r\n`,
		)
		.join('')
		.concat(`--${BOUNDARY}--\r\n`)
	return new Request('http://localhost/o/x/apps/y/reporting', {
		method: 'POST',
		headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers },
		body,
	})
}

const UPLOADS = { import: ['file'], run: ['answersFile'] }
const written = () => (existsSync(processUploadDir()) ? readdirSync(processUploadDir(), { recursive: true }) : [])

async function refusal(promise: Promise<unknown>) {
	try {
		await promise
	} catch (error) {
		if (error instanceof UserFacingError) return error
		throw error
	}
	throw new Error('expected the upload to be refused')
}

describe('uploads (issue 10, finding 9)', () => {
	it('a file is written only when the form’s intent takes it: checked before a byte reaches the disk', async () => {
		const before = written().length
		const wrongIntent = await refusal(
			parseMultipart(
				multipart([
					{ name: 'intent', value: 'cycle' },
					{ name: 'file', value: 'a,b\n', filename: 'x.csv' },
				]),
				UPLOADS,
			),
		)
		expect(wrongIntent.status).toBe(400)
		expect(wrongIntent.message).toContain('not expected')
		// A file before any intent, a file under another name, a second file: all refused.
		await refusal(
			parseMultipart(
				multipart([
					{ name: 'file', value: 'a,b\n', filename: 'x.csv' },
					{ name: 'intent', value: 'import' },
				]),
				UPLOADS,
			),
		)
		await refusal(
			parseMultipart(
				multipart([
					{ name: 'intent', value: 'import' },
					{ name: 'answersFile', value: '{}', filename: 'a.json' },
				]),
				UPLOADS,
			),
		)
		await refusal(
			parseMultipart(
				multipart([
					{ name: 'intent', value: 'import' },
					{ name: 'file', value: 'a,b\n', filename: 'x.csv' },
					{ name: 'file', value: 'c,d\n', filename: 'y.csv' },
				]),
				UPLOADS,
			),
		)
		expect(written().length).toBe(before)

		const form = await parseMultipart(
			multipart([
				{ name: 'intent', value: 'import' },
				{ name: 'file', value: 'accountId,updatedAt\n', filename: 'x.csv' },
			]),
			UPLOADS,
		)
		const file = uploadedFile(form, 'file')
		expect(await file!.text()).toBe('accountId,updatedAt\n')
		await removeUploads(form)
		expect(written().length).toBe(before)
	})

	it('the size is capped by UPLOAD_MAX_BYTES (below 512 MB by default): a 413 and nothing left on disk', async () => {
		expect(env().UPLOAD_MAX_BYTES).toBeLessThan(512 * 1024 * 1024)
		const before = written().length
		const big = 'x'.repeat(4096)
		const tooLarge = await refusal(
			parseMultipart(
				multipart([
					{ name: 'intent', value: 'import' },
					{ name: 'file', value: big, filename: 'x.csv' },
				]),
				UPLOADS,
				{ maxUploadBytes: 1024 },
			),
		)
		expect(tooLarge.status).toBe(413)
		expect(tooLarge.message).toContain('at most 1 KB')
		expect(written().length).toBe(before)
		// A declared length over the cap is refused before anything is read.
		const declared = await refusal(
			parseMultipart(
				multipart([{ name: 'intent', value: 'import' }], { 'Content-Length': String(600 * 1024 * 1024) }),
				UPLOADS,
			),
		)
		expect(declared.status).toBe(413)
	})

	it('an accepted file is read from its file on disk, not kept in memory', async () => {
		const form = await parseMultipart(
			multipart([
				{ name: 'intent', value: 'import' },
				{ name: 'file', value: 'accountId\n', filename: 'x.csv' },
			]),
			UPLOADS,
		)
		const file = uploadedFile(form, 'file')!
		expect(file.filepath.startsWith(processUploadDir())).toBe(true)
		expect(await file.text()).toBe('accountId\n')
		await removeUploads(form)
		expect(existsSync(file.filepath)).toBe(false)
		// Its bytes were the file's: gone from disk, they cannot be read any more.
		await expect(file.text()).rejects.toThrow()
	})

	it('the files of a request are removed when the request ends, even if the route forgot them', async () => {
		const scope = { cleanups: [] }
		const form = await runInScope(scope, () =>
			parseMultipart(
				multipart([
					{ name: 'intent', value: 'import' },
					{ name: 'file', value: 'accountId\n', filename: 'x.csv' },
				]),
				UPLOADS,
			),
		)
		const folder = path.dirname((uploadedFile(form, 'file') as unknown as { filepath: string }).filepath)
		expect(existsSync(folder)).toBe(true)
		await endScope(scope)
		expect(existsSync(folder)).toBe(false)
	})

	it('at start, the upload folders of processes that are gone are removed; a live process’s are kept', async () => {
		const root = await mkdtemp(path.join(tmpdir(), 'clearance-orphans-'))
		try {
			const dead = path.join(root, '2147483646', 'request')
			const live = path.join(root, String(process.ppid), 'request')
			const previousSelf = path.join(root, String(process.pid), 'request')
			for (const folder of [dead, live, previousSelf]) {
				mkdirSync(folder, { recursive: true })
				writeFileSync(path.join(folder, 'f.upload'), 'data')
			}
			expect(await removeOrphanUploads({ root, ownPid: process.pid })).toBe(2)
			expect(existsSync(dead)).toBe(false)
			expect(existsSync(previousSelf)).toBe(false)
			expect(existsSync(live)).toBe(true)
		} finally {
			await rm(root, { recursive: true, force: true })
		}
	})
})

describe('form bodies are capped (issue 10, finding 3)', () => {
	it('a url-encoded form over FORM_MAX_BYTES is a 413 with a message, read no further than the cap', async () => {
		const cap = env().FORM_MAX_BYTES
		expect(cap).toBeLessThanOrEqual(1024 * 1024)
		let pulled = 0
		const stream = new ReadableStream<Uint8Array>(
			{
				pull(controller) {
					pulled += 64 * 1024
					controller.enqueue(new TextEncoder().encode('email=a%40b.test&password='.concat('x'.repeat(64 * 1024 - 27))))
					if (pulled >= 10 * 1024 * 1024) controller.close()
				},
			},
			{ highWaterMark: 0 },
		)
		const request = new Request('http://localhost/login', {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: stream,
			duplex: 'half',
		} as RequestInit)
		const outcome = await runRoute(loginAction, request)
		expect(outcome.status).toBe(413)
		expect(outcome.data).toMatchObject({ error: expect.stringContaining('The form is too large: at most 1 MB') })
		expect(pulled).toBeLessThanOrEqual(cap + 2 * 64 * 1024)
	})

	it('a declared length over the cap is refused at once; a form within it is read as usual', async () => {
		const big = new Request('http://localhost/x', {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(50 * 1024 * 1024) },
			body: 'a=1',
		})
		await expect(readFormData(big)).rejects.toMatchObject({ status: 413 })
		const small = new Request('http://localhost/x', {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: 'a=1&b=%C3%A9',
		})
		const form = await readFormData(small)
		expect([form.get('a'), form.get('b')]).toEqual(['1', 'é'])
		// Not a form at all is still a 415.
		const text = new Request('http://localhost/x', {
			method: 'POST',
			headers: { 'Content-Type': 'text/plain' },
			body: 'hello',
		})
		await expect(readFormData(text)).rejects.toMatchObject({ status: 415 })
	})
})
