import { and, eq } from 'drizzle-orm'
import ICAL from 'ical.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { db } from '#db/client.server'
import { accountActions, appOwners, auditEvents, calendarFeeds, memberships, organizations } from '#db/schema'
import { type ApiScope } from '~/domain/api-keys'
import * as accountsRoute from '~/routes/api.v1.apps_.$appId_.accounts'
import * as runsRoute from '~/routes/api.v1.apps_.$appId_.report-runs'
import * as apiCalendarRoute from '~/routes/api.v1.calendar[.]ics'
import * as feedRoute from '~/routes/calendar.$token[.]ics'
import * as pageRoute from '~/routes/o.$org.calendar'
import { createFeed, revokeFeed } from '~/services/calendar.server'
import { renderRoute } from '../fixtures/render'
import { createTestApp } from '../fixtures/requests'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'
import { apiRequest, call, expectError, keyFor } from './api-helpers'

const DAY = 86_400_000
const ZONE = 'Pacific/Auckland'
const CLOSED_1 = '5be24ba3f91c106033269289'
const CLOSED_2 = '5be24ba3f91c10603326928a'
const UPDATED = '5be24ad8b16532403769aaaa'

/** `YYYY-MM-DD` of an instant in a zone, straight from Intl (not the app's own zone code). */
const localDate = (at: Date, timeZone: string) =>
	new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
const plusDays = (date: string, days: number) =>
	new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10)

/**
 * An organisation in Auckland; Mail Bridge reported yesterday at 20:00 UTC
 * (already today in Auckland) with Atlassian answering two closed accounts
 * and one updated one; Side Sync owned by a member; another organisation
 * with an app of its own.
 */
async function calendarWorld() {
	const { org, admin } = await createOrg('Acme Apps')
	await db.update(organizations).set({ timeZone: ZONE }).where(eq(organizations.id, org.id))
	const mailBridge = await createTestApp(org.id, admin.id)
	const sideSync = await createTestApp(org.id, admin.id, { name: 'Side Sync', appKey: 'com.acme.side-sync' })
	const member = await addMember(org.id, ['member'], 'Mia Member')
	// Side Sync's owner is the member alone; Mail Bridge lists nobody, so its creator answers for it.
	await db.delete(appOwners).where(eq(appOwners.orgId, org.id))
	await db.insert(appOwners).values({ orgId: org.id, appId: sideSync.id, userId: member.id })

	const key = await keyFor(org.id, ['read', 'accounts:write', 'reports:write'], 'Test job')
	const updatedAt = new Date(Date.now() - 5 * DAY).toISOString()
	const pushed = await call(
		accountsRoute,
		apiRequest(`/apps/${mailBridge.id}/accounts`, {
			key,
			method: 'POST',
			body: { accounts: [CLOSED_1, CLOSED_2, UPDATED].map((accountId) => ({ accountId, updatedAt })) },
		}),
		{ appId: mailBridge.id },
	)
	expect(pushed.status, JSON.stringify(pushed.data)).toBeLessThan(300)
	const todayUtc = new Date().toISOString().slice(0, 10)
	const sentAt = new Date(Date.parse(`${plusDays(todayUtc, -1)}T20:00:00Z`))
	const run = await call(
		runsRoute,
		apiRequest(`/apps/${mailBridge.id}/report-runs`, {
			key,
			method: 'POST',
			body: {
				sentAt: sentAt.toISOString(),
				responses: [
					{
						status: 200,
						accounts: [
							{ accountId: CLOSED_1, status: 'closed' },
							{ accountId: CLOSED_2, status: 'closed' },
							{ accountId: UPDATED, status: 'updated' },
						],
					},
				],
			},
		}),
		{ appId: mailBridge.id },
	)
	expect(run.status, JSON.stringify(run.data)).toBe(201)

	const other = await createOrg('Other Org')
	await createTestApp(other.org.id, other.admin.id, { name: 'Other Secret App', appKey: 'com.other.secret' })

	return { org, admin, member, mailBridge, sideSync, sentAt, other }
}

async function fetchFeed(token: string) {
	const outcome = await runRoute(feedRoute.loader, makeRequest(`/calendar/${token}.ics`), { token })
	return { ...outcome, text: String(outcome.data) }
}

type ParsedEvent = { uid: string; summary: string; date: string; isDate: boolean; url: string; alarm: string | null }

/** The feed read by a third-party iCalendar library (ical.js), as a calendar client would. */
function parseFeed(text: string) {
	const calendar = new ICAL.Component(ICAL.parse(text))
	const events: ParsedEvent[] = calendar.getAllSubcomponents('vevent').map((vevent) => {
		const start = vevent.getFirstPropertyValue('dtstart') as ICAL.Time
		const alarm = vevent.getFirstSubcomponent('valarm')
		return {
			uid: String(vevent.getFirstPropertyValue('uid')),
			summary: String(vevent.getFirstPropertyValue('summary')),
			date: start.toString(),
			isDate: start.isDate,
			url: String(vevent.getFirstPropertyValue('url')),
			alarm: alarm
				? `${String(alarm.getFirstPropertyValue('action'))} ${String(alarm.getFirstPropertyValue('trigger'))}`
				: null,
		}
	})
	return { calendar, events }
}

describe('calendar feed /calendar/<token>.ics', () => {
	it('is valid iCalendar with one all-day event per report due date and per task day, in the organisation’s zone', async () => {
		const world = await calendarWorld()
		const { token } = await createFeed(world.org.id, world.admin.id, null)
		const feed = await fetchFeed(token)
		expect(feed.status).toBe(200)
		expect(feed.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8')

		// RFC 5545 by hand: CRLF line ends, no physical line over 75 octets.
		expect(feed.text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
		for (const line of feed.text.split('\r\n')) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75)

		const { calendar, events } = parseFeed(feed.text)
		expect(calendar.getFirstPropertyValue('version')).toBe('2.0')
		expect(calendar.getFirstPropertyValue('prodid')).toMatch(/Clearance/)
		expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Acme Apps deadlines (Clearance)')

		// Reported yesterday 20:00 UTC = today in Auckland; due cycleDays local days later, all day.
		const reportDate = plusDays(localDate(world.sentAt, ZONE), world.mailBridge.cycleDays)
		expect(localDate(world.sentAt, ZONE)).not.toBe(localDate(world.sentAt, 'UTC'))
		const report = events.find((event) => event.summary === 'Personal-data report due: Mail Bridge')
		expect(report).toMatchObject({
			date: reportDate,
			isDate: true,
			uid: `report-${world.mailBridge.id}-${reportDate.replace(/-/g, '')}@clearance`,
			url: `http://localhost/o/${world.org.slug}/apps/${world.mailBridge.id}/reporting`,
			alarm: 'DISPLAY -P1D',
		})

		// The tasks, grouped per app, kind and local day.
		const tasks = await db.select().from(accountActions).where(eq(accountActions.appId, world.mailBridge.id))
		const eraseDay = localDate(tasks.find((task) => task.kind === 'erase')!.dueAt, ZONE)
		const refreshDay = localDate(tasks.find((task) => task.kind === 'refresh')!.dueAt, ZONE)
		expect(events.find((event) => event.summary === '2 accounts to erase for Mail Bridge')).toMatchObject({
			date: eraseDay,
			isDate: true,
			uid: `erase-${world.mailBridge.id}-${eraseDay.replace(/-/g, '')}@clearance`,
			alarm: 'DISPLAY -P1D',
		})
		expect(events.find((event) => event.summary === '1 account to refresh for Mail Bridge')).toMatchObject({
			date: refreshDay,
			isDate: true,
		})
		// Side Sync has never reported, so it is due now: its event is there too (the organisation's feed holds every app).
		expect(events.some((event) => event.summary === 'Personal-data report due: Side Sync')).toBe(true)
		// Every event has a reminder a day before.
		expect(events.every((event) => event.alarm === 'DISPLAY -P1D')).toBe(true)

		// A second fetch: the same UIDs (calendar clients update events instead of doubling them).
		const again = parseFeed((await fetchFeed(token)).text)
		expect(again.events.map((event) => event.uid).sort()).toEqual(events.map((event) => event.uid).sort())
	})

	it('never shows another organisation’s apps, and another organisation’s token shows only its own', async () => {
		const world = await calendarWorld()
		const { token } = await createFeed(world.org.id, world.admin.id, null)
		const mine = (await fetchFeed(token)).text
		expect(mine).not.toContain('Other Secret App')
		const { token: theirs } = await createFeed(world.other.org.id, world.other.admin.id, null)
		const theirFeed = parseFeed((await fetchFeed(theirs)).text)
		expect(theirFeed.events.map((event) => event.summary)).toEqual(['Personal-data report due: Other Secret App'])
	})

	it('a person’s feed holds the apps they answer for: listed as owner, or created by them when nobody is listed', async () => {
		const world = await calendarWorld()
		const adminFeed = await createFeed(world.org.id, world.admin.id, world.admin.id)
		const memberFeed = await createFeed(world.org.id, world.member.id, world.member.id)
		const summaries = async (token: string) => parseFeed((await fetchFeed(token)).text).events.map((e) => e.summary)
		const admins = await summaries(adminFeed.token)
		expect(admins).toContain('Personal-data report due: Mail Bridge')
		expect(admins).toContain('2 accounts to erase for Mail Bridge')
		// Side Sync has an owner (the member), so it is not in its creator's calendar.
		expect(admins.some((summary) => summary.includes('Side Sync'))).toBe(false)
		expect(await summaries(memberFeed.token)).toEqual(['Personal-data report due: Side Sync'])
	})

	it('stores only a hash of the token; a new URL replaces the old; a stopped or unknown URL is a 404 in words', async () => {
		const world = await calendarWorld()
		const first = await createFeed(world.org.id, world.admin.id, null)
		const stored = await db.query.calendarFeeds.findMany({ where: (feeds, { eq }) => eq(feeds.orgId, world.org.id) })
		expect(JSON.stringify(stored)).not.toContain(first.token)

		const second = await createFeed(world.org.id, world.admin.id, null)
		expect(second.replaced).toBe(true)
		const gone = await fetchFeed(first.token)
		expect(gone.status).toBe(404)
		expect(gone.headers.get('Content-Type')).toBe('text/plain; charset=utf-8')
		expect(gone.text).toMatch(/replaced by a new one/)
		expect((await fetchFeed(second.token)).status).toBe(200)

		await revokeFeed(world.org.id, world.admin.id, null)
		expect((await fetchFeed(second.token)).status).toBe(404)
		expect((await fetchFeed('not-a-real-token-but-long-enough-000000')).status).toBe(404)
		expect((await fetchFeed('x')).status).toBe(404)

		const audit = await db
			.select({ action: auditEvents.action })
			.from(auditEvents)
			.where(and(eq(auditEvents.orgId, world.org.id), eq(auditEvents.subjectType, 'organization')))
		expect(audit.map((event) => event.action).filter((action) => action.startsWith('calendar_feed.'))).toEqual(
			expect.arrayContaining(['calendar_feed.created', 'calendar_feed.revoked']),
		)
	})

	it('only an admin makes the organisation’s URL, and only the person their own', async () => {
		const world = await calendarWorld()
		await expect(createFeed(world.org.id, world.member.id, null)).rejects.toMatchObject({ status: 403 })
		await expect(createFeed(world.org.id, world.admin.id, world.member.id)).rejects.toMatchObject({ status: 403 })
		await expect(createFeed(world.org.id, world.other.admin.id, world.other.admin.id)).rejects.toMatchObject({
			status: 404,
		})
		expect(await db.$count(calendarFeeds, eq(calendarFeeds.orgId, world.org.id))).toBe(0)
	})

	it('a person’s feed stops when they leave the organisation', async () => {
		const world = await calendarWorld()
		const { token } = await createFeed(world.org.id, world.member.id, world.member.id)
		expect((await fetchFeed(token)).status).toBe(200)
		await db
			.delete(memberships)
			.where(and(eq(memberships.orgId, world.org.id), eq(memberships.userId, world.member.id)))
		expect((await fetchFeed(token)).status).toBe(404)
	})
})

describe('links in the feed', () => {
	afterEach(() => vi.unstubAllEnvs())

	it('are absolute from PUBLIC_URL when it is set (the address people use, behind a proxy)', async () => {
		vi.stubEnv('PUBLIC_URL', 'https://clearance.example/')
		const world = await calendarWorld()
		const { token } = await createFeed(world.org.id, world.admin.id, null)
		const { events } = parseFeed((await fetchFeed(token)).text)
		expect(events.length).toBeGreaterThan(0)
		for (const event of events) {
			expect(event.url).toMatch(
				new RegExp(`^https://clearance\\.example/o/${world.org.slug}/apps/[0-9a-f-]{36}/reporting$`),
			)
		}
	})
})

describe('GET /api/v1/calendar.ics', () => {
	const get = (key: string) => call(apiCalendarRoute, apiRequest('/calendar.ics', { key }))

	it('answers a key with the read scope with the organisation’s feed', async () => {
		const world = await calendarWorld()
		const outcome = await get(await keyFor(world.org.id, ['read']))
		expect(outcome.status).toBe(200)
		expect(outcome.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8')
		const { events } = parseFeed(String(outcome.data))
		expect(events.map((event) => event.summary)).toEqual(
			expect.arrayContaining(['Personal-data report due: Mail Bridge', 'Personal-data report due: Side Sync']),
		)
		expect(String(outcome.data)).not.toContain('Other Secret App')
	})

	it('refuses a key without the read scope (403) and no key (401)', async () => {
		const world = await calendarWorld()
		const scopes: ApiScope[] = ['apps:write']
		expectError(await get(await keyFor(world.org.id, scopes)), 403)
		expectError(await call(apiCalendarRoute, apiRequest('/calendar.ics')), 401)
	})
})

describe('the calendar page /o/<slug>/calendar', () => {
	it('gives a member their own URL once, which works; the organisation’s URL is for admins only', async () => {
		const world = await calendarWorld()
		const { cookie } = await cookieFor(world.member.id)
		const url = `/o/${world.org.slug}/calendar`
		const params = { org: world.org.slug }

		const page = await runRoute(pageRoute.loader, makeRequest(url, { cookie }), params)
		expect(page.status).toBe(200)
		expect(page.data).toMatchObject({ isAdmin: false, person: null, organisation: null })

		const created = await runRoute(
			pageRoute.action,
			makeRequest(url, { cookie, form: { intent: 'create', feed: 'person' } }),
			params,
		)
		expect(created.status).toBe(200)
		expect(created.headers.get('Cache-Control')).toBe('no-store')
		const feedUrl = (created.data as { created: { url: string } }).created.url
		expect(feedUrl).toMatch(/^http:\/\/localhost\/calendar\/[A-Za-z0-9_-]{43}\.ics$/)
		const token = feedUrl.match(/calendar\/(.+)\.ics$/)![1]!
		expect(parseFeed((await fetchFeed(token)).text).events.map((event) => event.summary)).toEqual([
			'Personal-data report due: Side Sync',
		])
		const after = await runRoute(pageRoute.loader, makeRequest(url, { cookie }), params)
		expect((after.data as { person: unknown }).person).not.toBeNull()

		const refused = await runRoute(
			pageRoute.action,
			makeRequest(url, { cookie, form: { intent: 'create', feed: 'organisation' } }),
			params,
		)
		expect(refused.status).toBe(403)

		const bad = await runRoute(
			pageRoute.action,
			makeRequest(url, { cookie, form: { intent: 'create', feed: 'everyone' } }),
			params,
		)
		expect(bad.status).toBe(400)
	})

	it('lets an admin make the organisation’s URL, and a new one stops the old', async () => {
		const world = await calendarWorld()
		const { cookie } = await cookieFor(world.admin.id)
		const url = `/o/${world.org.slug}/calendar`
		const params = { org: world.org.slug }
		const make = async () => {
			const outcome = await runRoute(
				pageRoute.action,
				makeRequest(url, { cookie, form: { intent: 'create', feed: 'organisation' } }),
				params,
			)
			expect(outcome.status).toBe(200)
			return (outcome.data as { created: { url: string; replaced: boolean } }).created
		}
		const first = await make()
		expect(first.replaced).toBe(false)
		const second = await make()
		expect(second.replaced).toBe(true)
		const tokenOf = (feedUrl: string) => feedUrl.match(/calendar\/(.+)\.ics$/)![1]!
		expect((await fetchFeed(tokenOf(first.url))).status).toBe(404)
		expect((await fetchFeed(tokenOf(second.url))).status).toBe(200)
		const page = await runRoute(pageRoute.loader, makeRequest(url, { cookie }), params)
		expect(page.data).toMatchObject({ isAdmin: true, organisation: { createdByName: 'Fay Founder' } })

		// The page as people read it: the new URL in a read-only input (selectable without JavaScript), a Copy
		// button, and how to subscribe in Google Calendar and Outlook.
		const html = await renderRoute(pageRoute.default, page.data, { feed: 'organisation', created: second })
		expect(html).toContain(`value="${second.url}"`)
		expect(html).toMatch(/<input[^>]*readOnly|<input[^>]*readonly/)
		expect(html).toContain('>Copy</button>')
		expect(html).toContain('The old URL no longer works')
		expect(html).toContain('<strong>From URL</strong>')
		expect(html).toContain('<strong>Subscribe from web</strong>')
		expect(html).toContain('Create a new URL')
		expect(html).toContain('Organisation calendar')
	})
})
