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
import { sql } from 'drizzle-orm'
import { configFromEnv, openDatabase } from '../db/client.server'

const NOT_ATLASSIAN = new Set(['users', 'invites', 'rate_limits', 'sessions', '__drizzle_migrations'])
const ATLASSIAN_DATA = new Set([
	'stored_accounts',
	'account_actions',
	'prepared_reports',
	'report_runs',
	'reporter_runs',
	'reporting_connections',
	'app_ledger_stats',
	'import_jobs',
	'import_job_chunks',
	'import_job_rejections',
	'import_job_staged',
])
// An address as people write one; POSIX ARE in PostgreSQL (no capture group, so the whole match is returned).
const EMAIL = String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`

export type Finding = { table: string; column: string; address: string; rows: number }

const output = process.argv[2]
if (!output) throw new Error('usage: tsx scripts/e2e-email-scan.ts <result.json>')

const handle = openDatabase(configFromEnv())
const rowsOf = async <T>(query: string) => {
	const result = (await handle.db.execute(sql.raw(query))) as unknown as { rows?: T[] } | T[]
	return Array.isArray(result) ? result : (result.rows ?? [])
}
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

try {
	const columns = await rowsOf<{ table_name: string; column_name: string; data_type: string }>(
		`select table_name, column_name, data_type from information_schema.columns
		 where table_schema = 'public' and data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY', 'bytea')
		 order by table_name, column_name`,
	)
	const staff = new Set(
		(
			await rowsOf<{ email: string }>(
				'select lower(email) as email from users union select lower(email) as email from invites',
			)
		).map((row) => row.email),
	)
	const findings: Finding[] = []
	const tables = new Set<string>()
	for (const { table_name: table, column_name: column, data_type: type } of columns) {
		if (NOT_ATLASSIAN.has(table)) continue
		tables.add(table)
		const text = type === 'bytea' ? `encode(${quote(column)}, 'escape')` : `${quote(column)}::text`
		const matches = await rowsOf<{ address: string; rows: number | string }>(
			`select lower(m[1]) as address, count(*) as rows
			 from ${quote(table)}, regexp_matches(${text}, '${EMAIL}', 'g') as m
			 group by 1`,
		)
		for (const match of matches) {
			if (!ATLASSIAN_DATA.has(table) && staff.has(match.address)) continue
			findings.push({ table, column, address: match.address, rows: Number(match.rows) })
		}
	}
	writeFileSync(output, JSON.stringify({ tables: [...tables].sort(), staff: staff.size, findings }, null, '\t'))
	console.log(
		`Email scan: ${tables.size} tables read, ${findings.length} address${findings.length === 1 ? '' : 'es'} where none may be.`,
	)
} finally {
	await handle.close()
}
