import { and, eq } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { db } from '#db/client.server'
import {
	accessRequests,
	accountActions,
	appDeadlineMarks,
	appDeadlines,
	apps,
	organizations,
	reportRuns,
	storedAccounts,
	tickets,
} from '#db/schema'
import { summariseDue } from '~/components/reporting-chart'
import { localDateOf } from '~/domain/zoned-time'
import AppPage, { loader as appLoader } from '~/routes/o.$org.apps.$appId'
import { dashboardPage, refreshDeadlines } from '~/services/dashboard.server'
import { dashboardRows } from '~/services/reporting.server'
import { renderRoute } from '../fixtures/render'
import { cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

// Issue 16, point 1: the dashboard counts, filters and pages thousands of apps in SQL from each app's
// kept deadline (app_deadlines). A kept deadline that lags behind its inputs would be a wrong "all clear",
// so after every kind of change the page must read exactly what the rules compute afresh.

const DAY = 86_400_000
const NOW = new Date('2026-11-30T09:00:00Z')
const daysAgo = (n: number, from = NOW) => new Date(from.getTime() - n * DAY)

async function world() {
	const { org, admin } = await createOrg('Deadline Apps')
	const app = async (name: string, values: Partial<typeof apps.$inferInsert>) => {
		const [row] = await db
			.insert(apps)
			.values({
				orgId: org.id,
				name,
				appKey: `com.deadline.${name.toLowerCase()}`,
				appType: 'forge',
				products: ['jira'],
				createdBy: admin.id,
				...values,
			})
			.returning()
		return row!
	}
	const stored = { storesPersonalData: 'yes' as const, storingSinceSource: 'person', storingSinceSetBy: admin.id }
	const list = {
		onTrack: await app('Alder', { ...stored, storingSince: daysAgo(3), personalDataSince: daysAgo(3) }),
		dueSoon: await app('Birch', { ...stored, storingSince: daysAgo(13), personalDataSince: daysAgo(13) }),
		noAnchor: await app('Cedar', { storesPersonalData: 'yes' }),
		unanswered: await app('Dogwood', {}),
		notStoring: await app('Elm', { storesPersonalData: 'no' }),
		overdue: await app('Fir', { ...stored, storingSince: daysAgo(40), personalDataSince: daysAgo(40) }),
		monthly: await app('Gum', { ...stored, storingSince: daysAgo(20), personalDataSince: daysAgo(20), cycleDays: 30 }),
	}
	// No anchor at all: the flag's own date is cleared, as an app stored before Clearance might be.
	await db.update(apps).set({ personalDataSince: null }).where(eq(apps.id, list.noAnchor.id))
	return { org, admin, apps: list }
}

/** The dashboard as kept (SQL over app_deadlines) against the rules run afresh over every app. */
async function expectSameAsRules(orgId: string, now = NOW) {
	const page = await dashboardPage(orgId, { status: 'all', q: '', page: 1 }, { pageSize: 100, chartDays: 60 }, now)
	const fresh = await dashboardRows(orgId, now)
	expect(page.rows.map((row) => [row.name, row.status])).toEqual(fresh.rows.map((row) => [row.name, row.status]))
	const counts = { overdue: 0, answer_needed: 0, due_soon: 0, on_track: 0, not_required: 0 }
	for (const row of fresh.rows) counts[row.status]++
	expect(page.counts).toEqual(counts)
	expect(page.total).toBe(fresh.rows.length)
	expect(page.chart).toEqual(summariseDue(fresh.rows, 60))
	return page
}

const statusOf = async (orgId: string, name: string, now = NOW) =>
	(await dashboardRows(orgId, now)).rows.find((row) => row.name === name)?.status

describe('the dashboard’s kept deadlines', () => {
	test('an app that says it stores no personal data while its ledger holds accounts needs an answer, not “no report”', async () => {
		const { org, admin, apps: a } = await world()
		expect(await statusOf(org.id, 'Elm')).toBe('not_required')
		await expectSameAsRules(org.id)
		await db.insert(storedAccounts).values([
			{ appId: a.notStoring.id, accountId: 'elm-1', updatedAt: daysAgo(5) },
			{ appId: a.notStoring.id, accountId: 'elm-2', updatedAt: daysAgo(2) },
		])
		const held = await expectSameAsRules(org.id)
		const elm = held.rows.find((row) => row.name === 'Elm')!
		expect(elm.status).toBe('answer_needed')
		expect(elm.headline).toContain('its ledger holds 2 accounts')
		// The app's own page says the same, not that it has no reports to send.
		const { cookie } = await cookieFor(admin.id)
		const page = await runRoute(appLoader, makeRequest('/', { cookie }), { org: org.slug, appId: a.notStoring.id })
		expect(await renderRoute(AppPage, page.data)).toContain('but its ledger holds 2 accounts')
		// Emptied, the "no" stands again.
		await db.delete(storedAccounts).where(eq(storedAccounts.appId, a.notStoring.id))
		expect((await expectSameAsRules(org.id)).rows.find((row) => row.name === 'Elm')!.status).toBe('not_required')
	})

	test('read the same as the rules after every kind of change to what a deadline rests on', async () => {
		const { org, admin, apps: a } = await world()
		const first = await expectSameAsRules(org.id)
		expect(first.counts).toEqual({ overdue: 2, answer_needed: 1, due_soon: 1, on_track: 2, not_required: 1 })

		// A report run recorded, then corrected to an older time, then removed.
		const [run] = await db
			.insert(reportRuns)
			.values({
				orgId: org.id,
				appId: a.overdue.id,
				sentAt: daysAgo(1),
				accountCount: 1,
				batchCount: 1,
				closedCount: 0,
				recordedBy: admin.id,
			})
			.returning()
		await expectSameAsRules(org.id)
		expect(await statusOf(org.id, 'Fir')).toBe('on_track')
		await db
			.update(reportRuns)
			.set({ sentAt: daysAgo(20) })
			.where(eq(reportRuns.id, run!.id))
		await expectSameAsRules(org.id)
		expect(await statusOf(org.id, 'Fir')).toBe('overdue')
		await db.delete(reportRuns).where(eq(reportRuns.id, run!.id))
		await expectSameAsRules(org.id)

		// The app edited: an earlier storing-since date, a longer cycle, a changed answer.
		await db
			.update(apps)
			.set({ storingSince: daysAgo(30) })
			.where(eq(apps.id, a.onTrack.id))
		await db.update(apps).set({ cycleDays: 30 }).where(eq(apps.id, a.dueSoon.id))
		await db.update(apps).set({ storesPersonalData: 'no' }).where(eq(apps.id, a.unanswered.id))
		await expectSameAsRules(org.id)
		expect(await statusOf(org.id, 'Alder')).toBe('overdue')

		// The ledger's first account gives the app without an anchor a deadline; removing it takes it away.
		await db.insert(storedAccounts).values({ appId: a.noAnchor.id, accountId: 'acc-1', updatedAt: daysAgo(2) })
		await expectSameAsRules(org.id)
		expect(await statusOf(org.id, 'Cedar')).toBe('on_track')
		await db.insert(storedAccounts).values({ appId: a.noAnchor.id, accountId: 'acc-0', updatedAt: daysAgo(20) })
		await expectSameAsRules(org.id)
		expect(await statusOf(org.id, 'Cedar')).toBe('overdue')
		await db.delete(storedAccounts).where(eq(storedAccounts.appId, a.noAnchor.id))
		await expectSameAsRules(org.id)

		// The organisation's time zone moves every deadline's calendar day.
		await db.update(organizations).set({ timeZone: 'Pacific/Kiritimati' }).where(eq(organizations.id, org.id))
		await expectSameAsRules(org.id)

		// An archived app leaves the dashboard; restored, it comes back.
		await db.update(apps).set({ archivedAt: NOW }).where(eq(apps.id, a.monthly.id))
		expect((await expectSameAsRules(org.id)).rows.map((row) => row.name)).not.toContain('Gum')
		await db.update(apps).set({ archivedAt: null }).where(eq(apps.id, a.monthly.id))
		await expectSameAsRules(org.id)
	})

	test('the clock moves the status without any change: read against now at every view', async () => {
		const { org } = await world()
		await expectSameAsRules(org.id)
		for (const days of [1, 2, 5, 12, 31, 400]) await expectSameAsRules(org.id, new Date(NOW.getTime() + days * DAY))
	})

	test('a repeat view is answered as kept only while that answer holds: same version, same day, no deadline passed', async () => {
		const { org, apps: a } = await world()
		const first = await expectSameAsRules(org.id)
		// A write the version does not know of (no trigger marks app_deadlines itself): a repeat view keeps its
		// answer, which is how this test sees that the statement was not run again.
		await db.update(appDeadlines).set({ basis: 'not_required' }).where(eq(appDeadlines.appId, a.overdue.id))
		const again = await dashboardPage(org.id, { status: 'all', q: '', page: 1 }, { pageSize: 100, chartDays: 60 }, NOW)
		expect(again.counts).toEqual(first.counts)
		// Any change leaves a mark; computing the marks moves the version, here as another server's view would
		// (this server sees no mark left), and the next view here reads every app again.
		await db.update(apps).set({ name: 'Hawthorn' }).where(eq(apps.id, a.notStoring.id))
		expect(await refreshDeadlines(org.id, NOW)).toBe(1)
		const moved = await dashboardPage(org.id, { status: 'all', q: '', page: 1 }, { pageSize: 100, chartDays: 60 }, NOW)
		expect(moved.counts.not_required).toBe(first.counts.not_required + 1)
		expect(moved.rows.map((row) => row.name)).toContain('Hawthorn')
	})

	test('a deadline passing within the day changes the kept answer, and so does a view at an earlier time', async () => {
		const { org, apps: a } = await world()
		// A cycle with hours in it (a Cycle-Period such as PT12H) is due at its exact instant, not at a day's end.
		await db.update(apps).set({ cycleDays: 14.5 }).where(eq(apps.id, a.onTrack.id))
		const { rows, timeZone } = await dashboardRows(org.id, NOW)
		const next = rows.find((row) => row.name === 'Alder')!
		const before = new Date(next.dueAt!.getTime() - 1_000)
		const after = new Date(next.dueAt!.getTime() + 1_000)
		// Both views fall on one day in the organisation's zone: only the deadline passing tells them apart.
		expect(localDateOf(before, timeZone)).toBe(localDateOf(after, timeZone))
		const overdueBefore = (await expectSameAsRules(org.id, before)).counts.overdue
		expect((await expectSameAsRules(org.id, after)).counts.overdue).toBe(overdueBefore + 1)
		expect((await expectSameAsRules(org.id, before)).counts.overdue).toBe(overdueBefore)
	})

	test('filters, searches and pages as the rules order them', async () => {
		const { org } = await world()
		const fresh = (await dashboardRows(org.id, NOW)).rows
		const page = (query: Partial<Parameters<typeof dashboardPage>[1]>, pageSize = 2) =>
			dashboardPage(org.id, { status: 'all', q: '', page: 1, ...query }, { pageSize, chartDays: 60 }, NOW)
		const second = await page({ page: 2 })
		expect(second.rows.map((row) => row.name)).toEqual(fresh.slice(2, 4).map((row) => row.name))
		expect(second.total).toBe(fresh.length)
		const overdue = await page({ status: 'overdue' }, 10)
		expect(overdue.rows.map((row) => row.name)).toEqual(
			fresh.filter((row) => row.status === 'overdue').map((row) => row.name),
		)
		expect((await page({ q: 'BIRCH' })).rows.map((row) => row.name)).toEqual(['Birch'])
		expect((await page({ q: 'deadline.elm' })).rows.map((row) => row.name)).toEqual(['Elm'])
		expect((await page({ q: '%' })).total).toBe(0)
		expect((await page({ q: 'a\u0000b' })).total).toBe(0)
	})

	test('a change leaves a mark in its own transaction; a view computes the marked apps and removes the marks', async () => {
		const { org, apps: a } = await world()
		await refreshDeadlines(org.id, NOW)
		const marks = () => db.select().from(appDeadlineMarks).where(eq(appDeadlineMarks.orgId, org.id))
		expect(await marks()).toHaveLength(0)
		await expect(
			db.transaction(async (tx) => {
				await tx
					.update(apps)
					.set({ cycleDays: 30 })
					.where(and(eq(apps.id, a.dueSoon.id), eq(apps.orgId, org.id)))
				throw new Error('rolled back')
			}),
		).rejects.toThrow('rolled back')
		expect(await marks()).toHaveLength(0)
		await db.update(apps).set({ cycleDays: 30 }).where(eq(apps.id, a.dueSoon.id))
		expect((await marks()).map((mark) => mark.appId)).toEqual([a.dueSoon.id])
		expect(await refreshDeadlines(org.id, NOW)).toBe(1)
		expect(await marks()).toHaveLength(0)
		expect(await refreshDeadlines(org.id, NOW)).toBe(0)
	})

	test('another organisation’s apps are neither computed nor shown', async () => {
		const { org } = await world()
		const other = await world()
		const page = await dashboardPage(org.id, { status: 'all', q: '', page: 1 }, { pageSize: 100, chartDays: 60 }, NOW)
		const otherIds = new Set(Object.values(other.apps).map((app) => app.id))
		expect(page.rows.some((row) => otherIds.has(row.id))).toBe(false)
		expect(page.appCount).toBe(7)
		// The other organisation's marks are still there, for its own next view.
		const otherMarks = await db.select().from(appDeadlineMarks).where(eq(appDeadlineMarks.orgId, other.org.id))
		expect(new Set(otherMarks.map((mark) => mark.appId))).toEqual(otherIds)
	})
	test('a page’s listed rows carry the same runs, tasks and requests as the organisation’s', async () => {
		const { org, admin, apps: a } = await world()
		const other = await world()
		const run = async (appId: string, orgId = org.id, sentAt = daysAgo(2)) =>
			(
				await db
					.insert(reportRuns)
					.values({ orgId, appId, sentAt, accountCount: 3, batchCount: 1, recordedBy: admin.id })
					.returning()
			)[0]!
		const fir = await run(a.overdue.id, org.id, daysAgo(30))
		await run(a.overdue.id, org.id, daysAgo(20))
		const task = (
			runId: string,
			appId: string,
			kind: 'erase' | 'refresh',
			dueAt: Date,
			completedAt: Date | null = null,
		) => ({
			orgId: org.id,
			appId,
			runId,
			accountId: `acct-${Math.random()}`,
			kind,
			dueAt,
			completedAt,
		})
		await db
			.insert(accountActions)
			.values([
				task(fir.id, a.overdue.id, 'erase', daysAgo(1)),
				task(fir.id, a.overdue.id, 'erase', daysAgo(-5)),
				task(fir.id, a.overdue.id, 'refresh', daysAgo(-5)),
				task(fir.id, a.overdue.id, 'erase', daysAgo(3), daysAgo(1)),
			])
		// Another organisation's run and tasks on its own app: counted for neither.
		const theirs = await run(other.apps.overdue.id, other.org.id)
		await db
			.insert(accountActions)
			.values({ ...task(theirs.id, other.apps.overdue.id, 'erase', daysAgo(1)), orgId: other.org.id })
		const request = async (appId: string, state: 'draft' | 'submitted', updatedAt: Date, key?: string) => {
			const [row] = await db
				.insert(accessRequests)
				.values({ orgId: org.id, appId, state, createdBy: admin.id, updatedBy: admin.id, updatedAt })
				.returning()
			if (key)
				await db.insert(tickets).values({
					orgId: org.id,
					requestId: row!.id,
					key,
					openedAt: updatedAt,
					lastActivityAt: updatedAt,
					createdBy: admin.id,
				})
		}
		await request(a.onTrack.id, 'submitted', daysAgo(9), 'DEVHELP-1')
		await request(a.onTrack.id, 'draft', daysAgo(1))
		await request(a.dueSoon.id, 'submitted', daysAgo(4), 'DEVHELP-2')
		const whole = (await dashboardRows(org.id, NOW)).rows
		const ids = [a.overdue.id, a.onTrack.id, a.dueSoon.id, a.unanswered.id, other.apps.dueSoon.id]
		const listed = (await dashboardRows(org.id, NOW, { appIds: ids })).rows
		expect(listed).toEqual(whole.filter((row) => ids.includes(row.id)))
		const fir2 = listed.find((row) => row.id === a.overdue.id)!
		expect(fir2).toMatchObject({ openErase: 2, openRefresh: 1, overdueTasks: 1, lastRunAt: daysAgo(20) })
		expect(listed.find((row) => row.id === a.onTrack.id)).toMatchObject({ requestState: 'draft', ticketKey: null })
		expect(listed.find((row) => row.id === a.dueSoon.id)).toMatchObject({
			requestState: 'submitted',
			ticketKey: 'DEVHELP-2',
		})
		expect((await dashboardRows(org.id, NOW, { appId: a.overdue.id })).rows).toEqual([fir2])
	})
})
