import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents, organizations } from '#db/schema'
import { loader as orgLoader } from '~/routes/o.$org'
import { action as settingsAction, loader as settingsLoader } from '~/routes/o.$org.settings'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

/*
 * Issue 17, point 5: an admin renames the organisation on the settings page
 * (audited, one transaction, the slug and so every web address unchanged);
 * the time zone is picked from a list and checked again on the server.
 */

const orgRow = async (id: string) => (await db.select().from(organizations).where(eq(organizations.id, id)))[0]!
const renames = (orgId: string) =>
	db
		.select()
		.from(auditEvents)
		.where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, 'org.renamed')))

async function rename(slug: string, cookie: string, form: Record<string, string>) {
	return runRoute(settingsAction, makeRequest(`/o/${slug}/settings?form=name`, { cookie, form }), { org: slug })
}

describe('renaming the organisation', () => {
	it('an admin renames it: the new name everywhere, the slug unchanged, one audit event with the old and new name', async () => {
		const { org, admin } = await createOrg('Acme Apps')
		const { cookie } = await cookieFor(admin.id)
		const page = await runRoute(settingsLoader, makeRequest(`/o/${org.slug}/settings`, { cookie }), { org: org.slug })
		expect(page.data).toMatchObject({ org: { name: 'Acme Apps', slug: org.slug }, settings: { version: 1 } })

		const renamed = await rename(org.slug, cookie, { name: '  Acme Cloud Tools  ', version: '1' })
		expect(renamed).toMatchObject({
			status: 200,
			data: { rename: { notice: 'The organisation is now called Acme Cloud Tools.' } },
		})
		const row = await orgRow(org.id)
		expect(row).toMatchObject({ name: 'Acme Cloud Tools', slug: org.slug, version: 2 })

		const events = await renames(org.id)
		expect(events).toHaveLength(1)
		expect(events[0]).toMatchObject({
			actorUserId: admin.id,
			subjectType: 'organization',
			subjectId: org.id,
			before: { name: 'Acme Apps' },
			after: { name: 'Acme Cloud Tools' },
		})

		// The same web address still opens it, under its new name.
		const shell = await runRoute(orgLoader, makeRequest(`/o/${org.slug}`, { cookie }), { org: org.slug })
		expect(shell).toMatchObject({ status: 200, data: { org: { slug: org.slug, name: 'Acme Cloud Tools' } } })

		// The same name again changes and records nothing.
		const same = await rename(org.slug, cookie, { name: 'Acme Cloud Tools', version: '2' })
		expect(same.data).toMatchObject({ rename: { notice: 'That is already its name: nothing changed.' } })
		expect(await renames(org.id)).toHaveLength(1)
		expect((await orgRow(org.id)).version).toBe(2)
	})

	it.each([
		['', 'Enter your organisation’s name (at least 2 characters).'],
		['A', 'Enter your organisation’s name (at least 2 characters).'],
		['x'.repeat(81), 'Use at most 80 characters.'],
		['Acme\u200BApps', expect.any(String)],
	])('a bad name (%j) is refused with a clear message and changes nothing', async (name, message) => {
		const { org, admin } = await createOrg('Acme Apps')
		const { cookie } = await cookieFor(admin.id)
		const refused = await rename(org.slug, cookie, { name, version: '1' })
		expect(refused.status).toBe(400)
		const errors = (refused.data as { rename: { errors: Record<string, string> } }).rename.errors
		expect(errors.name).toEqual(message)
		expect(errors.name!.length).toBeGreaterThan(10)
		expect(await orgRow(org.id)).toMatchObject({ name: 'Acme Apps', slug: org.slug, version: 1 })
		expect(await renames(org.id)).toHaveLength(0)
	})

	it('a rename over a change made after the page was opened is refused (409), not applied', async () => {
		const { org, admin } = await createOrg('Acme Apps')
		const { cookie } = await cookieFor(admin.id)
		await rename(org.slug, cookie, { name: 'First Name', version: '1' })
		const stale = await rename(org.slug, cookie, { name: 'Second Name', version: '1' })
		expect(stale.status).toBe(409)
		expect(stale.data).toMatchObject({ rename: { formError: expect.stringContaining('Someone else changed') } })
		expect((await orgRow(org.id)).name).toBe('First Name')
	})

	it('a member who is not an admin is refused (403) and the name stays', async () => {
		const { org } = await createOrg('Acme Apps')
		const vendor = await addMember(org.id, ['member', 'reviewer'])
		const { cookie } = await cookieFor(vendor.id)
		const refused = await rename(org.slug, cookie, { name: 'Taken Over', version: '1' })
		expect(refused.status).toBe(403)
		expect(await orgRow(org.id)).toMatchObject({ name: 'Acme Apps', version: 1 })
		expect(await renames(org.id)).toHaveLength(0)
	})
})

describe('the time-zone picker', () => {
	const save = (slug: string, cookie: string, timeZone: string, version = '1') =>
		runRoute(
			settingsAction,
			makeRequest(`/o/${slug}/settings`, {
				cookie,
				form: { timeZone, followUpDays: '10', taskDueDays: '30', version },
			}),
			{ org: slug },
		)

	it('offers UTC and the IANA zones the server knows', async () => {
		const { org, admin } = await createOrg()
		const { cookie } = await cookieFor(admin.id)
		const page = await runRoute(settingsLoader, makeRequest(`/o/${org.slug}/settings`, { cookie }), { org: org.slug })
		const zones = (page.data as { timeZones: string[] }).timeZones
		expect(zones[0]).toBe('UTC')
		expect(zones).toEqual(expect.arrayContaining(['Europe/Berlin', 'America/New_York', 'Pacific/Auckland']))
		expect(zones.length).toBeGreaterThan(300)
	})

	it.each(['Mars/Olympus_Mons', 'Berlin', '+05:00', 'Europe/Berlin; DROP TABLE'])(
		'a zone typed past the list (%j) is refused on the server and nothing is saved',
		async (timeZone) => {
			const { org, admin } = await createOrg()
			const { cookie } = await cookieFor(admin.id)
			const refused = await save(org.slug, cookie, timeZone)
			expect(refused.status).toBe(400)
			expect(refused.data).toMatchObject({ errors: { timeZone: expect.stringContaining('Unknown time zone') } })
			expect(await orgRow(org.id)).toMatchObject({ timeZone: 'UTC', version: 1 })
		},
	)

	it('a zone from the list is saved; one typed in other letter case is stored as the zone spells itself', async () => {
		const { org, admin } = await createOrg()
		const { cookie } = await cookieFor(admin.id)
		expect((await save(org.slug, cookie, 'Pacific/Auckland')).status).toBe(200)
		expect((await orgRow(org.id)).timeZone).toBe('Pacific/Auckland')
		expect((await save(org.slug, cookie, 'europe/berlin', '2')).status).toBe(200)
		expect((await orgRow(org.id)).timeZone).toBe('Europe/Berlin')
	})
})
