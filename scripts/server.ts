// npm run serve / npm start: serves the production build on PORT (3000). The build bundles this file into
// BUILD_DIR/server.mjs (scripts/server-bundle.ts), which scripts/serve.mjs runs in plain node once
// scripts/start.ts has checked the port (and built when the sources changed) and `scripts/db-setup.ts` has
// migrated; the tests also run it from source with tsx. On SIGTERM or SIGINT it stops taking
// connections, lets the requests in flight finish (at most
// SHUTDOWN_TIMEOUT_SECONDS) and the scheduler's round in progress, closes the
// database and exits. The scheduler (reminders, email, webhooks) runs unless
// CLEARANCE_SCHEDULER=off.
// SERVER_BUILD names another build module (the tests use a small one).
// The heap's growth and NODE_ENV, first (scripts/serve.mjs sets them the same way before the bundled entry).
import './server-settings.mjs'
import { existsSync } from 'node:fs'
import { type AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { installGlobals, type ServerBuild } from '@remix-run/node'

const { closeDatabase, configFromEnv, manageShutdown } = await import('../db/client.server')
// The database must stay open until the requests in flight are done: this script closes it.
manageShutdown()
const { env, trustProxySetting } = await import('../app/utils/env.server')
const { removeOrphanUploads } = await import('../app/utils/multipart.server')
const { runMaintenance } = await import('../app/services/maintenance.server')
const { startScheduler } = await import('../app/services/scheduled-jobs.server')
const { IMPORT_THREAD_ENTRY, startImportThread } = await import('../app/services/import-thread.server')
const { kickImportWorker } = await import('../app/services/import-jobs.server')
const { createServerApp } = await import('./server-app')
const { listenProblem } = await import('./port')

const settings = env()
const buildPath = path.resolve(
	process.env.SERVER_BUILD ?? path.join(process.env.BUILD_DIR ?? 'build', 'server/index.js'),
)
const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild
installGlobals({ nativeFetch: build.future.v3_singleFetch })

// Import jobs on a thread of their own on PostgreSQL, when the build has its entry beside this one (decision 030).
// A thread that fails leaves its jobs to this thread, starting at once with those it was asked to run.
const threadEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), IMPORT_THREAD_ENTRY)
const importThread =
	configFromEnv().driver === 'postgres' && existsSync(threadEntry)
		? startImportThread(threadEntry, { onFailure: kickImportWorker })
		: null
if (importThread) console.log('Import jobs run on a thread of their own.')

const removed = await removeOrphanUploads()
if (removed > 0) console.log(`Removed ${removed} upload folder${removed === 1 ? '' : 's'} left by earlier processes.`)

const { app, startDraining } = createServerApp({
	build,
	trustProxy: trustProxySetting(),
	hstsMaxAgeSeconds: settings.HSTS_MAX_AGE_SECONDS,
	log: process.env.NODE_ENV === 'test' ? undefined : (line) => console.log(line),
})

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST
const server = host ? app.listen(port, host) : app.listen(port)
server.on('listening', () => {
	const { port: actual } = server.address() as AddressInfo
	console.log(`Clearance is listening on http://${host ?? 'localhost'}:${actual}`)
})
// The port taken meanwhile (npm start checks it first), or not ours to take: one plain line and exit code 1, no stack trace.
server.on('error', (error) => {
	const problem = listenProblem(error, port, host)
	if (server.listening || !problem) throw error
	console.error(problem)
	clearInterval(maintenance)
	void Promise.all([scheduler?.stop(), importThread?.stop()])
		.then(() => closeDatabase())
		.finally(() => process.exit(1))
})

// Expired sessions and limit rows, now and every 10 minutes (any server may do it; the work is idempotent).
const maintain = () => runMaintenance().catch((error: unknown) => console.error('Maintenance failed:', error))
void maintain()
const maintenance = setInterval(maintain, 10 * 60 * 1000)
maintenance.unref()

// Reminders, email and webhook delivery: now and every CLEARANCE_SCHEDULER_INTERVAL_SECONDS, each job under an
// advisory lock so several servers (and a cron `npm run remind`) do it once. CLEARANCE_SCHEDULER=off turns it off.
const scheduler =
	settings.CLEARANCE_SCHEDULER === 'on'
		? startScheduler({
				intervalSeconds: settings.CLEARANCE_SCHEDULER_INTERVAL_SECONDS,
				onRound: (outcomes) => {
					const pass = outcomes.find((outcome) => outcome.name === 'reminders')?.value as
						{ created?: number } | undefined
					if (pass?.created) console.log(`Reminders: ${pass.created} new.`)
					// One line per round: what this server ran, and what another server (or a cron run) was running.
					const said = outcomes.map(
						({ name, ran, error }) => `${name} ${!ran ? 'skipped (running elsewhere)' : error ? 'failed' : 'done'}`,
					)
					console.log(`Scheduled jobs: ${said.join(', ')}.`)
				},
			})
		: null
if (scheduler) console.log(`Reminders run every ${settings.CLEARANCE_SCHEDULER_INTERVAL_SECONDS} s.`)

let stopping = false
function shutdown(signal: NodeJS.Signals) {
	if (stopping) return
	stopping = true
	console.log(`${signal}: finishing the requests in flight, then stopping.`)
	clearInterval(maintenance)
	startDraining()
	// No new connections; idle keep-alive ones close now, busy ones after their response.
	const closed = new Promise<void>((resolve) => server.close(() => resolve()))
	server.closeIdleConnections()
	const deadline = setTimeout(() => {
		console.error(`Requests still running after ${settings.SHUTDOWN_TIMEOUT_SECONDS} s: closing them.`)
		server.closeAllConnections()
	}, settings.SHUTDOWN_TIMEOUT_SECONDS * 1000)
	deadline.unref()
	// A scheduler round in progress finishes (its work is in transactions) before the database closes. An import
	// job stops where it is, as it would in-thread: another server (or this one restarted) resumes it from its
	// last committed batch once its heartbeat is stale.
	const stopped = Promise.all([scheduler?.stop(), importThread?.stop()])
	void Promise.all([closed, stopped])
		.then(() => closeDatabase())
		.then(
			() => process.exit(0),
			(error: unknown) => {
				console.error(error)
				process.exit(1)
			},
		)
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
