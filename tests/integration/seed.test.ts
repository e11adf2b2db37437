import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { accessRequests, apps, notifications, organizations, requestEvents, users } from '#db/schema'
import { DEMO_ORG, DEMO_PASSWORD, seedDemo } from '#db/seed'
import { verifyLogin } from '~/services/auth.server'
import { dashboardRows } from '~/services/reporting.server'

describe('demo seed', () => {
	it('creates a living demo organisation once, and running it again changes nothing', async () => {
		const first = await seedDemo(db)
		const second = await seedDemo(db)
		expect(first.created).toBe(true)
		expect(second.created).toBe(false)
		expect(await db.select().from(organizations).where(eq(organizations.slug, DEMO_ORG.slug))).toHaveLength(1)
		expect(await db.select().from(users)).toHaveLength(3)
		expect(await db.select().from(apps)).toHaveLength(4)
		expect(await verifyLogin('reviewer@demo.test', DEMO_PASSWORD)).not.toBeNull()

		const states = (await db.select({ state: accessRequests.state }).from(accessRequests))
			.map((row) => row.state)
			.sort()
		expect(states).toEqual(['approved', 'draft', 'in_review'])

		const { rows } = await dashboardRows(first.orgId)
		const statusOf = (name: string) => rows.find((row) => row.name === name)?.status
		expect(statusOf('Ticket Mailer')).toBe('overdue')
		expect(statusOf('Acme Sync for Jira')).toBe('due_soon')
		expect(statusOf('Status Board')).toBe('not_required')
	})

	it('tells a story that runs forward, with its own words per request (issue 17, point 6)', async () => {
		await seedDemo(db)
		const requests = await db.select().from(accessRequests)
		const approved = requests.find((request) => request.state === 'approved')!
		const events = await db
			.select()
			.from(requestEvents)
			.where(eq(requestEvents.requestId, approved.id))
			.orderBy(requestEvents.id)
		const times = events.map((event) => event.occurredAt.getTime())
		// Each step after the one before: written, reviewed, sent to Atlassian, approved.
		expect(times).toEqual([...times].sort((a, b) => a - b))
		const at = (kind: string) => events.find((event) => event.kind === kind)!.occurredAt.getTime()
		expect(at('submit_for_review')).toBeLessThan(at('complete_review'))
		expect(at('complete_review')).toBeLessThan(at('record_ticket'))
		expect(at('record_ticket')).toBeLessThan(at('atlassian_approved'))
		expect(at('atlassian_approved')).toBeLessThan(Date.now() - 7 * 24 * 60 * 60 * 1000)
		expect(approved.createdAt.getTime()).toBeLessThanOrEqual(times[0]!)

		// Nobody is still asked to review a request Atlassian approved.
		const waiting = await db.select().from(notifications).where(eq(notifications.requestId, approved.id))
		expect(waiting.filter((note) => note.kind === 'request_submitted' && note.readAt === null)).toEqual([])

		// Each request says what its own app does.
		const texts = requests.map((request) => request.functionalityDescription)
		expect(new Set(texts).size).toBe(requests.length)
	})
})
