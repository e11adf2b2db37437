// npm run bench [-- --quick] [-- --only pglite|postgres] [-- --keep]
//
// Measures the production build at scale (issue 16, point 3) and prints
// figures; it asserts nothing. Every figure is a ratio to a baseline measured
// in the same run (absolute numbers move with the machine's load), plus the
// raw numbers. Runs on PGlite, and on PostgreSQL too when DATABASE_URL is set
// (a fresh database `clearance_bench` on that server). Builds into
// build-bench/ when that build is missing or stale, starts the server on its
// own port with the rate limits raised, seeds with set-based SQL, then writes
// bench/results.json (keeping the other database's block when only one ran)
// and the bench section of docs/performance.md.
//
// --doc-only: rewrite docs/performance.md's section from bench/results.json, measure nothing.
// --no-build: serve build-bench/ as it is. --port: the server's port (3113).
// Environment: BENCH_BUILD_DIR (build-bench), BENCH_DATABASE (clearance_bench), BENCH_OUTPUT_DIR (the repository:
// bench/results.json and docs/performance.md are written under it), BENCH_NODE_ARGS (more node flags for the server,
// after its own: to compare settings side by side).
// --quick: small sizes (100 and 1,000 apps, 10,000 accounts, 3 s of load per
// figure), a couple of minutes. --keep: leave the data folder / database.
// --phases a,b: only these phases (the seed always runs), e.g. `--phases reporter,reminders`:
//   batches (run first), pages (login, dashboards, reporting page, healthz, evaluate), evaluate64, import (with the raw COPY),
//   reminders, reporter. Each phase prints its time and the run's elapsed time; a phase that fails records why in
//   results.json's `missing` (for its keys) and the run goes on with the next one. The keys of the phases left out
//   keep the figures of the last run of the same kind (full or quick), listed with when they were measured.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { type PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { adversarial, typical } from './bodies'
import {
	describeTarget,
	mergeResults,
	median,
	percentile,
	performanceSection,
	ratio,
	ratioTable,
	RATIO_KEYS,
	replaceBetweenMarkers,
	round,
	targetsFor,
	type DatabaseResults,
	type Driver,
	type RatioKey,
	type ResultsFile,
} from './figures'
import { load, sample, send, type LoadResult, type Probe } from './load'
import { runMicro } from './micro'
import { type Seeded, type Sizes } from './seed'
import {
	ensureBuild,
	memoryOf,
	migrate,
	resetPeakMemory,
	root,
	rssSampler,
	startServer,
	type RunningServer,
} from './server'

const { values: options } = parseArgs({
	options: {
		quick: { type: 'boolean', default: false },
		only: { type: 'string' },
		keep: { type: 'boolean', default: false },
		'no-build': { type: 'boolean', default: false },
		'doc-only': { type: 'boolean', default: false },
		port: { type: 'string', default: '3113' },
		phases: { type: 'string' },
	},
	strict: true,
})
const quick = options.quick === true
const PHASES = ['pages', 'evaluate64', 'batches', 'import', 'reminders', 'reporter'] as const
type Phase = (typeof PHASES)[number]
const phases = new Set<Phase>(
	options.phases ? (options.phases.split(',').map((name) => name.trim()) as Phase[]) : PHASES,
)
for (const name of phases) {
	if (!PHASES.includes(name)) {
		console.error(`--phases takes some of ${PHASES.join(', ')}; not “${name}”.`)
		process.exit(2)
	}
}
/** The keys each phase measures: a phase that fails or is left out leaves them missing, with why. */
const PHASE_KEYS: Record<Phase, RatioKey[]> = {
	pages: ['dashboard_1k_vs_login', 'dashboard_10k_vs_1k', 'reporting_1m_vs_empty', 'evaluate_vs_healthz'],
	evaluate64: ['evaluate_64kb_ms'],
	batches: ['batches_1m_peak_rss_mb'],
	import: ['import_1m_vs_copy', 'healthz_p99_import_vs_idle'],
	reminders: ['reminders_10k_apps_s'],
	reporter: ['report_1m_s'],
}
/** Rough minutes per phase of a full run on the 2-core machine under load, for the estimate printed as it goes. */
const EXPECTED_MINUTES: Record<Phase | 'seed', number> = quick
	? { seed: 0.3, pages: 1.2, evaluate64: 0.1, batches: 0.1, import: 0.3, reminders: 0.2, reporter: 0.2 }
	: { seed: 6, pages: 3.5, evaluate64: 0.5, batches: 4, import: 8, reminders: 4, reporter: 8 }
const port = Number(options.port)
// Side-by-side runs (an engineer measuring one change while another measures theirs) each take their own
// build folder, PostgreSQL database and output folder; by default the results land in the repository.
const BUILD_DIR = process.env.BENCH_BUILD_DIR || 'build-bench'
const benchDatabase = process.env.BENCH_DATABASE || 'clearance_bench'
if (!/^[a-z_][a-z0-9_]*$/.test(benchDatabase)) throw new Error('BENCH_DATABASE: lower-case letters, digits and _ only.')
const outputDir = process.env.BENCH_OUTPUT_DIR ? path.resolve(process.env.BENCH_OUTPUT_DIR) : null
if (outputDir) mkdirSync(path.join(outputDir, 'bench'), { recursive: true })
mkdirSync(path.join(outputDir ?? root, 'docs'), { recursive: true })
const resultsPath = path.join(outputDir ?? root, 'bench/results.json')
const docPath = path.join(outputDir ?? root, 'docs/performance.md')
if (options['doc-only']) {
	const file = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile
	const document = readFileSync(docPath, 'utf8')
	writeFileSync(docPath, replaceBetweenMarkers(document, performanceSection(file)))
	console.log(`\n${ratioTable(file)}\n\nRewrote docs/performance.md from bench/results.json.`)
	process.exit(0)
}

const log = (line: string) => console.log(line)
const started = performance.now()
const elapsed = () => `${Math.round((performance.now() - started) / 1000)} s`
/** Minutes of work still ahead by EXPECTED_MINUTES: the phases not yet run, on this database and the next ones. */
function estimateLeft(done: Set<string>, driversLeft: number) {
	const chosen = ['seed', ...PHASES.filter((name) => phases.has(name))] as (Phase | 'seed')[]
	const perDatabase = chosen.reduce((sum, name) => sum + EXPECTED_MINUTES[name], 0)
	const here = chosen.filter((name) => !done.has(name)).reduce((sum, name) => sum + EXPECTED_MINUTES[name], 0)
	return Math.round(here + perDatabase * driversLeft)
}

const sizes: Sizes = quick
	? { smallOrgApps: 100, largeOrgApps: 1_000, ledgerAccounts: 10_000, importAccounts: 10_000, accountsPerOrgApp: 3 }
	: {
			smallOrgApps: 1_000,
			largeOrgApps: 10_000,
			ledgerAccounts: 1_000_000,
			importAccounts: 1_000_000,
			accountsPerOrgApp: 3,
		}
const loadSeconds = quick ? 3 : 10
const CONNECTIONS = 10

const drivers: Driver[] = options.only
	? [options.only as Driver]
	: process.env.DATABASE_URL
		? ['pglite', 'postgres']
		: ['pglite']
if (drivers.some((driver) => driver !== 'pglite' && driver !== 'postgres')) {
	console.error('--only takes pglite or postgres.')
	process.exit(2)
}
if (drivers.includes('postgres') && !process.env.DATABASE_URL) {
	console.error('--only postgres needs DATABASE_URL (a server where the benchmark may create clearance_bench).')
	process.exit(2)
}
const adminUrl = process.env.DATABASE_URL
// The benchmark's own process opens the database only when told which one, below.
delete process.env.DATABASE_URL
process.env.DATA_DIR = 'memory://'

log(`Clearance benchmark (${quick ? 'quick' : 'full'}; ${drivers.join(' and ')}; Node ${process.version})`)
const loadBefore = os.loadavg()
log('\nIn-process checklist figures (no HTTP, no database):')
const micro = await runMicro(log, quick ? 0.1 : 1)

// --no-build serves the build there is (a second run started beside one that has just built).
if (options['no-build']) log(`Serving the build in ${BUILD_DIR}/ as it is (--no-build).`)
else await ensureBuild(BUILD_DIR, log)

const secretKey = randomBytes(32).toString('base64')
const { closeDatabase, getDatabase } = await import('#db/client.server')

/** The process's own connection to the benchmark database (the server's is separate). */
function openBenchDatabase(config: { DATA_DIR?: string; DATABASE_URL?: string }) {
	delete process.env.DATABASE_URL
	delete process.env.DATA_DIR
	Object.assign(process.env, config)
	return getDatabase()
}

function multipart(fields: Record<string, string>, file: { name: string; filename: string; body: Buffer }) {
	const boundary = `----clearance-bench-${randomBytes(8).toString('hex')}`
	const parts: Buffer[] = []
	for (const [name, value] of Object.entries(fields)) {
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
	}
	parts.push(
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: text/csv\r\n\r\n`,
		),
		file.body,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	)
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

async function sessionCookie(token: string) {
	const { sessionCookie: cookie } = await import('~/utils/session.server')
	return (await cookie.serialize(token)).split(';')[0]!
}

/**
 * The import through the app's own path: the import page's form, posted as a
 * browser posts it. A large file becomes a background job (202): the app's
 * newest job is then followed at its JSON status URL
 * (`…/reporting/imports/{jobId}`) until it has finished; the time is from the
 * first byte of the upload to the job's end.
 */
async function importThroughApp(server: RunningServer, seeded: Seeded, cookie: string, csv: Buffer) {
	const base = `/o/${seeded.ledgerOrg.slug}/apps/${seeded.importApp}/reporting`
	const form = multipart({ intent: 'import' }, { name: 'file', filename: 'accounts.csv', body: csv })
	const headers = { Cookie: cookie, Accept: 'application/json' }
	const startedAt = performance.now()
	const answer = await fetch(`${server.url}${base}/import`, {
		method: 'POST',
		headers: { Cookie: cookie, 'Content-Type': form.contentType },
		body: form.body,
		redirect: 'manual',
	})
	const text = await answer.text()
	if (answer.status >= 400) throw new Error(`The import answered ${answer.status}: ${text.slice(0, 300)}`)
	const list = await fetch(`${server.url}${base}/imports`, { headers })
	if (list.status === 404) return { seconds: (performance.now() - startedAt) / 1000, mode: 'within the upload request' }
	if (!list.ok) throw new Error(`The import jobs answered ${list.status}.`)
	const { jobs } = (await list.json()) as { jobs: { id: string }[] }
	const job = jobs[0]
	if (!job) throw new Error('The upload was answered but no import job exists.')
	for (;;) {
		const status = await fetch(`${server.url}${base}/imports/${job.id}`, { headers })
		if (!status.ok) throw new Error(`The import job's status answered ${status.status}.`)
		const body = (await status.json()) as { status: string; finished: boolean; rows: number; error: string | null }
		if (body.finished) {
			if (body.status !== 'succeeded') throw new Error(`The import job ended ${body.status}: ${body.error ?? ''}`)
			return {
				seconds: (performance.now() - startedAt) / 1000,
				mode: answer.status === 202 ? 'background job (202), status followed' : 'job run within the upload request',
			}
		}
		await new Promise((resolve) => setTimeout(resolve, 200))
	}
}

/**
 * PostgreSQL: a checkpoint before each of the two timed writes (the import, the raw COPY), so neither runs beside a
 * checkpoint of the writes before it (the seed's WAL was being flushed through the whole import). Needs the
 * pg_checkpoint role (or a superuser); without it the figures are measured as they come, and the run says so.
 */
async function checkpointFirst(url: string | undefined, log: (line: string) => void) {
	if (!url) return
	const client = postgres(url, { max: 1, onnotice: () => {} })
	try {
		await client.unsafe('checkpoint')
	} catch (error) {
		log(`  (no checkpoint before the timed write: ${(error as Error).message})`)
	} finally {
		await client.end()
	}
}

/** COPY of the same rows into a scratch table made LIKE the ledger, including all its indexes and checks. */
async function rawCopy(driver: Driver, handle: ReturnType<typeof getDatabase>, appId: string, csv: Buffer) {
	const { sql } = await import('drizzle-orm')
	const db = handle.db
	await db.execute(sql.raw('drop table if exists bench_copy_scratch'))
	await db.execute(sql.raw('create table bench_copy_scratch (like stored_accounts including all)'))
	await db.execute(sql.raw(`alter table bench_copy_scratch alter column app_id set default '${appId}'`))
	await checkpointFirst(handle.config.driver === 'postgres' ? handle.config.url : undefined, () => {})
	const statement = 'copy bench_copy_scratch (account_id, updated_at) from stdin with (format csv, header true)'
	let how: string
	const startedAt = performance.now()
	if (driver === 'postgres') {
		const client = postgres(handle.config.driver === 'postgres' ? handle.config.url : '', {
			max: 1,
			onnotice: () => {},
		})
		try {
			const writable = await client.unsafe(statement).writable()
			await new Promise<void>((resolve, reject) => {
				writable.on('error', reject)
				writable.on('finish', () => resolve())
				writable.end(csv)
			})
		} finally {
			await client.end()
		}
		how = 'COPY … FROM STDIN (CSV)'
	} else {
		const client = (db as unknown as { $client: PGlite }).$client
		await client.query(statement.replace('from stdin', "from '/dev/blob'"), [], {
			blob: new Blob([new Uint8Array(csv)]),
		})
		how = "PGlite's COPY … FROM '/dev/blob' (CSV)"
	}
	const seconds = (performance.now() - startedAt) / 1000
	const counted = (await db.execute(sql.raw('select count(*)::int as n from bench_copy_scratch'))) as unknown as
		{ rows: { n: number }[] } | { n: number }[]
	const n = Array.isArray(counted) ? counted[0]!.n : counted.rows[0]!.n
	await db.execute(sql.raw('drop table bench_copy_scratch'))
	return { seconds, how, rows: n }
}

async function runDatabase(driver: Driver): Promise<DatabaseResults> {
	log(`\n═══ ${driver === 'postgres' ? 'PostgreSQL' : 'PGlite'} ═══ (${elapsed()})`)
	const raw: DatabaseResults['raw'] = { ...micro }
	const ratios: DatabaseResults['ratios'] = {}
	const missing: NonNullable<DatabaseResults['missing']> = {}
	/** The block as measured so far; written after each phase, so a run stopped midway keeps its figures. */
	const blockNow = (done: boolean): DatabaseResults => {
		const why = done ? 'not measured in this run' : 'the run had not reached it yet (a partial run: figures so far)'
		const gaps = { ...missing }
		for (const key of RATIO_KEYS) {
			if (ratios[key] === undefined || ratios[key] === null) gaps[key] ??= why
		}
		const targets = targetsFor(driver)
		return {
			ratios: Object.fromEntries(RATIO_KEYS.map((key) => [key, round(ratios[key])])) as Record<RatioKey, number | null>,
			raw: Object.fromEntries(
				Object.entries(raw).map(([key, value]) => [key, typeof value === 'number' ? round(value) : value]),
			),
			targets: Object.fromEntries(RATIO_KEYS.map((key) => [key, describeTarget(targets[key])])) as Record<
				RatioKey,
				string
			>,
			measuredAt: new Date().toISOString(),
			run: {
				mode: `${quick ? 'quick' : 'full'}${done ? '' : ' (partial)'}`,
				apps: `${sizes.smallOrgApps} / ${sizes.largeOrgApps}`,
				ledger_accounts: sizes.ledgerAccounts,
				import_accounts: sizes.importAccounts,
				load: `${CONNECTIONS} connections × ${loadSeconds} s, each page twice (in order, then in reverse order)`,
				machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB`,
				load_average_1m: `${loadBefore[0]!.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after`,
				node: process.version,
			},
			...(Object.keys(gaps).length > 0 ? { missing: gaps } : {}),
		}
	}
	const checkpoint = () => saveBlock(driver, blockNow(false))
	for (const name of PHASES) {
		if (!phases.has(name)) for (const key of PHASE_KEYS[name]) missing[key] = `not measured: --phases ${options.phases}`
	}
	const done = new Set<string>()
	const driversLeft = drivers.length - drivers.indexOf(driver) - 1
	/** Runs one phase: its time and the run's elapsed time printed; a failure recorded in `missing`, not thrown. */
	const phase = async (name: Phase | 'seed', work: () => Promise<void>) => {
		if (name !== 'seed' && !phases.has(name)) return
		const phaseStarted = performance.now()
		log(`— ${name} (${elapsed()} into the run)`)
		try {
			await work()
		} catch (error) {
			const reason = `the ${name} phase failed: ${(error as Error).message.slice(0, 300)}`
			log(`  ${reason}`)
			if (name === 'seed') throw error
			for (const key of PHASE_KEYS[name]) if (ratios[key] === undefined) missing[key] = reason
		}
		done.add(name)
		raw[`phase_${name}_s`] = (performance.now() - phaseStarted) / 1000
		log(
			`  ${name}: ${round(raw[`phase_${name}_s`] as number)} s; ${elapsed()} so far, about ${estimateLeft(done, driversLeft)} min left (estimate)`,
		)
		checkpoint()
	}
	const dataDir = path.join(root, `.data/bench-${driver}-${port}`)
	const dbConfig: { DATA_DIR?: string; DATABASE_URL?: string } = {}
	if (driver === 'postgres') {
		const admin = postgres(adminUrl!, { max: 1, onnotice: () => {} })
		await admin.unsafe(`drop database if exists ${benchDatabase} with (force)`)
		await admin.unsafe(`create database ${benchDatabase}`)
		await admin.end()
		const url = new URL(adminUrl!)
		url.pathname = `/${benchDatabase}`
		dbConfig.DATABASE_URL = url.toString()
	} else {
		rmSync(dataDir, { recursive: true, force: true })
		mkdirSync(dataDir, { recursive: true })
		dbConfig.DATA_DIR = dataDir
	}
	const serverEnv: NodeJS.ProcessEnv = {
		...process.env,
		...dbConfig,
		BUILD_DIR,
		NODE_ENV: 'production',
		CLEARANCE_SCHEDULER: 'off',
		CLEARANCE_SECRET_KEY: secretKey,
		OUTBOUND_ALLOW_PRIVATE: 'true',
		// It measures the work, not the limiter.
		EVALUATE_PER_CLIENT: '1000000',
		API_PER_KEY: '1000000',
		UPLOAD_MAX_BYTES: String(200 * 1024 * 1024),
	}
	if (driver === 'pglite') delete serverEnv.DATABASE_URL
	process.env.CLEARANCE_SECRET_KEY = secretKey
	process.env.OUTBOUND_ALLOW_PRIVATE = 'true'

	migrate(serverEnv)
	const { importCsv, reporterStandIn, seed } = await import('./seed')
	let handle = openBenchDatabase(dbConfig)
	let t = performance.now()
	let seeded!: Seeded
	await phase('seed', async () => {
		seeded = await seed(handle.db, sizes, log)
	})
	raw.seed_s = (performance.now() - t) / 1000
	log(`Seeded in ${round(raw.seed_s)} s (${elapsed()}).`)
	// PGlite: one process owns the data folder, so the server opens it only now.
	if (driver === 'pglite') await closeDatabase()

	const cookie = await sessionCookie(seeded.sessionToken)
	const logFile = path.join(root, `.data/bench-server-${driver}-${port}.log`)
	mkdirSync(path.dirname(logFile), { recursive: true })
	const serverPhases: Phase[] = ['pages', 'evaluate64', 'batches', 'import']
	if (serverPhases.some((name) => phases.has(name))) {
		const server = await startServer(serverEnv, port, logFile)
		log(`Server started (pid ${server.pid}, ${server.url}); log in ${path.relative(root, logFile)}.`)
		const page = (pathName: string): Probe => ({ path: pathName, headers: { Cookie: cookie } })
		/** One window of load on a page, checked first to answer 200. */
		const measureWindow = async (name: string, probe: Probe, first: boolean) => {
			if (first) {
				const answer = await send(server.url, probe)
				if (answer.status !== 200) throw new Error(`${name}: ${probe.path} answered ${answer.status}, not 200.`)
			}
			return load(server.url, probe, { connections: CONNECTIONS, seconds: loadSeconds })
		}
		const evaluateProbe = (body: unknown): Probe => ({
			method: 'POST',
			path: '/api/v1/checklist/evaluate',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		})
		try {
			// Peak memory while the batches of the large ledger stream (the API's report-batches, NDJSON): first, on the
			// server just started, so the figure is the streaming's own and not what the pages' load left allocated (V8's
			// heap and PGlite's WebAssembly memory keep what they grew to).
			await phase('batches', async () => {
				// VmHWM is the peak over the process's life: reset it so the figure after covers this download only.
				resetPeakMemory(server.pid)
				const before = memoryOf(server.pid)
				raw.server_rss_before_batches_mb = before?.rssMb ?? null
				const sampler = rssSampler(server.pid)
				const batchesStarted = performance.now()
				let batches: Awaited<ReturnType<typeof send>>
				try {
					batches = await send(server.url, {
						path: `/api/v1/apps/${seeded.ledgerApp}/report-batches`,
						headers: { Authorization: `Bearer ${seeded.apiKey}`, Accept: 'application/x-ndjson' },
					})
				} finally {
					raw.batches_peak_rss_mb = sampler.stop()
				}
				const peak = raw.batches_peak_rss_mb
				raw.batches_s = (performance.now() - batchesStarted) / 1000
				raw.batches_bytes = batches.bytes
				raw.server_vmhwm_after_batches_mb = memoryOf(server.pid)?.hwmMb ?? null
				if (batches.status !== 200) throw new Error(`report-batches answered ${batches.status}`)
				ratios.batches_1m_peak_rss_mb = peak
				log(`  batches: ${round(batches.bytes / 1e6)} MB in ${round(raw.batches_s)} s, peak RSS ${round(peak)} MB`)
			})

			await phase('pages', async () => {
				log(
					`Requests/s, ${CONNECTIONS} connections for ${loadSeconds} s a window, after ${quick ? 1 : 2} s of warming each page; each page twice, in order and then in reverse order, so a machine that speeds up or slows down meanwhile tilts no ratio:`,
				)
				const reportingBase = `/o/${seeded.ledgerOrg.slug}/apps`
				const pages: [string, Probe][] = [
					['login', { path: '/login' }],
					['dashboard_small_org', page(`/o/${seeded.smallOrg.slug}`)],
					['dashboard_large_org', page(`/o/${seeded.largeOrg.slug}`)],
					['reporting_large_ledger', page(`${reportingBase}/${seeded.ledgerApp}/reporting`)],
					['reporting_empty_ledger', page(`${reportingBase}/${seeded.emptyApp}/reporting`)],
					['healthz', { path: '/healthz' }],
					['evaluate_typical', evaluateProbe(typical)],
				]
				// Each page on its own: one that fails leaves the others measured.
				const windows = new Map<string, LoadResult[]>()
				const failed = new Map<string, string>()
				// Warm first, unmeasured (the server's code compiled, its statements prepared, its caches filled), so no
				// page's figure holds the server's first seconds.
				for (const [name, probe] of pages) {
					try {
						await load(server.url, probe, { connections: CONNECTIONS, seconds: quick ? 1 : 2 })
					} catch (error) {
						failed.set(name, `failed: ${(error as Error).message.slice(0, 300)}`)
						log(`  ${name} ${failed.get(name)}`)
					}
				}
				for (const pass of [pages, [...pages].reverse()]) {
					for (const [name, probe] of pass) {
						if (failed.has(name)) continue
						try {
							const measured = windows.get(name) ?? []
							measured.push(await measureWindow(name, probe, measured.length === 0))
							windows.set(name, measured)
						} catch (error) {
							failed.set(name, `failed: ${(error as Error).message.slice(0, 300)}`)
							log(`  ${name} ${failed.get(name)}`)
						}
					}
				}
				const rps = new Map<string, number>()
				for (const [name] of pages) {
					const measured = windows.get(name)
					if (!measured || failed.has(name)) continue
					const requests = measured.reduce((sum, window) => sum + window.requests, 0)
					const seconds = measured.reduce((sum, window) => sum + window.seconds, 0)
					const failures = measured.reduce((sum, window) => sum + window.badStatus + window.errors, 0)
					rps.set(name, requests / seconds)
					raw[`${name}_rps`] = requests / seconds
					raw[`${name}_rps_windows`] = measured.map((window) => round(window.rps)).join(' / ')
					raw[`${name}_p99_ms`] = Math.max(...measured.map((window) => window.p99Ms))
					if (failures > 0) raw[`${name}_failures`] = failures
					log(
						`  ${name.padEnd(22)} ${round(requests / seconds)} requests/s (windows ${raw[`${name}_rps_windows`]}; p99 ${round(raw[`${name}_p99_ms`] as number)} ms${failures > 0 ? `, ${failures} failed` : ''})`,
					)
				}
				const pair = (key: RatioKey, measured: string, baseline: string) => {
					const a = rps.get(measured)
					const b = rps.get(baseline)
					if (a === undefined || b === undefined)
						missing[key] = failed.get(measured) ?? failed.get(baseline) ?? 'not measured'
					else ratios[key] = ratio(a, b)
				}
				pair('dashboard_1k_vs_login', 'dashboard_small_org', 'login')
				pair('dashboard_10k_vs_1k', 'dashboard_large_org', 'dashboard_small_org')
				pair('reporting_1m_vs_empty', 'reporting_large_ledger', 'reporting_empty_ledger')
				pair('evaluate_vs_healthz', 'evaluate_typical', 'healthz')
			})

			await phase('evaluate64', async () => {
				const big = evaluateProbe(adversarial)
				raw.evaluate_64kb_body_bytes = Buffer.byteLength(big.body!)
				const bigRuns = await sample(server.url, big, { count: quick ? 30 : 100 })
				if (bigRuns.failures > 0) raw.evaluate_64kb_failures = bigRuns.failures
				if (bigRuns.latencies.length === 0) throw new Error(`every one of the ${bigRuns.failures} requests failed`)
				ratios.evaluate_64kb_ms = median(bigRuns.latencies)
				log(`  evaluate, ${raw.evaluate_64kb_body_bytes} bytes: median ${round(ratios.evaluate_64kb_ms)} ms`)
			})

			// /healthz p99 idle, then while the import runs.
			await phase('import', async () => {
				await checkpointFirst(dbConfig.DATABASE_URL, log)
				const idle = await sample(server.url, { path: '/healthz' }, { count: quick ? 100 : 300, pauseMs: 20 })
				raw.healthz_idle_p99_ms = percentile(idle.latencies, 99)
				const csv = importCsv(sizes.importAccounts)
				raw.import_csv_bytes = csv.length
				let importDone!: () => void
				const importFinished = new Promise<void>((resolve) => (importDone = resolve))
				const during = sample(server.url, { path: '/healthz' }, { pauseMs: 20, stop: importFinished })
				try {
					const imported = await importThroughApp(server, seeded, cookie, csv)
					raw.import_app_s = imported.seconds
					raw.import_mode = imported.mode
				} catch (error) {
					missing.import_1m_vs_copy = `the import failed: ${(error as Error).message.slice(0, 200)}`
				} finally {
					importDone()
				}
				const busy = await during
				raw.healthz_during_import_p99_ms = percentile(busy.latencies, 99)
				raw.healthz_during_import_max_ms = Math.max(...busy.latencies)
				raw.healthz_during_import_samples = busy.latencies.length
				raw.healthz_during_import_failures = busy.failures
				ratios.healthz_p99_import_vs_idle = ratio(raw.healthz_during_import_p99_ms, raw.healthz_idle_p99_ms)
				log(
					`  import: ${raw.import_app_s === undefined ? 'failed' : `${round(raw.import_app_s as number)} s (${raw.import_mode})`}; /healthz p99 ${round(raw.healthz_idle_p99_ms)} ms idle, ${round(raw.healthz_during_import_p99_ms)} ms during (${busy.failures} not 200)`,
				)
			})
		} finally {
			await server.stop()
		}
	}

	// The rest in this process, on the same database (the server is stopped: PGlite has one owner).
	handle = openBenchDatabase(dbConfig)
	try {
		const { sql } = await import('drizzle-orm')
		// The import phase's second half: the raw COPY it is compared with (the server stopped, so PGlite is free).
		if (phases.has('import') && raw.import_app_s !== undefined) {
			const copyStarted = performance.now()
			try {
				const stored = (await handle.db.execute(
					sql`select count(*)::int as n from stored_accounts where app_id = ${seeded.importApp}`,
				)) as unknown as { rows: { n: number }[] } | { n: number }[]
				raw.import_rows_stored = Array.isArray(stored) ? stored[0]!.n : stored.rows[0]!.n
				const copy = await rawCopy(driver, handle, seeded.importApp, importCsv(sizes.importAccounts))
				raw.copy_s = copy.seconds
				raw.copy_how = copy.how
				raw.copy_rows = copy.rows
				ratios.import_1m_vs_copy = ratio(raw.import_app_s as number, copy.seconds)
				log(
					`  raw COPY of the same rows: ${round(copy.seconds)} s (${copy.how}); the import stored ${raw.import_rows_stored} rows`,
				)
			} catch (error) {
				missing.import_1m_vs_copy = `the raw COPY failed: ${(error as Error).message.slice(0, 300)}`
				log(`  ${missing.import_1m_vs_copy}`)
			}
			raw.phase_import_s = ((raw.phase_import_s as number | undefined) ?? 0) + (performance.now() - copyStarted) / 1000
			checkpoint()
		}

		await phase('reminders', async () => {
			const { runReminderPass } = await import('~/services/reminders.server')
			const { errors, restore } = captureConsoleErrors()
			t = performance.now()
			let pass: Awaited<ReturnType<typeof runReminderPass>>
			try {
				pass = await runReminderPass()
			} finally {
				restore()
			}
			const seconds = (performance.now() - t) / 1000
			raw.reminders_created = pass.created
			raw.reminders_s_per_1k_apps = seconds / ((sizes.smallOrgApps + sizes.largeOrgApps) / 1000)
			log(`  reminders pass over every organisation: ${round(seconds)} s, ${pass.created} created`)
			// The pass logs an organisation's failure and goes on: a figure over a failed organisation is no figure.
			if (errors.length > 0) throw new Error(`an organisation's reminders failed: ${errors[0]}`)
			ratios.reminders_10k_apps_s = seconds
		})

		await phase('reporter', async () => {
			const standIn = await reporterStandIn(handle.db, seeded)
			try {
				const { runReporterPass } = await import('~/services/reporter.server')
				t = performance.now()
				const { runs } = await runReporterPass({ appId: seeded.ledgerApp, force: true }, { log: () => {} })
				const seconds = (performance.now() - t) / 1000
				const run = runs[0]
				raw.report_batches = run?.batches ?? null
				raw.report_requests_seen = standIn.reportRequests().length
				raw.report_batches_per_s = (run?.batches ?? 0) / seconds
				log(`  reporter: ${round(seconds)} s, ${run?.status}, ${run?.batches} batches`)
				if (run?.status !== 'sent') {
					throw new Error(
						`the reporter's run ended ${run?.status ?? 'without a run'}${run?.error ? `: ${run.error}` : ''}`,
					)
				}
				ratios.report_1m_s = seconds
			} finally {
				await standIn.close()
			}
		})
	} finally {
		await closeDatabase()
	}

	if (driver === 'pglite' && !options.keep) rmSync(dataDir, { recursive: true, force: true })
	if (driver === 'postgres' && !options.keep) {
		const admin = postgres(adminUrl!, { max: 1, onnotice: () => {} })
		await admin.unsafe(`drop database if exists ${benchDatabase} with (force)`)
		await admin.end()
	}
	return blockNow(true)
}

/** console.error lines while `work` runs (the reminders pass logs an organisation's failure and goes on). */
function captureConsoleErrors() {
	const errors: string[] = []
	const original = console.error
	console.error = (...args: unknown[]) => {
		errors.push(args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' '))
		original(...args)
	}
	return { errors, restore: () => void (console.error = original) }
}

/** Merges one database's block into bench/results.json as it is on disk now, and rewrites the doc's section. */
function saveBlock(driver: Driver, block: DatabaseResults) {
	const onDisk: unknown = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {}
	// The keys of the phases left out with --phases keep their earlier figures (marked as such), not nothing.
	const carried = PHASES.filter((name) => !phases.has(name)).flatMap((name) => PHASE_KEYS[name])
	const merged = mergeResults(onDisk, driver, block, carried)
	writeFileSync(resultsPath, `${JSON.stringify(merged, null, '\t')}\n`)
	const document = existsSync(docPath)
		? readFileSync(docPath, 'utf8')
		: '# Performance\n\n<!-- bench:start -->\n<!-- bench:end -->\n'
	writeFileSync(docPath, replaceBetweenMarkers(document, performanceSection(merged)))
	return merged
}

let merged: ResultsFile | null = null
for (const driver of drivers) {
	try {
		merged = saveBlock(driver, await runDatabase(driver))
	} catch (error) {
		console.error(`\nThe ${driver} run stopped: ${(error as Error).stack ?? error}`, (error as Error).cause ?? '')
		process.exitCode = 1
	}
}
if (!merged) process.exit(1)
log(`\n${ratioTable(merged)}\n`)
log(`Wrote bench/results.json and docs/performance.md (${elapsed()}).`)
process.exit(process.exitCode ?? 0)
