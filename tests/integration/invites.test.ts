import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { invites, memberships } from '#db/schema'
import { action as inviteAction, loader as inviteLoader } from '~/routes/invite.$token'
import { loader as layoutLoader } from '~/routes/o.$org'
import { action as membersAction } from '~/routes/o.$org.members'
import { createInvite, getInvite } from '~/services/members.server'
import { cookieFor, createOrg, makeRequest, PASSWORD, runRoute, uniqueEmail } from '../fixtures/world'

async function inviteLinkFor(orgSlug: string, adminId: string, email: string, roles: string[] = ['reviewer']) {
	const { cookie } = await cookieFor(adminId)
	const result = await runRoute(
		membersAction,
		makeRequest(`/o/${orgSlug}/members`, { cookie, form: { intent: 'invite', email, roles } }),
		{ org: orgSlug },
	)
	expect(result.status).toBe(200)
	const link = (result.data as { inviteLink: string }).inviteLink
	return link.split('/invite/')[1]!
}

describe('invites', () => {
	it('works once: the first acceptance joins, a second use of the link is refused', async () => {
		const { org, admin } = await createOrg()
		const email = uniqueEmail('invitee')
		const token = await inviteLinkFor(org.slug, admin.id, email)

		const joined = await runRoute(
			inviteAction,
			makeRequest(`/invite/${token}`, { form: { name: 'Ivy Invitee', password: PASSWORD } }),
			{ token },
		)
		expect(joined.status).toBe(302)
		expect(joined.headers.get('Location')).toBe(`/o/${org.slug}`)
		const rows = await db.select().from(memberships).where(eq(memberships.orgId, org.id))
		expect(rows.map((row) => row.roles)).toContainEqual(['reviewer'])

		const again = await runRoute(
			inviteAction,
			makeRequest(`/invite/${token}`, { form: { name: 'Mallory', password: PASSWORD } }),
			{ token },
		)
		expect(again.status).toBe(410)
		expect(again.data).toMatchObject({ formError: expect.stringContaining('already been used') })
		expect(await db.select().from(memberships).where(eq(memberships.orgId, org.id))).toHaveLength(2)
		expect((await runRoute(inviteLoader, makeRequest(`/invite/${token}`), { token })).data).toMatchObject({
			invite: { status: 'used' },
		})
	})

	it('does not work after it expires', async () => {
		const { org, admin } = await createOrg()
		const issuedLongAgo = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000)
		const { token } = await createInvite(
			org.id,
			admin.id,
			{ intent: 'invite', email: uniqueEmail(), roles: ['member'] },
			issuedLongAgo,
		)
		expect(await getInvite(token)).toEqual({ status: 'expired' })
		const result = await runRoute(
			inviteAction,
			makeRequest(`/invite/${token}`, { form: { name: 'Late Larry', password: PASSWORD } }),
			{ token },
		)
		expect(result.status).toBe(410)
		expect(result.data).toMatchObject({ formError: expect.stringContaining('expired') })
		expect(await db.select().from(memberships).where(eq(memberships.orgId, org.id))).toHaveLength(1)
	})

	it('a revoked invite stops working', async () => {
		const { org, admin } = await createOrg()
		const token = await inviteLinkFor(org.slug, admin.id, uniqueEmail())
		const [invite] = await db.select().from(invites)
		const { cookie } = await cookieFor(admin.id)
		const revoked = await runRoute(
			membersAction,
			makeRequest(`/o/${org.slug}/members`, { cookie, form: { intent: 'revoke-invite', inviteId: invite!.id } }),
			{ org: org.slug },
		)
		expect(revoked.status).toBe(200)
		expect(await getInvite(token)).toEqual({ status: 'invalid' })
	})

	it('a signed-in user with another email cannot take the invite', async () => {
		const { org, admin } = await createOrg()
		const other = await createOrg('Other')
		const token = await inviteLinkFor(org.slug, admin.id, uniqueEmail('someone-else'))
		const { cookie } = await cookieFor(other.admin.id)
		const result = await runRoute(inviteAction, makeRequest(`/invite/${token}`, { cookie, form: {} }), { token })
		expect(result.status).toBe(403)
		expect(await db.select().from(memberships).where(eq(memberships.orgId, org.id))).toHaveLength(1)
	})

	it('an existing user joins a second organisation while signed in', async () => {
		const { org, admin } = await createOrg()
		const other = await createOrg('Other')
		const token = await inviteLinkFor(org.slug, admin.id, other.admin.email, ['member'])
		const { cookie } = await cookieFor(other.admin.id)
		const result = await runRoute(inviteAction, makeRequest(`/invite/${token}`, { cookie, form: {} }), { token })
		expect(result.status).toBe(302)
		const rows = await db.select().from(memberships).where(eq(memberships.userId, other.admin.id))
		expect(rows).toHaveLength(2)
		// The shell offers the other organisation to switch to.
		const shell = await runRoute(layoutLoader, makeRequest(`/o/${org.slug}`, { cookie }), { org: org.slug })
		expect(shell.data).toMatchObject({ otherOrgs: [{ slug: other.org.slug, name: 'Other' }] })
	})

	it('refuses to invite someone who is already a member', async () => {
		const { org, admin } = await createOrg()
		const { cookie } = await cookieFor(admin.id)
		const result = await runRoute(
			membersAction,
			makeRequest(`/o/${org.slug}/members`, {
				cookie,
				form: { intent: 'invite', email: admin.email, roles: ['member'] },
			}),
			{ org: org.slug },
		)
		expect(result.status).toBe(409)
		expect(result.data).toMatchObject({ errors: { email: expect.stringContaining('already a member') } })
	})
})
