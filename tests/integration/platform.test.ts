import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db, openDatabase } from '#db/client.server'
import { auditEvents } from '#db/schema'
import { loader as splat } from '~/routes/$'
import { loader as healthz } from '~/routes/healthz'
import { createOrg, databaseError, makeRequest, runRoute } from '../fixtures/world'

describe('platform', () => {
	it('GET /healthz answers 200 with the driver in use', async () => {
		const result = await runRoute(healthz, makeRequest('/healthz'))
		expect(result.status).toBe(200)
		expect(result.data).toEqual({
			ok: true,
			database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
		})
	})

	it('GET /healthz answers 503 JSON when the database does not answer', async () => {
		const shared = globalThis as unknown as { __clearanceDb?: unknown }
		const real = shared.__clearanceDb
		// Nothing listens on the discard port: every query fails at once.
		const broken = openDatabase({ driver: 'postgres', url: 'postgres://nobody@127.0.0.1:9/none' })
		shared.__clearanceDb = broken
		try {
			const result = await runRoute(healthz, makeRequest('/healthz'))
			expect(result.status).toBe(503)
			expect(result.data).toEqual({ ok: false, error: 'database unavailable' })
		} finally {
			shared.__clearanceDb = real
			await broken.close()
		}
	})

	it('unknown URLs are a 404', async () => {
		const result = await runRoute(splat, makeRequest('/no/such/page'))
		expect(result.status).toBe(404)
	})

	it('the audit log refuses UPDATE, DELETE and TRUNCATE', async () => {
		await createOrg()
		const [event] = await db.select().from(auditEvents)
		expect(event).toBeDefined()
		expect(await databaseError(db.execute(sql`update audit_events set action = 'forged'`))).toMatch(
			/append-only: UPDATE/,
		)
		expect(await databaseError(db.execute(sql`delete from audit_events`))).toMatch(/append-only: DELETE/)
		expect(await databaseError(db.execute(sql`truncate audit_events`))).toMatch(/append-only: TRUNCATE/)
		const [after] = await db.select().from(auditEvents)
		expect(after).toEqual(event)
	})
})
