// Profiling aid (not part of npm run bench): where the production server's memory goes on PGlite, step by step,
// against the PGlite folder a benchmark run left (`npm run bench -- --only pglite --keep` leaves
// .data/bench-pglite-<port>): it adds a session and an API key to it, serves the build in BENCH_BUILD_DIR
// (build-bench), then prints the server's RSS after start, after the dashboards and reporting pages under load
// (as the benchmark's pages phase), and at the peak of the report batches download, each split into PGlite's
// WebAssembly memory (its one large mapping in /proc/<pid>/smaps) and the rest.
//   node --import tsx bench/profile-memory.ts <pglite folder> [--port 3115] [--seconds 5] [--no-pages] [--maps]
//     [--node-args "--flag …"]
// --maps lists the server's mappings of 8 MB or more after it started; --node-args go before the server's script.
// Environment for the server (PGLITE_*, HEAP_GROWING_PERCENT…) is passed through, so settings compare side by side.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { and, eq, sql } from 'drizzle-orm'
import { load, send, type Probe } from './load'
import { memoryOf, resetPeakMemory, root, startServer } from './server'

const args = process.argv.slice(2)
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback)
const folder = args[0]
if (!folder || folder.startsWith('--')) {
	console.error('Usage: node --import tsx bench/profile-memory.ts <pglite folder> [--port 3115] [--seconds 5]')
	process.exit(2)
}
const port = Number(option('--port', '3115'))
const seconds = Number(option('--seconds', '5'))
// The folder given is DATA_DIR's pglite/ folder itself, or the DATA_DIR holding one.
const dataDir =
	path.basename(path.resolve(folder)) === 'pglite' ? path.dirname(path.resolve(folder)) : path.resolve(folder)
process.env.CLEARANCE_SECRET_KEY ??= Buffer.alloc(32, 7).toString('base64')
process.env.DATA_DIR = dataDir
delete process.env.DATABASE_URL

const { getDatabase, closeDatabase } = await import('#db/client.server')
const schema = await import('#db/schema')
const { createApiKey } = await import('~/services/api-keys.server')
const { newToken, hashToken } = await import('~/utils/tokens.server')
const { sessionCookie } = await import('~/utils/session.server')
const { db } = getDatabase()
const one = async <T>(query: ReturnType<typeof sql>) => ((await db.execute(query)) as unknown as { rows: T[] }).rows[0]!
const bench = await one<{ id: string }>(sql`select id from users where email = 'bench@clearance.test'`)
const token = newToken()
await db.execute(
	sql`insert into sessions (token_hash, user_id, expires_at) values (${hashToken(token)}, ${bench.id}, now() + interval '1 day')`,
)
const slug = async (name: string) =>
	(await db.select().from(schema.organizations).where(eq(schema.organizations.slug, name)))[0]!
const [small, large, ledgerOrg] = [await slug('bench-small'), await slug('bench-large'), await slug('bench-ledger')]
const app = async (key: string) =>
	(
		await db
			.select({ id: schema.apps.id })
			.from(schema.apps)
			.where(and(eq(schema.apps.orgId, ledgerOrg.id), eq(schema.apps.appKey, key)))
	)[0]!.id
const [ledgerApp, emptyApp] = [await app('com.bench.ledger'), await app('com.bench.empty')]
const { key: apiKey } = await createApiKey(ledgerOrg.id, null, { name: 'Memory profile', scopes: ['read'] })
await closeDatabase()
const cookie = (await sessionCookie.serialize(token)).split(';')[0]!

const env: NodeJS.ProcessEnv = {
	...process.env,
	BUILD_DIR: process.env.BENCH_BUILD_DIR || 'build-bench',
	NODE_ENV: 'production',
	CLEARANCE_SCHEDULER: 'off',
}
const nodeArgs = args.includes('--node-args') ? option('--node-args', '').split(' ') : []
const server = await startServer(env, port, path.join(root, `.data/profile-memory-${port}.log`), nodeArgs)

/** RSS split: PGlite's WebAssembly memory (V8 reserves several GB of address space for it), the rest. */
function split(pid: number) {
	const lines = readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')
	let wasm = 0
	let total = 0
	// The largest anonymous mapping of 128 MB or more: PGlite's WebAssembly memory.
	let size = 0
	for (const line of lines) {
		const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line)
		if (range) size = (parseInt(range[2]!, 16) - parseInt(range[1]!, 16)) / 2 ** 20
		else if (line.startsWith('Rss:')) {
			const mb = Number(line.split(/\s+/)[1]) / 1024
			total += mb
			// V8's pages are at most a few MB each; PGlite's memory is one mapping of 128 MB or more.
			if (size >= 128 && mb > wasm) wasm = mb
		}
	}
	return { total, wasm, rest: total - wasm }
}
/** The mappings holding 8 MB or more, with their size (to tell WebAssembly's from V8's heap and the code). */
function bigMappings(pid: number) {
	const out: string[] = []
	let head = ''
	for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
		if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) head = line
		else if (line.startsWith('Rss:')) {
			const mb = Number(line.split(/\s+/)[1]) / 1024
			const [range = '', , , , , name = ''] = head.split(/\s+/)
			const [from = '0', to = '0'] = range.split('-')
			const size = (parseInt(to, 16) - parseInt(from, 16)) / 2 ** 20
			if (mb >= 8) out.push(`  ${mb.toFixed(0).padStart(5)} MB of ${size.toFixed(0).padStart(6)} MB ${name}`)
		}
	}
	return out.join('\n')
}
/** The server's CPU time so far (user and system, /proc/<pid>/stat): per request, steadier than requests/s on a busy machine. */
function cpuSeconds(pid: number) {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
	return (Number(fields[11]) + Number(fields[12])) / 100
}
const say = (step: string) => {
	const { total, wasm, rest } = split(server.pid)
	const peak = memoryOf(server.pid)?.hwmMb ?? NaN
	console.log(
		`${step.padEnd(44)} RSS ${total.toFixed(0).padStart(4)} MB (WebAssembly ${wasm.toFixed(0).padStart(4)}, rest ${rest.toFixed(0).padStart(4)}), peak ${peak.toFixed(0)} MB`,
	)
}
say('started')
if (args.includes('--maps')) console.log(bigMappings(server.pid))
const page = (pathName: string): Probe => ({ path: pathName, headers: { Cookie: cookie } })
try {
	if (!args.includes('--no-pages')) {
		const pages: [string, Probe][] = [
			['login', { path: '/login' }],
			['dashboard 1k apps', page(`/o/${small.slug}`)],
			['dashboard 10k apps', page(`/o/${large.slug}`)],
			['reporting 1M accounts', page(`/o/${ledgerOrg.slug}/apps/${ledgerApp}/reporting`)],
			['reporting empty', page(`/o/${ledgerOrg.slug}/apps/${emptyApp}/reporting`)],
		]
		for (const [name, probe] of pages) {
			const first = await send(server.url, probe)
			if (first.status !== 200) throw new Error(`${name}: ${probe.path} answered ${first.status}`)
			const cpuBefore = cpuSeconds(server.pid)
			const result = await load(server.url, probe, { connections: 10, seconds })
			const cpuMs = ((cpuSeconds(server.pid) - cpuBefore) * 1000) / result.requests
			say(`${name} (${result.rps.toFixed(1)}/s, ${cpuMs.toFixed(1)} ms CPU)`)
		}
	}
	resetPeakMemory(server.pid)
	let peak = { total: 0, wasm: 0, rest: 0 }
	const timer = setInterval(() => {
		const now = split(server.pid)
		if (now.total > peak.total) peak = now
	}, 100)
	const started = performance.now()
	const batches = await send(server.url, {
		path: `/api/v1/apps/${ledgerApp}/report-batches`,
		headers: { Authorization: `Bearer ${apiKey}`, Accept: 'application/x-ndjson' },
	})
	clearInterval(timer)
	if (batches.status !== 200) throw new Error(`report-batches answered ${batches.status}`)
	const hwm = memoryOf(server.pid)?.hwmMb ?? NaN
	console.log(
		`batches: ${(batches.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s; sampled peak RSS ${peak.total.toFixed(0)} MB (WebAssembly ${peak.wasm.toFixed(0)}, rest ${peak.rest.toFixed(0)}), VmHWM ${hwm.toFixed(0)} MB`,
	)
	say('after batches')
} finally {
	await server.stop()
}
process.exit(0)
