import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import { type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { lockDataFolder } from './data-folder-lock'
import { pgliteOptions } from './pglite-settings'
import { preparingStatements } from './prepared-statements'
import * as schema from './schema'

/** The drizzle API both drivers share; services depend on nothing more. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>
/** A transaction handle, for helpers that must join the caller's transaction. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0]

export type DatabaseConfig = { driver: 'postgres'; url: string } | { driver: 'pglite'; dataDir: string }

export interface DatabaseHandle {
	db: Database
	config: DatabaseConfig
	migrate(): Promise<void>
	close(): Promise<void>
}

const migrationsFolder = path.resolve(process.cwd(), 'db/migrations')

/** Called with every SQL statement drizzle sends (both drivers, inside transactions too). */
export type QueryListener = (query: string, params: unknown[]) => void
const queryListeners = new Set<QueryListener>()

/**
 * Listens to every statement sent through drizzle until the returned function is called: tests count the
 * queries a page costs (tests/integration/dashboard-queries.test.ts). Nothing listens in production.
 */
export function onQuery(listener: QueryListener): () => void {
	queryListeners.add(listener)
	return () => queryListeners.delete(listener)
}

const logger = {
	logQuery(query: string, params: unknown[]) {
		for (const listener of queryListeners) listener(query, params)
	},
}

/**
 * `DATABASE_URL` selects PostgreSQL; otherwise PGlite in the `pglite`
 * folder of `DATA_DIR` (default `./.data`). `DATA_DIR=memory://` gives a
 * throwaway in-memory instance.
 */
export function configFromEnv(env: Record<string, string | undefined> = process.env): DatabaseConfig {
	if (env.DATABASE_URL) return { driver: 'postgres', url: env.DATABASE_URL }
	const dataDir = env.DATA_DIR || path.resolve(process.cwd(), '.data')
	return {
		driver: 'pglite',
		dataDir: dataDir.startsWith('memory://') ? dataDir : path.join(path.resolve(dataDir), 'pglite'),
	}
}

export function openDatabase(config: DatabaseConfig): DatabaseHandle {
	if (config.driver === 'postgres') {
		const outage = outageOptions()
		const client = preparingStatements(
			postgres(config.url, {
				max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
				onnotice: () => {},
				...outage,
				// Prepared statements (preparingStatements) are still planned for their own values at every
				// execution: one app's ledger holds a million accounts and the next none, and a plan made once
				// for all of them could suit neither.
				connection: { plan_cache_mode: 'force_custom_plan', ...outage.connection },
			}),
		)
		const db = drizzlePostgres({ client, schema, casing: 'snake_case', logger })
		return {
			db: db as unknown as Database,
			config,
			migrate: () => withMigrationLock(client, () => migratePostgres(db, { migrationsFolder })),
			close: () => client.end({ timeout: 5 }),
		}
	}
	const inMemory = config.dataDir.startsWith('memory://')
	// PGlite creates the data folder itself but not its parents.
	if (!inMemory) mkdirSync(path.dirname(config.dataDir), { recursive: true })
	// One process per folder (db/data-folder-lock.ts): a second one is refused with a message, not let in to corrupt it.
	const release = inMemory ? () => {} : lockDataFolder(config.dataDir)
	const client = new PGlite(config.dataDir, pgliteOptions())
	const db = drizzlePglite({ client, schema, casing: 'snake_case', logger })
	return {
		db: db as unknown as Database,
		config,
		// No lock: PGlite is opened by one process only (its data folder is locked), so no two migrations can race.
		migrate: () => migratePglite(db, { migrationsFolder }),
		close: () => client.close().finally(release),
	}
}

/**
 * No request waits forever for a database that does not answer
 * (docs/decisions/018-database-outages.md): a connection not ready within
 * DATABASE_CONNECT_TIMEOUT_SECONDS (default 10) fails, and is answered as an
 * outage (a 503). DATABASE_STATEMENT_TIMEOUT_SECONDS (default none: imports
 * and the benchmark run long statements) bounds each statement on the server.
 */
export function outageOptions(env: Record<string, string | undefined> = process.env) {
	const seconds = (name: string) => {
		const value = Number(env[name])
		return Number.isFinite(value) && value > 0 ? value : undefined
	}
	const statementSeconds = seconds('DATABASE_STATEMENT_TIMEOUT_SECONDS')
	return {
		connect_timeout: seconds('DATABASE_CONNECT_TIMEOUT_SECONDS') ?? 10,
		...(statementSeconds ? { connection: { statement_timeout: Math.round(statementSeconds * 1000) } } : {}),
	}
}

/** Any fixed number, the same for every Clearance server: the advisory lock migrations hold. */
export const MIGRATION_LOCK_ID = 4_206_622_010

/**
 * Runs `migrate` holding a PostgreSQL advisory lock, so several servers
 * starting at once apply the migrations one after the other: the first
 * applies them, the others wait, then find nothing left to do. The lock is
 * taken on one reserved connection (a session lock belongs to its
 * connection) and released even when the migration fails.
 */
export async function withMigrationLock<T>(client: postgres.Sql, migrate: () => Promise<T>): Promise<T> {
	const connection = await client.reserve()
	try {
		await connection`select pg_advisory_lock(${MIGRATION_LOCK_ID})`
		try {
			return await migrate()
		} finally {
			await connection`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`
		}
	} finally {
		connection.release()
	}
}

/** True when the database answers a trivial query within `timeoutMs`. */
export async function ping(db: Database, timeoutMs = 2000): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined
	const timeout = new Promise<false>((resolve) => {
		timer = setTimeout(() => resolve(false), timeoutMs)
	})
	try {
		return await Promise.race([db.execute(sql`select 1`).then(() => true), timeout])
	} catch {
		return false
	} finally {
		clearTimeout(timer)
	}
}

// One handle per process, kept on globalThis so dev-server reloads reuse it:
// PGlite allows a single process per data folder.
const globalForDb = globalThis as unknown as {
	__clearanceDb?: DatabaseHandle
	__clearanceShutdownManaged?: boolean
}

/**
 * The caller (scripts/server.ts) closes the database itself once requests in
 * flight are done; without this the handle would close, and the process
 * exit, on the first SIGTERM.
 */
export function manageShutdown() {
	globalForDb.__clearanceShutdownManaged = true
}

export function getDatabase(): DatabaseHandle {
	if (!globalForDb.__clearanceDb) {
		const handle = openDatabase(configFromEnv())
		globalForDb.__clearanceDb = handle
		registerShutdown(handle)
	}
	return globalForDb.__clearanceDb
}

/** Close the shared handle (scripts and tests call this when they finish). */
export async function closeDatabase() {
	const handle = globalForDb.__clearanceDb
	globalForDb.__clearanceDb = undefined
	await handle?.close()
}

function registerShutdown(handle: DatabaseHandle) {
	// Without this an open PGlite (or pool) keeps the server from exiting.
	for (const signal of ['SIGTERM', 'SIGINT'] as const) {
		process.once(signal, () => {
			if (globalForDb.__clearanceShutdownManaged) return
			handle.close().finally(() => process.exit(0))
		})
	}
}

/** The shared database; opened on first use. */
export const db: Database = new Proxy({} as Database, {
	get(_target, property) {
		const real = getDatabase().db as unknown as Record<PropertyKey, unknown>
		const value = real[property]
		return typeof value === 'function' ? value.bind(real) : value
	},
})
