// Seeds the benchmark's database at scale with set-based SQL (generate_series),
// not one insert per row: a person, a session, organisations of many apps, an
// app with a large ledger, an empty app, an app to import into, an API key.
import { performance } from 'node:perf_hooks'
import { sql } from 'drizzle-orm'
import { type Database } from '#db/client.server'
import { createApiKey } from '~/services/api-keys.server'
import { refreshDeadlines } from '~/services/dashboard.server'
import { rowsOf } from '~/utils/sql-rows.server'
import { newToken, hashToken } from '~/utils/tokens.server'

export type Sizes = {
	/** Apps in the smaller and the larger organisation (1,000 and 10,000 in a full run). */
	smallOrgApps: number
	largeOrgApps: number
	/** Accounts in the large ledger and in the import (1,000,000 each in a full run). */
	ledgerAccounts: number
	importAccounts: number
	/** Accounts stored per app of the two organisations, so their dashboards have figures to show. */
	accountsPerOrgApp: number
}

export type Seeded = {
	userId: string
	sessionToken: string
	apiKey: string
	smallOrg: { id: string; slug: string }
	largeOrg: { id: string; slug: string }
	ledgerOrg: { id: string; slug: string }
	ledgerApp: string
	emptyApp: string
	importApp: string
}

/** Account ids in Atlassian's documented shape (24 hex digits), distinct per `series`. */
export function benchAccountId(series: number, index: number): string {
	return `5be24ad8b16532${series.toString(16).padStart(2, '0')}${index.toString(16).padStart(8, '0')}`
}

const rows = async <T>(db: Database, query: ReturnType<typeof sql>) => rowsOf<T>(await db.execute(query))

async function org(db: Database, slug: string, name: string, userId: string) {
	const [created] = await rows<{ id: string }>(
		db,
		sql`insert into organizations (slug, name, time_zone) values (${slug}, ${name}, 'Pacific/Auckland') returning id`,
	)
	await db.execute(
		sql`insert into memberships (org_id, user_id, roles) values (${created!.id}, ${userId}, array['member', 'reviewer', 'admin']::role[])`,
	)
	return { id: created!.id, slug }
}

/** `count` apps that store personal data, stored since spread over the last 60 days, with a few accounts each. */
async function manyApps(db: Database, orgId: string, userId: string, count: number, accountsEach: number) {
	await db.execute(sql`
		insert into apps (org_id, name, app_key, app_type, products, stores_personal_data, personal_data_since,
			storing_since, storing_since_source, storing_since_set_by, storing_since_set_at, created_by)
		select ${orgId}::uuid, 'Bench app ' || i, 'com.bench.app-' || i, 'forge', array['jira'], 'yes',
			now() - (i % 60) * interval '1 day', now() - (i % 60) * interval '1 day', 'person', ${userId}, now(), ${userId}
		from generate_series(1, ${count}::int) as i`)
	if (accountsEach > 0) {
		await db.execute(sql`
			insert into stored_accounts (app_id, account_id, updated_at)
			select apps.id, '5be24ad8b1653240' || lpad(to_hex(n), 8, '0'), now() - interval '2 days'
			from apps cross join generate_series(1, ${accountsEach}::int) as n
			where apps.org_id = ${orgId}`)
	}
}

async function oneApp(db: Database, orgId: string, userId: string, key: string, name: string) {
	const [app] = await rows<{ id: string }>(
		db,
		sql`insert into apps (org_id, name, app_key, app_type, products, stores_personal_data, personal_data_since,
				storing_since, storing_since_source, storing_since_set_by, storing_since_set_at, created_by)
			values (${orgId}, ${name}, ${key}, 'forge', array['jira'], 'yes', now() - interval '10 days',
				now() - interval '10 days', 'person', ${userId}, now(), ${userId})
			returning id`,
	)
	return app!.id
}

/**
 * The ledger of `appId`: `count` accounts, written in statements of at most 250,000 rows (four for a million:
 * fewer statements, each still a bounded transaction for PGlite's memory; the indexes and the statement-level
 * triggers stay in place, since keeping them is part of what is measured).
 */
async function ledger(db: Database, appId: string, count: number, log: (line: string) => void) {
	const step = 250_000
	const started = performance.now()
	const elapsedOf = () => `${Math.round((performance.now() - started) / 1000)} s`
	for (let from = 0; from < count; from += step) {
		const to = Math.min(count, from + step) - 1
		await db.execute(sql`
			insert into stored_accounts (app_id, account_id, updated_at)
			select ${appId}::uuid, '5be24ad8b16532' || '01' || lpad(to_hex(i), 8, '0'), now() - interval '2 days' - (i % 1440) * interval '1 minute'
			from generate_series(${from}::int, ${to}::int) as i`)
		if (count > step)
			log(`  ledger: ${(to + 1).toLocaleString('en')} of ${count.toLocaleString('en')} (${elapsedOf()})`)
	}
}

export async function seed(db: Database, sizes: Sizes, log: (line: string) => void): Promise<Seeded> {
	const [user] = await rows<{ id: string }>(
		db,
		// No password that works: the benchmark signs in with a session it makes below.
		sql`insert into users (email, name, password_hash) values ('bench@clearance.test', 'Bench Person', 'not-a-password-hash') returning id`,
	)
	const userId = user!.id
	const sessionToken = newToken()
	await db.execute(
		sql`insert into sessions (token_hash, user_id, expires_at) values (${hashToken(sessionToken)}, ${userId}, now() + interval '2 days')`,
	)

	const smallOrg = await org(db, 'bench-small', 'Bench (smaller organisation)', userId)
	const largeOrg = await org(db, 'bench-large', 'Bench (larger organisation)', userId)
	const ledgerOrg = await org(db, 'bench-ledger', 'Bench (ledger)', userId)
	log(`Seeding ${sizes.smallOrgApps.toLocaleString('en')} and ${sizes.largeOrgApps.toLocaleString('en')} apps…`)
	await manyApps(db, smallOrg.id, userId, sizes.smallOrgApps, sizes.accountsPerOrgApp)
	await manyApps(db, largeOrg.id, userId, sizes.largeOrgApps, sizes.accountsPerOrgApp)

	const ledgerApp = await oneApp(db, ledgerOrg.id, userId, 'com.bench.ledger', 'Bench ledger')
	const emptyApp = await oneApp(db, ledgerOrg.id, userId, 'com.bench.empty', 'Bench empty')
	const importApp = await oneApp(db, ledgerOrg.id, userId, 'com.bench.import', 'Bench import')
	log(`Seeding a ledger of ${sizes.ledgerAccounts.toLocaleString('en')} accounts…`)
	await ledger(db, ledgerApp, sizes.ledgerAccounts, log)

	const { key: apiKey } = await createApiKey(ledgerOrg.id, null, { name: 'Benchmark', scopes: ['read'] })
	// Each app's kept deadline, as a server computes it at the organisation's first dashboard view; then
	// the planner's statistics as a server that has been running keeps them (runMaintenance; PGlite has no
	// autovacuum), not as a server would find them in the seconds after a bulk load nobody announced.
	log('Computing the kept deadlines and measuring the tables for the planner (ANALYZE)…')
	for (const { id } of [smallOrg, largeOrg, ledgerOrg]) await refreshDeadlines(id)
	await db.execute(sql`analyze`)
	return { userId, sessionToken, apiKey, smallOrg, largeOrg, ledgerOrg, ledgerApp, emptyApp, importApp }
}

/** The import file: `count` ids none of the seeded ledgers hold, as the import page takes them. */
export function importCsv(count: number): Buffer {
	const updatedAt = new Date(Date.now() - 86_400_000).toISOString()
	const lines = ['accountId,updatedAt']
	for (let i = 0; i < count; i++) lines.push(`${benchAccountId(2, i)},${updatedAt}`)
	return Buffer.from(`${lines.join('\n')}\n`)
}

/**
 * A local stand-in for Atlassian's reporting API, and the ledger app's reporting connection pointing at it
 * (a Forge web trigger with its secret sealed as Clearance seals it). The caller closes the stand-in.
 */
export async function reporterStandIn(db: Database, seeded: Seeded) {
	const { startAtlassianStandIn } = await import('../tests/fixtures/atlassian-stand-in')
	const { sealJson } = await import('~/utils/secret-box.server')
	const standIn = await startAtlassianStandIn()
	try {
		await db.execute(sql`
			insert into reporting_connections (app_id, org_id, kind, settings, secrets_ciphertext, created_by)
			values (${seeded.ledgerApp}, ${seeded.ledgerOrg.id}, 'forge_webtrigger', ${JSON.stringify({ url: standIn.webTriggerUrl })}::jsonb,
				${sealJson({ secret: standIn.webTriggerSecret }, `reporting-connection:${seeded.ledgerApp}`)}, ${seeded.userId})`)
	} catch (error) {
		await standIn.close()
		throw error
	}
	return standIn
}
