import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type DatabaseHandle } from '#db/client.server'
import { apiKeys, organizations } from '#db/schema'
import { isApiKeyFormat } from '~/domain/api-keys'
import { hashToken } from '~/utils/tokens.server'
import { migratedDataDir } from './process-helpers'

/**
 * `npm run api-key` against a throwaway embedded database (its own DATA_DIR),
 * as an operator runs it: migrations first, the key as the last line, and a
 * refusal while another process (the server) holds the data folder.
 */

const root = path.resolve(import.meta.dirname, '../..')
const folders: string[] = []
const children: ChildProcess[] = []

afterEach(() => {
	for (const child of children.splice(0)) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM')
	for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function dataDir() {
	const folder = mkdtempSync(path.join(tmpdir(), 'clearance-cli-'))
	folders.push(folder)
	return folder
}

/** Runs a command with DATA_DIR set (and without the test database's settings); resolves with its exit code and output. */
function run(
	command: string,
	args: string[],
	dir: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, NODE_ENV: 'production' }
	delete env.DATABASE_URL
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
		let stdout = ''
		let stderr = ''
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
		child.on('error', reject)
		child.on('close', (code) => resolve({ code, stdout, stderr }))
	})
}

const apiKeyCli = (dir: string, args: string[]) => run('npm', ['run', 'api-key', '--', ...args], dir)

async function withDatabase<T>(dir: string, work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
	const handle = openDatabase({ driver: 'pglite', dataDir: path.join(dir, 'pglite') })
	try {
		return await work(handle)
	} finally {
		await handle.close()
	}
}

describe('npm run api-key', () => {
	it('migrates a fresh database first, then makes the key and prints it as its last line', async () => {
		const dir = dataDir()
		// A fresh folder: the migrations run, and an organisation that does not exist is said so.
		const none = await apiKeyCli(dir, ['--org', 'acme', '--name', 'Release pipeline', '--scopes', 'read,reports:write'])
		expect(none.code).toBe(1)
		expect(none.stderr).toMatch(/No organisation has the web address “acme”/)
		expect(existsSync(path.join(dir, 'pglite.lock'))).toBe(false)

		await withDatabase(dir, (handle) => handle.db.insert(organizations).values({ slug: 'acme', name: 'Acme Apps' }))
		const made = await apiKeyCli(dir, ['--org', 'acme', '--name', 'Release pipeline', '--scopes', 'read,reports:write'])
		expect(made.code, made.stderr).toBe(0)
		const key = made.stdout.trim().split('\n').at(-1)!
		expect(isApiKeyFormat(key)).toBe(true)
		expect(made.stderr).toMatch(/shown once/)
		const rows = await withDatabase(dir, (handle) => handle.db.select().from(apiKeys))
		expect(rows).toHaveLength(1)
		expect(rows[0]).toMatchObject({
			name: 'Release pipeline',
			scopes: ['read', 'reports:write'],
			keyHash: hashToken(key),
			createdBy: null,
		})

		const bad = await apiKeyCli(dir, ['--org', 'acme', '--name', 'X', '--scopes', 'read,delete-everything'])
		expect(bad.code).toBe(2)
		expect(bad.stderr).toMatch(/Unknown scope: delete-everything/)
		const missing = await apiKeyCli(dir, ['--org', 'acme'])
		expect(missing.code).toBe(2)
		expect(missing.stderr).toMatch(/Missing --name, --scopes/)
	}, 180_000)

	it('refuses with a clear message while another process (the server) holds the embedded database', async () => {
		// A copy of a migrated database: a new PGlite database costs seconds of CPU in the holder.
		const dir = await migratedDataDir('clearance-cli-')
		folders.push(dir)
		// Holds the folder as the server does: opens it and waits.
		const holder = spawn(
			path.join(root, 'node_modules/.bin/tsx'),
			[
				'-e',
				`import('./db/client.server.ts').then(async ({ getDatabase }) => { await getDatabase().migrate(); console.log('ready'); setInterval(() => {}, 1000) })`,
			],
			{ cwd: root, env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'inherit'] },
		)
		children.push(holder)
		await new Promise<void>((resolve, reject) => {
			holder.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve())
			holder.on('exit', (code) => reject(new Error(`the holder exited with ${code}`)))
		})
		const refused = await apiKeyCli(dir, ['--org', 'acme', '--name', 'Cron', '--scopes', 'all'])
		expect(refused.code).toBe(1)
		expect(refused.stdout).not.toMatch(/clr_/)
		expect(refused.stderr).toMatch(/in use by another Clearance process \(pid \d+/)
		expect(refused.stderr).toMatch(/Stop the server/)
		// The holder is untouched: its lock stays until it stops.
		expect(existsSync(path.join(dir, 'pglite.lock'))).toBe(true)
		expect(holder.exitCode).toBeNull()
	}, 180_000)
})
