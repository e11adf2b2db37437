// npx tsx bench/explain.ts [accounts]: the plans behind docs/performance.md › Indexes.
// Seeds an in-memory PGlite (the migrations, then bulk `insert … select … from generate_series`)
// with one app of `accounts` stored accounts (300,000 by default), 1,000 other apps, 12,000 open
// tasks and 200,000 audit events, then prints `EXPLAIN ANALYZE` of each query the ledger, the
// dashboard and the audit log run, as Markdown. It asserts nothing: read the plans.
import { sql } from 'drizzle-orm'
import { openDatabase } from '#db/client.server'

const ACCOUNTS = Number(process.argv[2] ?? 300_000)
const ORG = '00000000-0000-4000-8000-000000000001'
const APP = '00000000-0000-4000-8000-000000000002'

const handle = openDatabase({ driver: 'pglite', dataDir: 'memory://' })
const run = async (text: string) => {
	const result = (await handle.db.execute(sql.raw(text))) as unknown as { rows: Record<string, unknown>[] }
	return result.rows
}

async function seed() {
	await handle.migrate()
	await run(`insert into organizations (id, slug, name) values ('${ORG}', 'bench', 'Bench')`)
	await run(`insert into apps (id, org_id, name, app_key, app_type, stores_personal_data)
		values ('${APP}', '${ORG}', 'Big', 'com.bench.big', 'forge', 'yes')`)
	await run(`insert into apps (org_id, name, app_key, app_type, stores_personal_data)
		select '${ORG}', 'App ' || i, 'com.bench.app-' || i, 'forge', 'yes' from generate_series(1, 1000) i`)
	// One statement, as a bulk import writes: the statement-level triggers keep app_ledger_stats.
	await run(`insert into stored_accounts (app_id, account_id, updated_at)
		select '${APP}', md5(i::text), now() - (i % 5000) * interval '1 hour' from generate_series(1, ${ACCOUNTS}) i`)
	await run(`insert into stored_accounts (app_id, account_id, updated_at)
		select a.id, 'acc-' || i, now() - i * interval '1 day' from apps a, generate_series(1, 20) i where a.id <> '${APP}'`)
	const [runRow] =
		await run(`insert into report_runs (org_id, app_id, sent_at, account_count, batch_count, closed_count, sent_by_clearance)
		values ('${ORG}', '${APP}', now(), ${ACCOUNTS}, ${Math.ceil(ACCOUNTS / 90)}, 12000, true) returning id`)
	await run(`insert into account_actions (org_id, app_id, run_id, account_id, kind, due_at)
		select '${ORG}', '${APP}', '${runRow!.id as string}', md5(i::text), 'erase', now() + interval '30 days'
		from generate_series(1, 12000) i`)
	await run(`insert into audit_events (org_id, action, subject_type, subject_id, created_at)
		select '${ORG}', (array['app.updated', 'app.created', 'ledger.imported'])[1 + i % 3], 'app', '${APP}',
			now() - i * interval '1 minute' from generate_series(1, 200000) i`)
	await run('analyze')
}

const mid = async () => (await run(`select md5('${Math.floor(ACCOUNTS / 2)}') as id`))[0]!.id as string
const taskId = async () =>
	(
		await run(
			`select id from account_actions where app_id = '${APP}' order by due_at, account_id, id offset 6000 limit 1`,
		)
	)[0]!.id as string
const auditId = async () =>
	(
		await run(
			`select id from audit_events where org_id = '${ORG}' order by created_at desc, id desc offset 100000 limit 1`,
		)
	)[0]!.id as string

async function cases(): Promise<{ title: string; index: string; query: string }[]> {
	const after = await mid()
	const task = await taskId()
	const audit = await auditId()
	return [
		{
			title: 'The ledger figures (count, oldest updatedAt, first stored) of one app',
			index: 'app_ledger_stats_pkey',
			query: `select account_count, oldest_updated_at, first_stored_at from app_ledger_stats where app_id = '${APP}'`,
		},
		{
			title: 'Ledger: the first page',
			index: 'stored_accounts_app_id_account_id_pk',
			query: `select account_id, updated_at, created_at from stored_accounts where app_id = '${APP}' order by account_id limit 51`,
		},
		{
			title: 'Ledger: a page in the middle (?after=…)',
			index: 'stored_accounts_app_id_account_id_pk',
			query: `select account_id, updated_at, created_at from stored_accounts where app_id = '${APP}' and account_id > '${after}' order by account_id limit 51`,
		},
		{
			title: 'Ledger: the last page (?last=1)',
			index: 'stored_accounts_app_id_account_id_pk (backward)',
			query: `select account_id, updated_at, created_at from stored_accounts where app_id = '${APP}' order by account_id desc limit 51`,
		},
		{
			title: 'Ledger: search by account-id prefix (?q=ab)',
			index: 'stored_accounts_app_id_account_id_pk (ids compare bytewise, migration 0017)',
			query: `select account_id, updated_at, created_at from stored_accounts where app_id = '${APP}' and account_id like 'ab%' order by account_id limit 51`,
		},
		{
			title: 'Ledger: matches of a search, counted up to 1,000 (?q=a)',
			index: 'stored_accounts_app_id_account_id_pk (ids compare bytewise, migration 0017)',
			query: `select count(*) from (select 1 from stored_accounts where app_id = '${APP}' and account_id like 'a%' limit 1001) found`,
		},
		{
			title: 'The oldest updatedAt, read back by the triggers when accounts leave or change',
			index: 'stored_accounts_updated_idx',
			query: `select min(updated_at) from stored_accounts where app_id = '${APP}'`,
		},
		{
			title: 'Dashboard: every app with its ledger figures and pending Cycle-Period (one query for 1,001 apps)',
			index: 'apps by org, app_ledger_stats_pkey, report_runs_pkey',
			query: `select a.id, s.oldest_updated_at, r.cycle_period_days from apps a
				left join app_ledger_stats s on s.app_id = a.id
				left join report_runs r on r.org_id = a.org_id and r.id = a.pending_cycle_run_id
				where a.org_id = '${ORG}' and a.archived_at is null`,
		},
		{
			title: 'Dashboard: open tasks per app',
			index: 'account_actions_app_open_idx',
			query: `select app_id, count(*) from account_actions where org_id = '${ORG}'
				and app_id in (select id from apps where org_id = '${ORG}') and completed_at is null group by app_id`,
		},
		{
			title: 'Reporting page: a page of open tasks (?tasksAfter=…)',
			index: 'account_actions_app_open_idx',
			query: `select id, account_id, kind, due_at from account_actions where org_id = '${ORG}' and app_id = '${APP}' and completed_at is null
				and (due_at, account_id, id) > (select a.due_at, a.account_id, a.id from account_actions a where a.id = '${task}')
				order by due_at, account_id, id limit 51`,
		},
		{
			title: 'Audit log: the newest page',
			index: 'audit_events_org_created_idx',
			query: `select id, action, created_at from audit_events where org_id = '${ORG}' order by created_at desc, id desc limit 51`,
		},
		{
			title: 'Audit log: a page 100,000 events deep (?before=…)',
			index: 'audit_events_org_created_idx',
			query: `select id, action, created_at from audit_events where org_id = '${ORG}'
				and (created_at, id) < (select e.created_at, e.id from audit_events e where e.id = ${audit} and e.org_id = '${ORG}')
				order by created_at desc, id desc limit 51`,
		},
		{
			title: 'Audit log: the pick list of actions (a loose index scan)',
			index: 'audit_events_org_action_idx',
			query: `with recursive distinct_values(value) as (
				(select action from audit_events where org_id = '${ORG}' order by action limit 1)
				union all
				select (select action from audit_events where org_id = '${ORG}' and action > distinct_values.value order by action limit 1)
				from distinct_values where distinct_values.value is not null)
				select value from distinct_values where value is not null`,
		},
	]
}

await seed()
console.log(
	`Measured on PGlite (in memory) with ${ACCOUNTS.toLocaleString('en-GB')} stored accounts in one app, 1,000 other apps of 20 accounts, 12,000 open tasks and 200,000 audit events (\`npx tsx bench/explain.ts ${ACCOUNTS}\`).\n`,
)
for (const { title, index, query } of await cases()) {
	const plan = await run(`explain (analyze, costs off) ${query}`)
	console.log(
		`### ${title}\n\nIndex: \`${index}\`\n\n\`\`\`sql\n${query.replace(/\n\t+/g, '\n  ')}\n\`\`\`\n\n\`\`\`\n${plan.map((row) => row['QUERY PLAN']).join('\n')}\n\`\`\`\n`,
	)
}
await handle.close()
