import { and, asc, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { apps, auditEvents } from '#db/schema'
import { action as appAction, loader as appLoader } from '~/routes/o.$org.apps.$appId'
import { loader as listLoader } from '~/routes/o.$org.apps._index'
import { action as newAction, loader as newLoader } from '~/routes/o.$org.apps.new'
import { AppSchema, type AppInput } from '~/schemas/apps'
import { archiveApp, createApp, getApp, listApps, listAppsPage, restoreApp, updateApp } from '~/services/apps.server'
import { UserFacingError } from '~/utils/errors'
import { appForm } from '../fixtures/requests'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

function appInput(overrides: Partial<AppInput> = {}): AppInput {
	return { ...AppSchema.parse(appForm()), ...overrides }
}

/** An org, its founder (admin + vendor) signed in, and the route params for its pages. */
async function vendorWorld() {
	const { org, admin } = await createOrg()
	const { cookie } = await cookieFor(admin.id)
	return { org, user: admin, cookie, params: { org: org.slug } }
}

type ListData = { apps: { id: string; name: string }[]; total: number }

describe('registering an app', () => {
	it('creates the app with an audit event, redirects to its page and lists it', async () => {
		const { org, user, cookie, params } = await vendorWorld()
		const created = await runRoute(
			newAction,
			makeRequest(`/o/${org.slug}/apps/new`, { cookie, form: appForm() }),
			params,
		)
		expect(created.status).toBe(302)
		const [app] = await listApps(org.id)
		expect(app).toMatchObject({
			name: 'Mail Bridge',
			appKey: 'com.acme.mail-bridge',
			appType: 'forge',
			products: ['jira'],
			privacyPolicyUrl: 'https://acme.example/privacy',
			// An empty optional URL is stored as null, not ''.
			marketplaceListingUrl: null,
			termsOfUseUrl: null,
			storesPersonalData: 'yes',
			createdBy: user.id,
		})
		expect(created.headers.get('Location')).toBe(`/o/${org.slug}/apps/${app!.id}`)

		const list = await runRoute(listLoader, makeRequest(`/o/${org.slug}/apps`, { cookie }), params)
		expect(list.status).toBe(200)
		expect((list.data as ListData).apps.map((row) => row.id)).toEqual([app!.id])

		const page = await runRoute(appLoader, makeRequest(`/o/${org.slug}/apps/${app!.id}`, { cookie }), {
			...params,
			appId: app!.id,
		})
		expect(page.status).toBe(200)
		expect(page.data).toMatchObject({ app: { id: app!.id }, canEdit: true })

		const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'app.created'))
		expect(event).toMatchObject({ subjectType: 'app', subjectId: app!.id, actorUserId: user.id })
		expect(event!.after).toMatchObject({ appKey: 'com.acme.mail-bridge', products: ['jira'] })
	})

	it('answers invalid input with 400, a message per field and the typed values', async () => {
		const { org, cookie, params } = await vendorWorld()
		const typed = appForm({
			name: '   ',
			appKey: 'com.acme mail bridge',
			appType: 'webhook',
			products: [],
			marketplaceListingUrl: 'marketplace.atlassian.com/apps/1',
			privacyPolicyUrl: 'ftp://acme.example/privacy',
			storesPersonalData: 'maybe',
		})
		const result = await runRoute(newAction, makeRequest(`/o/${org.slug}/apps/new`, { cookie, form: typed }), params)
		expect(result.status).toBe(400)
		const { errors, values } = result.data as { errors: Record<string, string>; values: Record<string, unknown> }
		expect(errors).toMatchObject({
			name: expect.stringContaining('Enter the app’s name'),
			appKey: expect.stringContaining('Remove the spaces'),
			appType: expect.stringContaining('Choose the app type'),
			products: expect.stringContaining('at least one product'),
			marketplaceListingUrl: 'Enter a full URL starting with https://',
			privacyPolicyUrl: 'Enter a full URL starting with https://',
			storesPersonalData: expect.stringContaining('Say whether the app stores personal data'),
		})
		expect(errors.termsOfUseUrl).toBeUndefined()
		expect(values).toMatchObject({
			appKey: 'com.acme mail bridge',
			marketplaceListingUrl: 'marketplace.atlassian.com/apps/1',
			privacyPolicyUrl: 'ftp://acme.example/privacy',
			products: [],
		})
		expect(await listApps(org.id)).toHaveLength(0)
	})

	it('refuses a name over 120 characters and an unknown product', async () => {
		const { org, cookie, params } = await vendorWorld()
		const result = await runRoute(
			newAction,
			makeRequest(`/o/${org.slug}/apps/new`, {
				cookie,
				form: appForm({ name: 'x'.repeat(121), products: ['bitbucket'] }),
			}),
			params,
		)
		expect(result.status).toBe(400)
		expect(result.data).toMatchObject({
			errors: { name: expect.stringContaining('120'), 'products.0': expect.stringContaining('Jira or Confluence') },
		})
	})

	it('refuses an email address in the name or the key, on create and edit, in the service too (issue 9, finding 8)', async () => {
		const { org, user, cookie, params } = await vendorWorld()
		const result = await runRoute(
			newAction,
			makeRequest(`/o/${org.slug}/apps/new`, {
				cookie,
				form: appForm({ name: 'Bridge for jane.doe@customer.example', appKey: 'jane@customer.example' }),
			}),
			params,
		)
		expect(result.status).toBe(400)
		const errors = (result.data as { errors: Record<string, string> }).errors
		expect(errors.name).toContain('Remove the email address')
		expect(errors.appKey).toContain('never an email address')
		expect(JSON.stringify(errors)).not.toContain('customer.example')
		expect(await listApps(org.id)).toHaveLength(0)

		// A caller that skips the schema meets the same rule in the service.
		await expect(createApp(org.id, user.id, appInput({ name: 'Ops ops@gmail.com' }))).rejects.toMatchObject({
			status: 422,
			field: 'name',
		})
		const app = await createApp(org.id, user.id, appInput())
		await expect(updateApp(org.id, user.id, app.id, appInput({ appKey: 'key@vendor.example' }))).rejects.toBeInstanceOf(
			UserFacingError,
		)
		expect((await getApp(org.id, app.id))?.appKey).toBe('com.acme.mail-bridge')
		const edit = await runRoute(
			appAction,
			makeRequest(`/o/${org.slug}/apps/${app.id}`, {
				cookie,
				form: { intent: 'update', ...appForm({ name: 'Mail a@b.io' }) },
			}),
			{ ...params, appId: app.id },
		)
		expect(edit.status).toBe(400)
		expect(edit.data).toMatchObject({ errors: { name: expect.stringContaining('Remove the email address') } })
		expect((await getApp(org.id, app.id))?.name).toBe('Mail Bridge')
	})

	it('answers a key already used in the organisation with 409 on appKey, keeping what was typed', async () => {
		const { org, user, cookie, params } = await vendorWorld()
		await createApp(org.id, user.id, appInput())
		const result = await runRoute(
			newAction,
			makeRequest(`/o/${org.slug}/apps/new`, { cookie, form: appForm({ name: 'Second bridge' }) }),
			params,
		)
		expect(result.status).toBe(409)
		expect(result.data).toMatchObject({
			errors: { appKey: 'Another app in this organisation already uses this key.' },
			values: { name: 'Second bridge', appKey: 'com.acme.mail-bridge' },
		})
		expect(await listApps(org.id)).toHaveLength(1)

		// The same key in another organisation is fine.
		const other = await createOrg('Other Org')
		await expect(createApp(other.org.id, other.admin.id, appInput())).resolves.toMatchObject({
			appKey: 'com.acme.mail-bridge',
		})
	})

	it('lets only one of two simultaneous registrations of a key through', async () => {
		const { org, user } = await vendorWorld()
		const results = await Promise.allSettled([
			createApp(org.id, user.id, appInput({ name: 'One' })),
			createApp(org.id, user.id, appInput({ name: 'Two' })),
		])
		expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
		const [rejected] = results.filter((result) => result.status === 'rejected')
		expect(rejected!.reason).toBeInstanceOf(UserFacingError)
		expect(rejected!.reason).toMatchObject({ status: 409, field: 'appKey' })
	})

	it('gives a reviewer without the vendor role 403 on the create page and action', async () => {
		const { org } = await createOrg()
		const reviewer = await addMember(org.id, ['reviewer'], 'Rita Reviewer')
		const { cookie } = await cookieFor(reviewer.id)
		const params = { org: org.slug }
		const page = await runRoute(newLoader, makeRequest(`/o/${org.slug}/apps/new`, { cookie }), params)
		expect(page.status).toBe(403)
		const attempt = await runRoute(
			newAction,
			makeRequest(`/o/${org.slug}/apps/new`, { cookie, form: appForm() }),
			params,
		)
		expect(attempt.status).toBe(403)
		expect(await listApps(org.id)).toHaveLength(0)

		// Reading is allowed, without the edit controls.
		const list = await runRoute(listLoader, makeRequest(`/o/${org.slug}/apps`, { cookie }), params)
		expect(list).toMatchObject({ status: 200, data: { canEdit: false } })
	})
})

describe('editing an app', () => {
	it('saves the changes and audits only the changed fields, before and after', async () => {
		const { org, user, cookie, params } = await vendorWorld()
		const app = await createApp(org.id, user.id, appInput())
		const result = await runRoute(
			appAction,
			makeRequest(`/o/${org.slug}/apps/${app.id}`, {
				cookie,
				form: { intent: 'update', ...appForm({ name: 'Mail Bridge Cloud', products: ['confluence', 'jira'] }) },
			}),
			{ ...params, appId: app.id },
		)
		expect(result.status).toBe(200)
		expect(result.data).toMatchObject({ notice: 'App details saved.' })
		const saved = await getApp(org.id, app.id)
		expect(saved).toMatchObject({ name: 'Mail Bridge Cloud', products: ['jira', 'confluence'] })
		expect(saved!.updatedAt.getTime()).toBeGreaterThanOrEqual(app.updatedAt.getTime())

		const events = await db.select().from(auditEvents).where(eq(auditEvents.action, 'app.updated'))
		expect(events).toHaveLength(1)
		expect(events[0]).toMatchObject({
			subjectId: app.id,
			actorUserId: user.id,
			before: { name: 'Mail Bridge', products: ['jira'] },
			after: { name: 'Mail Bridge Cloud', products: ['jira', 'confluence'] },
		})
		expect(Object.keys(events[0]!.before as object).sort()).toEqual(['name', 'products'])
	})

	it('writes no audit event when nothing changed', async () => {
		const { org, user } = await vendorWorld()
		const app = await createApp(org.id, user.id, appInput())
		await updateApp(org.id, user.id, app.id, appInput())
		expect(await db.select().from(auditEvents).where(eq(auditEvents.action, 'app.updated'))).toHaveLength(0)
	})

	it('answers an edit to a key another app uses with 409 on appKey', async () => {
		const { org, user, cookie, params } = await vendorWorld()
		await createApp(org.id, user.id, appInput({ appKey: 'taken.key' }))
		const app = await createApp(org.id, user.id, appInput())
		const result = await runRoute(
			appAction,
			makeRequest(`/o/${org.slug}/apps/${app.id}`, {
				cookie,
				form: { intent: 'update', ...appForm({ appKey: 'taken.key' }) },
			}),
			{ ...params, appId: app.id },
		)
		expect(result.status).toBe(409)
		expect(result.data).toMatchObject({
			intent: 'update',
			errors: { appKey: 'Another app in this organisation already uses this key.' },
			values: { appKey: 'taken.key' },
		})
		expect((await getApp(org.id, app.id))!.appKey).toBe('com.acme.mail-bridge')
	})

	it('validates edits with the same schema (400 with field messages)', async () => {
		const { org, user, cookie, params } = await vendorWorld()
		const app = await createApp(org.id, user.id, appInput())
		const result = await runRoute(
			appAction,
			makeRequest(`/o/${org.slug}/apps/${app.id}`, {
				cookie,
				form: { intent: 'update', ...appForm({ termsOfUseUrl: 'terms please' }) },
			}),
			{ ...params, appId: app.id },
		)
		expect(result.status).toBe(400)
		expect(result.data).toMatchObject({
			intent: 'update',
			errors: { termsOfUseUrl: 'Enter a full URL starting with https://' },
			values: { termsOfUseUrl: 'terms please' },
		})
	})
})

describe('archiving', () => {
	it('hides an archived app from the default list and listApps; restoring brings it back', async () => {
		const { org, user, cookie, params } = await vendorWorld()
		const app = await createApp(org.id, user.id, appInput())
		const appParams = { ...params, appId: app.id }

		const archived = await runRoute(
			appAction,
			makeRequest(`/o/${org.slug}/apps/${app.id}`, { cookie, form: { intent: 'archive' } }),
			appParams,
		)
		expect(archived.status).toBe(200)
		expect(await listApps(org.id)).toHaveLength(0)
		const hidden = await runRoute(listLoader, makeRequest(`/o/${org.slug}/apps`, { cookie }), params)
		expect((hidden.data as ListData).total).toBe(0)
		const shown = await runRoute(listLoader, makeRequest(`/o/${org.slug}/apps?archived=1`, { cookie }), params)
		expect((shown.data as ListData).apps.map((row) => row.id)).toEqual([app.id])

		// Archived apps are read-only, and archiving twice says so.
		await expect(updateApp(org.id, user.id, app.id, appInput({ name: 'Renamed' }))).rejects.toMatchObject({
			status: 409,
		})
		const again = await runRoute(
			appAction,
			makeRequest(`/o/${org.slug}/apps/${app.id}`, { cookie, form: { intent: 'archive' } }),
			appParams,
		)
		expect(again).toMatchObject({ status: 409, data: { formError: 'This app is already archived.' } })

		const restored = await runRoute(
			appAction,
			makeRequest(`/o/${org.slug}/apps/${app.id}`, { cookie, form: { intent: 'restore' } }),
			appParams,
		)
		expect(restored.status).toBe(200)
		expect((await listApps(org.id)).map((row) => row.id)).toEqual([app.id])

		const events = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.subjectType, 'app'), eq(auditEvents.subjectId, app.id)))
			.orderBy(asc(auditEvents.id))
		expect(events.map((event) => event.action)).toEqual(['app.created', 'app.archived', 'app.restored'])
		expect(events[1]).toMatchObject({ before: { archivedAt: null }, after: { archivedAt: expect.any(String) } })
		expect(events[2]).toMatchObject({ before: { archivedAt: expect.any(String) }, after: { archivedAt: null } })
	})
})

describe('organisation isolation and odd ids', () => {
	it("answers another organisation's app id with 404 in the loader and every action", async () => {
		const a = await createOrg('Org A')
		const b = await createOrg('Org B')
		const app = await createApp(a.org.id, a.admin.id, appInput())
		const { cookie } = await cookieFor(b.admin.id)
		const params = { org: b.org.slug, appId: app.id }
		const url = `/o/${b.org.slug}/apps/${app.id}`

		expect((await runRoute(appLoader, makeRequest(url, { cookie }), params)).status).toBe(404)
		for (const form of [
			{ intent: 'update', ...appForm({ name: 'Hijacked' }) },
			{ intent: 'archive' },
			{ intent: 'restore' },
		]) {
			const result = await runRoute(appAction, makeRequest(url, { cookie, form }), params)
			expect(result.status).toBe(404)
		}
		// The services refuse too, whatever the route does.
		await expect(updateApp(b.org.id, b.admin.id, app.id, appInput({ name: 'Hijacked' }))).rejects.toMatchObject({
			status: 404,
		})
		await expect(archiveApp(b.org.id, b.admin.id, app.id)).rejects.toMatchObject({ status: 404 })
		await expect(restoreApp(b.org.id, b.admin.id, app.id)).rejects.toMatchObject({ status: 404 })
		expect(await getApp(b.org.id, app.id)).toBeNull()

		const [row] = await db.select().from(apps).where(eq(apps.id, app.id))
		expect(row).toMatchObject({ name: 'Mail Bridge', archivedAt: null })
		expect(await db.select().from(auditEvents).where(eq(auditEvents.orgId, b.org.id))).toHaveLength(1) // org.created only
	})

	it('answers an app id that is not a uuid with 404, not a database error', async () => {
		const { org, user, cookie, params } = await vendorWorld()
		for (const appId of ['not-a-uuid', "1' or '1'='1", '00000000-0000-0000-0000-00000000000g']) {
			const appParams = { ...params, appId }
			const url = `/o/${org.slug}/apps/${encodeURIComponent(appId)}`
			expect((await runRoute(appLoader, makeRequest(url, { cookie }), appParams)).status).toBe(404)
			expect(
				(await runRoute(appAction, makeRequest(url, { cookie, form: { intent: 'archive' } }), appParams)).status,
			).toBe(404)
			expect(await getApp(org.id, appId)).toBeNull()
			await expect(archiveApp(org.id, user.id, appId)).rejects.toMatchObject({ status: 404 })
		}
		// A well-formed id that does not exist is a 404 as well.
		const missing = { ...params, appId: '00000000-0000-4000-8000-000000000000' }
		expect((await runRoute(appLoader, makeRequest('/', { cookie }), missing)).status).toBe(404)
	})

	it('gives a reviewer 403 on the app page actions but lets them read it', async () => {
		const { org, user } = await vendorWorld()
		const app = await createApp(org.id, user.id, appInput())
		const reviewer = await addMember(org.id, ['reviewer'], 'Rita Reviewer')
		const { cookie } = await cookieFor(reviewer.id)
		const params = { org: org.slug, appId: app.id }
		const url = `/o/${org.slug}/apps/${app.id}`
		expect(await runRoute(appLoader, makeRequest(url, { cookie }), params)).toMatchObject({
			status: 200,
			data: { canEdit: false },
		})
		const attempt = await runRoute(appAction, makeRequest(url, { cookie, form: { intent: 'archive' } }), params)
		expect(attempt.status).toBe(403)
		expect((await getApp(org.id, app.id))!.archivedAt).toBeNull()
	})
})

describe('searching and paging', () => {
	async function thirtyApps() {
		const world = await vendorWorld()
		for (let index = 1; index <= 30; index++) {
			const number = String(index).padStart(2, '0')
			await createApp(
				world.org.id,
				world.user.id,
				appInput({ name: `App ${number}`, appKey: index === 7 ? 'com.acme.SPECIAL_100%' : `com.acme.app-${number}` }),
			)
		}
		return world
	}

	it('pages 25 at a time: page 2 of 30 has 5', async () => {
		const { org, cookie, params } = await thirtyApps()
		const first = await runRoute(listLoader, makeRequest(`/o/${org.slug}/apps`, { cookie }), params)
		expect(first.data).toMatchObject({ total: 30, page: 1, pageSize: 25 })
		expect((first.data as ListData).apps).toHaveLength(25)
		const second = await runRoute(listLoader, makeRequest(`/o/${org.slug}/apps?page=2`, { cookie }), params)
		expect(second.data).toMatchObject({ total: 30, page: 2 })
		expect((second.data as ListData).apps.map((app) => app.name)).toEqual([
			'App 26',
			'App 27',
			'App 28',
			'App 29',
			'App 30',
		])

		// Past the end goes to the last page; nonsense falls back to the first.
		const beyond = await runRoute(listLoader, makeRequest(`/o/${org.slug}/apps?page=9`, { cookie }), params)
		expect(beyond.status).toBe(302)
		expect(beyond.headers.get('Location')).toBe(`/o/${org.slug}/apps?page=2`)
		const junk = await runRoute(listLoader, makeRequest(`/o/${org.slug}/apps?page=-3x`, { cookie }), params)
		expect(junk).toMatchObject({ status: 200, data: { page: 1 } })
	})

	it('searches name and key, case-insensitively, with % and _ taken literally', async () => {
		const { org, cookie, params } = await thirtyApps()
		const byName = await runRoute(listLoader, makeRequest(`/o/${org.slug}/apps?q=app%201`, { cookie }), params)
		expect((byName.data as ListData).apps.map((app) => app.name)).toEqual([
			'App 10',
			'App 11',
			'App 12',
			'App 13',
			'App 14',
			'App 15',
			'App 16',
			'App 17',
			'App 18',
			'App 19',
		])
		const byKey = await runRoute(listLoader, makeRequest(`/o/${org.slug}/apps?q=special_100%25`, { cookie }), params)
		expect(byKey.data).toMatchObject({ total: 1, apps: [{ name: 'App 07' }] })
		expect((await listAppsPage(org.id, { q: '%', page: 1, pageSize: 25 })).total).toBe(1)
		expect((await listAppsPage(org.id, { q: 'nothing like it', page: 1, pageSize: 25 })).total).toBe(0)
	})
})
