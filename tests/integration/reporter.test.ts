import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import {
	accountActions,
	apps,
	notifications,
	preparedReports,
	reporterRuns,
	reportingConnections,
	reportRuns,
} from '#db/schema'
import { type ReportBody } from '~/domain/report-batches'
import { ReportingConnectionInputSchema } from '~/schemas/reporting-connection'
import { forgetAccessToken } from '~/services/atlassian-client.server'
import { runReporterPass, type BatchSender } from '~/services/reporter.server'
import { saveReportingConnection } from '~/services/reporting-connection.server'
import {
	CLOSED_TEST_ACCOUNT,
	CYCLE_PERIOD_FORMS,
	scripted,
	startAtlassianStandIn,
	type AtlassianStandIn,
} from '../fixtures/atlassian-stand-in'
import { accountIds, recordingSleep, reporterWorld, standInSender } from './reporter-helpers'

// Issue 14, point 2: the reporter, against a local stand-in for Atlassian.

let standIn: AtlassianStandIn
const quiet = { log: () => {} }

beforeEach(async () => {
	standIn = await startAtlassianStandIn({ responseDelayMs: 5 })
})
afterEach(async () => {
	await standIn.close()
})

const sentIds = () => standIn.reportRequests().flatMap((request) => request.accounts?.map((a) => a.accountId) ?? [])

async function runOf(appId: string) {
	const [run] = await db.select().from(reporterRuns).where(eq(reporterRuns.appId, appId))
	return run!
}

describe('batches', () => {
	it('sends at most 90 accounts per batch, one batch after another, and records the run as sent by Clearance', async () => {
		const ids = accountIds(200)
		const { app } = await reporterWorld({ accounts: ids })
		const standInSlow = standIn
		// Slow answers: overlapping batches would be seen.
		const sender = standInSender(standInSlow)
		const { runs } = await runReporterPass({ appId: app.id, force: true }, { send: sender, ...quiet })

		expect(runs).toEqual([
			expect.objectContaining({ appId: app.id, status: 'sent', batches: 3, closed: 0, updated: 0 }),
		])
		const requests = standIn.reportRequests()
		expect(requests.map((request) => request.accounts?.length)).toEqual([90, 90, 20])
		expect(standIn.maxInFlight()).toBe(1)
		for (let i = 1; i < requests.length; i++) {
			expect(requests[i]!.receivedAt).toBeGreaterThanOrEqual(requests[i - 1]!.answeredAt)
		}
		expect(sentIds()).toEqual(ids)

		const [recorded] = await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))
		expect(recorded).toMatchObject({
			sentByClearance: true,
			recordedBy: null,
			recordedByKeyId: null,
			accountCount: 200,
			batchCount: 3,
		})
		expect(await runOf(app.id)).toMatchObject({ status: 'sent', nextBatch: 3, reportRunId: recorded!.id })
		const [connection] = await db.select().from(reportingConnections).where(eq(reportingConnections.appId, app.id))
		expect(connection!.lastSuccessAt).not.toBeNull()
		expect(connection!.nextPlannedAt!.getTime()).toBeGreaterThan(Date.now())
	})

	it('turns a closed answer into an erase task, tells the owners, and does not report that account again', async () => {
		const ids = [CLOSED_TEST_ACCOUNT, ...accountIds(2)]
		const { app, member } = await reporterWorld({ accounts: ids })
		const { runs } = await runReporterPass({ appId: app.id, force: true }, { send: standInSender(standIn), ...quiet })
		expect(runs[0]).toMatchObject({ status: 'sent', batches: 1, closed: 1 })
		const tasks = await db.select().from(accountActions).where(eq(accountActions.appId, app.id))
		expect(tasks.map((task) => [task.accountId, task.kind])).toEqual([[CLOSED_TEST_ACCOUNT, 'erase']])
		// The app's owner (its creator) hears about it.
		const told = await db.select().from(notifications).where(eq(notifications.kind, 'reporter_sent'))
		expect(told.map((row) => row.userId)).toEqual([member.id])
		expect(told[0]!.message).toContain('1 account to erase')
		expect(told[0]!.link).toContain(`/apps/${app.id}/reporting`)

		const dry = await runReporterPass({ appId: app.id, dryRun: true }, { send: standInSender(standIn), ...quiet })
		expect(dry.runs[0]!.dryRun!.firstBody!.accounts.map((a) => a.accountId)).not.toContain(CLOSED_TEST_ACCOUNT)
		expect(dry.runs[0]!.dryRun!.accountCount).toBe(2)
	})
})

describe('Atlassian asks to wait, or fails for a while', () => {
	it('honours Retry-After (in seconds) before sending the batch again', async () => {
		const { app } = await reporterWorld({ accounts: accountIds(100) })
		standIn.script(scripted.tooManyRequests(1))
		const { runs } = await runReporterPass({ appId: app.id, force: true }, { send: standInSender(standIn), ...quiet })
		expect(runs[0]).toMatchObject({ status: 'sent', batches: 2 })
		const [limited, again] = standIn.reportRequests()
		expect(limited!.status).toBe(429)
		expect(again!.accounts).toEqual(limited!.accounts)
		expect(again!.receivedAt - limited!.answeredAt).toBeGreaterThanOrEqual(1000)
	})

	it('past the cap it stops, waits as Atlassian asked, and resumes the same run without re-sending', async () => {
		const { app } = await reporterWorld({ accounts: accountIds(100) })
		// First batch goes through; the second is told to wait an hour.
		standIn.script({ status: 204 }, scripted.tooManyRequests(3600))
		const sleep = recordingSleep()
		const first = await runReporterPass(
			{ appId: app.id, force: true },
			{ send: standInSender(standIn), sleep, ...quiet },
		)
		expect(first.runs[0]).toMatchObject({ status: 'skipped', batches: 1 })
		expect(first.runs[0]!.error).toMatch(/wait 3600 seconds/)
		expect(sleep.waits).toEqual([])
		const waiting = await runOf(app.id)
		expect(waiting).toMatchObject({ status: 'waiting', nextBatch: 1 })
		expect(waiting.resumeAfter!.getTime()).toBeGreaterThan(Date.now() + 3590_000)

		// Before the hour: nothing is sent.
		const early = await runReporterPass({ appId: app.id, force: true }, { send: standInSender(standIn), ...quiet })
		expect(early.runs[0]!.status).toBe('skipped')
		expect(standIn.reportRequests()).toHaveLength(2)

		// After it: batch 2 only.
		const later = await runReporterPass(
			{ appId: app.id, now: new Date(Date.now() + 3601_000) },
			{ send: standInSender(standIn), ...quiet },
		)
		expect(later.runs[0]).toMatchObject({ status: 'sent', batches: 2 })
		const requests = standIn.reportRequests()
		expect(requests).toHaveLength(3)
		expect(requests[2]!.accounts).toEqual(requests[1]!.accounts)
		expect(sentIds().slice(0, 90)).toEqual(accountIds(100).slice(0, 90))
	})

	it('backs off after a 503 and retries a bounded number of times, then waits for a later pass', async () => {
		const { app } = await reporterWorld({ accounts: accountIds(10) })
		standIn.script(scripted.serviceUnavailable(), scripted.serverError())
		const sleep = recordingSleep()
		const ok = await runReporterPass({ appId: app.id, force: true }, { send: standInSender(standIn), sleep, ...quiet })
		expect(ok.runs[0]).toMatchObject({ status: 'sent', batches: 1 })
		expect(sleep.waits).toHaveLength(2)
		expect(sleep.waits[1]!).toBeGreaterThan(sleep.waits[0]!)

		const { app: other } = await reporterWorld({ accounts: accountIds(10) })
		standIn.script(...Array.from({ length: 10 }, () => scripted.serviceUnavailable()))
		const stopped = await runReporterPass(
			{ appId: other.id, force: true },
			{ send: standInSender(standIn), sleep, ...quiet },
		)
		expect(stopped.runs[0]!.status).toBe('skipped')
		expect(stopped.runs[0]!.error).toMatch(/503 for batch 1, 4 times in a row/)
		expect(await runOf(other.id)).toMatchObject({ status: 'waiting', nextBatch: 0 })
	})
})

describe('a run cut off half-way', () => {
	it('resumes at batch k+1 after a crash after batch k, never re-sending an acknowledged batch', async () => {
		const ids = accountIds(300) // 4 batches
		const { app } = await reporterWorld({ accounts: ids })
		const real = standInSender(standIn)
		let calls = 0
		const crashing: BatchSender = async (connection, body: ReportBody) => {
			calls++
			if (calls === 3) throw new Error('the process died')
			return real(connection, body)
		}
		const first = await runReporterPass({ appId: app.id, force: true }, { send: crashing, ...quiet })
		expect(first.runs[0]).toMatchObject({ status: 'failed', batches: 2 })
		expect(first.runs[0]!.error).toMatch(/resumes at batch 3/)
		expect(await runOf(app.id)).toMatchObject({ status: 'running', nextBatch: 2 })
		expect(standIn.reportRequests()).toHaveLength(2)

		const second = await runReporterPass({ appId: app.id }, { send: standInSender(standIn), ...quiet })
		expect(second.runs[0]).toMatchObject({ status: 'sent', batches: 4 })
		expect(standIn.reportRequests().map((request) => request.accounts?.length)).toEqual([90, 90, 90, 30])
		expect(sentIds()).toEqual(ids)
		const recorded = await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))
		expect(recorded).toHaveLength(1)
		expect((recorded[0]!.batchAnswers as unknown[]).length).toBe(4)
		// One prepared report: the resumed run is the same run.
		expect(await db.select().from(preparedReports).where(eq(preparedReports.appId, app.id))).toHaveLength(1)
	})
})

describe('Atlassian refuses', () => {
	it('a 400 fails the run and shows Atlassian’s errorType and errorMessage', async () => {
		const { app } = await reporterWorld({ accounts: accountIds(100) })
		standIn.script({ status: 204 }, scripted.badRequest('INVALID_ACCOUNT_ID', 'accountId is not valid'))
		const { runs } = await runReporterPass({ appId: app.id, force: true }, { send: standInSender(standIn), ...quiet })
		expect(runs[0]).toMatchObject({ status: 'failed', batches: 1 })
		expect(runs[0]!.error).toContain('INVALID_ACCOUNT_ID: accountId is not valid')
		expect(runs[0]!.error).toContain('batch 2')
		const run = await runOf(app.id)
		expect(run).toMatchObject({ status: 'failed' })
		expect(run.error).toContain('INVALID_ACCOUNT_ID')
		const [connection] = await db.select().from(reportingConnections).where(eq(reportingConnections.appId, app.id))
		expect(connection).toMatchObject({ state: 'ok' })
		expect(connection!.lastError).toContain('INVALID_ACCOUNT_ID')
		expect(await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))).toHaveLength(0)
		// The scheduler does not hammer: the next automatic pass waits.
		const next = await runReporterPass({ appId: app.id }, { send: standInSender(standIn), ...quiet })
		expect(next.runs[0]!.status).toBe('skipped')
		expect(standIn.reportRequests()).toHaveLength(2)
	})

	it('a 401 marks the connection broken with what to fix, and tells the owners', async () => {
		const { app, admin, member } = await reporterWorld({ accounts: accountIds(5) })
		standIn.scopes = ['offline_access'] // the app lacks report:personal-data
		const { runs } = await runReporterPass({ appId: app.id, force: true }, { send: standInSender(standIn), ...quiet })
		expect(runs[0]).toMatchObject({ status: 'failed', batches: 0 })
		expect(runs[0]!.error).toContain('report:personal-data')
		const [connection] = await db.select().from(reportingConnections).where(eq(reportingConnections.appId, app.id))
		expect(connection).toMatchObject({ state: 'broken' })
		expect(connection!.lastError).toMatch(/answered 401.*scope report:personal-data.*authorise it again/)
		// The owner, and the admins (an admin sets the connection).
		const told = await db.select().from(notifications).where(eq(notifications.kind, 'reporting_connection_broken'))
		expect(told.map((row) => row.userId).sort()).toEqual([admin.id, member.id].sort())
		// Nothing more is sent until a person fixes it.
		const again = await runReporterPass({ appId: app.id, force: true }, { send: standInSender(standIn), ...quiet })
		expect(again.runs[0]!.status).toBe('skipped')
		expect(again.runs[0]!.error).toMatch(/needs attention/)
		expect(standIn.reportRequests()).toHaveLength(1)
	})
})

describe('Cycle-Period', () => {
	const expected: Record<keyof typeof CYCLE_PERIOD_FORMS, { outcome: string; cycleDays: number; days: number }> = {
		seconds: { outcome: 'pending', cycleDays: 15, days: 7 },
		days: { outcome: 'pending', cycleDays: 15, days: 7 },
		text: { outcome: 'applied', cycleDays: 25, days: 25 },
		iso: { outcome: 'pending', cycleDays: 15, days: 7 },
	}
	for (const [form, raw] of Object.entries(CYCLE_PERIOD_FORMS) as [keyof typeof CYCLE_PERIOD_FORMS, string][]) {
		it(`keeps “${raw}” raw and applies it by the cycle rules (${expected[form].outcome})`, async () => {
			const { app } = await reporterWorld({ accounts: accountIds(95) })
			standIn.cyclePeriod = raw
			const { runs } = await runReporterPass({ appId: app.id, force: true }, { send: standInSender(standIn), ...quiet })
			expect(runs[0]!.status).toBe('sent')
			const [run] = await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))
			expect(run).toMatchObject({
				cyclePeriodRaw: raw,
				cyclePeriodOutcome: expected[form].outcome,
				cyclePeriodDays: expected[form].days,
			})
			expect((run!.batchAnswers as { cyclePeriod: string }[]).map((batch) => batch.cyclePeriod)).toEqual([raw, raw])
			const [after] = await db.select().from(apps).where(eq(apps.id, app.id))
			expect(after!.cycleDays).toBe(expected[form].cycleDays)
			expect(after!.pendingCycleRunId).toBe(expected[form].outcome === 'pending' ? run!.id : null)
		})
	}
})

describe('when and how often', () => {
	it('two passes at once send the report once (advisory lock per app)', async () => {
		const { app } = await reporterWorld({ accounts: accountIds(200) })
		const [a, b] = await Promise.all([
			runReporterPass({ appId: app.id, force: true }, { send: standInSender(standIn), ...quiet }),
			runReporterPass({ appId: app.id, force: true }, { send: standInSender(standIn), ...quiet }),
		])
		expect([a.runs[0]!.status, b.runs[0]!.status].sort()).toEqual(['sent', 'skipped'])
		expect(standIn.reportRequests()).toHaveLength(3)
		expect(await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))).toHaveLength(1)
	})

	it('sends nothing before the planned moment, which it records, and sends once it has come', async () => {
		const { app } = await reporterWorld({ accounts: accountIds(5) })
		await runReporterPass({ appId: app.id, force: true }, { send: standInSender(standIn), ...quiet })
		const [connection] = await db.select().from(reportingConnections).where(eq(reportingConnections.appId, app.id))
		const planned = connection!.nextPlannedAt!
		// Not on the hour, and within the lead time of the due moment (15-day cycle).
		expect(planned.getUTCMinutes()).toBeGreaterThanOrEqual(5)
		expect(planned.getUTCMinutes()).toBeLessThanOrEqual(55)
		expect(planned.getTime()).toBeGreaterThan(Date.now() + 13 * 86_400_000)

		const notYet = await runReporterPass({ appId: app.id }, { send: standInSender(standIn), ...quiet })
		expect(notYet.runs[0]).toMatchObject({ status: 'skipped', nextPlannedAt: planned })
		expect(standIn.reportRequests()).toHaveLength(1)

		const due = await runReporterPass(
			{ appId: app.id, now: new Date(planned.getTime() + 1000) },
			{ send: standInSender(standIn), ...quiet },
		)
		expect(due.runs[0]!.status).toBe('sent')
		expect(standIn.reportRequests()).toHaveLength(2)
	})

	it('a dry run shows the batch count and the first body, and sends and writes nothing', async () => {
		const ids = accountIds(91)
		const { app } = await reporterWorld({ accounts: ids })
		const { runs } = await runReporterPass({ appId: app.id, dryRun: true }, { send: standInSender(standIn), ...quiet })
		expect(runs[0]).toMatchObject({ status: 'skipped', dryRun: { batchCount: 2, accountCount: 91 } })
		expect(runs[0]!.dryRun!.firstBody!.accounts).toHaveLength(90)
		expect(runs[0]!.dryRun!.firstBody!.accounts[0]).toEqual({ accountId: ids[0], updatedAt: expect.any(String) })
		expect(standIn.reportRequests()).toHaveLength(0)
		expect(await db.select().from(reporterRuns).where(eq(reporterRuns.appId, app.id))).toHaveLength(0)
		expect(await db.select().from(preparedReports).where(eq(preparedReports.appId, app.id))).toHaveLength(0)
	})
})

describe('through the Atlassian client (no test sender)', () => {
	const KEYS = ['CLEARANCE_SECRET_KEY', 'ATLASSIAN_AUTH_URL', 'ATLASSIAN_API_URL', 'OUTBOUND_ALLOW_PRIVATE'] as const
	const saved = Object.fromEntries(KEYS.map((key) => [key, process.env[key]]))
	beforeEach(() => {
		process.env.CLEARANCE_SECRET_KEY = randomBytes(32).toString('base64')
		process.env.ATLASSIAN_AUTH_URL = standIn.authUrl
		process.env.ATLASSIAN_API_URL = standIn.apiUrl
		process.env.OUTBOUND_ALLOW_PRIVATE = 'true'
	})
	afterEach(() => {
		for (const key of KEYS) {
			if (saved[key] === undefined) delete process.env[key]
			else process.env[key] = saved[key]
		}
	})

	it('OAuth 2.0: rotates the refresh token, never sends a spent one, keeps Cycle-Period, logs no secret', async () => {
		const { org, admin, app } = await reporterWorld({ accounts: accountIds(181), connection: false })
		const firstRefreshToken = standIn.currentRefreshToken()
		await saveReportingConnection(
			org.id,
			admin.id,
			app.id,
			ReportingConnectionInputSchema.parse({
				kind: 'oauth2',
				clientId: standIn.clientId,
				clientSecret: standIn.clientSecret,
				refreshToken: firstRefreshToken,
			}),
		)
		standIn.cyclePeriod = 'P7D'
		const lines: string[] = []
		const first = await runReporterPass({ appId: app.id, force: true }, { log: (line) => lines.push(line) })
		expect(first.runs[0]).toMatchObject({ status: 'sent', batches: 3 })
		expect(standIn.reportRequests('oauth2').map((request) => request.accounts?.length)).toEqual([90, 90, 1])
		// A second run a day later exchanges the rotated token, not the first one.
		forgetAccessToken(app.id)
		const second = await runReporterPass(
			{ appId: app.id, force: true, now: new Date(Date.now() + 60_000) },
			{ log: (line) => lines.push(line) },
		)
		expect(second.runs[0]!.status).toBe('sent')
		expect(standIn.tokenRequests.length).toBeGreaterThanOrEqual(2)
		expect(standIn.reusedRefreshTokens).toEqual([])
		expect(standIn.tokenRequests.every((request) => request.status === 200)).toBe(true)
		const [run] = await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id)).limit(1)
		expect(run!.cyclePeriodRaw).toBe('P7D')
		const secrets = [firstRefreshToken, standIn.currentRefreshToken(), standIn.clientSecret]
		for (const secret of secrets) expect(lines.join('\n')).not.toContain(secret)
	})

	it('Forge web trigger: sends through the companion, which never passes Cycle-Period', async () => {
		const { org, admin, app } = await reporterWorld({
			accounts: [CLOSED_TEST_ACCOUNT, ...accountIds(3)],
			connection: false,
		})
		await saveReportingConnection(
			org.id,
			admin.id,
			app.id,
			ReportingConnectionInputSchema.parse({
				kind: 'forge_webtrigger',
				url: standIn.webTriggerUrl,
				secret: standIn.webTriggerSecret,
			}),
		)
		standIn.cyclePeriod = 'P7D'
		const { runs } = await runReporterPass({ appId: app.id, force: true }, quiet)
		expect(runs[0]).toMatchObject({ status: 'sent', batches: 1, closed: 1 })
		expect(standIn.reportRequests('forge_webtrigger')).toHaveLength(1)
		const [run] = await db.select().from(reportRuns).where(eq(reportRuns.appId, app.id))
		expect(run!.cyclePeriodRaw).toBeNull()
	})

	it('a refused refresh token marks the connection broken and starts nothing more', async () => {
		const { org, admin, app } = await reporterWorld({ accounts: accountIds(3), connection: false })
		await saveReportingConnection(
			org.id,
			admin.id,
			app.id,
			ReportingConnectionInputSchema.parse({
				kind: 'oauth2',
				clientId: standIn.clientId,
				clientSecret: standIn.clientSecret,
				refreshToken: standIn.currentRefreshToken(),
			}),
		)
		standIn.revokeGrant()
		const { runs } = await runReporterPass({ appId: app.id, force: true }, quiet)
		expect(runs[0]!.status).toBe('failed')
		expect(runs[0]!.error).toMatch(/refresh token was refused/)
		const [connection] = await db.select().from(reportingConnections).where(eq(reportingConnections.appId, app.id))
		expect(connection!.state).toBe('broken')
		expect(standIn.reportRequests()).toHaveLength(0)
	})
})
