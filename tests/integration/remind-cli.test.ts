import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type DatabaseHandle } from '#db/client.server'
import { apps, emailOutbox, memberships, organizations, reminders, users } from '#db/schema'
import { migratedDataDir } from './process-helpers'

/**
 * `npm run remind` as cron runs it, and `npm start`'s own scheduler, each on a
 * throwaway embedded database (issue 13, point 1).
 */

const root = path.resolve(import.meta.dirname, '../..')
const folders: string[] = []
const children: ChildProcess[] = []

afterEach(() => {
	for (const child of children.splice(0)) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL')
	for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

/** A throwaway data folder holding a migrated database (a copy: a new PGlite database costs seconds of CPU). */
async function dataDir() {
	const folder = await migratedDataDir('clearance-remind-')
	folders.push(folder)
	return folder
}

/** The environment of a process on `dir`: no test database, no mail server. */
function envFor(dir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, NODE_ENV: 'production', ...extra }
	delete env.DATABASE_URL
	delete env.SMTP_URL
	return env
}

function remind(dir: string, args: string[] = []) {
	return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
		const child = spawn('npm', ['run', 'remind', '--', ...args], {
			cwd: root,
			env: envFor(dir),
			stdio: ['ignore', 'pipe', 'pipe'],
		})
		let stdout = ''
		let stderr = ''
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
		child.on('error', reject)
		child.on('close', (code) => resolve({ code, stdout, stderr }))
	})
}

async function withDatabase<T>(dir: string, work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
	const handle = openDatabase({ driver: 'pglite', dataDir: path.join(dir, 'pglite') })
	try {
		await handle.migrate()
		return await work(handle)
	} finally {
		await handle.close()
	}
}

/** An organisation whose app, registered three days ago by Olga, still has no personal-data answer. */
async function seedUndecidedApp(handle: DatabaseHandle) {
	const [org] = await handle.db.insert(organizations).values({ slug: 'acme', name: 'Acme Apps' }).returning()
	const [user] = await handle.db
		.insert(users)
		.values({ name: 'Olga Owner', email: 'olga@example.test', passwordHash: 'x' })
		.returning()
	await handle.db.insert(memberships).values({ orgId: org!.id, userId: user!.id, roles: ['member', 'admin'] })
	await handle.db.insert(apps).values({
		orgId: org!.id,
		name: 'Mail Bridge',
		appKey: 'com.acme.bridge',
		appType: 'forge',
		storesPersonalData: 'undecided',
		createdBy: user!.id,
		createdAt: new Date(Date.now() - 3 * 86_400_000),
	})
}

const lastLine = (text: string) => text.trim().split('\n').at(-1)!

describe('npm run remind', () => {
	it('runs one pass and prints {"created": n, "skipped": m} as its last line; a second run the same day creates nothing', async () => {
		const dir = await dataDir()
		const empty = await remind(dir, ['--json'])
		expect(empty.code, empty.stderr).toBe(0)
		expect(JSON.parse(lastLine(empty.stdout))).toEqual({ created: 0, skipped: 0 })

		await withDatabase(dir, seedUndecidedApp)
		const first = await remind(dir, ['--json'])
		expect(first.code, first.stderr).toBe(0)
		expect(JSON.parse(lastLine(first.stdout))).toEqual({ created: 1, skipped: 0 })
		const second = await remind(dir, ['--json'])
		expect(JSON.parse(lastLine(second.stdout))).toEqual({ created: 0, skipped: 1 })
		// Without --json, a sentence.
		expect(lastLine((await remind(dir)).stdout)).toBe('0 reminders created, 1 reminder already sent.')

		const { rows, outbox } = await withDatabase(dir, async (handle) => ({
			rows: await handle.db.select().from(reminders),
			outbox: await handle.db.select().from(emailOutbox),
		}))
		expect(rows.map((row) => row.kind)).toEqual(['answer_needed'])
		// No SMTP_URL: the email is kept for the outbox page, addressed to the creator.
		expect(outbox.map((row) => [row.toAddress, row.status])).toEqual([['olga@example.test', 'held']])
	}, 240_000)
})

describe('npm start’s scheduler', () => {
	it('sends reminders with no cron at all, and stops cleanly on SIGTERM', async () => {
		const dir = await dataDir()
		await withDatabase(dir, seedUndecidedApp)
		const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/server.ts'], {
			cwd: root,
			env: envFor(dir, {
				NODE_ENV: 'test',
				PORT: '0',
				HOST: '127.0.0.1',
				SERVER_BUILD: 'tests/fixtures/slow-server-build.ts',
				CLEARANCE_SCHEDULER_INTERVAL_SECONDS: '10',
			}),
			stdio: ['ignore', 'pipe', 'pipe'],
		})
		children.push(child)
		let output = ''
		child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
		child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
		await expect
			.poll(() => (/Reminders: \d+ new/.test(output) || child.exitCode !== null ? output : ''), {
				timeout: 90_000,
				interval: 250,
			})
			.toMatch(/Reminders: 1 new\./)
		child.kill('SIGTERM')
		expect(await exited).toBe(0)
		expect(output).not.toMatch(/failed/i)
		const rows = await withDatabase(dir, (handle) => handle.db.select().from(reminders))
		expect(rows.map((row) => row.kind)).toEqual(['answer_needed'])
	}, 180_000)

	it('CLEARANCE_SCHEDULER=off: the server sends nothing (cron does)', async () => {
		const dir = await dataDir()
		await withDatabase(dir, seedUndecidedApp)
		const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/server.ts'], {
			cwd: root,
			env: envFor(dir, {
				NODE_ENV: 'test',
				PORT: '0',
				HOST: '127.0.0.1',
				SERVER_BUILD: 'tests/fixtures/slow-server-build.ts',
				CLEARANCE_SCHEDULER: 'off',
			}),
			stdio: ['ignore', 'pipe', 'pipe'],
		})
		children.push(child)
		let output = ''
		child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
		child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
		await expect
			.poll(() => (/listening on http/.test(output) || child.exitCode !== null ? output : ''), {
				timeout: 90_000,
				interval: 250,
			})
			.toMatch(/listening on http/)
		// Long enough for a first round, had there been one.
		await new Promise((resolve) => setTimeout(resolve, 3000))
		child.kill('SIGTERM')
		expect(await exited).toBe(0)
		expect(output).not.toMatch(/Reminders/)
		expect(await withDatabase(dir, (handle) => handle.db.select().from(reminders))).toEqual([])
	}, 180_000)
})
