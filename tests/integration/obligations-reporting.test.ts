import { createHash } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { apps, auditEvents, preparedReports, reportRuns } from '#db/schema'
import { parseCsv } from '~/domain/csv'
import { loader as dashboardLoader } from '~/routes/o.$org._index'
import { action as reportingAction, loader as reportingLoader } from '~/routes/o.$org.apps.$appId_.reporting'
import { loader as batchesLoader } from '~/routes/o.$org.apps.$appId_.reporting.batches'
import { AppSchema } from '~/schemas/apps'
import { createApp, getApp } from '~/services/apps.server'
import { importAccounts } from '~/services/ledger.server'
import { prepareReport } from '~/services/prepared-reports.server'
import { dashboardRows, getReportingOverview, recordRun, setCycle } from '~/services/reporting.server'
import { keepStoringSince, setStoringSince } from '~/services/storing-since.server'
import { cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

// Issue 9, findings 1–4: every obligation Clearance states is right and backed by evidence.

const DAY = 86_400_000

function appInput(overrides: Record<string, unknown> = {}) {
	return AppSchema.parse({
		name: 'Mail Bridge',
		appKey: `com.acme.bridge-${Math.random().toString(36).slice(2, 8)}`,
		appType: 'forge',
		products: ['jira'],
		privacyPolicyUrl: 'https://acme.example/privacy',
		storesPersonalData: 'yes',
		...overrides,
	})
}

async function world(overrides: Record<string, unknown> = {}) {
	const { org, admin } = await createOrg()
	const { cookie } = await cookieFor(admin.id)
	const app = await createApp(org.id, admin.id, appInput(overrides))
	return {
		org,
		user: admin,
		cookie,
		app,
		params: { org: org.slug, appId: app.id },
		url: `/o/${org.slug}/apps/${app.id}/reporting`,
	}
}

function csv(rows: [string, Date][]) {
	return ['accountId,updatedAt', ...rows.map(([id, at]) => `${id},${at.toISOString()}`)].join('\n')
}

async function importRows(orgId: string, userId: string, appId: string, rows: [string, Date][]) {
	return importAccounts(orgId, userId, appId, parseCsv([csv(rows)]), { atomic: false })
}

describe('finding 1: "not decided" is never "no report needed"', () => {
	it('shows an app without a personal-data answer as answer needed, counted with the urgent ones', async () => {
		const { org, cookie, app, params, url } = await world({ storesPersonalData: 'undecided' })
		await createApp(
			org.id,
			(await getApp(org.id, app.id))!.createdBy!,
			appInput({ name: 'Quiet App', storesPersonalData: 'no' }),
		)
		const dashboard = await runRoute(dashboardLoader, makeRequest(`/o/${org.slug}`, { cookie }), { org: org.slug })
		const data = dashboard.data as {
			rows: { name: string; status: string; headline: string }[]
			counts: Record<string, number>
		}
		expect(data.rows.map((row) => [row.name, row.status])).toEqual([
			['Mail Bridge', 'answer_needed'],
			['Quiet App', 'not_required'],
		])
		expect(data.counts).toMatchObject({ answer_needed: 1, not_required: 1 })
		expect(data.rows[0]!.headline).toContain('Answer needed')

		const page = await runRoute(reportingLoader, makeRequest(url, { cookie }), params)
		const status = (page.data as { status: { status: string; explanation: string } }).status
		expect(status.status).toBe('answer_needed')
		expect(status.explanation).toContain('cannot tell whether reports are due')
		expect(status.explanation).not.toMatch(/no report/i)
	})
})

describe('finding 2: the clock starts when the app started storing data', () => {
	it('counts the first report from the oldest updatedAt imported: 16 days ago on a 15-day cycle is overdue', async () => {
		const { org, user, app } = await world()
		const now = new Date()
		await importRows(org.id, user.id, app.id, [
			['5be24ad8b1653240376955d2', new Date(now.getTime() - 16 * DAY)],
			['acc-2', new Date(now.getTime() - 2 * DAY)],
		])
		const saved = await getApp(org.id, app.id)
		expect(saved).toMatchObject({ storingSinceSource: 'ledger' })
		expect(saved!.storingSince!.getTime()).toBe(now.getTime() - 16 * DAY)
		const [row] = (await dashboardRows(org.id)).rows
		expect(row).toMatchObject({ status: 'overdue' })
		expect(row!.headline).toMatch(/^First report overdue by 1 day/)
		const events = await db.select().from(auditEvents).where(eq(auditEvents.action, 'app.storing_since_set'))
		expect(events).toHaveLength(1)
	})

	it('takes the date a person gives; an import with older accounts proposes the earlier date and counts from it until answered', async () => {
		const { org, user, app } = await world()
		const now = Date.now()
		await setStoringSince(org.id, user.id, app.id, new Date(now - 3 * DAY))
		let [row] = (await dashboardRows(org.id)).rows
		expect(row).toMatchObject({ status: 'on_track', daysLeft: 12 })

		await importRows(org.id, user.id, app.id, [['acc-old', new Date(now - 20 * DAY)]])
		const proposed = await getApp(org.id, app.id)
		expect(proposed!.storingSinceProposed!.getTime()).toBe(now - 20 * DAY)
		;[row] = (await dashboardRows(org.id)).rows
		// The earlier (safe) date applies until a person answers.
		expect(row).toMatchObject({ status: 'overdue' })
		expect(row!.attention.join(' ')).toContain('older than the storing-since date')

		await keepStoringSince(org.id, user.id, app.id)
		;[row] = (await dashboardRows(org.id)).rows
		expect(row).toMatchObject({ status: 'on_track', daysLeft: 12 })
		await expect(keepStoringSince(org.id, user.id, app.id)).rejects.toMatchObject({ status: 409 })
	})

	it('a person’s date later than data already stored does not turn an overdue app green: the earlier date is proposed', async () => {
		const { org, user, app } = await world()
		const now = Date.now()
		await importRows(org.id, user.id, app.id, [['acc-old', new Date(now - 20 * DAY)]])
		expect((await dashboardRows(org.id)).rows[0]).toMatchObject({ status: 'overdue' })
		const saved = await setStoringSince(org.id, user.id, app.id, new Date(now - 2 * DAY))
		expect(saved.storingSinceProposed!.getTime()).toBe(now - 20 * DAY)
		// Still overdue, and it says why, until the person keeps their date on purpose.
		const [row] = (await dashboardRows(org.id)).rows
		expect(row).toMatchObject({ status: 'overdue' })
		expect(row!.attention.join(' ')).toContain('older than the storing-since date')
		await keepStoringSince(org.id, user.id, app.id)
		expect((await dashboardRows(org.id)).rows[0]).toMatchObject({ status: 'on_track' })
	})

	it('sets the date from the reporting page, and refuses a date in the future or no date', async () => {
		const { org, cookie, app, params, url } = await world()
		const ok = await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'storing-since', storingSince: '2026-01-05' } }),
			params,
		)
		expect(ok.status).toBe(200)
		expect((await getApp(org.id, app.id))!.storingSince!.toISOString()).toBe('2026-01-05T00:00:00.000Z')
		for (const storingSince of ['', '5 Jan', '2999-01-01']) {
			const bad = await runRoute(
				reportingAction,
				makeRequest(url, { cookie, form: { intent: 'storing-since', storingSince } }),
				params,
			)
			expect(bad.status, storingSince).toBe(400)
			expect(bad.data).toMatchObject({ errors: { storingSince: expect.any(String) } })
		}
	})
})

describe('finding 3: runs are tied to what was sent', () => {
	async function prepared() {
		const w = await world()
		await importRows(w.org.id, w.user.id, w.app.id, [
			['acc-1', new Date('2026-01-01T00:00:00Z')],
			['acc-2', new Date('2026-01-02T00:00:00Z')],
		])
		const report = await prepareReport(w.org.id, w.user.id, w.app.id)
		return { ...w, report }
	}

	it('identifies a prepared report by the SHA-256 of the batches the download serves, without side effects', async () => {
		const { org, cookie, app, params, url, report } = await prepared()
		const download = await runRoute(
			batchesLoader,
			makeRequest(`${url}/batches?format=json&report=${report.sha256}`, { cookie }),
			params,
		)
		expect(download.status).toBe(200)
		const bodies = (download.data as object[]).map((body) => JSON.stringify(body))
		const batchSha = bodies.map((body) => createHash('sha256').update(body).digest('hex'))
		expect(report.batchSha256).toEqual(batchSha)
		expect(report.sha256).toBe(createHash('sha256').update(batchSha.join('\n')).digest('hex'))
		expect(report).toMatchObject({ accountCount: 2, batchCount: 1 })
		// Downloading records nothing.
		await runRoute(batchesLoader, makeRequest(`${url}/batches`, { cookie }), params)
		expect(await db.select().from(preparedReports).where(eq(preparedReports.appId, app.id))).toHaveLength(1)
		expect(org.id).toBe(report.orgId)
	})

	it('the page says when the latest prepared report no longer matches the ledger, instead of offering a dead download', async () => {
		const { org, user, app, report } = await prepared()
		const view = async () => getReportingOverview(org.id, (await getApp(org.id, app.id))!)
		expect((await view()).latestPreparedIsCurrent).toBe(true)
		// Same count, another date: only the digest tells.
		await importRows(org.id, user.id, app.id, [['acc-1', new Date('2026-01-05T00:00:00Z')]])
		expect((await view()).latestPreparedIsCurrent).toBe(false)
		expect(report.accountCount).toBe(2)
	})

	it('refuses a prepared report’s download once the ledger has changed', async () => {
		const { org, user, cookie, app, params, url, report } = await prepared()
		await importRows(org.id, user.id, app.id, [['acc-3', new Date('2026-01-03T00:00:00Z')]])
		const stale = await runRoute(
			batchesLoader,
			makeRequest(`${url}/batches?report=${report.sha256}`, { cookie }),
			params,
		)
		expect(stale.status).toBe(409)
		const unknown = await runRoute(
			batchesLoader,
			makeRequest(`${url}/batches?report=${'0'.repeat(64)}`, { cookie }),
			params,
		)
		expect(unknown.status).toBe(404)
	})

	it('counts what the prepared report held, not the ledger at recording time, and keeps who and when', async () => {
		const { org, user, app, report } = await prepared()
		await importRows(org.id, user.id, app.id, [['acc-3', new Date('2026-01-03T00:00:00Z')]])
		const { run } = await recordRun(org.id, user.id, app.id, {
			sentAt: new Date(),
			preparedReport: { id: report.id },
			answers: '204',
		})
		expect(run).toMatchObject({ accountCount: 2, batchCount: 1, preparedReportId: report.id, recordedBy: user.id })
		expect(run.batchAnswers).toEqual([{ batch: 1, status: 204, body: '', cyclePeriod: null }])
	})

	it('labels a run whose sentAt is more than a day before it was recorded as recorded later', async () => {
		const { org, user, app, report } = await prepared()
		await recordRun(org.id, user.id, app.id, {
			sentAt: new Date(Date.now() - 3 * DAY),
			preparedReport: { id: report.id },
			answers: '204',
		})
		await recordRun(org.id, user.id, app.id, {
			sentAt: new Date(Date.now() - 60_000),
			preparedReport: { id: report.id },
			answers: '204',
		})
		const overview = await getReportingOverview(org.id, (await getApp(org.id, app.id))!)
		expect(overview.runs.map((run) => run.recordedLater)).toEqual([false, true])
		const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'report_run.recorded'))
		expect(event!.after).toMatchObject({ preparedReportId: report.id, preparedSha256: report.sha256 })
	})

	it('records an unknown SHA-256 a client names only when it matches the ledger’s current batches', async () => {
		const { org, user, app, report } = await prepared()
		await db.delete(reportRuns).where(eq(reportRuns.appId, app.id))
		await db.delete(preparedReports).where(eq(preparedReports.appId, app.id))
		const { prepared: named } = await recordRun(org.id, user.id, app.id, {
			sentAt: new Date(),
			preparedReport: { sha256: report.sha256 },
			answers: '204',
		})
		expect(named).toMatchObject({ sha256: report.sha256, accountCount: 2, preparedBy: null })
		await expect(
			recordRun(org.id, user.id, app.id, {
				sentAt: new Date(),
				preparedReport: { sha256: 'f'.repeat(64) },
				answers: '204',
			}),
		).rejects.toMatchObject({ status: 400, field: 'preparedReport' })
		await expect(
			recordRun(org.id, user.id, app.id, {
				sentAt: new Date(),
				preparedReport: { sha256: 'not-a-digest' },
				answers: '204',
			}),
		).rejects.toMatchObject({ status: 400, field: 'preparedReport' })
	})

	it('one empty answer stands for every batch; the same run recorded twice from the page is refused (found in a new-user walk)', async () => {
		const { org, user, app } = await world()
		const rows: [string, Date][] = Array.from({ length: 200 }, (_, i) => [
			`acc-${String(i).padStart(3, '0')}`,
			new Date('2026-01-01T00:00:00Z'),
		])
		await importRows(org.id, user.id, app.id, rows)
		const report = await prepareReport(org.id, user.id, app.id)
		expect(report.batchCount).toBe(3)
		const sentAt = new Date(Date.now() - 60_000)
		const { run } = await recordRun(org.id, user.id, app.id, {
			sentAt,
			preparedReport: { id: report.id },
			answers: '204',
		})
		expect(run.batchAnswers).toHaveLength(3)
		expect(run.batchAnswers).toEqual([1, 2, 3].map((batch) => ({ batch, status: 204, body: '', cyclePeriod: null })))
		await expect(
			recordRun(org.id, user.id, app.id, { sentAt, preparedReport: { id: report.id }, answers: '204' }),
		).rejects.toMatchObject({ status: 409 })
		expect(await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))).toHaveLength(1)
	})

	it('refuses to prepare a report of an empty ledger', async () => {
		const { org, user, app } = await world()
		await expect(prepareReport(org.id, user.id, app.id)).rejects.toMatchObject({ status: 409 })
	})
})

describe('finding 4: cycle guardrails', () => {
	it('a manual cycle longer than the one Atlassian set needs a confirmation and a reason, and says so', async () => {
		const { org, user, app, cookie, params, url } = await world()
		await importRows(org.id, user.id, app.id, [['acc-1', new Date()]])
		const report = await prepareReport(org.id, user.id, app.id)
		await recordRun(org.id, user.id, app.id, {
			sentAt: new Date(),
			preparedReport: { id: report.id },
			cyclePeriod: '20 Days',
			answers: '204',
		})
		expect(await getApp(org.id, app.id)).toMatchObject({ cycleDays: 20, atlassianCycleDays: 20 })

		const silent = await runRoute(
			reportingAction,
			makeRequest(url, { cookie, form: { intent: 'cycle', cycle: 'custom', customDays: '30' } }),
			params,
		)
		expect(silent.status).toBe(400)
		expect(silent.data).toMatchObject({ errors: { reason: expect.stringContaining('20-day') } })
		expect(await getApp(org.id, app.id)).toMatchObject({ cycleDays: 20 })

		const confirmed = await runRoute(
			reportingAction,
			makeRequest(url, {
				cookie,
				form: {
					intent: 'cycle',
					cycle: 'custom',
					customDays: '30',
					confirmLonger: '1',
					reason: 'Our contract with Atlassian says 30',
				},
			}),
			params,
		)
		expect(confirmed.status).toBe(200)
		expect(await getApp(org.id, app.id)).toMatchObject({
			cycleDays: 30,
			cycleSource: 'custom',
			cycleReason: 'Our contract with Atlassian says 30',
		})
		const [row] = (await dashboardRows(org.id)).rows
		expect(row!.attention.join(' ')).toContain('Longer than the 20-day cycle Atlassian set')
		expect(row!.attention.join(' ')).toContain('longer than the 15 days the Email API guideline asks for')
		// A shorter cycle needs no confirmation.
		await setCycle(org.id, user.id, app.id, { cycleDays: 7 })
		expect(await getApp(org.id, app.id)).toMatchObject({ cycleDays: 7, cycleReason: null })
	})

	it('warns about any cycle over 15 days', async () => {
		const { org, user, app } = await world()
		await setCycle(org.id, user.id, app.id, { cycleDays: 16 })
		const [row] = (await dashboardRows(org.id)).rows
		expect(row!.attention).toEqual([expect.stringContaining('A 16-day cycle is longer')])
		await db.update(apps).set({ cycleDays: 15 }).where(eq(apps.id, app.id))
		expect((await dashboardRows(org.id)).rows[0]!.attention).toEqual([])
	})
})
