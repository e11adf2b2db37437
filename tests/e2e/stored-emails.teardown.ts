// After the whole suite (the `after the suite` project in playwright.config.ts runs it once every other test has
// finished, passed or not): nothing shaped like an email address where Clearance keeps Atlassian data, since it
// never stores an Atlassian user's email address (docs/rules.md). The server is stopped for it (PGlite lets one
// process at a time open its folder); scripts/e2e-email-scan.ts reads every table and says which addresses it found.
import { existsSync, readFileSync } from 'node:fs'
import { e2ePidFile, expect, test } from './utils'

type Scan = {
	error?: string
	tables: string[]
	staff: number
	findings: { table: string; column: string; address: string; rows: number }[]
}

test('no email address stored where Atlassian data is kept, after the e2e suite', async () => {
	test.setTimeout(300_000)
	const pidFile = e2ePidFile()
	process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGUSR2')
	const resultFile = `${pidFile}.email-scan.json`
	await expect.poll(() => existsSync(resultFile), { timeout: 240_000 }).toBe(true)
	const scan = JSON.parse(readFileSync(resultFile, 'utf8')) as Scan
	expect(scan.error).toBeUndefined()
	console.log(
		`Email scan: ${scan.tables.length} tables read (${scan.tables.join(', ')}); ${scan.staff} staff addresses allowed outside the Atlassian tables; ${scan.findings.length} found where none may be.`,
	)
	expect(scan.tables).toEqual(expect.arrayContaining(['stored_accounts', 'account_actions', 'report_runs']))
	expect(scan.findings).toEqual([])
})
