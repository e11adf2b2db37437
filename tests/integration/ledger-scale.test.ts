import { eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { db, onQuery } from '#db/client.server'
import { accountActions, appLedgerStats, apps, reportRuns, storedAccounts } from '#db/schema'
import { loader as dashboardLoader } from '~/routes/o.$org._index'
import { AppSchema } from '~/schemas/apps'
import { createApp } from '~/services/apps.server'
import { countAccounts, LEDGER_MATCH_LIMIT, listLedgerPage } from '~/services/ledger.server'
import { dashboardRows, getReportingOverview, listOpenTasks } from '~/services/reporting.server'
import { rowsOf } from '~/utils/sql-rows.server'
import { cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

// Issue 16, point 1: the ledger at a million accounts. Keyset pages by account id, prefix search,
// figures from app_ledger_stats, and a dashboard whose query count does not grow with its apps.

function appInput(appKey: string) {
	return AppSchema.parse({ name: appKey, appKey, appType: 'forge', products: ['jira'], storesPersonalData: 'yes' })
}

async function world() {
	const { org, admin } = await createOrg('Scale Apps')
	const app = await createApp(org.id, admin.id, appInput('com.scale.bridge'))
	return { org, admin, app }
}

/** `n` accounts id-000 … in one statement, as a bulk import writes them. */
async function seed(appId: string, ids: string[], updatedAt = new Date(Date.UTC(2026, 0, 1))) {
	await db.insert(storedAccounts).values(ids.map((accountId) => ({ appId, accountId, updatedAt })))
}

const ids = (n: number, prefix = 'id-') => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`)

describe('the ledger, keyset-paged by account id', () => {
	test('first, next, previous and last pages, and jumping to an id, each a full page in order', async () => {
		const { org, app } = await world()
		await seed(app.id, ids(25))
		const page = (position: Parameters<typeof listLedgerPage>[2]) => listLedgerPage(org.id, app.id, position)
		const idsOf = (p: Awaited<ReturnType<typeof listLedgerPage>>) => p.accounts.map((a) => a.accountId)

		const first = await page({ pageSize: 10 })
		expect(idsOf(first)).toEqual(ids(10))
		expect(first).toMatchObject({ total: 25, matches: null, prevBefore: null, nextAfter: 'id-009' })

		const second = await page({ pageSize: 10, after: first.nextAfter! })
		expect(idsOf(second)).toEqual(ids(20).slice(10))
		expect(second).toMatchObject({ prevBefore: 'id-010', nextAfter: 'id-019' })

		const third = await page({ pageSize: 10, after: second.nextAfter! })
		expect(idsOf(third)).toEqual(ids(25).slice(20))
		expect(third).toMatchObject({ prevBefore: 'id-020', nextAfter: null })

		// Back from the third page: the second again.
		const back = await page({ pageSize: 10, before: third.prevBefore! })
		expect(idsOf(back)).toEqual(idsOf(second))
		expect(back).toMatchObject({ prevBefore: 'id-010', nextAfter: 'id-019' })

		// The last page is the last ten ids, read backwards from the end (not page 3's five).
		const last = await page({ pageSize: 10, last: true })
		expect(idsOf(last)).toEqual(ids(25).slice(15))
		expect(last).toMatchObject({ prevBefore: 'id-015', nextAfter: null })

		// Previous from a page near the start that has fewer than a page before it: the first page, full.
		const nearStart = await page({ pageSize: 10, before: 'id-004' })
		expect(idsOf(nearStart)).toEqual(ids(10))
		expect(nearStart.prevBefore).toBeNull()

		// Jump to an id: the page starts there; an id between two stored ones starts at the next.
		const jump = await page({ pageSize: 10, from: 'id-007' })
		expect(idsOf(jump)).toEqual(ids(17).slice(7))
		expect(jump).toMatchObject({ prevBefore: 'id-007', nextAfter: 'id-016' })
		const between = await page({ pageSize: 10, from: 'id-0075' })
		expect(idsOf(between)[0]).toBe('id-008')
		// Past the end: the last page, not an empty one.
		const past = await page({ pageSize: 10, from: 'zzz' })
		expect(idsOf(past)).toEqual(idsOf(last))
	})

	test('the route reads the position from shareable links', async () => {
		const { org, admin, app } = await world()
		await seed(app.id, ids(60))
		const { cookie } = await cookieFor(admin.id)
		const { loader } = await import('~/routes/o.$org.apps.$appId_.reporting._index')
		const base = `/o/${org.slug}/apps/${app.id}/reporting`
		const params = { org: org.slug, appId: app.id }
		type Data = { ledger: { accounts: { accountId: string }[]; nextAfter: string | null; prevBefore: string | null } }
		const load = async (search: string) =>
			((await runRoute(loader, makeRequest(`${base}${search}`, { cookie }), params)).data as Data).ledger
		expect((await load('?after=id-049')).accounts.map((a) => a.accountId)).toEqual(ids(60).slice(50))
		expect((await load('?last=1')).accounts[0]!.accountId).toBe('id-010')
		expect((await load('?before=id-050')).accounts[0]!.accountId).toBe('id-000')
		expect((await load('?from=id-030')).accounts[0]!.accountId).toBe('id-030')
		// A link that is not a position (too long, a NUL) is the first page, not an error.
		expect((await load(`?after=${'x'.repeat(500)}`)).accounts[0]!.accountId).toBe('id-000')
		expect((await load('?after=%00')).accounts[0]!.accountId).toBe('id-000')
	})
})

describe('the ledger search, by account-id prefix', () => {
	test('matches ids starting with the text; _ and % are literal, not wildcards', async () => {
		const { org, app } = await world()
		await seed(app.id, ['ab_1', 'abx1', 'ab_2', 'xab_1', 'a-b', 'a_b'])
		const search = async (q: string) =>
			(await listLedgerPage(org.id, app.id, { q, pageSize: 10 })).accounts.map((a) => a.accountId)
		expect(await search('ab_')).toEqual(['ab_1', 'ab_2'])
		expect(await search('ab')).toEqual(['ab_1', 'ab_2', 'abx1'])
		// Not "anywhere in the id": xab_1 does not start with ab.
		expect(await search('ab_1')).toEqual(['ab_1'])
		// `%` matches only itself (no stored id holds one), `\` too.
		expect(await search('a%')).toEqual([])
		expect(await search('a\\')).toEqual([])
		expect(await search('%')).toEqual([])
		expect(await search('_')).toEqual([])
		const found = await listLedgerPage(org.id, app.id, { q: 'ab', pageSize: 2 })
		expect(found).toMatchObject({ total: 6, matches: { count: 3, more: false }, nextAfter: 'ab_2' })
		// Pages of a search stay within it.
		const next = await listLedgerPage(org.id, app.id, { q: 'ab', pageSize: 2, after: 'ab_2' })
		expect(next.accounts.map((a) => a.accountId)).toEqual(['abx1'])
		expect(next).toMatchObject({ prevBefore: 'abx1', nextAfter: null })
	})

	test('pages and searches go in byte order, a search reading a range of the key (migration 0017)', async () => {
		const { org, app } = await world()
		const mixed = ['b', 'B', 'a', 'A', '_a', '-a', ':a', '0', 'a_', 'a-', 'a:b', 'aB', 'ab']
		await seed(app.id, mixed)
		// Byte order, as JavaScript sorts ASCII, whatever the database's collation: upper case before lower,
		// `-` before digits before `:`, `_` between the capitals and the small letters.
		const page = await listLedgerPage(org.id, app.id, { pageSize: 20 })
		expect(page.accounts.map((a) => a.accountId)).toEqual([...mixed].sort())
		const found = await listLedgerPage(org.id, app.id, { q: 'a', pageSize: 20 })
		expect(found.accounts.map((a) => a.accountId)).toEqual(['a', 'a-', 'a:b', 'aB', 'a_', 'ab'])
		// The primary key serves the prefix as a range (the ledger has no second index of its ids), already in
		// the page's order: no sort.
		const plan = await db.transaction(async (tx) => {
			await tx.execute(sql`set local enable_seqscan = off`)
			return rowsOf<{ 'QUERY PLAN': string }>(
				await tx.execute(sql`explain (costs off) select account_id from stored_accounts
					where app_id = ${app.id} and account_id like ${'a%'} order by account_id limit 21`),
			)
				.map((row) => row['QUERY PLAN'])
				.join('\n')
		})
		expect(plan).toContain('stored_accounts_app_id_account_id_pk')
		expect(plan).toMatch(/account_id >= 'a'::text/)
		expect(plan).not.toMatch(/Sort/)
		// The column itself compares bytewise, whatever the database's collation, and no second index of ids is kept.
		const [column] = rowsOf<{ collation: string | null }>(
			await db.execute(sql`select collation_name as collation from information_schema.columns
				where table_name = 'stored_accounts' and column_name = 'account_id'`),
		)
		expect(column?.collation).toBe('C')
		const indexes = rowsOf<{ name: string }>(
			await db.execute(sql`select indexname as name from pg_indexes where tablename = 'stored_accounts' order by 1`),
		).map((row) => row.name)
		expect(indexes).toEqual(['stored_accounts_app_id_account_id_pk', 'stored_accounts_updated_idx'])
	})

	test('counts matches up to a bound, then says there are more', async () => {
		const { org, app } = await world()
		await seed(app.id, ids(LEDGER_MATCH_LIMIT + 5, 'm-'))
		const found = await listLedgerPage(org.id, app.id, { q: 'm-', pageSize: 10 })
		expect(found.matches).toEqual({ count: LEDGER_MATCH_LIMIT, more: true })
		const exact = await listLedgerPage(org.id, app.id, { q: 'm-100', pageSize: 10 })
		// m-100 and m-1000 … m-1004.
		expect(exact.matches).toEqual({ count: 6, more: false })
	})
})

describe('the ledger figures come from app_ledger_stats', () => {
	test('countAccounts and the reporting overview read the figures row, not the ledger', async () => {
		const { org, app } = await world()
		// No row yet: no account.
		expect(await countAccounts(org.id, app.id)).toBe(0)
		await seed(app.id, ids(3), new Date(Date.UTC(2025, 5, 1)))
		expect(await countAccounts(org.id, app.id)).toBe(3)
		// A figure only the stats row holds (set by hand here) shows they are read from it.
		await db.execute(
			sql`update app_ledger_stats set account_count = 1234567, oldest_updated_at = '2024-02-03T00:00:00Z' where app_id = ${app.id}`,
		)
		expect(await countAccounts(org.id, app.id)).toBe(1234567)
		const [fresh] = await db.select().from(apps).where(eq(apps.id, app.id))
		const overview = await getReportingOverview(org.id, fresh!)
		expect(overview.accountCount).toBe(1234567)
		expect(overview.batchCount).toBe(Math.ceil(1234567 / 90))
		expect(overview.oldestAccountAt).toEqual(new Date('2024-02-03T00:00:00Z'))
		const page = await listLedgerPage(org.id, app.id, { pageSize: 10 })
		expect(page.total).toBe(1234567)
		// The dashboard's oldest-account anchor too.
		const { rows } = await dashboardRows(org.id)
		expect(rows[0]!.status).toBe('overdue')
		await db.delete(appLedgerStats).where(eq(appLedgerStats.appId, app.id))
		expect(await countAccounts(org.id, app.id)).toBe(0)
	})
})

describe('the dashboard', () => {
	async function orgWithApps(n: number) {
		const { org, admin } = await createOrg(`Org of ${n}`)
		for (let i = 0; i < n; i++) {
			const app = await createApp(org.id, admin.id, appInput(`com.many.app-${i}`))
			// Every other app stores accounts (its oldest updatedAt is its anchor); the rest have none.
			if (i % 2 === 0) await seed(app.id, ids(3, `a${i}-`), new Date(Date.UTC(2026, 0, 1 + i)))
		}
		return { org, admin }
	}

	async function statementsOf(work: () => Promise<unknown>) {
		let statements = 0
		const stop = onQuery(() => statements++)
		try {
			await work()
		} finally {
			stop()
		}
		return statements
	}

	test('costs the same number of queries for 3 apps as for 30', async () => {
		const small = await orgWithApps(3)
		const large = await orgWithApps(30)
		const smallRows = await dashboardRows(small.org.id)
		expect(smallRows.rows).toHaveLength(3)
		expect((await dashboardRows(large.org.id)).rows).toHaveLength(30)

		const forService = [
			await statementsOf(() => dashboardRows(small.org.id)),
			await statementsOf(() => dashboardRows(large.org.id)),
		]
		expect(forService[0]).toBeGreaterThan(0)
		expect(forService[1]).toBe(forService[0])

		// The whole page, its session check included.
		const page = async ({ org, admin }: Awaited<ReturnType<typeof orgWithApps>>) => {
			const { cookie } = await cookieFor(admin.id)
			return statementsOf(() => runRoute(dashboardLoader, makeRequest(`/o/${org.slug}`, { cookie }), { org: org.slug }))
		}
		const forPage = [await page(small), await page(large)]
		expect(forPage[1]).toBe(forPage[0])
	})
})

describe('open tasks, a page at a time', () => {
	async function withTasks(n: number) {
		const w = await world()
		await seed(w.app.id, ids(n, 't-'))
		const [run] = await db
			.insert(reportRuns)
			.values({
				orgId: w.org.id,
				appId: w.app.id,
				sentAt: new Date(),
				accountCount: n,
				batchCount: 1,
				closedCount: n,
				recordedBy: w.admin.id,
			})
			.returning()
		// Two due dates, and every account id of the first date also has a refresh task: ties on (due, account).
		const due = (i: number) => new Date(Date.UTC(2026, 1, i < n / 2 ? 1 : 2))
		await db
			.insert(accountActions)
			.values(
				ids(n, 't-').flatMap((accountId, i) => [
					{ orgId: w.org.id, appId: w.app.id, runId: run!.id, accountId, kind: 'erase' as const, dueAt: due(i) },
					...(i < 5
						? [{ orgId: w.org.id, appId: w.app.id, runId: run!.id, accountId, kind: 'refresh' as const, dueAt: due(i) }]
						: []),
				]),
			)
		return w
	}

	test('pages forward and back through every open task once, in order, with a total', async () => {
		const { org, app } = await withTasks(120)
		const seen: string[] = []
		let page = await listOpenTasks(org.id, app.id, { pageSize: 50 })
		expect(page).toMatchObject({ total: 125, prevBefore: null })
		const pages = [page]
		seen.push(...page.tasks.map((t) => t.id))
		while (page.nextAfter) {
			page = await listOpenTasks(org.id, app.id, { pageSize: 50, after: page.nextAfter })
			pages.push(page)
			seen.push(...page.tasks.map((t) => t.id))
		}
		expect(pages.map((p) => p.tasks.length)).toEqual([50, 50, 25])
		expect(new Set(seen).size).toBe(125)
		const order = pages.flatMap((p) => p.tasks.map((t) => `${t.dueAt.toISOString()} ${t.accountId}`))
		expect(order).toEqual([...order].sort())
		// Back from the last page: the middle page again, with links both ways.
		const back = await listOpenTasks(org.id, app.id, { pageSize: 50, before: pages[2]!.prevBefore! })
		expect(back.tasks.map((t) => t.id)).toEqual(pages[1]!.tasks.map((t) => t.id))
		expect(back.prevBefore).toBe(pages[1]!.tasks[0]!.id)
		expect(back.nextAfter).toBe(pages[1]!.tasks[49]!.id)
		// A link that is not a task of this app: the first page.
		const stray = await listOpenTasks(org.id, app.id, { pageSize: 50, after: '00000000-0000-4000-8000-000000000000' })
		expect(stray.tasks.map((t) => t.id)).toEqual(pages[0]!.tasks.map((t) => t.id))
	})

	test('the reporting page renders one page of task forms, and completing one keeps the page', async () => {
		const { org, admin, app } = await withTasks(120)
		const { cookie } = await cookieFor(admin.id)
		const page = await import('~/routes/o.$org.apps.$appId_.reporting')
		const url = `/o/${org.slug}/apps/${app.id}/reporting`
		const params = { org: org.slug, appId: app.id }
		type Data = { tasks: { id: string }[]; taskPage: { total: number; nextAfter: string | null } }
		const first = (await runRoute(page.loader, makeRequest(url, { cookie }), params)).data as Data
		expect(first.tasks).toHaveLength(50)
		expect(first.taskPage.total).toBe(125)
		const second = (
			await runRoute(page.loader, makeRequest(`${url}?tasksAfter=${first.taskPage.nextAfter}`, { cookie }), params)
		).data as Data
		expect(second.tasks).toHaveLength(50)
		expect(second.tasks[0]!.id).not.toBe(first.tasks[0]!.id)
		// Done on the second page: posted to the page's own address, which then shows that page without the task.
		const done = second.tasks[3]!.id
		const posted = await runRoute(
			page.action,
			makeRequest(`${url}?tasksAfter=${first.taskPage.nextAfter}`, {
				cookie,
				form: { intent: 'complete', taskId: done },
			}),
			params,
		)
		expect(posted.status).toBe(200)
		const again = (
			await runRoute(page.loader, makeRequest(`${url}?tasksAfter=${first.taskPage.nextAfter}`, { cookie }), params)
		).data as Data
		expect(again.taskPage.total).toBeLessThan(125)
		expect(again.tasks.map((t) => t.id)).not.toContain(done)
		expect(again.tasks[0]!.id).toBe(second.tasks[0]!.id)
		// Another page of tasks reloads the page's loader; another page of the ledger does not.
		const revalidate = (from: string, to: string) =>
			page.shouldRevalidate!({
				currentUrl: new URL(`http://localhost${url}${from}`),
				nextUrl: new URL(`http://localhost${url}${to}`),
				defaultShouldRevalidate: true,
			} as never)
		expect(revalidate('', `?tasksAfter=${first.taskPage.nextAfter}`)).toBe(true)
		expect(revalidate('', '?after=t-049')).toBe(false)
	})
})
