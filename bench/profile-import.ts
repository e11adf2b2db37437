// Profiling aid (not part of npm run bench): the import job against a raw COPY of the same rows, measured in
// one process, in alternating rounds (the job then COPY, then COPY then the job...), so the ratio holds
// whatever the machine's load. Needs DATABASE_URL (an empty database of your own on PostgreSQL); PGlite in
// a fresh folder when it is not set.
//   node --import tsx bench/profile-import.ts [rows=200000] [rounds=3]
// Each round imports into an app of its own: the multipart body parsed (as the import route does), the
// upload stored in pieces, the job run (claim to end); then the raw COPY into a scratch table LIKE
// stored_accounts INCLUDING ALL, as bench/run.ts measures it. Prints each round and the sums' ratios.
import { rmSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { type PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { migrate, root } from './server'

const [rows = 200_000, rounds = 3] = process.argv
	.slice(2)
	.filter((arg) => /^\d+$/.test(arg))
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
const { parseMultipart, removeUploads, uploadedFile } = await import('~/utils/multipart.server')
const { rowsOf } = await import('~/utils/sql-rows.server')
const handle = getDatabase()
const db = handle.db
const one = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await db.execute(query))[0]!

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

/** The app's own path, into a fresh app: multipart, the upload stored, the job run. */
async function throughApp(round: number) {
	const { id: appId } = await one<{ id: string }>(sql`
		insert into apps (org_id, name, app_key, app_type, products, stores_personal_data, personal_data_since,
			storing_since, storing_since_source, storing_since_set_by, storing_since_set_at, created_by)
		select org_id, name || ${` ${round}`}, app_key || ${`.${round}`}, app_type, products, stores_personal_data,
			personal_data_since, storing_since, storing_since_source, storing_since_set_by, storing_since_set_at, created_by
		from apps where id = ${seeded.importApp}
		returning id`)
	let statements = 0
	const stop = onQuery(() => statements++)
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
	started = performance.now()
	const job = await jobs.createUploadJob(seeded.ledgerOrg.id, seeded.userId, appId, file, { atomic: false })
	const upload = seconds(started)
	await removeUploads(form)
	started = performance.now()
	const cpu = process.cpuUsage()
	await jobs.claimImportJob(jobs.WORKER_ID, { jobId: job.id })
	const ended = await jobs.runImportJob(job.id)
	const run = seconds(started)
	const used = process.cpuUsage(cpu)
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
	return { multipart, upload, run, statements }
}

/** The raw COPY, as bench/run.ts measures it. */
async function rawCopy() {
	await db.execute(sql.raw('drop table if exists bench_copy_scratch'))
	await db.execute(sql.raw('create table bench_copy_scratch (like stored_accounts including all)'))
	await db.execute(sql.raw(`alter table bench_copy_scratch alter column app_id set default '${seeded.importApp}'`))
	const statement = 'copy bench_copy_scratch (account_id, updated_at) from stdin with (format csv, header true)'
	const started = performance.now()
	if (handle.config.driver === 'postgres') {
		const client = postgres(handle.config.url, { max: 1, onnotice: () => {} })
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
	} else {
		const client = (db as unknown as { $client: PGlite }).$client
		await client.query(statement.replace('from stdin', "from '/dev/blob'"), [], {
			blob: new Blob([new Uint8Array(csv)]),
		})
	}
	const copy = seconds(started)
	await db.execute(sql.raw('drop table bench_copy_scratch'))
	return copy
}

const round2 = (value: number) => Math.round(value * 100) / 100
const sums = { multipart: 0, upload: 0, run: 0, copy: 0 }
console.log(`${handle.config.driver}, ${rows.toLocaleString('en')} rows, ${rounds} rounds (seconds)`)
for (let round = 1; round <= rounds; round++) {
	let app: Awaited<ReturnType<typeof throughApp>>
	let copy: number
	if (round % 2 === 1) {
		app = await throughApp(round)
		copy = await rawCopy()
	} else {
		copy = await rawCopy()
		app = await throughApp(round)
	}
	const total = app.multipart + app.upload + app.run
	sums.multipart += app.multipart
	sums.upload += app.upload
	sums.run += app.run
	sums.copy += copy
	console.log(
		`  round ${round}: multipart ${round2(app.multipart)}, upload ${round2(app.upload)}, job ${round2(app.run)} (${app.statements} statements); COPY ${round2(copy)}; app/COPY ${round2(total / copy)}, job/COPY ${round2(app.run / copy)}`,
	)
}
await closeDatabase()
const total = sums.multipart + sums.upload + sums.run
console.log(
	`  all rounds: app ${round2(total)} (multipart ${round2(sums.multipart)}, upload ${round2(sums.upload)}, job ${round2(sums.run)}), COPY ${round2(sums.copy)}`,
)
console.log(`  app/COPY ${round2(total / sums.copy)}, job/COPY ${round2(sums.run / sums.copy)}`)
