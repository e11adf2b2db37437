// What scripts/e2e-email-scan.ts runs after the e2e suite (see there), on any database handle, so an integration
// test can run it too (tests/integration/email-scan.test.ts).
import { sql } from 'drizzle-orm'
import { rowsOf as rowsOfResult } from '../app/utils/sql-rows.server'
import { type Database } from '../db/client.server'

const NOT_ATLASSIAN = new Set(['users', 'invites', 'rate_limits', 'sessions', '__drizzle_migrations'])
/** Tables of Atlassian data: no address at all may be in them, whoever's. */
export const ATLASSIAN_DATA = new Set([
	'stored_accounts',
	'account_actions',
	'prepared_reports',
	'report_runs',
	'reporter_runs',
	'reporting_connections',
	'import_jobs',
	'import_job_chunks',
	'import_job_rejections',
	'import_job_staged',
])
// An address as people write one; POSIX ARE in PostgreSQL (no capture group, so the whole match is returned).
const EMAIL = String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`

export type Finding = { table: string; column: string; address: string; rows: number }
export type EmailScan = { tables: string[]; staff: number; findings: Finding[] }

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

export async function scanForStoredEmails(db: Database): Promise<EmailScan> {
	const rowsOf = async <T>(query: string) => rowsOfResult<T>(await db.execute(sql.raw(query)))
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
	return { tables: [...tables].sort(), staff: staff.size, findings }
}
