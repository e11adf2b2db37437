import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { get } from 'node:http'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { migratedDataDir } from './process-helpers'

const root = path.resolve(import.meta.dirname, '../..')

function fetchText(url: string) {
	return new Promise<{ status: number; body: string }>((resolve, reject) => {
		get(url, (res) => {
			let body = ''
			res.setEncoding('utf8')
			res.on('data', (chunk: string) => (body += chunk))
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
			res.on('error', reject)
		}).on('error', reject)
	})
}

describe('npm start’s server on SIGTERM (issue 10, finding 9)', () => {
	it('finishes the request in flight, refuses new connections, then exits', async () => {
		// Port 0: the system picks a free one, and the server prints it.
		// A throwaway embedded database, even when the tests run on PostgreSQL: a copy of a migrated one, not
		// memory:// (a new PGlite database spends seconds of CPU in initdb).
		const { DATABASE_URL: _postgres, ...inherited } = process.env
		const dataDir = await migratedDataDir('clearance-shutdown-')
		const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/server.ts'], {
			cwd: root,
			env: {
				...inherited,
				NODE_ENV: 'test',
				PORT: '0',
				HOST: '127.0.0.1',
				DATA_DIR: dataDir,
				SERVER_BUILD: 'tests/fixtures/slow-server-build.ts',
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		})
		let output = ''
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
		try {
			// Starting takes a few seconds (TypeScript, the embedded database), more on a busy machine.
			await expect
				.poll(
					() => (/listening on http/.test(output) || /Error/.test(output) || child.exitCode !== null ? output : ''),
					{ timeout: 60_000, interval: 200 },
				)
				.toMatch(/listening on http/)
			const base = /listening on (http:\/\/\S+)/.exec(output)![1]!

			const started = Date.now()
			const inFlight = fetchText(`${base}/slow`)
			await new Promise((resolve) => setTimeout(resolve, 300))
			child.kill('SIGTERM')

			const answer = await inFlight
			expect(answer).toEqual({ status: 200, body: 'slow answer, complete' })
			expect(Date.now() - started).toBeGreaterThanOrEqual(1400)
			expect(await exited).toBe(0)
			expect(output).toContain('SIGTERM: finishing the requests in flight')
			await expect(fetchText(`${base}/slow`)).rejects.toThrow(/ECONNREFUSED/)
		} finally {
			child.kill('SIGKILL')
			await exited
			rmSync(dataDir, { recursive: true, force: true })
		}
	}, 90_000)
})
