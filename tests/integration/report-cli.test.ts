import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type DatabaseHandle } from '#db/client.server'
import { apps, organizations, reportingConnections, reportRuns, storedAccounts } from '#db/schema'
import { sealJson } from '~/utils/secret-box.server'
import { CLOSED_TEST_ACCOUNT, startAtlassianStandIn, type AtlassianStandIn } from '../fixtures/atlassian-stand-in'
import { migratedDataDir } from './process-helpers'
import { accountIds } from './reporter-helpers'

/**
 * `npm run report` against a throwaway embedded database (its own DATA_DIR)
 * and the Atlassian stand-in, as an operator or a cron job runs it.
 */

const root = path.resolve(import.meta.dirname, '../..')
const folders: string[] = []
let standIn: AtlassianStandIn | null = null

afterEach(async () => {
	await standIn?.close()
	standIn = null
	for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function run(
	args: string[],
	env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NODE_ENV: 'production' }
	delete childEnv.DATABASE_URL
	return new Promise((resolve, reject) => {
		const child = spawn('npm', ['run', '--silent', 'report', '--', ...args], {
			cwd: root,
			env: childEnv,
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

describe('npm run report', () => {
	it('prints {"runs":[…]} as its last line: a dry run sends nothing, --now sends and records', async () => {
		standIn = await startAtlassianStandIn()
		// A copy of a migrated database: a new PGlite database costs seconds of CPU.
		const dir = await migratedDataDir('clearance-report-')
		folders.push(dir)
		const key = randomBytes(32).toString('base64')
		const env = { DATA_DIR: dir, CLEARANCE_SECRET_KEY: key, OUTBOUND_ALLOW_PRIVATE: 'true' }
		const ids = [CLOSED_TEST_ACCOUNT, ...accountIds(95)].sort()
		const appId = await withDatabase(dir, async ({ db }) => {
			const [org] = await db.insert(organizations).values({ slug: 'acme', name: 'Acme Apps' }).returning()
			const [app] = await db
				.insert(apps)
				.values({
					orgId: org!.id,
					name: 'Mail Bridge',
					appKey: 'com.acme.bridge',
					appType: 'forge',
					products: ['jira'],
					storesPersonalData: 'yes',
				})
				.returning()
			await db
				.insert(storedAccounts)
				.values(ids.map((accountId) => ({ appId: app!.id, accountId, updatedAt: new Date('2026-01-05T10:00:00Z') })))
			await db.insert(reportingConnections).values({
				appId: app!.id,
				orgId: org!.id,
				kind: 'forge_webtrigger',
				settings: { url: standIn!.webTriggerUrl },
				secretsCiphertext: sealJson({ secret: standIn!.webTriggerSecret }, `reporting-connection:${app!.id}`, {
					CLEARANCE_SECRET_KEY: key,
				}),
			})
			return app!.id
		})

		const dry = await run(['--app', appId, '--dry-run', '--json'], env)
		expect(dry.code, dry.stderr).toBe(0)
		expect(JSON.parse(dry.stdout.trim().split('\n').at(-1)!)).toEqual({
			runs: [{ appId, status: 'skipped', batches: 0, closed: 0, updated: 0 }],
		})
		expect(dry.stderr).toMatch(/2 batches, 96 accounts/)
		expect(dry.stderr).toContain(`"accountId": "${ids[0]}"`)
		expect(standIn.reportRequests()).toHaveLength(0)

		const sent = await run(['--app', appId, '--now', '--json'], env)
		expect(sent.code, sent.stderr).toBe(0)
		expect(sent.stdout.trim().split('\n').at(-1)).toBe(
			JSON.stringify({ runs: [{ appId, status: 'sent', batches: 2, closed: 1, updated: 0 }] }),
		)
		expect(standIn.reportRequests().map((request) => request.accounts?.length)).toEqual([90, 6])
		// The secret is in neither output.
		expect(sent.stdout + sent.stderr + dry.stdout + dry.stderr).not.toContain(standIn.webTriggerSecret)
		const runs = await withDatabase(dir, ({ db }) => db.select().from(reportRuns))
		expect(runs).toMatchObject([{ sentByClearance: true, closedCount: 1, batchCount: 2 }])

		const bad = await run(['--app', 'not-an-id'], env)
		expect(bad.code).toBe(2)
		expect(bad.stderr).toMatch(/is not an app id/)
	}, 180_000)
})
