import { type ActionFunctionArgs } from '@remix-run/node'
import { type z } from 'zod'
import { rfc3339OrNull, toRfc3339InZone } from '~/domain/api-dates'
import { deeperThan } from '~/domain/json-depth'
import { parseReportResponses } from '~/domain/report-batches'
import { API_LIMITS, ApiReportRunSchema, type ApiReportRunResultSchema } from '~/schemas/api'
import { findStoredAnswer, IdempotentTwin, requestFingerprint, storeAnswer } from '~/services/api-idempotency.server'
import { requireApp } from '~/services/apps.server'
import { digestLedger } from '~/services/prepared-reports.server'
import { recordRunEvidence, type RecordedRun } from '~/services/reporting.server'
import { answerApi, requireApiKey } from '~/utils/api-auth.server'
import { apiError, apiJson, methodNotAllowed, readJsonBody, zodIssues } from '~/utils/api.server'
import { UserFacingError } from '~/utils/errors'

/**
 * POST /api/v1/apps/{appId}/report-runs (reports:write): a report run as
 * evidence (docs/rules.md › Evidence: prepared reports and runs): when it
 * was sent, which prepared report it answers (the Clearance-Prepared-Report
 * header of the batches, else the ledger's current batches), and what
 * Atlassian answered to each batch. Creates the erase and refresh tasks and
 * restarts the cycle. With an `Idempotency-Key` header a retried POST gets
 * the first answer again instead of a second run.
 */

/** Most answers are 204s; thousands of 200 answers of 90 accounts still fit. */
export const RUN_BODY_LIMIT_BYTES = 16 * 1024 * 1024
/** No report run nests deeper than 4 levels (body, responses, a response, its accounts): 16 leaves room. */
const MAX_RUN_BODY_DEPTH = 16
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/

export function loader() {
	return methodNotAllowed(['POST'])
}

type RunAnswer = z.input<typeof ApiReportRunResultSchema>

function answerOf(recorded: RecordedRun & { prepared: { sha256: string } }, timeZone: string, now: Date): RunAnswer {
	const status = recorded.status
	const dueNow = status.status === 'overdue' && !status.dueAt
	return {
		id: recorded.run.id,
		eraseTasks: recorded.tasksCreatedByKind.erase,
		refreshTasks: recorded.tasksCreatedByKind.refresh,
		nextDueAt: dueNow ? toRfc3339InZone(now, timeZone) : rfc3339OrNull(status.dueAt, timeZone),
		preparedReportId: recorded.prepared.sha256,
		cyclePeriodOutcome: recorded.cycle.outcome,
	}
}

function readIdempotencyKey(request: Request): string | null {
	const value = request.headers.get('Idempotency-Key')
	if (value === null) return null
	const key = value.trim()
	if (!IDEMPOTENCY_KEY.test(key)) {
		throw apiError(
			400,
			`Idempotency-Key must be 1 to ${API_LIMITS.idempotencyKey} visible ASCII characters, such as a UUID.`,
			[
				{
					path: 'Idempotency-Key',
					message: 'Use a unique value per run, such as a UUID, and the same value for its retries.',
				},
			],
		)
	}
	return key
}

function replay(stored: { status: number; body: unknown }) {
	return apiJson(stored.body, { status: stored.status, headers: { 'Idempotent-Replayed': 'true' } })
}

export function action({ request, params }: ActionFunctionArgs) {
	if (request.method !== 'POST') return methodNotAllowed(['POST'])
	return answerApi(
		async () => {
			const caller = await requireApiKey(request, 'reports:write')
			const orgId = caller.org.id
			const app = await requireApp(orgId, params.appId)
			const idempotencyKey = readIdempotencyKey(request)
			const raw = await readJsonBody(request, { limitBytes: RUN_BODY_LIMIT_BYTES })
			// Before anything walks it (its fingerprint is its JSON text): a run's body is 4 levels deep.
			if (deeperThan(raw, MAX_RUN_BODY_DEPTH))
				return apiError(400, `Request body is nested more than ${MAX_RUN_BODY_DEPTH} levels deep: no report run is.`, [
					{ path: '', message: 'Send the run as documented: {"preparedReport", "sentAt", "responses": […]}.' },
				])
			const fingerprint = requestFingerprint('POST', new URL(request.url).pathname, raw)
			const earlier = idempotencyKey ? await findStoredAnswer(orgId, caller.apiKey.id, idempotencyKey) : null
			if (earlier) {
				if (earlier.requestSha256 !== fingerprint) {
					return apiError(
						422,
						'This Idempotency-Key was already used for a different request: use a new key for a new run.',
						[{ path: 'Idempotency-Key', message: 'Already used with another body or app.' }],
					)
				}
				return replay(earlier)
			}
			const parsed = ApiReportRunSchema.safeParse(raw)
			if (!parsed.success) return apiError(400, 'Request body is invalid: see issues.', zodIssues(parsed.error))
			const body = parsed.data
			const answers = parseReportResponses(body.responses)
			if (!answers.ok) {
				return apiError(422, `Atlassian’s answers could not be recorded: ${answers.reason}.`, [
					{ path: `responses.${answers.index}`, message: answers.reason },
				])
			}
			let preparedReport: { id: string } | { sha256: string }
			if (body.preparedReportId) {
				preparedReport = /^[0-9a-fA-F]{64}$/.test(body.preparedReportId)
					? { sha256: body.preparedReportId }
					: { id: body.preparedReportId }
			} else {
				// No id: the ledger's batches as they are now are what was sent.
				const digest = await digestLedger(orgId, app.id)
				if (digest.accountCount === 0) {
					throw new UserFacingError(
						'The ledger is empty: push the accounts this app stores before recording a report.',
						409,
					)
				}
				preparedReport = { sha256: digest.sha256 }
			}
			const now = new Date()
			try {
				const recorded = await recordRunEvidence(
					orgId,
					caller.actor,
					app.id,
					{
						sentAt: new Date(body.sentAt),
						preparedReport,
						cyclePeriod: body.cyclePeriod ?? null,
						batches: answers.batches,
					},
					{
						now,
						alsoInTransaction: idempotencyKey
							? (tx, run) =>
									storeAnswer(tx, {
										orgId,
										apiKeyId: caller.apiKey.id,
										key: idempotencyKey,
										requestSha256: fingerprint,
										status: 201,
										body: answerOf(run, caller.org.timeZone, now),
									})
							: undefined,
					},
				)
				return apiJson(answerOf(recorded, caller.org.timeZone, now), { status: 201 })
			} catch (error) {
				if (!(error instanceof IdempotentTwin) || !idempotencyKey) throw error
				// A twin of this request was recorded first: its answer is this one's.
				const twin = await findStoredAnswer(orgId, caller.apiKey.id, idempotencyKey)
				if (!twin) throw error
				return twin.requestSha256 === fingerprint
					? replay(twin)
					: apiError(422, 'This Idempotency-Key was already used for a different request: use a new key for a new run.')
			}
		},
		{ answers: 'responses', preparedReport: 'preparedReportId' },
	)
}
