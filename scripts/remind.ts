// npm run remind [-- --json]
//
// One reminder pass, for cron (issue 13): applies the migrations, stores and
// sends today's reminders, then delivers the email (and webhook calls) that
// are due. Safe to run while servers run their own scheduler: the pass takes
// the PostgreSQL advisory lock `reminders`, and a reminder exists once per
// (subject, kind, due day, offset), so nothing is sent twice.
// With --json the last line of standard output is {"created": n, "skipped": m}.
// On the embedded database it refuses while a server holds the data folder
// (that server's own scheduler sends the reminders).
import { parseArgs } from 'node:util'

const USAGE = `Usage: npm run remind [-- --json]

  --json   print {"created": n, "skipped": m} as the last line
`

function fail(message: string, code: number): never {
	process.stderr.write(`${message}\n`)
	process.exit(code)
}

let values: { json?: boolean; help?: boolean }
try {
	values = parseArgs({
		options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
		strict: true,
	}).values
} catch (error) {
	fail(`${(error as Error).message}\n\n${USAGE}`, 2)
}
if (values.help) {
	process.stdout.write(USAGE)
	process.exit(0)
}

const { closeDatabase, getDatabase } = await import('../db/client.server')
const { DataFolderBusyError } = await import('../db/data-folder-lock')
let handle: ReturnType<typeof getDatabase>
try {
	handle = getDatabase()
} catch (error) {
	if (error instanceof DataFolderBusyError) {
		fail(
			`Cannot run reminders now: ${error.message}\nThe server running on this folder sends reminders itself (unless CLEARANCE_SCHEDULER=off).`,
			1,
		)
	}
	throw error
}

let exitCode = 0
try {
	await handle.migrate()
	const { runReminderPass } = await import('../app/services/reminders.server')
	const { runEmailJob } = await import('../app/services/email.server')
	const { deliverPendingWebhooks } = await import('../app/services/webhooks.server')
	const pass = await runReminderPass()
	if (!pass.ran) process.stderr.write('Another reminder pass is running now; this one did nothing.\n')
	else
		process.stderr.write(
			`Reminders: ${pass.created} new, ${pass.skipped} already sent earlier${pass.created + pass.skipped === 0 ? ' (nothing due today)' : ''}.\n`,
		)
	// Delivery failures are kept in the outboxes and retried later; they do not fail the pass.
	for (const [name, deliver] of [
		['Email', () => runEmailJob()],
		['Webhooks', () => deliverPendingWebhooks()],
	] as const) {
		try {
			process.stderr.write(`${name}: ${JSON.stringify(await deliver())}\n`)
		} catch (error) {
			exitCode = 1
			process.stderr.write(`${name} delivery failed: ${(error as Error).message}\n`)
		}
	}
	const result = { created: pass.created, skipped: pass.skipped }
	const words = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
	process.stdout.write(
		values.json
			? `${JSON.stringify(result)}\n`
			: `${words(result.created, 'reminder')} created, ${words(result.skipped, 'reminder')} already sent.\n`,
	)
} finally {
	await closeDatabase()
}
process.exit(exitCode)
