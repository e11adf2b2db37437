import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { storedAccounts } from '#db/schema'
import { parseCsv } from '~/domain/csv'
import { action as appAction } from '~/routes/o.$org.apps.$appId'
import { action as reportingAction } from '~/routes/o.$org.apps.$appId_.reporting'
import { loader as csvLoader } from '~/routes/o.$org.apps.$appId_.reporting.ledger[.]csv'
import { action as settingsAction } from '~/routes/o.$org.settings'
import { AppSchema } from '~/schemas/apps'
import { createApp, getApp } from '~/services/apps.server'
import {
	countAccounts,
	importAccounts,
	listLedgerPage,
	streamLedger,
	streamLedgerPages,
} from '~/services/ledger.server'
import { getOrgSettings } from '~/services/org-settings.server'
import { digestLedger, prepareReport } from '~/services/prepared-reports.server'
import { appForm } from '../fixtures/requests'
import { cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'
import { handlerFor } from './server-helpers'

// Issue 10: findings 7, 8 and 10, and the reporting action's content types (finding 2).

async function orgWithApp(name: string) {
	const { org, admin } = await createOrg(name)
	const app = await createApp(
		org.id,
		admin.id,
		AppSchema.parse({
			name: 'Ledger App',
			appKey: `com.${name.toLowerCase().replace(/\W/g, '')}.ledger`,
			appType: 'forge',
			products: ['jira'],
			storesPersonalData: 'yes',
		}),
	)
	return { org, admin, app }
}

function importText(orgId: string, userId: string, appId: string, text: string) {
	return importAccounts(orgId, userId, appId, parseCsv([text]), { atomic: false })
}

describe('tenancy in the ledger services, not just the routes', () => {
	it('refuses a call made as one organisation on another’s app, for every reader and writer, and writes nothing', async () => {
		const a = await orgWithApp('Org A')
		const b = await orgWithApp('Org B')
		await importText(b.org.id, b.admin.id, b.app.id, 'accountId,updatedAt\nb-1,2026-01-01T00:00:00Z\n')

		await expect(
			importText(a.org.id, a.admin.id, b.app.id, 'accountId,updatedAt\nintruder,2026-01-01T00:00:00Z\n'),
		).rejects.toMatchObject({ status: 404 })
		await expect(countAccounts(a.org.id, b.app.id)).rejects.toMatchObject({ status: 404 })
		await expect(listLedgerPage(a.org.id, b.app.id, { pageSize: 10 })).rejects.toMatchObject({ status: 404 })
		await expect(streamLedger(a.org.id, b.app.id).next()).rejects.toMatchObject({ status: 404 })
		await expect(digestLedger(a.org.id, b.app.id)).rejects.toMatchObject({ status: 404 })
		await expect(prepareReport(a.org.id, a.admin.id, b.app.id)).rejects.toMatchObject({ status: 404 })

		const rows = await db.select().from(storedAccounts).where(eq(storedAccounts.appId, b.app.id))
		expect(rows.map((row) => row.accountId)).toEqual(['b-1'])
	})
})

/** An app whose ledger is read in four pages of STREAM_PAGE (1,000): acc-00000 to acc-03000. */
async function orgWithLedgerPages(name: string) {
	const world = await orgWithApp(name)
	const ids = Array.from({ length: 3 * 1000 + 1 }, (_, i) => `acc-${String(i).padStart(5, '0')}`)
	await db
		.insert(storedAccounts)
		.values(ids.map((accountId) => ({ appId: world.app.id, accountId, updatedAt: new Date() })))
	return world
}

describe('streaming a large ledger leaves the server free between pages', () => {
	it('hands the event loop over between two pages, so other requests are served during a download', async () => {
		const { org, app } = await orgWithLedgerPages('Stream Pages')
		// A request arriving meanwhile is work queued on the event loop: it must run before the last page is read.
		let pagesWhenServed: number | null = null
		let pages = 0
		setImmediate(() => (pagesWhenServed = pages))
		for await (const page of streamLedgerPages(org.id, app.id)) {
			expect(page.length).toBeGreaterThan(0)
			pages++
		}
		expect(pages).toBe(4)
		expect(pagesWhenServed).not.toBeNull()
		expect(pagesWhenServed!).toBeLessThan(pages)
	})
})

describe('a report’s digest is of the ledger at one moment', () => {
	it('a write landing between two pages of the read is found, and the ledger read again', async () => {
		const { org, app } = await orgWithLedgerPages('Digest Moment')
		const before = await digestLedger(org.id, app.id)
		// Started, then a write queued while it reads (between its pages on the embedded database): one id in the first
		// page, which a read carrying on would miss, and one in the last, which it would see.
		const digesting = digestLedger(org.id, app.id)
		await new Promise((resolve) => setImmediate(resolve))
		await db.insert(storedAccounts).values([
			{ appId: app.id, accountId: 'acc-00000a', updatedAt: new Date() },
			{ appId: app.id, accountId: 'acc-99999', updatedAt: new Date() },
		])
		const digest = await digesting
		const after = await digestLedger(org.id, app.id)
		expect(after.accountCount).toBe(before.accountCount + 2)
		// The ledger before the write or after it, never a mix of both.
		expect([before.sha256, after.sha256]).toContain(digest.sha256)
	})
})

describe('a ledger that never holds still', () => {
	it('changing through every read of it is a 409 that says so, not a digest of no moment', async () => {
		const { org, app } = await orgWithLedgerPages('Digest Busy')
		// A writer adding an account at every turn of the event loop, as an import writing batch after batch.
		let writing = true
		let written = 0
		const writer = (async () => {
			while (writing) {
				await db.insert(storedAccounts).values({ appId: app.id, accountId: `busy-${written}`, updatedAt: new Date() })
				written++
				await new Promise((resolve) => setImmediate(resolve))
			}
		})()
		try {
			await expect(digestLedger(org.id, app.id)).rejects.toMatchObject({
				status: 409,
				message: expect.stringContaining('kept changing while its batches were read'),
			})
		} finally {
			writing = false
			await writer
		}
		expect(written).toBeGreaterThanOrEqual(3)
		// Once it holds still, the digest is of it as it stands.
		expect((await digestLedger(org.id, app.id)).accountCount).toBe(3001 + written)
	})
})

describe('the ledger export round-trips through the import', () => {
	it('re-imports an exported ledger whose ids start with "-" (guarded against formulas) unchanged', async () => {
		const { org, admin, app } = await orgWithApp('Round Trip')
		await importText(
			org.id,
			admin.id,
			app.id,
			'accountId,updatedAt\n-starts-with-dash,2026-01-01T00:00:00Z\n5be24ad8b1653240376955d2,2026-02-01T10:30:00Z\n',
		)
		const { cookie } = await cookieFor(admin.id)
		const exported = await runRoute(
			csvLoader,
			makeRequest(`/o/${org.slug}/apps/${app.id}/reporting/ledger.csv`, { cookie }),
			{
				org: org.slug,
				appId: app.id,
			},
		)
		const text = exported.data as string
		// Still safe to open in a spreadsheet.
		expect(text).toContain(`"'-starts-with-dash"`)

		const before = await db.select().from(storedAccounts).where(eq(storedAccounts.appId, app.id))
		await db.delete(storedAccounts).where(eq(storedAccounts.appId, app.id))
		const result = await importText(org.id, admin.id, app.id, text)
		expect(result).toMatchObject({ rejected: 0, inserted: 2 })
		const after = await db.select().from(storedAccounts).where(eq(storedAccounts.appId, app.id))
		const shape = (rows: typeof before) => rows.map((row) => [row.accountId, row.updatedAt.toISOString()]).sort()
		expect(shape(after)).toEqual(shape(before))
	})
})

describe('the reporting action reads forms only', () => {
	it('answers a JSON, text or missing content type with 415, not a 500', async () => {
		const { org, admin, app } = await orgWithApp('Content Types')
		const { cookie } = await cookieFor(admin.id)
		const url = `http://localhost/o/${org.slug}/apps/${app.id}/reporting`
		const bodies: [string | null, string][] = [
			['application/json', '{"intent":"cycle","cycle":"7"}'],
			['text/plain', 'intent=cycle&cycle=7'],
			[null, 'intent=cycle&cycle=7'],
		]
		for (const [type, body] of bodies) {
			const headers: Record<string, string> = { Cookie: cookie }
			if (type) headers['Content-Type'] = type
			const request = new Request(url, { method: 'POST', headers, body: new Blob([body]) })
			if (!type) request.headers.delete('Content-Type')
			const result = await runRoute(reportingAction, request, { org: org.slug, appId: app.id })
			expect(result.status, String(type)).toBe(415)
		}
	})
})

describe('no lost updates: two people editing at once', () => {
	it('refuses the second save of an app made from a stale form, and keeps the first', async () => {
		const { org, admin, app } = await orgWithApp('Two Editors')
		const { cookie } = await cookieFor(admin.id)
		const params = { org: org.slug, appId: app.id }
		const fields = { appKey: app.appKey, version: String(app.version) }
		const first = await runRoute(
			appAction,
			makeRequest('/', { cookie, form: { intent: 'update', ...appForm({ ...fields, name: 'First Edit' }) } }),
			params,
		)
		expect(first.status).toBe(200)
		const second = await runRoute(
			appAction,
			makeRequest('/', { cookie, form: { intent: 'update', ...appForm({ ...fields, name: 'Second Edit' }) } }),
			params,
		)
		expect(second.status).toBe(409)
		expect(second.data).toMatchObject({
			formError: expect.stringContaining('Someone else saved this app'),
			values: { name: 'Second Edit' },
		})
		expect(await getApp(org.id, app.id)).toMatchObject({ name: 'First Edit', version: app.version + 1 })
	})

	it('refuses the second save of the organisation settings made from a stale form', async () => {
		const { org, admin } = await orgWithApp('Two Admins')
		const { cookie } = await cookieFor(admin.id)
		const { version } = await getOrgSettings(org.id)
		const save = (timeZone: string) =>
			runRoute(
				settingsAction,
				makeRequest('/', {
					cookie,
					form: { timeZone, followUpDays: '10', taskDueDays: '30', version: String(version) },
				}),
				{
					org: org.slug,
				},
			)
		expect((await save('Europe/Berlin')).status).toBe(200)
		const stale = await save('Asia/Tokyo')
		expect(stale.status).toBe(409)
		expect(await getOrgSettings(org.id)).toMatchObject({ timeZone: 'Europe/Berlin', version: version + 1 })
	})
})

describe('a bad filter on a download is a 400 with a message', () => {
	it('the audit CSV with a date before 1970 answers 400 JSON naming the problem', async () => {
		const auditCsv = await import('~/routes/o.$org.audit.csv')
		const { org, admin } = await orgWithApp('Audit Filters')
		const { cookie } = await cookieFor(admin.id)
		// Through Remix's own handler: a resource route must deliver the 400 it throws.
		const handle = handlerFor({ 'routes/o.$org.audit.csv': { path: 'o/:org/audit/csv', module: auditCsv } } as never)
		const answer = await handle(
			new Request(`http://localhost/o/${org.slug}/audit/csv?from=0050-01-01`, { headers: { Cookie: cookie } }),
		)
		expect(answer.status).toBe(400)
		expect(await answer.json()).toMatchObject({ error: expect.stringMatching(/1970/) })
	})

	it('another organisation’s ledger CSV is a 404 with a message, through Remix’s own handler', async () => {
		const ledgerCsv = await import('~/routes/o.$org.apps.$appId_.reporting.ledger[.]csv')
		const a = await orgWithApp('Org Csv A')
		const b = await orgWithApp('Org Csv B')
		const { cookie } = await cookieFor(b.admin.id)
		const handle = handlerFor({
			'routes/ledger-csv': { path: 'o/:org/apps/:appId/reporting/ledger.csv', module: ledgerCsv },
		} as never)
		const answer = await handle(
			new Request(`http://localhost/o/${b.org.slug}/apps/${a.app.id}/reporting/ledger.csv`, {
				headers: { Cookie: cookie },
			}),
		)
		expect(answer.status).toBe(404)
		expect(await answer.json()).toMatchObject({ error: 'No such app in this organisation.' })
	})
})
