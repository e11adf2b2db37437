import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import {
	accountActions,
	apps,
	notifications,
	organizations,
	reporterRuns,
	reportingConnections,
	storedAccounts,
} from '#db/schema'
import {
	batchAccounts,
	batchAccountsAsync,
	MAX_BATCH,
	type ReportBody,
	parseReportEvidence,
	type AccountStatus,
} from '~/domain/report-batches'
import {
	backoffMs,
	classifyAnswer,
	DEFAULT_LEAD_HOURS,
	isDue,
	MAX_RATE_LIMIT_WAITS,
	MAX_RUN_ATTEMPTS,
	MAX_TRANSIENT_RETRIES,
	plannedSendAt,
	refusedMessage,
	RESUME_AFTER_TRANSIENT_MS,
	RETRY_AFTER_CAP_SECONDS,
	RETRY_FAILED_AFTER_MS,
	retryAfterSeconds,
} from '~/domain/reporter-policy'
import { type ConnectionKind } from '~/domain/reporting-connection'
import { withAdvisoryLock } from '~/utils/advisory-lock.server'
import { UserFacingError } from '~/utils/errors'
import { adminsOf, reminderOwnersOf } from './app-owners.server'
import { lockApp } from './apps.server'
import { adviceForRefusal, ConnectionBroken, NetworkError, postReportBatch } from './atlassian-client.server'
import { recordAudit } from './audit.server'
import { streamLedger } from './ledger.server'
import { batchSetSha256, insertPrepared, sha256Hex } from './prepared-reports.server'
import {
	loadConnectionForSending,
	markBroken,
	markSuccess,
	recordConnectionError,
	setNextPlannedAt,
} from './reporting-connection.server'
import { dashboardRows, recordRunEvidence } from './reporting.server'

/**
 * Clearance's own reporter (issue 14; docs/rules.md › Personal-data reporting,
 * › Evidence: prepared reports and runs, › Cycle-Period header): for each app
 * with a working reporting connection whose report is due, it prepares the
 * batch set, sends the batches ONE AFTER ANOTHER (at most 90 accounts each),
 * saves progress after every acknowledged batch (a crash resumes at the next
 * one), honours Retry-After up to a cap, backs off from 500/503 and network
 * errors a bounded number of times, and records the run through the same path
 * as a person's (tasks, Cycle-Period), marked as sent by Clearance. Each app
 * runs under the advisory lock `reporter:<appId>`, so two servers (or the
 * scheduler and `npm run report`) never send the same report twice.
 */

export type Connection = typeof reportingConnections.$inferSelect
export type ReporterRun = typeof reporterRuns.$inferSelect

/** What came back for one batch, as the Atlassian client returns it. */
export type SendAnswer = {
	status: number
	headers: Headers | Record<string, string | string[] | undefined>
	bodyText: string
}

/** Sends one batch body over the app's connection. Throws a network error (retried) or a broken connection. */
export type BatchSender = (connection: Connection, body: ReportBody) => Promise<SendAnswer>

export type ReporterDeps = {
	/** The Atlassian client by default; tests give their own. */
	send?: BatchSender
	/** Waits (Retry-After, back-off); tests give a recording one. */
	sleep?: (ms: number) => Promise<void>
	/** A line for the operator (never a secret). */
	log?: (line: string) => void
}

export type ReporterOptions = {
	now?: Date
	/** One app only. */
	appId?: string
	/** Only this organisation's apps (the page's "Send now"). */
	orgId?: string
	/** Send even if not yet due: a person's explicit choice. */
	force?: boolean
	/** Prepare and show, send nothing, write nothing. */
	dryRun?: boolean
	/** The person who asked (Send now), named in the audit trail. */
	requestedBy?: string | null
}

export type AppRunStatus = 'sent' | 'failed' | 'skipped'

export type AppRunResult = {
	appId: string
	status: AppRunStatus
	/** Distinct batches acknowledged by Atlassian in this run (all passes). */
	batches: number
	closed: number
	updated: number
	error?: string
	/** For people: what happened and what comes next (not in the CLI's JSON line). */
	note?: string
	reporterRunId?: string
	reportRunId?: string
	nextPlannedAt?: Date | null
	dryRun?: { batchCount: number; accountCount: number; firstBody: ReportBody | null; resumes: boolean }
}

/** One acknowledged batch, as saved on the reporter run. */
export type SavedBatchAnswer = {
	/** 1-based, as people count batches. */
	batch: number
	status: 200 | 204
	body: string
	cyclePeriod: string | null
	accounts: AccountStatus[]
	at: string
	/** Every account of the batch left the ledger before it was sent: nothing was sent for it. */
	empty?: true
}

export type StoppedState =
	{ kind: 'waiting'; until: Date; reason: string } | { kind: 'failed'; reason: string; brokenStatus?: number }

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** REPORTER_LEAD_HOURS: how many hours before the due moment the report is sent (1–240, default 20). */
export function leadHours(env: Record<string, string | undefined> = process.env): number {
	const raw = env.REPORTER_LEAD_HOURS?.trim()
	if (!raw) return DEFAULT_LEAD_HOURS
	const value = Number(raw)
	if (!Number.isInteger(value) || value < 1 || value > 240) {
		throw new Error(`REPORTER_LEAD_HOURS must be a whole number of hours from 1 to 240, got “${raw}”`)
	}
	return value
}

/**
 * The Atlassian client over the app's stored connection, its secrets opened
 * once per run (the client reads the rotated refresh token back from the
 * database for every exchange). A missing or changed CLEARANCE_SECRET_KEY
 * surfaces here, before any run is started.
 */
async function clientSender(orgId: string, appId: string): Promise<BatchSender> {
	const open = await loadConnectionForSending(orgId, appId)
	if (!open)
		throw new ConnectionBroken('The reporting connection was removed. Set it again on the app’s reporting page.')
	return (_connection, body) => postReportBatch(open, body.accounts)
}

function headerOf(headers: SendAnswer['headers'], name: string): string | null {
	if (headers instanceof Headers) return headers.get(name)
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name.toLowerCase())
	const value = key ? headers[key] : undefined
	return Array.isArray(value) ? (value[0] ?? null) : (value ?? null)
}

/** The client's errors, or a test sender's of the same name. */
function isNamedError(error: unknown, name: 'NetworkError' | 'ConnectionBroken') {
	if (name === 'NetworkError' && error instanceof NetworkError) return true
	if (name === 'ConnectionBroken' && error instanceof ConnectionBroken) return true
	return error instanceof Error && error.name === name
}

function messageOf(error: unknown) {
	return error instanceof Error ? error.message : String(error)
}

// ── The pass ─────────────────────────────────────────────────────────────

/**
 * One pass over the connected apps (or one app): each due app is sent, or its
 * unfinished run resumed, under its own advisory lock. Never throws for one
 * app's trouble: it is in that app's result.
 */
export async function runReporterPass(
	options: ReporterOptions = {},
	deps: ReporterDeps = {},
): Promise<{ runs: AppRunResult[] }> {
	const log = deps.log ?? ((line: string) => console.log(line))
	const candidates = await db
		.select({ appId: reportingConnections.appId, orgId: reportingConnections.orgId })
		.from(reportingConnections)
		.innerJoin(apps, eq(apps.id, reportingConnections.appId))
		.where(
			and(
				isNull(apps.archivedAt),
				options.appId ? eq(reportingConnections.appId, options.appId) : undefined,
				options.orgId ? eq(reportingConnections.orgId, options.orgId) : undefined,
			),
		)
		.orderBy(asc(reportingConnections.appId))
	if (options.appId && candidates.length === 0) {
		return {
			runs: [
				{
					appId: options.appId,
					status: 'skipped',
					batches: 0,
					closed: 0,
					updated: 0,
					error: 'This app has no reporting connection (or it is archived): set one on the app’s reporting page.',
				},
			],
		}
	}
	const runs: AppRunResult[] = []
	for (const candidate of candidates) {
		let result: AppRunResult
		try {
			const locked = await withAdvisoryLock(`reporter:${candidate.appId}`, () =>
				runApp(candidate.orgId, candidate.appId, options, deps),
			)
			result = locked.ran
				? locked.value
				: {
						appId: candidate.appId,
						status: 'skipped',
						batches: 0,
						closed: 0,
						updated: 0,
						note: 'Another pass (another server, or npm run report) is sending this app’s report now.',
					}
		} catch (error) {
			result = {
				appId: candidate.appId,
				status: 'failed',
				batches: 0,
				closed: 0,
				updated: 0,
				error: `The reporter stopped on an unexpected error: ${messageOf(error)}`,
			}
		}
		// The scheduler's log keeps quiet about apps that are simply not due; a caller's log hears everything.
		if (deps.log || result.status !== 'skipped' || result.error) log(describeResult(result))
		runs.push(result)
	}
	return { runs }
}

/** One line for the operator's log. */
export function describeResult(result: AppRunResult): string {
	const counts = `${result.batches} batch${result.batches === 1 ? '' : 'es'} acknowledged, ${result.closed} closed, ${result.updated} updated`
	const why = [result.note, result.error].filter(Boolean).join(' ')
	return `Reporter: app ${result.appId}: ${result.status} (${counts})${why ? `. ${why}` : ''}`
}

async function runApp(
	orgId: string,
	appId: string,
	options: ReporterOptions,
	deps: ReporterDeps,
): Promise<AppRunResult> {
	const now = options.now ?? new Date()
	const skipped = (fields: Partial<AppRunResult>): AppRunResult => ({
		appId,
		status: 'skipped',
		batches: 0,
		closed: 0,
		updated: 0,
		...fields,
	})
	// Read again under the lock: another server may have just finished.
	const [connection] = await db
		.select()
		.from(reportingConnections)
		.where(and(eq(reportingConnections.orgId, orgId), eq(reportingConnections.appId, appId)))
	if (!connection) return skipped({ error: 'This app has no reporting connection.' })
	const [unfinished] = await db
		.select()
		.from(reporterRuns)
		.where(
			and(
				eq(reporterRuns.orgId, orgId),
				eq(reporterRuns.appId, appId),
				inArray(reporterRuns.status, ['running', 'waiting']),
			),
		)
		.orderBy(desc(reporterRuns.startedAt))
		.limit(1)

	if (options.dryRun) {
		const prepared = await prepareBatches(orgId, appId)
		return skipped({
			note: unfinished
				? `Dry run: nothing was sent. An unfinished run waits to be resumed at batch ${unfinished.nextBatch + 1} of ${unfinished.batchCount}; a new run would send ${prepared.batchCount} batch${prepared.batchCount === 1 ? '' : 'es'}.`
				: `Dry run: nothing was sent. ${prepared.batchCount} batch${prepared.batchCount === 1 ? '' : 'es'} of at most ${MAX_BATCH} accounts would be sent.`,
			dryRun: {
				batchCount: prepared.batchCount,
				accountCount: prepared.accountIds.length,
				firstBody: prepared.firstBody,
				resumes: Boolean(unfinished),
			},
		})
	}
	if (connection.state !== 'ok') {
		return skipped({
			error: `The reporting connection needs attention before Clearance can send: ${connection.lastError ?? 'Atlassian refused it.'}`,
		})
	}

	// The secrets are opened before anything is started: a server without its key says so and starts nothing.
	let send: BatchSender
	try {
		send = deps.send ?? (await clientSender(orgId, appId))
	} catch (error) {
		if (error instanceof ConnectionBroken) return skipped({ error: error.message })
		if (error instanceof Error && (error.name === 'SecretKeyError' || error.name === 'SecretBoxError')) {
			return skipped({
				error: `The server cannot open this connection’s secrets: ${error.message} Nothing was sent.`,
			})
		}
		throw error
	}

	let run: ReporterRun
	if (unfinished) {
		if (unfinished.status === 'waiting' && unfinished.resumeAfter && unfinished.resumeAfter > now) {
			return skipped({
				...progressOf(unfinished),
				note: `Paused until ${unfinished.resumeAfter.toISOString()}: ${unfinished.error ?? 'Atlassian asked to wait.'}`,
				reporterRunId: unfinished.id,
				nextPlannedAt: unfinished.resumeAfter,
			})
		}
		run = unfinished
	} else {
		const [app] = await db
			.select()
			.from(apps)
			.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
		if (!app || app.storesPersonalData !== 'yes') {
			return skipped({
				error: 'This app is not marked as storing personal data, so it has no report to send.',
			})
		}
		if (!options.force) {
			// A failed run is not retried by every pass: the owners were told, and a person may send now.
			const [lastFailed] = await db
				.select({ status: reporterRuns.status, finishedAt: reporterRuns.finishedAt })
				.from(reporterRuns)
				.where(and(eq(reporterRuns.orgId, orgId), eq(reporterRuns.appId, appId)))
				.orderBy(desc(reporterRuns.startedAt))
				.limit(1)
				.then((rows) =>
					rows.filter(
						(row) =>
							row.status === 'failed' &&
							row.finishedAt &&
							row.finishedAt.getTime() > now.getTime() - RETRY_FAILED_AFTER_MS,
					),
				)
			if (lastFailed) {
				const retryAt = new Date(lastFailed.finishedAt!.getTime() + RETRY_FAILED_AFTER_MS)
				return skipped({
					note: `The last automatic run failed; Clearance tries again after ${retryAt.toISOString()} (or send now from the reporting page).`,
					nextPlannedAt: retryAt,
				})
			}
			const planned = await planFor(orgId, appId)
			if (planned.status === 'not_required') return skipped({ note: 'No report is required for this app now.' })
			if (!isDue(planned.at, now)) {
				await setNextPlannedAt(orgId, appId, planned.at)
				return skipped({
					note: `Not due yet: planned for ${planned.at!.toISOString()}.`,
					nextPlannedAt: planned.at,
				})
			}
		}
		const prepared = await prepareBatches(orgId, appId)
		if (prepared.accountIds.length === 0) {
			return skipped({
				error:
					'Nothing to report: the ledger is empty, or every account in it waits for erasure. Import the account ids this app stores.',
			})
		}
		run = await startRun(orgId, appId, prepared, options.requestedBy ?? null)
	}

	try {
		return await sendRun(connection, run, options, deps, send)
	} catch (error) {
		// Not Atlassian's answer: a bug, the database, or a crash of the client. Progress so far is saved.
		const [current] = await db.select().from(reporterRuns).where(eq(reporterRuns.id, run.id))
		const attempts = (current?.attempts ?? run.attempts) + 1
		const giveUp = attempts >= MAX_RUN_ATTEMPTS
		const reason = `The reporter stopped on an unexpected error: ${messageOf(error)}`
		await db
			.update(reporterRuns)
			.set({
				attempts,
				error: reason,
				...(giveUp ? { status: 'failed', finishedAt: new Date() } : {}),
			})
			.where(eq(reporterRuns.id, run.id))
		return {
			appId,
			status: 'failed',
			...progressOf(current ?? run),
			error: giveUp
				? `${reason} The run was given up after ${attempts} attempts.`
				: `${reason} The run resumes at batch ${(current ?? run).nextBatch + 1} in the next pass.`,
			reporterRunId: run.id,
		}
	}
}

function progressOf(run: Pick<ReporterRun, 'nextBatch' | 'batchAnswers'>) {
	const answers = run.batchAnswers as SavedBatchAnswer[]
	const accounts = answers.flatMap((answer) => answer.accounts)
	return {
		batches: answers.filter((answer) => !answer.empty).length,
		closed: accounts.filter((account) => account.status === 'closed').length,
		updated: accounts.filter((account) => account.status === 'updated').length,
	}
}

/** When the app's next report is planned (lead time, jitter, never on the hour), from its reporting status. */
async function planFor(orgId: string, appId: string, now = new Date()) {
	const { rows, timeZone } = await dashboardRows(orgId, now, { appId })
	const row = rows[0]
	if (!row || row.status === 'not_required') return { status: 'not_required' as const, at: null }
	return {
		status: row.status,
		at: plannedSendAt({
			appId,
			dueAt: row.dueAt,
			lastReportAt: row.lastRunAt,
			cycleDays: row.cycleDays,
			leadHours: leadHours(),
			timeZone,
		}),
	}
}

// ── Preparing ─────────────────────────────────────────────────────────────

type PreparedBatches = {
	accountIds: string[]
	batchSha256: string[]
	batchCount: number
	firstBody: ReportBody | null
}

/**
 * The batch set to send: the ledger's accounts, leaving out those already
 * answered `closed` whose erasure is still open (Atlassian watches for apps
 * that keep reporting closed accounts), in the ledger's order, at most
 * MAX_BATCH per batch; each batch digested as the prepared reports are.
 */
export async function prepareBatches(orgId: string, appId: string): Promise<PreparedBatches> {
	const closed = await db
		.selectDistinct({ accountId: accountActions.accountId })
		.from(accountActions)
		.where(
			and(
				eq(accountActions.orgId, orgId),
				eq(accountActions.appId, appId),
				eq(accountActions.kind, 'erase'),
				isNull(accountActions.completedAt),
			),
		)
	const answeredClosed = new Set(closed.map((row) => row.accountId))
	async function* notClosed() {
		for await (const account of streamLedger(orgId, appId)) {
			if (!answeredClosed.has(account.accountId)) yield account
		}
	}
	const accountIds: string[] = []
	const batchSha256: string[] = []
	let firstBody: ReportBody | null = null
	for await (const body of batchAccountsAsync(notClosed())) {
		firstBody ??= body
		batchSha256.push(sha256Hex(JSON.stringify(body)))
		for (const account of body.accounts) accountIds.push(account.accountId)
	}
	return { accountIds, batchSha256, batchCount: batchSha256.length, firstBody }
}

/** The prepared report (recorded once per batch set) and a new reporter run, in one transaction. */
async function startRun(orgId: string, appId: string, prepared: PreparedBatches, requestedBy: string | null) {
	return db.transaction(async (tx) => {
		await lockApp(tx, orgId, appId)
		const report = await insertPrepared(
			tx,
			orgId,
			appId,
			{
				sha256: batchSetSha256(prepared.batchSha256),
				batchSha256: prepared.batchSha256,
				accountCount: prepared.accountIds.length,
				batchCount: prepared.batchCount,
			},
			null,
			requestedBy,
		)
		const [run] = await tx
			.insert(reporterRuns)
			.values({
				orgId,
				appId,
				preparedReportId: report.id,
				status: 'running',
				accountIds: prepared.accountIds,
				batchCount: prepared.batchCount,
				requestedBy,
			})
			.returning()
		return run!
	})
}

/**
 * Batch `index` of a run, rebuilt from the ledger: the same accounts in the
 * same order, each with its current updatedAt; an account erased since is
 * left out (erased data need not be reported).
 */
async function bodyOfBatch(run: ReporterRun, index: number): Promise<ReportBody | null> {
	const ids = run.accountIds.slice(index * MAX_BATCH, (index + 1) * MAX_BATCH)
	if (ids.length === 0) return null
	const rows = await db
		.select({ accountId: storedAccounts.accountId, updatedAt: storedAccounts.updatedAt })
		.from(storedAccounts)
		.where(
			and(
				eq(storedAccounts.appId, run.appId),
				// The batch's bounds let the primary key serve the lookup as one short range: without them the
				// planner may read every account of the app for each batch (O(ledger) a batch, hours for a million).
				// The bounds in the key's own order (bytewise, migration 0017), whatever the database's collation.
				sql`${storedAccounts.accountId} between (select min(id collate "C") from unnest(${sql.param(ids)}::text[]) as id) and (select max(id collate "C") from unnest(${sql.param(ids)}::text[]) as id)`,
				sql`${storedAccounts.accountId} = any(${sql.param(ids)}::text[])`,
			),
		)
	const byId = new Map(rows.map((row) => [row.accountId, row]))
	const ordered = ids.flatMap((id) => {
		const row = byId.get(id)
		return row ? [row] : []
	})
	const [body] = [...batchAccounts(ordered)]
	return body ?? null
}

// ── Sending ───────────────────────────────────────────────────────────────

type BatchOutcome =
	{ kind: 'ack'; answer: Omit<SavedBatchAnswer, 'batch' | 'at'> } | { kind: 'stop'; state: StoppedState }

async function sendRun(
	connection: Connection,
	initial: ReporterRun,
	options: ReporterOptions,
	deps: ReporterDeps,
	send: BatchSender,
): Promise<AppRunResult> {
	const sleep = deps.sleep ?? defaultSleep
	let run = initial
	if (run.status !== 'running') {
		const [resumed] = await db
			.update(reporterRuns)
			.set({ status: 'running', resumeAfter: null })
			.where(eq(reporterRuns.id, run.id))
			.returning()
		run = resumed!
	}
	// The run is kept in memory from here: each batch's save returns nothing but its id (the row holds every
	// account id of the run and every answer so far; reading it back per batch cost O(batches²)).
	run = { ...run, batchAnswers: [...(run.batchAnswers as SavedBatchAnswer[])] }
	for (let index = run.nextBatch; index < run.batchCount; index++) {
		const body = await bodyOfBatch(run, index)
		const outcome: BatchOutcome = body
			? await sendBatch(send, sleep, connection, body, index + 1)
			: { kind: 'ack', answer: { status: 204, body: '', cyclePeriod: null, accounts: [], empty: true } }
		if (outcome.kind === 'stop') return stopRun(connection, run, outcome.state, options)
		run = await saveProgress(run, index, { batch: index + 1, at: new Date().toISOString(), ...outcome.answer })
	}
	return finishRun(connection, run, options)
}

/** One batch until Atlassian acknowledges it, or a reason to stop. */
async function sendBatch(
	send: BatchSender,
	sleep: (ms: number) => Promise<void>,
	connection: Connection,
	body: ReportBody,
	batch: number,
): Promise<BatchOutcome> {
	let rateLimitWaits = 0
	let retries = 0
	const retryTransient = async (what: string): Promise<BatchOutcome | null> => {
		if (retries >= MAX_TRANSIENT_RETRIES) {
			return {
				kind: 'stop',
				state: {
					kind: 'waiting',
					until: new Date(Date.now() + RESUME_AFTER_TRANSIENT_MS),
					reason: `${what} for batch ${batch}, ${retries + 1} times in a row; Clearance tries again later.`,
				},
			}
		}
		await sleep(backoffMs(retries))
		retries++
		return null
	}
	for (;;) {
		let answer: SendAnswer
		try {
			answer = await send(connection, body)
		} catch (error) {
			if (isNamedError(error, 'ConnectionBroken')) {
				const status = (error as { status?: number | null }).status ?? 401
				return { kind: 'stop', state: { kind: 'failed', reason: messageOf(error), brokenStatus: status } }
			}
			if (isNamedError(error, 'NetworkError')) {
				const stop = await retryTransient(`Atlassian could not be reached (${messageOf(error)})`)
				if (stop) return stop
				continue
			}
			throw error
		}
		const cyclePeriod = headerOf(answer.headers, 'cycle-period')?.trim() || null
		switch (classifyAnswer(answer.status)) {
			case 'answered': {
				const parsed = parseReportEvidence(answer.bodyText)
				const read = parsed.ok && parsed.batches.length === 1 ? parsed.batches[0]! : null
				if (!read) {
					return {
						kind: 'stop',
						state: {
							kind: 'failed',
							reason: `Atlassian answered batch ${batch} with a body Clearance cannot read (${parsed.ok ? 'several answers' : parsed.reason}); no task was created from it. Send again, or record the answer by hand.`,
						},
					}
				}
				return {
					kind: 'ack',
					answer: {
						status: read.status === 204 ? 204 : 200,
						body: answer.bodyText,
						cyclePeriod,
						accounts: read.accounts,
					},
				}
			}
			case 'nothing':
				return { kind: 'ack', answer: { status: 204, body: '', cyclePeriod, accounts: [] } }
			case 'rate_limited': {
				const seconds = retryAfterSeconds(headerOf(answer.headers, 'retry-after'), new Date())
				const wait = seconds ?? RETRY_AFTER_CAP_SECONDS
				if (wait > RETRY_AFTER_CAP_SECONDS || rateLimitWaits >= MAX_RATE_LIMIT_WAITS) {
					return {
						kind: 'stop',
						state: {
							kind: 'waiting',
							until: new Date(Date.now() + Math.max(wait, RETRY_AFTER_CAP_SECONDS) * 1000),
							reason: `Atlassian asked to wait ${wait} second${wait === 1 ? '' : 's'} (429 Too Many Requests) at batch ${batch}; Clearance resumes after that.`,
						},
					}
				}
				await sleep(wait * 1000)
				rateLimitWaits++
				continue
			}
			case 'transient': {
				const stop = await retryTransient(`Atlassian answered ${answer.status}`)
				if (stop) return stop
				continue
			}
			case 'refused':
				return { kind: 'stop', state: { kind: 'failed', reason: refusedMessage(batch, answer.bodyText) } }
			case 'unauthorised':
				return {
					kind: 'stop',
					state: {
						kind: 'failed',
						reason: `${adviceForRefusal({ kind: connection.kind as ConnectionKind }, answer.status)} Until then Clearance sends nothing for this app.`,
						brokenStatus: answer.status,
					},
				}
			case 'unexpected':
				return {
					kind: 'stop',
					state: {
						kind: 'failed',
						reason: `Atlassian answered batch ${batch} with HTTP ${answer.status}, which its reporting guide does not describe; nothing after it was sent.`,
					},
				}
		}
	}
}

/**
 * Saves one acknowledged batch: the next batch to send and its answer, in one small transaction. The run
 * in memory follows (its answers appended in place); only the id comes back from the database.
 */
async function saveProgress(run: ReporterRun, index: number, answer: SavedBatchAnswer): Promise<ReporterRun> {
	const [saved] = await db
		.update(reporterRuns)
		.set({
			nextBatch: index + 1,
			batchAnswers: sql`${reporterRuns.batchAnswers} || ${JSON.stringify([answer])}::jsonb`,
		})
		// Only from where this pass stands: a second writer would find nothing to update.
		.where(and(eq(reporterRuns.id, run.id), eq(reporterRuns.nextBatch, index)))
		.returning({ id: reporterRuns.id })
	if (!saved) throw new Error(`The progress of run ${run.id} changed under this pass (batch ${index + 1})`)
	;(run.batchAnswers as SavedBatchAnswer[]).push(answer)
	return { ...run, nextBatch: index + 1 }
}

async function stopRun(
	connection: Connection,
	run: ReporterRun,
	state: StoppedState,
	options: ReporterOptions,
): Promise<AppRunResult> {
	const progress = progressOf(run)
	if (state.kind === 'waiting') {
		const attempts = run.attempts + 1
		const until = state.until
		if (attempts < MAX_RUN_ATTEMPTS) {
			await db
				.update(reporterRuns)
				.set({ status: 'waiting', resumeAfter: until, attempts, error: state.reason })
				.where(eq(reporterRuns.id, run.id))
			await setNextPlannedAt(run.orgId, run.appId, until)
			return {
				appId: run.appId,
				status: 'skipped',
				...progress,
				error: `Paused: ${state.reason}`,
				reporterRunId: run.id,
				nextPlannedAt: until,
			}
		}
		state = {
			kind: 'failed',
			reason: `${state.reason} Given up after ${attempts} attempts: send again when Atlassian answers.`,
		}
	}
	const now = new Date()
	const reason = state.reason
	const brokenStatus = state.brokenStatus
	await db.transaction(async (tx) => {
		await tx
			.update(reporterRuns)
			.set({ status: 'failed', error: reason, finishedAt: now, attempts: run.attempts + 1 })
			.where(eq(reporterRuns.id, run.id))
		await recordAudit(tx, {
			orgId: run.orgId,
			actorUserId: options.requestedBy ?? null,
			action: 'reporter_run.failed',
			subjectType: 'app',
			subjectId: run.appId,
			after: { reporterRunId: run.id, kind: connection.kind, batchesAcknowledged: progress.batches, error: reason },
		})
		await notifyOwners(tx, run.orgId, run.appId, {
			kind: brokenStatus ? 'reporting_connection_broken' : 'reporter_failed',
			message: brokenStatus
				? `Clearance could not send the personal-data report for {app}: ${reason}`
				: `Clearance’s personal-data report for {app} failed: ${reason}`,
		})
	})
	// The connections service keeps the connection's state (and audits a break once).
	if (brokenStatus) {
		await markBroken(run.orgId, run.appId, reason, now)
		await setNextPlannedAt(run.orgId, run.appId, null)
	} else {
		await recordConnectionError(run.orgId, run.appId, reason, now)
	}
	return { appId: run.appId, status: 'failed', ...progress, error: reason, reporterRunId: run.id }
}

/**
 * Every batch acknowledged: the run is recorded through the same path as a
 * person's (evidence, erase/refresh tasks, the Cycle-Period header by the
 * cycle rules: a shortening waits for a person), sent by Clearance; the
 * reporter run links to it, the connection notes the success and the next
 * planned send, and the owners are told what came of it, all in one transaction.
 */
async function finishRun(connection: Connection, run: ReporterRun, options: ReporterOptions): Promise<AppRunResult> {
	const answers = run.batchAnswers as SavedBatchAnswer[]
	const progress = progressOf(run)
	const now = new Date()
	const sentAt = answers[0] ? new Date(answers[0].at) : now
	let nextPlannedAt: Date | null = null
	try {
		const recorded = await recordRunEvidence(
			run.orgId,
			run.requestedBy,
			run.appId,
			{
				sentAt,
				preparedReport: { id: run.preparedReportId },
				batches: answers.map((answer) => ({
					accounts: answer.accounts,
					status: answer.status,
					raw: answer.body,
					cyclePeriod: answer.cyclePeriod,
				})),
			},
			{
				now,
				sentByClearance: true,
				alsoInTransaction: async (tx, result) => {
					const [app] = await tx
						.select({ cycleDays: apps.cycleDays })
						.from(apps)
						.where(and(eq(apps.orgId, run.orgId), eq(apps.id, run.appId)))
					const [org] = await tx
						.select({ timeZone: organizations.timeZone })
						.from(organizations)
						.where(eq(organizations.id, run.orgId))
					nextPlannedAt = plannedSendAt({
						appId: run.appId,
						dueAt: result.status.dueAt,
						lastReportAt: sentAt,
						cycleDays: app?.cycleDays ?? 15,
						leadHours: leadHours(),
						timeZone: org?.timeZone ?? 'UTC',
					})
					await tx
						.update(reporterRuns)
						.set({ status: 'sent', reportRunId: result.run.id, finishedAt: now, error: null })
						.where(eq(reporterRuns.id, run.id))
					const cycle =
						result.cycle.outcome === 'pending'
							? ` Atlassian’s Cycle-Period “${result.run.cyclePeriodRaw}” would shorten the cycle: confirm it on the reporting page.`
							: result.cycle.outcome === 'applied'
								? ` Atlassian’s Cycle-Period “${result.run.cyclePeriodRaw}” now sets the cycle.`
								: ''
					const tasks =
						result.tasksCreated === 0
							? 'nothing to erase or refresh'
							: [
									result.tasksCreatedByKind.erase
										? `${result.tasksCreatedByKind.erase} account${result.tasksCreatedByKind.erase === 1 ? '' : 's'} to erase`
										: null,
									result.tasksCreatedByKind.refresh ? `${result.tasksCreatedByKind.refresh} to refresh` : null,
								]
									.filter(Boolean)
									.join(' and ')
					await notifyOwners(tx, run.orgId, run.appId, {
						kind: 'reporter_sent',
						message: `Clearance sent the personal-data report for {app}: ${run.batchCount} batch${run.batchCount === 1 ? '' : 'es'}, ${tasks}.${cycle}`,
					})
				},
			},
		)
		await markSuccess(run.orgId, run.appId, now)
		await setNextPlannedAt(run.orgId, run.appId, nextPlannedAt)
		return {
			appId: run.appId,
			status: 'sent',
			...progress,
			reporterRunId: run.id,
			reportRunId: recorded.run.id,
			nextPlannedAt,
			note:
				recorded.cycle.outcome === 'pending'
					? 'A Cycle-Period value from Atlassian waits for a person to confirm it.'
					: undefined,
		}
	} catch (error) {
		if (!(error instanceof UserFacingError)) throw error
		// Atlassian has the batches; the run could not be recorded (e.g. the app no longer stores personal data).
		return stopRun(
			connection,
			run,
			{
				kind: 'failed',
				reason: `Every batch was sent, but the run could not be recorded: ${error.message}`,
			},
			options,
		)
	}
}

// ── Owners ────────────────────────────────────────────────────────────────

/**
 * Who hears about the app's reports: its owners (else its creator, else the
 * admins, as for reminders); when the connection broke, the admins too, since
 * an admin sets the connection.
 */
export async function reportRecipients(tx: Tx, orgId: string, appId: string, withAdmins = false): Promise<string[]> {
	const { userIds } = await reminderOwnersOf(tx, orgId, appId)
	return [...new Set([...userIds, ...(withAdmins ? await adminsOf(tx, orgId) : [])])]
}

async function notifyOwners(
	tx: Tx,
	orgId: string,
	appId: string,
	note: { kind: 'reporter_sent' | 'reporter_failed' | 'reporting_connection_broken'; message: string },
) {
	const userIds = await reportRecipients(tx, orgId, appId, note.kind === 'reporting_connection_broken')
	if (userIds.length === 0) return
	const [where] = await tx
		.select({ slug: organizations.slug, name: apps.name })
		.from(apps)
		.innerJoin(organizations, eq(organizations.id, apps.orgId))
		.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
	const message = note.message.replace('{app}', where?.name ?? 'an app')
	const link = where ? `/o/${where.slug}/apps/${appId}/reporting` : null
	await tx.insert(notifications).values(userIds.map((userId) => ({ orgId, userId, kind: note.kind, message, link })))
}

// ── For the reporting page ────────────────────────────────────────────────

/** The connection's state and the latest automatic runs, for the reporter card. */
export async function getReporterOverview(orgId: string, appId: string, limit = 10) {
	const [connection] = await db
		.select({
			kind: reportingConnections.kind,
			state: reportingConnections.state,
			lastSuccessAt: reportingConnections.lastSuccessAt,
			lastErrorAt: reportingConnections.lastErrorAt,
			lastError: reportingConnections.lastError,
			nextPlannedAt: reportingConnections.nextPlannedAt,
		})
		.from(reportingConnections)
		.where(and(eq(reportingConnections.orgId, orgId), eq(reportingConnections.appId, appId)))
	const runs = await db
		.select({
			id: reporterRuns.id,
			status: reporterRuns.status,
			batchCount: reporterRuns.batchCount,
			nextBatch: reporterRuns.nextBatch,
			batchAnswers: reporterRuns.batchAnswers,
			attempts: reporterRuns.attempts,
			resumeAfter: reporterRuns.resumeAfter,
			error: reporterRuns.error,
			reportRunId: reporterRuns.reportRunId,
			requestedBy: reporterRuns.requestedBy,
			startedAt: reporterRuns.startedAt,
			finishedAt: reporterRuns.finishedAt,
		})
		.from(reporterRuns)
		.where(and(eq(reporterRuns.orgId, orgId), eq(reporterRuns.appId, appId)))
		.orderBy(desc(reporterRuns.startedAt))
		.limit(limit)
	return {
		connection: connection ?? null,
		runs: runs.map(({ batchAnswers, ...run }) => ({
			...run,
			...progressOf({ nextBatch: run.nextBatch, batchAnswers }),
		})),
	}
}
