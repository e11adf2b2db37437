// Runs before the server starts: migrate, then seed the demo organisation
// when the embedded database is empty (or when SEED_DEMO=true). A real
// PostgreSQL is never seeded unless asked: no known password in production.
import { sql } from 'drizzle-orm'
import { closeDatabase, getDatabase, MIGRATION_LOCK_ID } from '#db/client.server'
import { DEMO_ORG, DEMO_PASSWORD, DEMO_USERS, hasDemoOrg, isEmpty, seedDemo } from '#db/seed'
import { ROLE_LABELS } from '~/domain/roles'
import { env } from '~/utils/env.server'

const { SEED_DEMO } = env()
const handle = getDatabase()
const where = handle.config.driver === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${handle.config.dataDir}`
// On PostgreSQL, migrate holds an advisory lock (db/client.server.ts › withMigrationLock).
await handle.migrate()
console.log(`Database ready: ${where}.`)

let shouldSeed = false
if (handle.config.driver === 'postgres') {
	// Several servers starting at once: one seeds while the others wait for its lock
	// (held by this transaction), then find the demo there (seeding is idempotent).
	// PGlite needs none: one process owns its data folder.
	await handle.db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID + 1})`)
		shouldSeed = SEED_DEMO === 'true'
		if (shouldSeed) await seedDemo(handle.db)
	})
} else {
	shouldSeed = SEED_DEMO === 'true' || (SEED_DEMO === undefined && (await isEmpty(handle.db)))
	if (shouldSeed) await seedDemo(handle.db)
}
if (shouldSeed || (handle.config.driver === 'pglite' && (await hasDemoOrg(handle.db)))) {
	console.log(
		[
			'',
			`  Demo organisation "${DEMO_ORG.name}" is ready. Log in at http://localhost:${process.env.PORT ?? 3000}/login`,
			...DEMO_USERS.map(
				(user) => `    ${user.email.padEnd(20)} ${user.roles.map((role) => ROLE_LABELS[role]).join(', ')}`,
			),
			`  Password for all three: ${DEMO_PASSWORD}`,
			'',
		].join('\n'),
	)
}
await closeDatabase()
