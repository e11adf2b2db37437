import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { isAlive } from '#db/data-folder-lock'

export const TEST_DATABASE_PREFIX = 'clearance_test_'

/**
 * Points this worker at its own database before anything opens one:
 * PGlite in memory, or a fresh `clearance_test_<worker>` database on the
 * PostgreSQL server named by DATABASE_URL. Then applies the migrations.
 */
export async function prepareWorkerDatabase() {
	const base = process.env.DATABASE_URL
	if (base) {
		// Unique per worker process, and named after the run (the forks pool's main process) so that
		// tests/setup/global.ts drops this run's databases and no other run's on a shared server.
		const name = `${TEST_DATABASE_PREFIX}${process.ppid}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
		const admin = postgres(base, { max: 1, onnotice: () => {} })
		await admin.unsafe(`create database ${name}`)
		await admin.end()
		const url = new URL(base)
		url.pathname = `/${name}`
		process.env.DATABASE_URL = url.toString()
	} else {
		process.env.DATA_DIR = 'memory://'
	}
	const { getDatabase } = await import('#db/client.server')
	await getDatabase().migrate()
}

/**
 * Empties every application table. The audit log's append-only trigger is bypassed for this alone.
 * The rate-limit windows PGlite keeps in memory instead of in `rate_limits` are forgotten with them.
 */
export async function resetDatabase() {
	const { db } = await import('#db/client.server')
	const { forgetRateLimitWindows } = await import('~/services/rate-limit.server')
	forgetRateLimitWindows()
	const rows = await db.execute<{ tablename: string }>(sql`select tablename from pg_tables where schemaname = 'public'`)
	const tables = (Array.isArray(rows) ? rows : (rows as { rows: { tablename: string }[] }).rows).map(
		(row) => `"public"."${row.tablename}"`,
	)
	if (tables.length === 0) return
	await db.transaction(async (tx) => {
		await tx.execute(sql`set local session_replication_role = replica`)
		await tx.execute(sql.raw(`truncate ${tables.join(', ')} restart identity cascade`))
	})
}

/**
 * Drops the per-worker test databases of the run whose main process is `runPid`, and those left by runs
 * that are over (their main process is gone, or the name is of an older shape); never those of a run still
 * going on the same server (another engineer's, another CI job's).
 */
export async function dropTestDatabases(base: string, runPid: number) {
	const admin = postgres(base, { max: 1, onnotice: () => {} })
	try {
		const rows = await admin<{ datname: string }[]>`
			select datname from pg_database where datname like ${`${TEST_DATABASE_PREFIX}%`}`
		for (const { datname } of rows) {
			const owner = Number(/^clearance_test_(\d+)_\d+_[a-z0-9]+$/.exec(datname)?.[1])
			if (owner !== runPid && Number.isSafeInteger(owner) && isAlive(owner)) continue
			await admin.unsafe(`drop database if exists "${datname}" with (force)`)
		}
	} finally {
		await admin.end()
	}
}
