// npm run report -- [--app <id>] [--now] [--dry-run] [--json]
//
// Sends the personal-data reports that are due, as the server's scheduler
// does (issue 14): for each app with a reporting connection, under a per-app
// advisory lock, so running it beside the servers never sends a report twice.
//   --app <id>   one app only
//   --now        send even if not due yet (a person's explicit choice)
//   --dry-run    prepare and show the batch count and the first body; send nothing, write nothing
//   --json       print {"runs":[{"appId","status","batches","closed","updated","error"?}]} as the last line
// What happened, and why, goes to standard error. Exit code 1 when a run failed.
import { parseArgs } from 'node:util'

const USAGE = `Usage: npm run report -- [--app <id>] [--now] [--dry-run] [--json]

  --app       one app (its id, as in /o/<slug>/apps/<id>)
  --now       send even if the report is not due yet
  --dry-run   prepare and show what would be sent; send nothing, write nothing
  --json      print {"runs":[…]} as the last line of standard output
`

function fail(message: string, code: number): never {
	process.stderr.write(`${message}\n`)
	process.exit(code)
}

let values: { app?: string; now?: boolean; 'dry-run'?: boolean; json?: boolean; help?: boolean }
try {
	values = parseArgs({
		options: {
			app: { type: 'string' },
			now: { type: 'boolean' },
			'dry-run': { type: 'boolean' },
			json: { type: 'boolean' },
			help: { type: 'boolean', short: 'h' },
		},
		strict: true,
	}).values
} catch (error) {
	fail(`${(error as Error).message}\n\n${USAGE}`, 2)
}
if (values.help) {
	process.stdout.write(USAGE)
	process.exit(0)
}
const appId = values.app?.trim()
const { isUuid } = await import('../app/utils/ids')
if (appId !== undefined && !isUuid(appId)) {
	fail(`“${appId}” is not an app id: copy it from the app's address, /o/<slug>/apps/<id>.`, 2)
}

const { closeDatabase, getDatabase } = await import('../db/client.server')
const { DataFolderBusyError } = await import('../db/data-folder-lock')
let handle: ReturnType<typeof getDatabase>
try {
	handle = getDatabase()
} catch (error) {
	if (error instanceof DataFolderBusyError) {
		fail(
			`Cannot send reports now: ${error.message}\nThe running server sends them itself (its scheduler), and an admin can press “Send now” on an app's reporting page.`,
			1,
		)
	}
	throw error
}

let failed = false
try {
	await handle.migrate()
	const { runReporterPass } = await import('../app/services/reporter.server')
	const { runs } = await runReporterPass(
		{ appId, force: values.now === true, dryRun: values['dry-run'] === true },
		{ log: (line) => process.stderr.write(`${line}\n`) },
	)
	for (const run of runs) {
		if (run.dryRun) {
			process.stderr.write(
				`Dry run for app ${run.appId}: ${run.dryRun.batchCount} batch${run.dryRun.batchCount === 1 ? '' : 'es'}, ${run.dryRun.accountCount} account${run.dryRun.accountCount === 1 ? '' : 's'}. First body:\n${JSON.stringify(run.dryRun.firstBody, null, 2)}\n`,
			)
		}
	}
	if (runs.length === 0) process.stderr.write('No app has a reporting connection: nothing to send.\n')
	failed = runs.some((run) => run.status === 'failed')
	if (values.json) {
		// Exactly the documented keys, in this order; `error` only when there is one.
		const line = {
			runs: runs.map((run) => ({
				appId: run.appId,
				status: run.status,
				batches: run.batches,
				closed: run.closed,
				updated: run.updated,
				...(run.error ? { error: run.error } : {}),
			})),
		}
		process.stdout.write(`${JSON.stringify(line)}\n`)
	} else {
		for (const run of runs) {
			process.stdout.write(
				`${run.appId} ${run.status}: ${run.batches} batch${run.batches === 1 ? '' : 'es'}, ${run.closed} closed, ${run.updated} updated${run.error ? ` — ${run.error}` : ''}\n`,
			)
		}
	}
} finally {
	await closeDatabase()
}
process.exit(failed ? 1 : 0)
