import { sql } from 'drizzle-orm'
import { expect, test } from 'vitest'
import { db } from '#db/client.server'
import { runMaintenance } from '~/services/maintenance.server'
import { rowsOf } from '~/utils/sql-rows.server'
import { createOrg } from '../fixtures/world'

// The embedded database runs no autovacuum: without the maintenance, a table that grew stays planned as
// it was when last measured (or as empty, never measured), which is what made the dashboard of 10,000 apps
// a nested loop of 10,000 index probes on PGlite.

async function plannedApps() {
	const [row] = rowsOf<{ reltuples: number }>(
		await db.execute(sql`select reltuples::float8 as reltuples from pg_class where oid = 'apps'::regclass`),
	)
	return row!.reltuples
}

test('the maintenance measures a table again once it grew, and leaves it alone while it has not', async () => {
	const { org, admin } = await createOrg('Planner Statistics')
	// PostgreSQL's own autovacuum must not do it first, or this would show nothing.
	await db.execute(sql`alter table apps set (autovacuum_enabled = false)`)
	try {
		await runMaintenance()
		const before = await plannedApps()
		await db.execute(sql`insert into apps (org_id, name, app_key, app_type, products, created_by)
			select ${org.id}::uuid, 'Planned ' || i, 'com.planned.app-' || i, 'forge', array['jira'], ${admin.id}::uuid
			from generate_series(1, 3000) as i`)
		expect(await plannedApps()).toBe(before)

		const { analysed } = await runMaintenance()
		expect(analysed).toContain('apps')
		expect(await plannedApps()).toBeGreaterThanOrEqual(before + 3000)

		expect((await runMaintenance()).analysed).not.toContain('apps')
	} finally {
		await db.execute(sql`alter table apps reset (autovacuum_enabled)`)
	}
})
