import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents, memberships } from '#db/schema'
import { loader as orgLoader } from '~/routes/o.$org'
import { loader as dashboardLoader } from '~/routes/o.$org._index'
import { action as membersAction, loader as membersLoader } from '~/routes/o.$org.members'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

describe('organisation isolation', () => {
	it("a member of org B gets 404 for org A's pages and actions", async () => {
		const a = await createOrg('Org A')
		const b = await createOrg('Org B')
		const { cookie } = await cookieFor(b.admin.id)
		const params = { org: a.org.slug }

		for (const loader of [orgLoader, dashboardLoader, membersLoader]) {
			const result = await runRoute(loader, makeRequest(`/o/${a.org.slug}`, { cookie }), params)
			expect(result.status).toBe(404)
		}
		const attempt = await runRoute(
			membersAction,
			makeRequest(`/o/${a.org.slug}/members`, {
				cookie,
				form: { intent: 'change-roles', userId: a.admin.id, roles: ['member'] },
			}),
			params,
		)
		expect(attempt.status).toBe(404)
		const [row] = await db
			.select()
			.from(memberships)
			.where(and(eq(memberships.orgId, a.org.id), eq(memberships.userId, a.admin.id)))
		expect(row!.roles).toContain('admin')
	})

	it("an admin cannot change someone in another org through their own org's page", async () => {
		const a = await createOrg('Org A')
		const b = await createOrg('Org B')
		const { cookie } = await cookieFor(b.admin.id)
		const result = await runRoute(
			membersAction,
			makeRequest(`/o/${b.org.slug}/members`, {
				cookie,
				form: { intent: 'remove', userId: a.admin.id },
			}),
			{ org: b.org.slug },
		)
		expect(result.status).toBe(404)
		expect(await db.select().from(memberships).where(eq(memberships.orgId, a.org.id))).toHaveLength(1)
	})

	it('a vendor without the admin role gets 403 on the members page', async () => {
		const { org } = await createOrg()
		const vendor = await addMember(org.id, ['member'])
		const { cookie } = await cookieFor(vendor.id)
		const result = await runRoute(membersLoader, makeRequest(`/o/${org.slug}/members`, { cookie }), { org: org.slug })
		expect(result.status).toBe(403)
	})
})

describe('managing members', () => {
	it('changes roles with an audit event holding before and after', async () => {
		const { org, admin } = await createOrg()
		const person = await addMember(org.id, ['member'])
		const { cookie } = await cookieFor(admin.id)
		const result = await runRoute(
			membersAction,
			makeRequest(`/o/${org.slug}/members`, {
				cookie,
				form: { intent: 'change-roles', userId: person.id, roles: ['member', 'reviewer'] },
			}),
			{ org: org.slug },
		)
		expect(result.status).toBe(200)
		const [row] = await db.select().from(memberships).where(eq(memberships.userId, person.id))
		expect(row!.roles).toEqual(['member', 'reviewer'])
		const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'member.roles_changed'))
		expect(event).toMatchObject({ before: { roles: ['member'] }, after: { roles: ['member', 'reviewer'] } })
	})

	it('never leaves an organisation without an admin', async () => {
		const { org, admin } = await createOrg()
		const { cookie } = await cookieFor(admin.id)
		const demote = await runRoute(
			membersAction,
			makeRequest(`/o/${org.slug}/members`, {
				cookie,
				form: { intent: 'change-roles', userId: admin.id, roles: ['member'] },
			}),
			{ org: org.slug },
		)
		expect(demote.status).toBe(409)
		expect(demote.data).toMatchObject({ formError: expect.stringContaining('at least one admin') })
		const remove = await runRoute(
			membersAction,
			makeRequest(`/o/${org.slug}/members`, { cookie, form: { intent: 'remove', userId: admin.id } }),
			{ org: org.slug },
		)
		expect(remove.status).toBe(409)
		const [row] = await db.select().from(memberships).where(eq(memberships.userId, admin.id))
		expect(row!.roles).toContain('admin')
	})

	it('rejects an empty role list with a field message, and unknown intents with 400', async () => {
		const { org, admin } = await createOrg()
		const person = await addMember(org.id, ['member'])
		const { cookie } = await cookieFor(admin.id)
		const empty = await runRoute(
			membersAction,
			makeRequest(`/o/${org.slug}/members`, { cookie, form: { intent: 'change-roles', userId: person.id } }),
			{ org: org.slug },
		)
		expect(empty.status).toBe(400)
		expect(empty.data).toMatchObject({ errors: { roles: 'Pick at least one role.' } })
		const junk = await runRoute(
			membersAction,
			makeRequest(`/o/${org.slug}/members`, { cookie, form: { intent: 'drop-tables' } }),
			{ org: org.slug },
		)
		expect(junk.status).toBe(400)
	})
})
