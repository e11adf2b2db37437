import { describe, expect, test } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents } from '#db/schema'
import { loader as auditLoader } from '~/routes/o.$org.audit'
import { auditFilterOptions, searchAuditEvents } from '~/services/audit.server'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

// Issue 16, point 1: the audit log keyset-paged on (created_at, id), newest first, never by offset.
// Several events of one transaction share their time; a transaction that started first writes an
// earlier time with a later id: the page order is the time, then the id.

async function logWith(times: { at: string; action: string }[]) {
	const { org, admin } = await createOrg('Audited')
	// Only this org's events from here on: the signup's own events are older than every time below.
	await db.insert(auditEvents).values(
		times.map(({ at, action }) => ({
			orgId: org.id,
			actorUserId: admin.id,
			action,
			subjectType: 'app',
			subjectId: 'x',
			createdAt: new Date(at),
		})),
	)
	return { org, admin }
}

describe('the audit log, keyset-paged', () => {
	test('pages through every event once, newest first by time then id, with ties and out-of-order ids', async () => {
		const times = [
			{ at: '2030-01-05T00:00:00Z', action: 'app.created' },
			{ at: '2030-01-07T00:00:00Z', action: 'app.updated' },
			{ at: '2030-01-07T00:00:00Z', action: 'app.updated' },
			{ at: '2030-01-07T00:00:00Z', action: 'app.created' },
			// Inserted last, but earliest in time.
			{ at: '2030-01-01T00:00:00Z', action: 'app.updated' },
			{ at: '2030-01-06T00:00:00Z', action: 'app.updated' },
		]
		const { org } = await logWith(times)
		const ours = async (filter: { action?: string }) => {
			const seen: { id: number; at: string; action: string }[] = []
			let beforeId: number | undefined
			for (let guard = 0; guard < 20; guard++) {
				const { events, nextBeforeId } = await searchAuditEvents(org.id, 'UTC', filter, { limit: 2, beforeId })
				seen.push(...events.map((e) => ({ id: e.id, at: e.createdAt.toISOString(), action: e.action })))
				if (!nextBeforeId) break
				beforeId = nextBeforeId
			}
			return seen.filter((e) => e.at.startsWith('2030'))
		}
		const all = await ours({})
		expect(all.map((e) => e.at.slice(0, 10))).toEqual([
			'2030-01-07',
			'2030-01-07',
			'2030-01-07',
			'2030-01-06',
			'2030-01-05',
			'2030-01-01',
		])
		expect(new Set(all.map((e) => e.id)).size).toBe(6)
		// Within one time, the higher id first.
		const tied = all.slice(0, 3).map((e) => e.id)
		expect(tied).toEqual([...tied].sort((a, b) => b - a))

		// The filter keeps working across pages.
		const updates = await ours({ action: 'app.updated' })
		expect(updates.map((e) => e.at.slice(0, 10))).toEqual(['2030-01-07', '2030-01-07', '2030-01-06', '2030-01-01'])
		expect(updates.every((e) => e.action === 'app.updated')).toBe(true)
	})

	test('the page follows its ?before= link, and another organisation’s event id starts nowhere in this log', async () => {
		const { org, admin } = await logWith(
			Array.from({ length: 60 }, (_, i) => ({
				at: new Date(Date.UTC(2030, 0, 1, 0, i)).toISOString(),
				action: 'app.updated',
			})),
		)
		const { cookie } = await cookieFor(admin.id)
		type Data = { events: { id: number }[]; nextBeforeId: number | null }
		const load = async (search: string) =>
			(await runRoute(auditLoader, makeRequest(`/o/${org.slug}/audit${search}`, { cookie }), { org: org.slug }))
				.data as Data
		const first = await load('')
		expect(first.events).toHaveLength(50)
		const second = await load(`?before=${first.nextBeforeId}`)
		expect(second.events.length).toBeGreaterThan(10)
		expect(second.events.map((e) => e.id)).not.toContain(first.events[0]!.id)

		const other = await logWith([{ at: '2030-02-01T00:00:00Z', action: 'app.created' }])
		const [foreign] = (await searchAuditEvents(other.org.id, 'UTC', {}, { limit: 1 })).events
		expect((await load(`?before=${foreign!.id}`)).events).toHaveLength(0)
	})
})

describe('the audit page’s pick lists (a loose index scan)', () => {
	test('every distinct action and person of this organisation once, sorted; none of another organisation', async () => {
		const { org, admin } = await createOrg('Pick lists')
		const other = await createOrg('Someone else')
		const zed = await addMember(org.id, ['member'], 'Zed Member')
		const amy = await addMember(org.id, ['member'], 'Amy Member')
		const row = (actorUserId: string | null, action: string) => ({
			orgId: org.id,
			actorUserId,
			action,
			subjectType: 'app',
			subjectId: 'x',
		})
		await db
			.insert(auditEvents)
			.values([
				row(zed.id, 'zz.last'),
				row(amy.id, 'aa.first'),
				row(zed.id, 'aa.first'),
				row(null, 'mm.system'),
				row(amy.id, 'zz.last'),
			])
		await db.insert(auditEvents).values({ ...row(other.admin.id, 'other.only'), orgId: other.org.id })

		const { actions, actors } = await auditFilterOptions(org.id)
		expect(actions.filter((action) => ['aa.first', 'mm.system', 'zz.last', 'other.only'].includes(action))).toEqual([
			'aa.first',
			'mm.system',
			'zz.last',
		])
		expect(actions).toEqual([...new Set(actions)].sort())
		expect(actors.map((actor) => actor.name)).toEqual(['Amy Member', 'Fay Founder', 'Zed Member'])
		expect(actors.map((actor) => actor.id)).not.toContain(other.admin.id)
		expect(actors.map((actor) => actor.id)).toContain(admin.id)
	})
})
