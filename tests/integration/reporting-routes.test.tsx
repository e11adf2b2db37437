import { type ShouldRevalidateFunctionArgs } from '@remix-run/react'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { reportRuns } from '#db/schema'
import { parseCsv } from '~/domain/csv'
import * as page from '~/routes/o.$org.apps.$appId_.reporting'
import * as ledgerRoute from '~/routes/o.$org.apps.$appId_.reporting._index'
import * as importRoute from '~/routes/o.$org.apps.$appId_.reporting_.import'
import * as runsRoute from '~/routes/o.$org.apps.$appId_.reporting_.runs'
import { AppSchema } from '~/schemas/apps'
import { createApp } from '~/services/apps.server'
import { importAccounts } from '~/services/ledger.server'
import { prepareReport } from '~/services/prepared-reports.server'
import { dashboardRows } from '~/services/reporting.server'
import { renderRoute } from '../fixtures/render'
import { cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'
import { handlerFor } from './server-helpers'

// Issue 11, point 4: the reporting route split into the page, its ledger, and the import and run routes.

async function world() {
	const { org, admin } = await createOrg('Split Reporting')
	const { cookie } = await cookieFor(admin.id)
	const app = await createApp(
		org.id,
		admin.id,
		AppSchema.parse({
			name: 'Mail Bridge',
			appKey: `com.split.bridge-${Math.random().toString(36).slice(2, 8)}`,
			appType: 'forge',
			products: ['jira'],
			storesPersonalData: 'yes',
		}),
	)
	const base = `/o/${org.slug}/apps/${app.id}/reporting`
	return { org, admin, app, cookie, base, params: { org: org.slug, appId: app.id } }
}

function csvUpload(url: string, cookie: string, csv: string) {
	const form = new FormData()
	form.set('intent', 'import')
	form.set('file', new File([csv], 'accounts.csv', { type: 'text/csv' }))
	return new Request(new URL(url, 'http://localhost'), { method: 'POST', headers: { Cookie: cookie }, body: form })
}

const CSV =
	'accountId,updatedAt\r\n5be24ad8b1653240376955d2,2026-01-01T00:00:00Z\r\nsomeone@example.com,2026-01-01T00:00:00Z\r\n'

/** What Remix passes a route's shouldRevalidate after a form on the reporting page posts `intent` to `action`. */
function afterPost(base: string, action: string, intent: string): ShouldRevalidateFunctionArgs {
	const formData = new FormData()
	formData.set('intent', intent)
	const url = new URL(base, 'http://localhost')
	return {
		currentUrl: url,
		currentParams: {},
		nextUrl: url,
		nextParams: {},
		formMethod: 'POST',
		formAction: action,
		formEncType: 'application/x-www-form-urlencoded',
		formData,
		actionResult: undefined,
		defaultShouldRevalidate: true,
	}
}

describe('the reporting page and its ledger', () => {
	it('the page’s loader leaves the ledger to the nested route, which counts, pages and searches it', async () => {
		const { org, admin, app, cookie, base, params } = await world()
		await importAccounts(org.id, admin.id, app.id, parseCsv([CSV]), { atomic: false })
		const overview = await runRoute(page.loader, makeRequest(base, { cookie }), params)
		expect(overview.status).toBe(200)
		expect(overview.data).toMatchObject({ accountCount: 1 })
		expect(overview.data).not.toHaveProperty('ledger')
		const ledger = await runRoute(ledgerRoute.loader, makeRequest(`${base}?q=5be24`, { cookie }), params)
		expect(ledger.data).toMatchObject({ q: '5be24', ledger: { total: 1, matches: { count: 1, more: false } } })
	})

	it('is not counted again after a form that leaves the accounts as they were; it is after an import or a done task', () => {
		const { shouldRevalidate } = ledgerRoute
		const base = '/o/acme/apps/app-1/reporting'
		for (const intent of ['cycle', 'storing-since', 'keep-storing-since', 'prepare', 'header-cycle']) {
			expect(shouldRevalidate(afterPost(base, base, intent)), intent).toBe(false)
		}
		expect(shouldRevalidate(afterPost(base, `${base}/runs`, 'run'))).toBe(false)
		expect(shouldRevalidate(afterPost(base, `${base}/import`, 'import'))).toBe(true)
		// Completing an erase task removes the account; a refresh task changes its updatedAt.
		expect(shouldRevalidate(afterPost(base, base, 'complete'))).toBe(true)
		// A form of another page (the app shell's) is not the reporting page's to judge.
		expect(shouldRevalidate(afterPost(base, '/o/acme/notifications', 'cycle'))).toBe(true)
	})

	it('a search or another page of the ledger reloads the ledger, not the overview', () => {
		const current = new URL('http://localhost/o/acme/apps/app-1/reporting')
		const next = new URL('http://localhost/o/acme/apps/app-1/reporting?q=5be&after=5be24')
		const navigation = {
			currentUrl: current,
			currentParams: {},
			nextUrl: next,
			nextParams: {},
			defaultShouldRevalidate: true,
		} as ShouldRevalidateFunctionArgs
		expect(page.shouldRevalidate!(navigation)).toBe(false)
		expect(ledgerRoute.shouldRevalidate(navigation)).toBe(true)
		// After a form of the page, the overview is read again.
		expect(page.shouldRevalidate!(afterPost(current.pathname, current.pathname, 'cycle'))).toBe(true)
	})
})

describe('the import and run routes without JavaScript', () => {
	it('a browser posting the import form as a page gets a page, not the action’s data', async () => {
		const { cookie, base } = await world()
		const handle = handlerFor({
			'routes/import': { path: 'o/:org/apps/:appId/reporting/import', module: importRoute },
		} as never)
		// A document request (no JavaScript): rendered as a page (the test build's entry answers "document <status>").
		const asPage = await handle(csvUpload(`${base}/import`, cookie, CSV))
		expect(asPage.status).toBe(200)
		expect(await asPage.text()).toBe('document 200')
		// The fetcher's request (single fetch) gets the answer itself.
		const asData = await handle(csvUpload(`${base}/import.data`, cookie, CSV))
		expect(asData.status).toBe(200)
		expect(await asData.text()).toContain('importResult')
	})

	it('the import page shows the same summary the reporting page shows, and the way back', async () => {
		const { cookie, base, params } = await world()
		const loaded = await runRoute(importRoute.loader, makeRequest(`${base}/import`, { cookie }), params)
		const answer = await runRoute(importRoute.action, csvUpload(`${base}/import`, cookie, CSV), params)
		expect(answer.status).toBe(200)
		const html = await renderRoute(importRoute.default, loaded.data, answer.data)
		expect(html).toContain('Imported: 1 added, 0 updated, 1 rejected.')
		expect(html).toContain('Rejected rows')
		expect(html).not.toContain('someone@example.com')
		expect(html).toContain(`href="${base}"`)
		expect(html).toContain(`action="${base}/import"`)
	})

	it('the run page shows a refusal under its field with what was typed, and a recorded run’s notice', async () => {
		const { org, admin, app, cookie, base, params } = await world()
		await importAccounts(org.id, admin.id, app.id, parseCsv([CSV]), { atomic: false })
		const report = await prepareReport(org.id, admin.id, app.id)
		const loaded = await runRoute(runsRoute.loader, makeRequest(`${base}/runs`, { cookie }), params)
		const answers = '{"accounts":[{"accountId":"5be24ad8b1653240376955d2","status":"closed"}]}'
		const send = (sentAt: string) =>
			runRoute(
				runsRoute.action,
				makeRequest(`${base}/runs`, { cookie, form: { intent: 'run', preparedReport: report.id, sentAt, answers } }),
				params,
			)
		const refused = await send('last week')
		expect(refused.status).toBe(400)
		const refusedHtml = await renderRoute(runsRoute.default, loaded.data, refused.data)
		expect(refusedHtml).toContain('Enter the date and time the report was sent.')
		expect(refusedHtml).toContain('5be24ad8b1653240376955d2')
		const recorded = await send('2026-01-20T10:00')
		expect(recorded.status).toBe(200)
		const recordedHtml = await renderRoute(runsRoute.default, loaded.data, recorded.data)
		expect(recordedHtml).toContain('Report run recorded: 1 account, 1 closed, 0 updated; 1 new task.')
		expect(recordedHtml).toContain(`href="${base}"`)
	})
	it('a run whose Cycle-Period or answers hold an email address is refused, and nothing is recorded', async () => {
		const { org, admin, app, cookie, base, params } = await world()
		const csv = 'accountId,updatedAt\r\n5be24ad8b1653240376955d2,2026-01-01T00:00:00Z\r\n'
		await importAccounts(org.id, admin.id, app.id, parseCsv([csv]), { atomic: false })
		const report = await prepareReport(org.id, admin.id, app.id)
		const send = (form: Record<string, string>) =>
			runRoute(
				runsRoute.action,
				makeRequest(`${base}/runs`, {
					cookie,
					form: { intent: 'run', preparedReport: report.id, sentAt: '2026-01-20T10:00', ...form },
				}),
				params,
			)
		const header = await send({ cyclePeriod: 'mary.major@customer.example', answers: '204' })
		expect(header.status).toBe(400)
		expect(header.data).toMatchObject({ errors: { cyclePeriod: expect.stringContaining('holds an email address') } })
		const answer = await send({ answers: '{"accounts":[],"note":"mary.major@customer.example"}' })
		expect(answer.status).toBe(400)
		expect(answer.data).toMatchObject({ errors: { answers: expect.stringContaining('holds an email address') } })
		const runs = await runRoute(runsRoute.loader, makeRequest(`${base}/runs`, { cookie }), params)
		expect(JSON.stringify(runs.data)).not.toContain('mary.major')
		expect(await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))).toHaveLength(0)
	})
	it('an app that stores no personal data says so once', async () => {
		const { org, admin, cookie } = await world()
		const app = await createApp(
			org.id,
			admin.id,
			AppSchema.parse({
				name: 'Quiet App',
				appKey: 'com.split.quiet',
				appType: 'forge',
				products: ['jira'],
				storesPersonalData: 'no',
			}),
		)
		const base = `/o/${org.slug}/apps/${app.id}/reporting`
		const loaded = await runRoute(page.loader, makeRequest(base, { cookie }), { org: org.slug, appId: app.id })
		const html = await renderRoute(page.default, loaded.data)
		expect(html.split('No report due: the app says it does not store personal data').length - 1).toBe(1)
	})
	it('a status counted with a cycle longer than Atlassian asks says so beside it, pointing to the cycle', async () => {
		const { cookie, base, params } = await world()
		const note = 'Counted with a cycle longer than Atlassian asks'
		const before = await runRoute(page.loader, makeRequest(base, { cookie }), params)
		expect(await renderRoute(page.default, before.data)).not.toContain(note)
		const saved = await runRoute(
			page.action,
			makeRequest(base, { cookie, form: { intent: 'cycle', cycle: 'custom', customDays: '90' } }),
			params,
		)
		expect(saved.status).toBe(200)
		const after = await runRoute(page.loader, makeRequest(base, { cookie }), params)
		const html = await renderRoute(page.default, after.data)
		expect(html).toContain('On track')
		expect(html).toContain(note)
		expect(html).toContain('href="#cycle-heading"')
	})
	it('a run with answers for fewer batches than the report says so, before recording and in its notice', async () => {
		const { org, admin, app, cookie, base, params } = await world()
		// 181 accounts: three batches of at most 90.
		const ids = Array.from({ length: 181 }, (_, i) => `5be24ad8b16532403769${String(i).padStart(4, '0')}`)
		const csv = `accountId,updatedAt\r\n${ids.map((id) => `${id},2026-01-01T00:00:00Z`).join('\r\n')}\r\n`
		await importAccounts(org.id, admin.id, app.id, parseCsv([csv]), { atomic: false })
		const report = await prepareReport(org.id, admin.id, app.id)
		expect(report.batchCount).toBe(3)
		const loaded = await runRoute(runsRoute.loader, makeRequest(`${base}/runs`, { cookie }), params)
		const answers = `{"accounts":[{"accountId":"${ids[0]}","status":"closed"}]}`
		const send = (sentAt: string) =>
			runRoute(
				runsRoute.action,
				makeRequest(`${base}/runs`, { cookie, form: { intent: 'run', preparedReport: report.id, sentAt, answers } }),
				params,
			)
		// Before recording (the form as sent back with what was typed): what the missing answers will mean.
		const refusedHtml = await renderRoute(runsRoute.default, loaded.data, (await send('last week')).data)
		expect(refusedHtml).toContain(
			'1 answer for a report of 3 batches: the other 2 will have no answer recorded, so no erase or refresh task comes from them.',
		)
		const recorded = await send('2026-01-20T10:00')
		expect(recorded.status).toBe(200)
		const recordedHtml = await renderRoute(runsRoute.default, loaded.data, recorded.data)
		expect(recordedHtml).toContain('Report run recorded: 181 accounts, 1 closed, 0 updated; 1 new task.')
		expect(recordedHtml).toContain(
			'Answers were given for 1 of 3 batches: the other 2 have no answer recorded, so no erase or refresh task comes from them.',
		)
		// Afterwards the app is on track (the report was sent) but says what its last run lacks, on the dashboard.
		const soon = new Date('2026-01-25T10:00:00Z')
		const [row] = (await dashboardRows(org.id, soon)).rows
		expect(row).toMatchObject({ status: 'on_track' })
		expect(row!.attention).toContain(
			'The last report run has Atlassian’s answers for 1 of 3 batches: accounts the others listed got no erase or refresh task.',
		)
		// And on the reporting page, beside its status.
		const note =
			'The last report run has Atlassian’s answers for 1 of 3 batches: accounts the others listed got no erase or refresh task.'
		const pageData = await runRoute(page.loader, makeRequest(base, { cookie }), params)
		expect(pageData.data).toMatchObject({ partialRun: note })
		expect(await renderRoute(page.default, pageData.data)).toContain(note)
		// A run answered for every batch says nothing more.
		const whole = `[${answers},204,204]`
		const complete = await runRoute(
			runsRoute.action,
			makeRequest(`${base}/runs`, {
				cookie,
				form: { intent: 'run', preparedReport: report.id, sentAt: '2026-01-21T10:00', answers: whole },
			}),
			params,
		)
		expect(complete.status).toBe(200)
		expect((await dashboardRows(org.id, soon)).rows[0]!.attention).toEqual([])
		expect((await runRoute(page.loader, makeRequest(base, { cookie }), params)).data).toMatchObject({
			partialRun: null,
		})
	})
})
