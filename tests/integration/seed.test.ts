import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { accessRequests, apps, organizations, users } from '#db/schema'
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
})
