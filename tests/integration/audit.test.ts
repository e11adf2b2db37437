import { eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents } from '#db/schema'
import { loader as auditLoader } from '~/routes/o.$org.audit'
import { loader as csvLoader } from '~/routes/o.$org.audit.csv'
import { recordAudit } from '~/services/audit.server'
import { cookieFor, databaseError, makeRequest, runRoute } from '../fixtures/world'
import { reviewWorld, submittedRequest } from './review-helpers'

type AuditPage = { events: { id: number; action: string; actorName: string | null }[]; nextBeforeId: number | null }

describe('audit log', () => {
	it('the database refuses UPDATE and DELETE on audit events', async () => {
		const w = await reviewWorld()
		const id = await submittedRequest(w)
		const [event] = await db.select().from(auditEvents).where(eq(auditEvents.subjectId, id)).limit(1)
		expect(
			await databaseError(db.update(auditEvents).set({ action: 'forged' }).where(eq(auditEvents.id, event!.id))),
		).toMatch(/append-only|not allowed|refuse/i)
		expect(await databaseError(db.delete(auditEvents).where(eq(auditEvents.id, event!.id)))).toMatch(
			/append-only|not allowed|refuse/i,
		)
		expect(await databaseError(db.execute(sql`truncate audit_events`))).toMatch(/append-only|not allowed|refuse/i)
		const [still] = await db.select().from(auditEvents).where(eq(auditEvents.id, event!.id))
		expect(still!.action).toBe(event!.action)
	})

	it('admins filter by action, person and date, page through, and nobody else can read it', async () => {
		const w = await reviewWorld()
		const id = await submittedRequest(w)
		const cookie = w.vendorCookie
		const all = await runRoute(auditLoader, makeRequest(`/o/${w.org.slug}/audit`, { cookie }), { org: w.org.slug })
		expect(all.status).toBe(200)
		const actions = (all.data as AuditPage).events.map((e) => e.action)
		expect(actions).toEqual(expect.arrayContaining(['request.created', 'request.saved', 'request.submit_for_review']))

		const byAction = await runRoute(
			auditLoader,
			makeRequest(`/o/${w.org.slug}/audit?action=request.submit_for_review`, { cookie }),
			{ org: w.org.slug },
		)
		expect((byAction.data as AuditPage).events.map((e) => e.action)).toEqual(['request.submit_for_review'])

		const byActor = await runRoute(
			auditLoader,
			makeRequest(`/o/${w.org.slug}/audit?actor=${w.reviewer.id}`, { cookie }),
			{ org: w.org.slug },
		)
		expect((byActor.data as AuditPage).events).toEqual([])

		const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)
		const future = await runRoute(auditLoader, makeRequest(`/o/${w.org.slug}/audit?from=${tomorrow}`, { cookie }), {
			org: w.org.slug,
		})
		expect((future.data as AuditPage).events).toEqual([])
		// Dates that look right but are not (rolled over by Date.parse, or refused by PostgreSQL) are a 400, not a 500.
		for (const from of ['yesterday', '2026-02-31', '0000-01-01']) {
			const bad = await runRoute(auditLoader, makeRequest(`/o/${w.org.slug}/audit?from=${from}`, { cookie }), {
				org: w.org.slug,
			})
			expect(bad.status).toBe(400)
			const badCsv = await runRoute(csvLoader, makeRequest(`/o/${w.org.slug}/audit.csv?from=${from}`, { cookie }), {
				org: w.org.slug,
			})
			expect(badCsv.status).toBe(400)
		}

		// Paging: 60 more events, 50 per page, keyset by id.
		for (let i = 0; i < 60; i++) {
			await recordAudit(db, {
				orgId: w.org.id,
				actorUserId: w.admin.id,
				action: 'test.bulk',
				subjectType: 'x',
				subjectId: String(i),
			})
		}
		const first = (await runRoute(auditLoader, makeRequest(`/o/${w.org.slug}/audit`, { cookie }), { org: w.org.slug }))
			.data as AuditPage
		expect(first.events).toHaveLength(50)
		const second = (
			await runRoute(auditLoader, makeRequest(`/o/${w.org.slug}/audit?before=${first.nextBeforeId}`, { cookie }), {
				org: w.org.slug,
			})
		).data as AuditPage
		expect(second.events[0]!.id).toBeLessThan(first.events.at(-1)!.id)
		expect(new Set([...first.events, ...second.events].map((e) => e.id)).size).toBe(
			first.events.length + second.events.length,
		)

		const reviewerCookie = (await cookieFor(w.reviewer.id)).cookie
		expect(
			(await runRoute(auditLoader, makeRequest('/', { cookie: reviewerCookie }), { org: w.org.slug })).status,
		).toBe(403)
		expect((await runRoute(csvLoader, makeRequest('/', { cookie: reviewerCookie }), { org: w.org.slug })).status).toBe(
			403,
		)
		const bySubject = await db.select().from(auditEvents).where(eq(auditEvents.subjectId, id))
		expect(bySubject.map((e) => e.action)).toContain('request.submit_for_review')
	})

	it('exports CSV that a spreadsheet will not run as a formula', async () => {
		const w = await reviewWorld()
		await recordAudit(db, {
			orgId: w.org.id,
			actorUserId: w.admin.id,
			action: 'test.injection',
			subjectType: 'request',
			subjectId: '=HYPERLINK("http://evil.example","click")',
			after: { note: '+SUM(1,2)' },
		})
		const result = await runRoute(
			csvLoader,
			makeRequest(`/o/${w.org.slug}/audit/csv?action=test.injection`, { cookie: w.vendorCookie }),
			{
				org: w.org.slug,
			},
		)
		expect(result.status).toBe(200)
		expect(result.headers.get('Content-Type')).toMatch(/text\/csv/)
		expect(result.headers.get('Content-Disposition')).toMatch(/attachment; filename="audit-/)
		const lines = String(result.data).trim().split('\r\n')
		expect(lines[0]).toBe(
			'"id","occurred_at_utc","actor_name","actor_email","action","subject_type","subject_id","subject_name","before","after"',
		)
		expect(lines).toHaveLength(2)
		expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`)
		expect(lines[1]).toContain('"Fay Founder"')
		expect(lines[1]).not.toMatch(/,"=/)
	})
})
