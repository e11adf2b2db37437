import { dropTestDatabases } from './test-database'

// Runs once in the main vitest process: clean up the per-worker PostgreSQL
// databases before (left over from an interrupted run) and after the tests; never another run's.
export default async function globalSetup() {
	// The migrated embedded database the process-starting tests copy (tests/integration/process-helpers.ts): made here,
	// once, before the workers start (kept across runs), not in a test's hook racing the other worker for the CPU.
	const { migratedTemplate } = await import('../integration/process-helpers')
	await migratedTemplate()
	const base = process.env.DATABASE_URL
	if (!base) return
	// The workers (forks) name their databases after this process: see prepareWorkerDatabase.
	await dropTestDatabases(base, process.pid)
	return async () => {
		await dropTestDatabases(base, process.pid)
	}
}
