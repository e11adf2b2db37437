// After the e2e suite (issue 15): is there anything shaped like an email
// address where Clearance keeps what Atlassian or an app sends it about
// Atlassian users? Clearance never stores an Atlassian user's email address
// (docs/rules.md). Run by scripts/e2e-server.ts once the server has stopped
// (PGlite allows one process on its folder), on the suite's database; writes
// its findings as JSON to the path in argv[2]; tests/e2e/stored-emails.teardown.ts
// reads them and fails when there are any.
//
// Every table and every text, JSON, array and bytea column is read, the new
// ones too. What is allowed where:
// - users, invites: the vendor's own staff, who sign in (not Atlassian users).
// - rate_limits, sessions: what was typed into the login form, hashed tokens.
// - the tables in ATLASSIAN_DATA: no address at all, whoever's.
// - everywhere else (audit log, notifications, reminders, email outbox,
//   webhook deliveries, …): the addresses of the organisation's staff only
//   (an audit event names who was invited; an email goes to a member).
import { writeFileSync } from 'node:fs'
import { configFromEnv, openDatabase } from '../db/client.server'
import { scanForStoredEmails } from './email-scan'

const output = process.argv[2]
if (!output) throw new Error('usage: tsx scripts/e2e-email-scan.ts <result.json>')

const handle = openDatabase(configFromEnv())
try {
	const scan = await scanForStoredEmails(handle.db)
	writeFileSync(output, JSON.stringify(scan, null, '\t'))
	const found = scan.findings.length
	console.log(
		`Email scan: ${scan.tables.length} tables read, ${found} address${found === 1 ? '' : 'es'} where none may be.`,
	)
} finally {
	await handle.close()
}
