import { dropTestDatabases } from './test-database'

// Runs once in the main vitest process: clean up the per-worker PostgreSQL
// databases before (left over from an interrupted run) and after the tests.
export default async function globalSetup() {
	const base = process.env.DATABASE_URL
	if (!base) return
	await dropTestDatabases(base)
	return async () => {
		await dropTestDatabases(base)
	}
}
