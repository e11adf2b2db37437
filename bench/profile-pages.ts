// Profiling aid (not part of npm run bench): seeds an organisation of [apps] apps into the database in
// DATABASE_URL (an empty database of your own) or a fresh PGlite folder, serves the production build in
// BENCH_BUILD_DIR (build-bench) with a CPU profile, and loads /login and the dashboard for [seconds] each.
//   node --import tsx bench/profile-pages.ts [apps=1000] [seconds=10] [--port 3114]
// The profile (.cpuprofile, open it in Chrome's DevTools) and a summary by function land in .data/profile-pages/.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { adversarial } from './bodies'
import { median } from './figures'
import { load, sample, send, type Probe } from './load'
import { migrate, root, startServer } from './server'

const [apps = 1_000, seconds = 10] = process.argv
	.slice(2)
	.filter((arg) => /^\d+$/.test(arg))
	.map(Number)
const port = process.argv.includes('--port') ? Number(process.argv[process.argv.indexOf('--port') + 1]) : 3114
const outDir = path.join(root, '.data/profile-pages')
rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })
const dbConfig: Record<string, string> = process.env.DATABASE_URL
	? { DATABASE_URL: process.env.DATABASE_URL }
	: { DATA_DIR: path.join(outDir, 'pglite') }
process.env.CLEARANCE_SECRET_KEY ??= Buffer.alloc(32, 7).toString('base64')
Object.assign(process.env, dbConfig)
const env: NodeJS.ProcessEnv = {
	...process.env,
	BUILD_DIR: process.env.BENCH_BUILD_DIR || 'build-bench',
	NODE_ENV: 'production',
	CLEARANCE_SCHEDULER: 'off',
	EVALUATE_PER_CLIENT: '1000000',
}
migrate(env)
const { getDatabase, closeDatabase } = await import('#db/client.server')
const { seed } = await import('./seed')
const seeded = await seed(
	getDatabase().db,
	{ smallOrgApps: apps, largeOrgApps: 1, ledgerAccounts: 1, importAccounts: 0, accountsPerOrgApp: 3 },
	() => {},
)
await closeDatabase()
const { sessionCookie } = await import('~/utils/session.server')
const cookie = (await sessionCookie.serialize(seeded.sessionToken)).split(';')[0]!
const server = await startServer(env, port, path.join(outDir, 'server.log'), ['--cpu-prof', `--cpu-prof-dir=${outDir}`])
const probes = {
	login: { path: '/login' },
	dashboard: { path: `/o/${seeded.smallOrg.slug}`, headers: { Cookie: cookie } },
}
/** Each page's load window on the monotonic clock the profile's timestamps use (microseconds). */
const windows: { name: string; from: number; to: number; requests: number }[] = []
const micros = () => Number(process.hrtime.bigint() / 1000n)
for (const [name, probe] of Object.entries(probes)) {
	const { bytes } = await send(server.url, probe)
	await load(server.url, probe, { connections: 10, seconds: 2 })
	const from = micros()
	const result = await load(server.url, probe, { connections: 10, seconds })
	windows.push({ name, from, to: micros(), requests: result.requests })
	console.log(
		`${name.padEnd(10)} ${result.rps.toFixed(1)} requests/s, p50 ${result.p50Ms.toFixed(1)} ms, ${bytes} bytes`,
	)
}
// The near-64 KB evaluate body, one request at a time (as the benchmark's evaluate_64kb_ms).
const evaluate: Probe = {
	method: 'POST',
	path: '/api/v1/checklist/evaluate',
	headers: { 'Content-Type': 'application/json' },
	body: JSON.stringify(adversarial),
}
await sample(server.url, evaluate, { count: 10 })
const from = micros()
const { latencies } = await sample(server.url, evaluate, { count: 100 })
windows.push({ name: 'evaluate 64 KB', from, to: micros(), requests: latencies.length })
console.log(`evaluate 64 KB: median ${median(latencies).toFixed(1)} ms`)
await server.stop()
// The windows, for reading the profile again by another measure (time inclusive of callees, say).
writeFileSync(path.join(outDir, 'windows.json'), JSON.stringify(windows))

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const file = readdirSync(outDir).find((name) => name.endsWith('.cpuprofile'))
if (!file) throw new Error('No CPU profile was written (the server did not exit cleanly).')
const profile = JSON.parse(readFileSync(path.join(outDir, file), 'utf8')) as {
	nodes: Node[]
	samples: number[]
	timeDeltas: number[]
}
const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
for (const window of windows) {
	const selfByNode = new Map<number, number>()
	let at = (profile as unknown as { startTime: number }).startTime
	profile.samples.forEach((id, index) => {
		at += profile.timeDeltas[index] ?? 0
		if (at >= window.from && at <= window.to)
			selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0))
	})
	summarise(window.name, window.requests, selfByNode)
}

function summarise(name: string, requests: number, selfByNode: Map<number, number>) {
	const byFunction = new Map<string, number>()
	const byPackage = new Map<string, number>()
	let total = 0
	for (const [id, self] of selfByNode) {
		const node = nodes.get(id)!
		if (node.callFrame.functionName === '(idle)') continue
		total += self
		const { functionName, url, lineNumber } = node.callFrame
		const where = url.replace(/^file:\/\//, '').replace(root, '')
		const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`
		byFunction.set(key, (byFunction.get(key) ?? 0) + self)
		const pkg =
			where.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ??
			(where.startsWith('/') ? (where.split('/')[1] ?? where) : where || '(native)')
		byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + self)
	}
	const perRequest = (us: number) => `${(us / 1000 / requests).toFixed(2).padStart(6)} ms`
	const top = (map: Map<string, number>, n: number) =>
		[...map.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, n)
			.map(([key, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} % ${perRequest(us)}  ${key}`)
			.join('\n')
	console.log(
		`\n═══ ${name}: ${perRequest(total).trim()} of CPU per request (busy samples only)\nSelf time by package:\n${top(byPackage, 12)}\n\nSelf time by function:\n${top(byFunction, 30)}`,
	)
}
process.exit(0)
