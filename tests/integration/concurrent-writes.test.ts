import { and, count, eq, inArray, min, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { accountActions, appLedgerStats, apps, auditEvents, reminders, reportRuns, storedAccounts } from '#db/schema'
import { instantToLocalDateTime } from '~/domain/zoned-time'
import * as apiAppRoute from '~/routes/api.v1.apps_.$appId'
import * as apiAccountsRoute from '~/routes/api.v1.apps_.$appId_.accounts'
import * as apiRunsRoute from '~/routes/api.v1.apps_.$appId_.report-runs'
import * as apiTasksRoute from '~/routes/api.v1.tasks'
import * as apiCompleteRoute from '~/routes/api.v1.tasks_.$taskId.complete'
import * as appPage from '~/routes/o.$org.apps.$appId'
import * as reportingPage from '~/routes/o.$org.apps.$appId_.reporting'
import * as importRoute from '~/routes/o.$org.apps.$appId_.reporting_.import'
import * as runsRoute from '~/routes/o.$org.apps.$appId_.reporting_.runs'
import { getApp, lockApp } from '~/services/apps.server'
import { prepareReport } from '~/services/prepared-reports.server'
import { runOrgReminders, runReminderPass, type ReminderChannels } from '~/services/reminders.server'
import { appForm, createTestApp } from '../fixtures/requests'
import { addMember, cookieFor, createOrg, makeRequest, runRoute, type RouteOutcome } from '../fixtures/world'
import { ALL_SCOPES, apiRequest, call, keyFor } from './api-helpers'

/*
 * Issue 15, "Concurrent writes under load": many clients at once, people
 * through the form actions (real session cookies) and jobs through the API
 * (API keys), all writing to the same apps. Afterwards every figure is
 * compared with what was sent and accepted: the ledger row by row (and the
 * app_ledger_stats figures the triggers keep against a real count), tasks,
 * runs, app edits and audit events. No answer is a 500; every refused write
 * is a 4xx that says why (docs/rules.md › Personal-data reporting; the app's
 * version guard, docs/architecture.md).
 */

const DAY = 86_400_000
/** Clients writing at the same time (each a loop taking the next request from one queue). */
const CLIENTS = 40
const EMAIL = 'someone.private@example.org'

/** A valid Atlassian account id (24 hex digits) per group and number. */
function accountId(group: number, n: number) {
	return `5be24ad8b165${String(group).padStart(4, '0')}${String(n).padStart(8, '0')}`
}
const SHARED = 9999
const TASKS = 8888
const BASE = 7777

/** A seeded shuffle, so a failure can be replayed. */
function shuffle<T>(items: T[], seed = 15): T[] {
	let state = seed
	const random = () => {
		state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
		return state / 2_147_483_648
	}
	const out = [...items]
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1))
		;[out[i], out[j]] = [out[j]!, out[i]!]
	}
	return out
}

/** Runs `jobs` with `clients` of them in flight at any time. */
async function runConcurrently(jobs: (() => Promise<void>)[], clients: number) {
	const queue = [...jobs]
	await Promise.all(
		Array.from({ length: clients }, async () => {
			for (let job = queue.shift(); job; job = queue.shift()) await job()
		}),
	)
}

function csvUpload(url: string, cookie: string, csv: string) {
	const form = new FormData()
	form.set('intent', 'import')
	form.set('file', new File([csv], 'accounts.csv', { type: 'text/csv' }))
	return new Request(new URL(url, 'http://localhost'), { method: 'POST', headers: { Cookie: cookie }, body: form })
}

/** Channels that record what a reminder pass sends. */
function recordingChannels() {
	const emails: { userId: string; reminderId?: string }[] = []
	const channels: ReminderChannels = {
		queueEmail: async (_tx, message) => {
			emails.push({ userId: message.userId, reminderId: message.reminderId })
		},
		queueWebhookEvent: async () => {},
	}
	return { channels, emails }
}

/** Every answer, kept to be checked afterwards: status and message per kind of write. */
type Answer = { kind: string; status: number; message: string }

function messageOf(outcome: RouteOutcome) {
	const data = outcome.data as { error?: string; formError?: string | null; errors?: Record<string, string> } | null
	return data?.error ?? data?.formError ?? Object.values(data?.errors ?? {})[0] ?? ''
}

async function ledgerOf(appId: string) {
	const rows = await db
		.select({ accountId: storedAccounts.accountId })
		.from(storedAccounts)
		.where(eq(storedAccounts.appId, appId))
	return new Set(rows.map((row) => row.accountId))
}

/** The triggers' figures beside a real count and minimum of the same rows. */
async function statsBesideCount(appId: string) {
	const [stats] = await db.select().from(appLedgerStats).where(eq(appLedgerStats.appId, appId))
	const [real] = await db
		.select({ rows: count(), oldest: min(storedAccounts.updatedAt) })
		.from(storedAccounts)
		.where(eq(storedAccounts.appId, appId))
	return {
		stats: { accountCount: Number(stats?.accountCount ?? 0), oldest: stats?.oldestUpdatedAt?.getTime() ?? null },
		real: { accountCount: real!.rows, oldest: real!.oldest ? new Date(real!.oldest).getTime() : null },
	}
}

async function auditCount(orgId: string, action: string, subjectId?: string) {
	const [row] = await db
		.select({ n: count() })
		.from(auditEvents)
		.where(
			and(
				eq(auditEvents.orgId, orgId),
				eq(auditEvents.action, action),
				subjectId ? eq(auditEvents.subjectId, subjectId) : undefined,
			),
		)
	return row!.n
}

describe('concurrent writes under load (issue 15)', () => {
	it(`${CLIENTS} clients through the forms and the API at once: every accepted write is stored exactly once, nothing is lost, no 500`, async () => {
		const { org, admin } = await createOrg('Load Apps')
		const vendors = await Promise.all([1, 2, 3].map((n) => addMember(org.id, ['member'], `Vera Vendor ${n}`)))
		const cookies = await Promise.all([admin, ...vendors].map(async (user) => (await cookieFor(user.id)).cookie))
		const keys = await Promise.all([1, 2, 3, 4].map((n) => keyFor(org.id, ALL_SCOPES, `Job ${n}`)))
		const appA = await createTestApp(org.id, admin.id, { name: 'Mail Bridge', appKey: 'com.load.mail-bridge' })
		const appB = await createTestApp(org.id, admin.id, { name: 'Ticket Mailer', appKey: 'com.load.ticket-mailer' })
		// An app whose 3-day reporting reminder fires today (UTC): due 15 days after it started storing, 12 days ago.
		const appR = await createTestApp(org.id, admin.id, { name: 'Reminder Bot', appKey: 'com.load.reminder-bot' })
		const storingSince = new Date(Date.now() - 12 * DAY)
		await db
			.update(apps)
			.set({ storingSince, storingSinceSource: 'person', createdAt: new Date(storingSince.getTime() - DAY) })
			.where(eq(apps.id, appR.id))
		const updatedAt = (days: number) => new Date(Date.now() - days * DAY).toISOString()

		// Before the load: 40 accounts in A with a run whose answers made 20 erase and 20 refresh tasks,
		// and 5 accounts in B with a prepared report for the runs recorded during the load.
		const taskIds = Array.from({ length: 40 }, (_, n) => accountId(TASKS, n))
		const seeded = await call(
			apiAccountsRoute,
			apiRequest(`/apps/${appA.id}/accounts`, {
				key: keys[0],
				method: 'POST',
				body: { accounts: taskIds.map((id) => ({ accountId: id, updatedAt: updatedAt(30) })) },
			}),
			{ appId: appA.id },
		)
		expect(seeded.status).toBe(200)
		const seededRun = await call(
			apiRunsRoute,
			apiRequest(`/apps/${appA.id}/report-runs`, {
				key: keys[0],
				method: 'POST',
				body: {
					sentAt: new Date(Date.now() - 60_000).toISOString(),
					responses: [
						{
							status: 200,
							accounts: taskIds.slice(0, 40).map((id, n) => ({ accountId: id, status: n < 20 ? 'closed' : 'updated' })),
						},
					],
				},
			}),
			{ appId: appA.id },
		)
		expect(seededRun.status, JSON.stringify(seededRun.data)).toBe(201)
		const listed = await call(apiTasksRoute, apiRequest('/tasks?limit=100', { key: keys[0] }))
		const tasks = (listed.data as { tasks: { id: string; kind: string; accountId: string }[] }).tasks
		expect(tasks).toHaveLength(40)
		const baseIds = Array.from({ length: 5 }, (_, n) => accountId(BASE, n))
		expect(
			(
				await call(
					apiAccountsRoute,
					apiRequest(`/apps/${appB.id}/accounts`, {
						key: keys[0],
						method: 'POST',
						body: { accounts: baseIds.map((id) => ({ accountId: id, updatedAt: updatedAt(40) })) },
					}),
					{ appId: appB.id },
				)
			).status,
		).toBe(200)
		const prepared = await prepareReport(org.id, admin.id, appB.id)
		const importsBefore = await auditCount(org.id, 'ledger.imported')

		// ── The load: one queue of writes, CLIENTS of them in flight at once ──
		const answers: Answer[] = []
		const note = (kind: string, outcome: RouteOutcome) => {
			answers.push({ kind, status: outcome.status, message: messageOf(outcome) })
			return outcome
		}
		const expected = { A: new Set(taskIds), B: new Set(baseIds) }
		const jobs: (() => Promise<void>)[] = []
		let acceptedPushes = 0

		// Account pushes (API) and CSV imports (form), 30 accounts of their own, 10 shared by every client,
		// and one email-like id that must be refused and never stored.
		for (let client = 0; client < 48; client++) {
			const target = client % 2 === 0 ? appA : appB
			const own = Array.from({ length: 30 }, (_, n) => accountId(client, n))
			const shared = Array.from({ length: 10 }, (_, n) => accountId(SHARED, n))
			for (const id of [...own, ...shared]) expected[target === appA ? 'A' : 'B'].add(id)
			const rows = [...own, ...shared].map((id, n) => ({ accountId: id, updatedAt: updatedAt(1 + ((client + n) % 9)) }))
			rows.splice(client % rows.length, 0, { accountId: EMAIL, updatedAt: updatedAt(2) })
			if (client % 3 === 0) {
				const cookie = cookies[client % cookies.length]!
				const csv = ['accountId,updatedAt', ...rows.map((row) => `${row.accountId},${row.updatedAt}`)].join('\r\n')
				jobs.push(async () => {
					const outcome = note(
						'import',
						await runRoute(
							importRoute.action,
							csvUpload(`/o/${org.slug}/apps/${target.id}/reporting/import`, cookie, csv),
							{ org: org.slug, appId: target.id },
						),
					)
					const result = (outcome.data as { importResult?: { inserted: number; updated: number; rejected: number } })
						.importResult
					expect(outcome.status, JSON.stringify(outcome.data)).toBe(200)
					expect(result!.inserted + result!.updated).toBe(40)
					expect(result!.rejected).toBe(1)
					acceptedPushes++
				})
			} else {
				const key = keys[client % keys.length]!
				jobs.push(async () => {
					const outcome = note(
						'push',
						await call(
							apiAccountsRoute,
							apiRequest(`/apps/${target.id}/accounts`, { key, method: 'POST', body: { accounts: rows } }),
							{ appId: target.id },
						),
					)
					expect(outcome.status, JSON.stringify(outcome.data)).toBe(200)
					expect(outcome.data).toEqual({
						upserted: 40,
						rejected: [{ index: client % 40, accountId: null, reason: expect.stringMatching(/email address/) }],
					})
					acceptedPushes++
				})
			}
		}

		// Each task completed twice at once: by a person on the reporting page and by a job through the API.
		for (const [n, task] of tasks.entries()) {
			const cookie = cookies[n % cookies.length]!
			const key = keys[n % keys.length]!
			jobs.push(async () => {
				const outcome = note(
					'complete-form',
					await runRoute(
						reportingPage.action,
						makeRequest(`/o/${org.slug}/apps/${appA.id}/reporting`, {
							cookie,
							form: { intent: 'complete', taskId: task.id },
						}),
						{ org: org.slug, appId: appA.id },
					),
				)
				// Done by the API first: refused, saying so.
				if (outcome.status !== 200) {
					expect(outcome.status).toBe(409)
					expect(messageOf(outcome)).toBe('This task is already done.')
				}
			})
			jobs.push(async () => {
				const outcome = note(
					'complete-api',
					await call(apiCompleteRoute, apiRequest(`/tasks/${task.id}/complete`, { key, method: 'POST' }), {
						taskId: task.id,
					}),
				)
				// The API answers a task already done as it is (its documented retry), whoever did it.
				expect(outcome.status, JSON.stringify(outcome.data)).toBe(200)
				expect(outcome.data).toMatchObject({ task: { id: task.id, status: 'done' } })
			})
		}
		for (const task of tasks) if (task.kind === 'erase') expected.A.delete(task.accountId)

		// Report runs on B: 10 by the API, each sent twice with its Idempotency-Key (one run each);
		// 10 by people through the run form, each sent at its own minute.
		const runIds = new Set<string>()
		for (let n = 0; n < 10; n++) {
			const key = keys[n % keys.length]!
			const body = {
				sentAt: new Date(Date.now() - (n + 1) * 60_000).toISOString(),
				preparedReportId: prepared.sha256,
				responses: [{ status: 204 }],
			}
			for (let attempt = 0; attempt < 2; attempt++) {
				jobs.push(async () => {
					const outcome = note(
						'run-api',
						await call(
							apiRunsRoute,
							apiRequest(`/apps/${appB.id}/report-runs`, {
								key,
								method: 'POST',
								body,
								headers: { 'Idempotency-Key': `load-run-${n}` },
							}),
							{ appId: appB.id },
						),
					)
					expect(outcome.status, JSON.stringify(outcome.data)).toBe(201)
					runIds.add((outcome.data as { id: string }).id)
				})
			}
			const cookie = cookies[n % cookies.length]!
			const sentAt = instantToLocalDateTime(new Date(Date.now() - (n + 20) * 60_000), org.timeZone)
			jobs.push(async () => {
				const outcome = note(
					'run-form',
					await runRoute(
						runsRoute.action,
						makeRequest(`/o/${org.slug}/apps/${appB.id}/reporting/runs`, {
							cookie,
							form: { intent: 'run', preparedReport: prepared.id, sentAt, answers: '204' },
						}),
						{ org: org.slug, appId: appB.id },
					),
				)
				expect(outcome.status, JSON.stringify(outcome.data)).toBe(200)
			})
		}

		// App edits on A, 10 through the form and 10 through the API, each from the version its client read:
		// a save over another's is refused (409, saying so); the client reads again and saves again.
		const savedUrls: string[] = []
		const conflicts: string[] = []
		for (let n = 0; n < 20; n++) {
			const url = `https://acme.example/privacy/${n}`
			const viaForm = n % 2 === 0
			const cookie = cookies[n % cookies.length]!
			const key = keys[n % keys.length]!
			jobs.push(async () => {
				for (let attempt = 0; attempt < 200; attempt++) {
					const { version } = (await getApp(org.id, appA.id))!
					const outcome = viaForm
						? note(
								'edit-form',
								await runRoute(
									appPage.action,
									makeRequest(`/o/${org.slug}/apps/${appA.id}`, {
										cookie,
										form: appForm({
											intent: 'update',
											appKey: appA.appKey,
											privacyPolicyUrl: url,
											version: String(version),
										}),
									}),
									{ org: org.slug, appId: appA.id },
								),
							)
						: note(
								'edit-api',
								await call(
									apiAppRoute,
									apiRequest(`/apps/${appA.id}`, {
										key,
										method: 'PATCH',
										body: { privacyPolicyUrl: url, version },
									}),
									{ appId: appA.id },
								),
							)
					if (outcome.status === 200) {
						savedUrls.push(url)
						return
					}
					expect(outcome.status, JSON.stringify(outcome.data)).toBe(409)
					expect(messageOf(outcome)).toMatch(/^Someone else saved this app after you opened it\./)
					conflicts.push(url)
				}
				throw new Error(`the edit ${url} was never saved`)
			})
		}

		// Reminder passes during the load: five under the lock, five more for the organisation as two
		// servers without a lock would run them.
		const { channels, emails } = recordingChannels()
		const passes: { ran: boolean; created: number }[] = []
		for (let n = 0; n < 10; n++) {
			jobs.push(async () => {
				passes.push(
					n % 2 === 0
						? await runReminderPass({ channels })
						: { ran: true, ...(await runOrgReminders(org.id, { channels })) },
				)
			})
		}

		const started = Date.now()
		await runConcurrently(shuffle(jobs), CLIENTS)
		const seconds = (Date.now() - started) / 1000

		// ── Afterwards: exactly what was sent and accepted ──
		const statuses = answers.map((answer) => answer.status)
		expect(statuses.filter((status) => status >= 500)).toEqual([])
		for (const answer of answers.filter((a) => a.status >= 400)) expect(answer.message, answer.kind).not.toBe('')

		// The ledgers, account by account, and the triggers' figures against a real count.
		for (const [name, app] of [
			['A', appA],
			['B', appB],
		] as const) {
			const stored = await ledgerOf(app.id)
			const lost = [...expected[name]].filter((id) => !stored.has(id))
			const extra = [...stored].filter((id) => !expected[name].has(id))
			expect({ app: name, lost, extra }).toEqual({ app: name, lost: [], extra: [] })
			const { stats, real } = await statsBesideCount(app.id)
			expect(stats).toEqual(real)
			expect(real.accountCount).toBe(expected[name].size)
		}
		expect(
			await db
				.select()
				.from(storedAccounts)
				.where(sql`${storedAccounts.accountId} like '%@%'`),
		).toEqual([])
		expect(await auditCount(org.id, 'ledger.imported')).toBe(importsBefore + 48)
		expect(acceptedPushes).toBe(48)

		// Tasks: each done once, by one of its two clients, with one audit event.
		const done = await db
			.select()
			.from(accountActions)
			.where(
				inArray(
					accountActions.id,
					tasks.map((task) => task.id),
				),
			)
		expect(done.filter((task) => task.completedAt === null)).toEqual([])
		expect(await auditCount(org.id, 'account_task.erased')).toBe(20)
		expect(await auditCount(org.id, 'account_task.refreshed')).toBe(20)
		const formCompletions = answers.filter((a) => a.kind === 'complete-form' && a.status === 200).length
		expect(formCompletions).toBeLessThanOrEqual(40)

		// Runs: 10 by the API (retries replayed, not recorded again) and 10 by the form.
		expect(runIds.size).toBe(10)
		const runsOfB = await db.select().from(reportRuns).where(eq(reportRuns.appId, appB.id))
		expect(runsOfB).toHaveLength(20)
		expect(
			await db
				.select({ n: count() })
				.from(auditEvents)
				.where(
					and(
						eq(auditEvents.action, 'report_run.recorded'),
						inArray(
							auditEvents.subjectId,
							runsOfB.map((run) => run.id),
						),
					),
				),
		).toEqual([{ n: 20 }])

		// App edits: all 20 saved once each, none overwritten unseen; the version counts them.
		expect(savedUrls.sort()).toEqual(Array.from({ length: 20 }, (_, n) => `https://acme.example/privacy/${n}`).sort())
		const edits = await db
			.select({ after: auditEvents.after })
			.from(auditEvents)
			.where(and(eq(auditEvents.action, 'app.updated'), eq(auditEvents.subjectId, appA.id)))
		expect(edits).toHaveLength(20)
		expect(edits.map((edit) => (edit.after as { privacyPolicyUrl?: string }).privacyPolicyUrl).sort()).toEqual(
			[...savedUrls].sort(),
		)
		const finalA = (await getApp(org.id, appA.id))!
		expect(finalA.version).toBe(appA.version + 20)
		expect(savedUrls).toContain(finalA.privacyPolicyUrl)

		// Reminders: the one due today stored and sent once, however many passes ran.
		const remindersOfR = await db
			.select()
			.from(reminders)
			.where(and(eq(reminders.orgId, org.id), eq(reminders.subjectId, appR.id)))
		expect(remindersOfR.map((row) => [row.kind, row.offsetDays])).toEqual([['reporting_due', 3]])
		expect(emails.filter((email) => email.reminderId === remindersOfR[0]!.id)).toEqual([
			{ userId: admin.id, reminderId: remindersOfR[0]!.id },
		])
		expect(passes.reduce((sum, pass) => sum + pass.created, 0)).toBe(
			(await db.select({ n: count() }).from(reminders).where(eq(reminders.orgId, org.id)))[0]!.n,
		)

		const written = answers.filter((a) => a.status < 300).length
		console.info(
			`[load] ${answers.length} writes from ${CLIENTS} concurrent clients in ${seconds.toFixed(1)} s: ` +
				`${written} accepted, ${answers.length - written} refused with a 4xx (${conflicts.length} edit conflicts, ` +
				`${answers.filter((a) => a.kind === 'complete-form' && a.status === 409).length} tasks already done), ` +
				`0 lost, 0 answered 500; plus ${passes.length} reminder passes`,
		)
	}, 480_000)

	// PGlite runs one transaction at a time, so two can only overlap on PostgreSQL.
	it.skipIf(!process.env.DATABASE_URL)(
		'a task completed while an import into the same app is still open waits for it: the ledger figures stay exact',
		async () => {
			const { org, admin } = await createOrg('Overlap Apps')
			const key = await keyFor(org.id, ALL_SCOPES)
			const app = await createTestApp(org.id, admin.id, { appKey: 'com.overlap.mail-bridge' })
			const [kept, refreshed, older] = [accountId(1, 1), accountId(1, 2), accountId(1, 3)]
			const at = (days: number) => new Date(Date.now() - days * DAY)
			const oldest = at(100)
			const pushed = await call(
				apiAccountsRoute,
				apiRequest(`/apps/${app.id}/accounts`, {
					key,
					method: 'POST',
					body: { accounts: [kept, refreshed].map((id) => ({ accountId: id, updatedAt: at(10).toISOString() })) },
				}),
				{ appId: app.id },
			)
			expect(pushed.status).toBe(200)
			const run = await call(
				apiRunsRoute,
				apiRequest(`/apps/${app.id}/report-runs`, {
					key,
					method: 'POST',
					body: {
						sentAt: new Date().toISOString(),
						responses: [{ status: 200, accounts: [{ accountId: refreshed, status: 'updated' }] }],
					},
				}),
				{ appId: app.id },
			)
			expect(run.status, JSON.stringify(run.data)).toBe(201)
			const [task] = await db.select().from(accountActions).where(eq(accountActions.appId, app.id))

			// An import holding the app, as every ledger write does, adds an account older than all others and
			// stays open until the completion below is waiting on a lock.
			let release!: () => void
			const released = new Promise<void>((resolve) => (release = resolve))
			const importing = db.transaction(async (tx) => {
				await lockApp(tx, org.id, app.id)
				await tx.insert(storedAccounts).values({ appId: app.id, accountId: older, updatedAt: oldest })
				await released
			})
			const completing = call(apiCompleteRoute, apiRequest(`/tasks/${task!.id}/complete`, { key, method: 'POST' }), {
				taskId: task!.id,
			})
			for (let polls = 0; ; polls++) {
				const rows = await db.execute(
					sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
				)
				const [row] = rows as unknown as { n: number }[]
				if (row!.n > 0) break
				if (polls > 100_000) throw new Error('the completion never waited for the import')
			}
			release()
			await importing
			expect((await completing).status).toBe(200)

			const { stats, real } = await statsBesideCount(app.id)
			expect(real).toEqual({ accountCount: 3, oldest: oldest.getTime() })
			expect(stats).toEqual(real)
		},
	)
})
