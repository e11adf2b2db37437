// Profiling aid (not part of npm run bench): seeds an in-memory PGlite (or the database in DATABASE_URL, which
// must be an empty, migrated-or-new database of your own) at a chosen size and times the reminders pass over an
// organisation of [apps] apps and the reporter sending [accounts] accounts to the local stand-in for Atlassian.
//   node --import tsx bench/profile-passes.ts [accounts=20000] [apps=1000] [--reminders | --reporter]
// Add --cpu-prof before --import for a CPU profile of the run.
import { performance } from 'node:perf_hooks'

const accounts = Number(process.argv[2] ?? 20_000)
const apps = Number(process.argv[3] ?? 1_000)
if (!process.env.DATABASE_URL) process.env.DATA_DIR = 'memory://'
process.env.OUTBOUND_ALLOW_PRIVATE = 'true'
process.env.CLEARANCE_SECRET_KEY ??= Buffer.alloc(32, 7).toString('base64')
const { getDatabase } = await import('#db/client.server')
const handle = getDatabase()
await handle.migrate()
const { reporterStandIn, seed } = await import('./seed')
let t = performance.now()
const seeded = await seed(
	handle.db,
	{ smallOrgApps: 10, largeOrgApps: apps, ledgerAccounts: accounts, importAccounts: 0, accountsPerOrgApp: 3 },
	() => {},
)
console.log(`seed ${((performance.now() - t) / 1000).toFixed(1)} s`)
if (process.argv.includes('--reminders') || !process.argv.includes('--reporter')) {
	const { runReminderPass } = await import('~/services/reminders.server')
	t = performance.now()
	const pass = await runReminderPass()
	console.log(`reminders ${((performance.now() - t) / 1000).toFixed(1)} s, ${pass.created} created (${apps} apps)`)
}
if (process.argv.includes('--reporter') || !process.argv.includes('--reminders')) {
	const standIn = await reporterStandIn(handle.db, seeded)
	const { runReporterPass } = await import('~/services/reporter.server')
	t = performance.now()
	const { runs } = await runReporterPass({ appId: seeded.ledgerApp, force: true }, { log: () => {} })
	const s = (performance.now() - t) / 1000
	console.log(
		`reporter ${s.toFixed(1)} s, ${runs[0]?.status} ${runs[0]?.batches} batches, ${((runs[0]?.batches ?? 0) / s).toFixed(1)} batches/s ${runs[0]?.error ?? ''}`,
	)
	await standIn.close()
}
process.exit(0)
