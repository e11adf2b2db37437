// Profiling aid (not part of npm run bench): the import job against a raw COPY of the same rows, measured in
// one process, in alternating rounds (the job then COPY, then COPY then the job...), so the ratio holds
// whatever the machine's load. Needs DATABASE_URL (an empty database of your own on PostgreSQL); PGlite in
// a fresh folder when it is not set.
//   node --import tsx bench/profile-import.ts [rows=200000] [rounds=3] [--probe] [--http [--port 3131]]
// --probe (in this process): a `select 1` every 20 ms meanwhile, as /healthz asks it; its p99 and max by stage.
// Each round imports into an app of its own: the multipart body parsed (as the import route does), the
// upload stored in pieces, the job run (claim to end); then the raw COPY into a scratch table LIKE
// stored_accounts INCLUDING ALL, as bench/run.ts measures it. Prints each round and the sums' ratios.
// --http: as bench/run.ts does it instead, through the production build in BENCH_BUILD_DIR (build-bench,
// built beforehand: `BUILD_DIR=… npm run build`) served on --port: the upload posted, its job followed at
// its JSON status URL, /healthz sampled meanwhile (not with --no-healthz); PROFILE_IMPORT_BASELINE_BUILD: another
// build served beside it and measured in each round too; the time is from the first byte to the job's end;
// BENCH_NODE_ARGS (bench/server.ts, for every server it starts): flags for the servers' node (e.g. "--cpu-prof
// --cpu-prof-dir=/tmp/profiles").
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { type PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { sample } from './load'
import { migrate, root, startServer, type RunningServer } from './server'

const args = process.argv.slice(2)
const http = args.includes('--http')
const port = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : 3131
const [rows = 200_000, rounds = 3] = args
	.filter((arg, at) => /^\d+$/.test(arg) && args[at - 1] !== '--port')
	.map(Number)
const dataDir = path.join(root, '.data/profile-import')
if (!process.env.DATABASE_URL) {
	rmSync(dataDir, { recursive: true, force: true })
	process.env.DATA_DIR = dataDir
}
process.env.CLEARANCE_SECRET_KEY ??= Buffer.alloc(32, 7).toString('base64')
migrate({ ...process.env })
const { getDatabase, closeDatabase, onQuery } = await import('#db/client.server')
const { importCsv, seed } = await import('./seed')
const jobs = await import('~/services/import-jobs.server')
// PROFILE_IMPORT_BASELINE: another version of import-jobs.server.ts (e.g. `git show <commit>:…` saved with its
// relative imports made absolute), run in each round too, so a change is measured against it side by side.
const baselinePath = process.env.PROFILE_IMPORT_BASELINE
const baseline = baselinePath ? ((await import(path.resolve(baselinePath))) as typeof jobs) : null
const { parseMultipart, removeUploads, uploadedFile } = await import('~/utils/multipart.server')
const { rowsOf } = await import('~/utils/sql-rows.server')
const handle = getDatabase()
const db = handle.db
const one = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await db.execute(query))[0]!

/**
 * CPU seconds a database server process on this machine has used (Linux /proc; 0 where it cannot be read):
 * the work done whatever the machine's load, where times stretch with it.
 */
function cpuOfProcess(pid: number) {
	try {
		const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
		return (Number(fields[11]) + Number(fields[12])) / 100
	} catch {
		return 0
	}
}
/** CPU seconds of every connection to this database so far, by server process. */
async function databaseCpu() {
	const pids = rowsOf<{ pid: number }>(
		await db.execute(sql`select pid from pg_stat_activity where datname = current_database()`),
	)
	return new Map(pids.map(({ pid }) => [pid, cpuOfProcess(pid)]))
}
/** The CPU the database's connections used between two databaseCpu() readings. */
function cpuSince(before: Map<number, number>, after: Map<number, number>) {
	let total = 0
	for (const [pid, used] of after) total += used - (before.get(pid) ?? 0)
	return total
}
const postgresCpu = handle.config.driver === 'postgres'

// The bench's own seed, with a ledger as large as the import (the real ledger is never empty).
const seeded = await seed(
	db,
	{ smallOrgApps: 1, largeOrgApps: 1, ledgerAccounts: rows, importAccounts: rows, accountsPerOrgApp: 1 },
	() => {},
)
const csv = importCsv(rows)
const seconds = (from: number) => (performance.now() - from) / 1000
const boundary = 'profile-import-boundary'
const body = Buffer.concat([
	Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\nimport\r\n`),
	Buffer.from(
		`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="accounts.csv"\r\nContent-Type: text/csv\r\n\r\n`,
	),
	csv,
	Buffer.from(`\r\n--${boundary}--\r\n`),
])

/** An app of its own for each round's import (a copy of the seed's import app). */
async function freshApp(round: number) {
	const { id } = await one<{ id: string }>(sql`
		insert into apps (org_id, name, app_key, app_type, products, stores_personal_data, personal_data_since,
			storing_since, storing_since_source, storing_since_set_by, storing_since_set_at, created_by)
		select org_id, name || ${` ${round}`}, app_key || ${`.${round}`}, app_type, products, stores_personal_data,
			personal_data_since, storing_since, storing_since_source, storing_since_set_by, storing_since_set_at, created_by
		from apps where id = ${seeded.importApp}
		returning id`)
	return id
}

/**
 * `select 1` every 20 ms while the import runs in this process, as /healthz asks it (on PGlite it waits for the
 * job's transaction and for any synchronous stretch of the event loop): its latencies by stage of the import.
 */
function probeDatabase() {
	const latencies = new Map<string, number[]>()
	let stage = 'multipart'
	let stopped = false
	const running = (async () => {
		while (!stopped) {
			// Timed from when it was due, as a request from another process would be: a timer of this process
			// fires late while the event loop is held, and that wait is part of the answer's.
			const due = performance.now() + 20
			await new Promise((resolve) => setTimeout(resolve, 20))
			await db.execute(sql`select 1`)
			const at = stage
			latencies.set(at, [...(latencies.get(at) ?? []), performance.now() - due])
		}
	})()
	const p99 = (values: number[]) => {
		const sorted = [...values].sort((a, b) => a - b)
		return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0)
	}
	return {
		stage: (name: string) => (stage = name),
		async stop() {
			stopped = true
			await running
			const all = [...latencies.values()].flat()
			const parts = [...latencies].map(
				([name, values]) => `${name} p99 ${p99(values)} max ${Math.round(Math.max(...values))} (${values.length})`,
			)
			console.log(`    select 1 every 20 ms: p99 ${p99(all)} ms; ${parts.join(', ')}`)
		},
	}
}

/** The app's own path, into a fresh app: multipart, the upload stored, the job run. */
async function throughApp(round: number, module = jobs) {
	const appId = await freshApp(round * 2 + (module === jobs ? 0 : 1))

	let statements = 0
	const stop = onQuery(() => statements++)
	const probe = args.includes('--probe') ? probeDatabase() : null
	const cpuBefore = postgresCpu ? await databaseCpu() : new Map<number, number>()
	let started = performance.now()
	const request = new Request('http://localhost/import', {
		method: 'POST',
		headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
		body,
	})
	const form = await parseMultipart(request, { import: ['file'] }, { maxUploadBytes: body.length })
	const file = uploadedFile(form, 'file')
	if (!file) throw new Error('The multipart body held no file.')
	const multipart = seconds(started)
	probe?.stage('upload')
	started = performance.now()
	const job = await module.createUploadJob(seeded.ledgerOrg.id, seeded.userId, appId, file, { atomic: false })
	const upload = seconds(started)
	await removeUploads(form)
	probe?.stage('job')
	started = performance.now()
	const cpu = process.cpuUsage()
	await module.claimImportJob(module.WORKER_ID, { jobId: job.id })
	const ended = await module.runImportJob(job.id, module.WORKER_ID)
	const run = seconds(started)
	const used = process.cpuUsage(cpu)
	await probe?.stop()
	const databaseSeconds = postgresCpu ? cpuSince(cpuBefore, await databaseCpu()) : 0
	console.log(
		`    job CPU in this process: user ${Math.round(used.user / 1000)} ms, system ${Math.round(used.system / 1000)} ms`,
	)
	stop()
	if (ended?.status !== 'succeeded') throw new Error(`The job ended ${ended?.status}: ${ended?.error}`)
	const stored = await one<{ n: number; counted: number }>(
		sql`select count(*)::int as n, (select account_count::int from app_ledger_stats where app_id = ${appId}) as counted
			from stored_accounts where app_id = ${appId}`,
	)
	if (stored.n !== rows || Number(stored.counted) !== rows) {
		throw new Error(`Stored ${stored.n} rows, counted ${stored.counted}, expected ${rows}.`)
	}
	return { multipart, upload, run, statements, databaseSeconds }
}

/** The app's own path through the server, as bench/run.ts's importThroughApp, into a fresh app. */
async function throughServer(server: RunningServer, cookie: string, round: number) {
	const appId = await freshApp(round)
	const cpuBefore = postgresCpu ? await databaseCpu() : new Map<number, number>()
	const base = `${server.url}/o/${seeded.ledgerOrg.slug}/apps/${appId}/reporting`
	let done!: () => void
	const during = sample(
		server.url,
		{ path: '/healthz' },
		{
			pauseMs: 20,
			count: args.includes('--no-healthz') ? 0 : Infinity,
			stop: new Promise<void>((resolve) => (done = resolve)),
		},
	)
	const started = performance.now()
	try {
		const answer = await fetch(`${base}/import`, {
			method: 'POST',
			headers: { Cookie: cookie, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
			body,
			redirect: 'manual',
		})
		const accepted = seconds(started)
		if (answer.status !== 202)
			throw new Error(`The import answered ${answer.status}: ${(await answer.text()).slice(0, 300)}`)
		const headers = { Cookie: cookie, Accept: 'application/json' }
		const { jobs: listed } = (await (await fetch(`${base}/imports`, { headers })).json()) as { jobs: { id: string }[] }
		for (;;) {
			const status = (await (await fetch(`${base}/imports/${listed[0]!.id}`, { headers })).json()) as {
				status: string
				finished: boolean
				error: string | null
			}
			if (status.finished) {
				if (status.status !== 'succeeded') throw new Error(`The job ended ${status.status}: ${status.error}`)
				break
			}
			await new Promise((resolve) => setTimeout(resolve, 200))
		}
		const total = seconds(started)
		return { accepted, total, appId, databaseSeconds: postgresCpu ? cpuSince(cpuBefore, await databaseCpu()) : 0 }
	} finally {
		done()
		const healthz = await during
		const sorted = healthz.latencies.sort((a, b) => a - b)
		console.log(
			`    /healthz during: ${sorted.length} samples, p99 ${Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0)} ms`,
		)
	}
}

/** The raw COPY, as bench/run.ts measures it. */
async function rawCopy() {
	await db.execute(sql.raw('drop table if exists bench_copy_scratch'))
	await db.execute(sql.raw('create table bench_copy_scratch (like stored_accounts including all)'))
	await db.execute(sql.raw(`alter table bench_copy_scratch alter column app_id set default '${seeded.importApp}'`))
	const statement = 'copy bench_copy_scratch (account_id, updated_at) from stdin with (format csv, header true)'
	let started = performance.now()
	let databaseSeconds = 0
	if (handle.config.driver === 'postgres') {
		const client = postgres(handle.config.url, { max: 1, onnotice: () => {} })
		try {
			const [{ pid }] = (await client`select pg_backend_pid() as pid`) as unknown as [{ pid: number }]
			databaseSeconds = -cpuOfProcess(pid)
			started = performance.now()
			const writable = await client.unsafe(statement).writable()
			await new Promise<void>((resolve, reject) => {
				writable.on('error', reject)
				writable.on('finish', () => resolve())
				writable.end(csv)
			})
			databaseSeconds += cpuOfProcess(pid)
		} finally {
			await client.end()
		}
	} else {
		const client = (db as unknown as { $client: PGlite }).$client
		await client.query(statement.replace('from stdin', "from '/dev/blob'"), [], {
			blob: new Blob([new Uint8Array(csv)]),
		})
	}
	const copy = seconds(started)
	await db.execute(sql.raw('drop table bench_copy_scratch'))
	return { seconds: copy, databaseSeconds }
}

const round2 = (value: number) => Math.round(value * 100) / 100
const alternate = async <T>(round: number, app: () => Promise<T>) => {
	if (round % 2 === 1) {
		const result = await app()
		return { app: result, copy: await rawCopy() }
	}
	const copy = await rawCopy()
	return { app: await app(), copy }
}
/** The database's CPU for the import over the COPY's (PostgreSQL on this machine only). */
const cpuRatio = (app: number, copy: number) =>
	postgresCpu && copy > 0 ? `; database CPU ${round2(app)} / ${round2(copy)} = ${round2(app / copy)}` : ''
console.log(
	`${handle.config.driver}${http ? ' through the server' : ''}, ${rows.toLocaleString('en')} rows, ${rounds} rounds (seconds)`,
)
const sums = { multipart: 0, upload: 0, run: 0, app: 0, copy: 0, appCpu: 0, copyCpu: 0 }
if (http) {
	const serve = (buildDir: string, at: number) =>
		startServer(
			{
				...process.env,
				BUILD_DIR: buildDir,
				NODE_ENV: 'production',
				CLEARANCE_SCHEDULER: 'off',
				UPLOAD_MAX_BYTES: String(200 * 1024 * 1024),
			},
			at,
			path.join(root, `.data/profile-import-server-${at}.log`),
		)
	const server = await serve(process.env.BENCH_BUILD_DIR || 'build-bench', port)
	// PROFILE_IMPORT_BASELINE_BUILD: another build, served on the next port, imported into in each round too.
	const baselineBuild = process.env.PROFILE_IMPORT_BASELINE_BUILD
	const baselineServer = baselineBuild ? await serve(baselineBuild, port + 1) : null
	const { sessionCookie } = await import('~/utils/session.server')
	const cookie = (await sessionCookie.serialize(seeded.sessionToken)).split(';')[0]!
	const before = { app: 0, copy: 0, appCpu: 0, copyCpu: 0 }
	const measure = async (round: number, on: RunningServer, into: typeof before, label: string) => {
		const { app, copy } = await alternate(round + (on === server ? 0 : 1), () =>
			throughServer(on, cookie, round * 2 + (on === server ? 0 : 1)),
		)
		const stored = await one<{ n: number }>(
			sql`select count(*)::int as n from stored_accounts where app_id = ${app.appId}`,
		)
		if (stored.n !== rows) throw new Error(`Stored ${stored.n} rows, expected ${rows}.`)
		into.app += app.total
		into.copy += copy.seconds
		into.appCpu += app.databaseSeconds
		into.copyCpu += copy.databaseSeconds
		console.log(
			`  round ${round}${label}: upload answered ${round2(app.accepted)}, job ended ${round2(app.total)}; COPY ${round2(copy.seconds)}; app/COPY ${round2(app.total / copy.seconds)}${cpuRatio(app.databaseSeconds, copy.databaseSeconds)}`,
		)
	}
	try {
		for (let round = 1; round <= rounds; round++) {
			// The baseline first in odd rounds, last in even ones.
			if (baselineServer && round % 2 === 1) await measure(round, baselineServer, before, ', baseline')
			await measure(round, server, sums, '')
			if (baselineServer && round % 2 === 0) await measure(round, baselineServer, before, ', baseline')
		}
	} finally {
		await server.stop()
		await baselineServer?.stop()
	}
	if (baselineServer) {
		console.log(
			`  baseline, all rounds: app ${round2(before.app)}, COPY ${round2(before.copy)}; app/COPY ${round2(before.app / before.copy)}${cpuRatio(before.appCpu, before.copyCpu)}`,
		)
	}
} else {
	const before = { app: 0, copy: 0, appCpu: 0, copyCpu: 0 }
	/** The baseline's round: its own import next to its own COPY. */
	const old = async (round: number) => {
		if (!baseline) return
		const measured = await alternate(round + 1, () => throughApp(round, baseline))
		const total = measured.app.multipart + measured.app.upload + measured.app.run
		before.app += total
		before.copy += measured.copy.seconds
		before.appCpu += measured.app.databaseSeconds
		before.copyCpu += measured.copy.databaseSeconds
		console.log(
			`  round ${round}, baseline: app ${round2(total)}; COPY ${round2(measured.copy.seconds)}; app/COPY ${round2(total / measured.copy.seconds)}${cpuRatio(measured.app.databaseSeconds, measured.copy.databaseSeconds)}`,
		)
	}
	for (let round = 1; round <= rounds; round++) {
		// The baseline first in odd rounds, last in even ones.
		if (round % 2 === 1) await old(round)
		const { app, copy } = await alternate(round, () => throughApp(round))
		const total = app.multipart + app.upload + app.run
		sums.multipart += app.multipart
		sums.upload += app.upload
		sums.run += app.run
		sums.app += total
		sums.copy += copy.seconds
		sums.appCpu += app.databaseSeconds
		sums.copyCpu += copy.databaseSeconds
		console.log(
			`  round ${round}: multipart ${round2(app.multipart)}, upload ${round2(app.upload)}, job ${round2(app.run)} (${app.statements} statements); COPY ${round2(copy.seconds)}; app/COPY ${round2(total / copy.seconds)}, job/COPY ${round2(app.run / copy.seconds)}${cpuRatio(app.databaseSeconds, copy.databaseSeconds)}`,
		)
		if (round % 2 === 0) await old(round)
	}
	console.log(
		`  all rounds: app ${round2(sums.app)} (multipart ${round2(sums.multipart)}, upload ${round2(sums.upload)}, job ${round2(sums.run)}), COPY ${round2(sums.copy)}`,
	)
	if (baseline) {
		console.log(
			`  baseline, all rounds: app ${round2(before.app)}, COPY ${round2(before.copy)}; app/COPY ${round2(before.app / before.copy)}${cpuRatio(before.appCpu, before.copyCpu)}`,
		)
	}
}
console.log(`  app/COPY ${round2(sums.app / sums.copy)}${cpuRatio(sums.appCpu, sums.copyCpu)}`)
await closeDatabase()
