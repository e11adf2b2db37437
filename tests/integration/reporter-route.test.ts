import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loader as reportingLoader } from '~/routes/o.$org.apps.$appId_.reporting'
import { action as reporterAction } from '~/routes/o.$org.apps.$appId_.reporting_.reporter'
import { ReportingConnectionInputSchema } from '~/schemas/reporting-connection'
import { saveReportingConnection } from '~/services/reporting-connection.server'
import { CLOSED_TEST_ACCOUNT, startAtlassianStandIn, type AtlassianStandIn } from '../fixtures/atlassian-stand-in'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'
import { accountIds, reporterWorld } from './reporter-helpers'

// Issue 14, point 3: "Send now" and "Dry run" on the app's reporting page, and the automatic runs beside manual ones.

const KEYS = ['CLEARANCE_SECRET_KEY', 'OUTBOUND_ALLOW_PRIVATE'] as const
const saved = Object.fromEntries(KEYS.map((key) => [key, process.env[key]]))
let standIn: AtlassianStandIn

beforeEach(async () => {
	standIn = await startAtlassianStandIn()
	process.env.CLEARANCE_SECRET_KEY = randomBytes(32).toString('base64')
	process.env.OUTBOUND_ALLOW_PRIVATE = 'true'
})
afterEach(async () => {
	await standIn.close()
	for (const key of KEYS) {
		if (saved[key] === undefined) delete process.env[key]
		else process.env[key] = saved[key]
	}
})

async function connectedWorld() {
	const world = await reporterWorld({ accounts: [CLOSED_TEST_ACCOUNT, ...accountIds(100)], connection: false })
	await saveReportingConnection(
		world.org.id,
		world.admin.id,
		world.app.id,
		ReportingConnectionInputSchema.parse({
			kind: 'forge_webtrigger',
			url: standIn.webTriggerUrl,
			secret: standIn.webTriggerSecret,
		}),
	)
	const { cookie } = await cookieFor(world.member.id)
	const params = { org: world.org.slug, appId: world.app.id }
	const url = `/o/${world.org.slug}/apps/${world.app.id}/reporting`
	return { ...world, cookie, params, url }
}

describe('the reporter on the reporting page', () => {
	it('Dry run shows the batch count and the first body and sends nothing; Send now sends, and both lists show it', async () => {
		const { cookie, params, url } = await connectedWorld()
		const dry = await runRoute(
			reporterAction,
			makeRequest(`${url}/reporter`, { cookie, form: { intent: 'dry-run' } }),
			params,
		)
		expect(dry.status).toBe(200)
		const dryRun = (dry.data as { dryRun: { batchCount: number; accountCount: number; firstBody: string } }).dryRun
		expect(dryRun).toMatchObject({ batchCount: 2, accountCount: 101 })
		expect(JSON.parse(dryRun.firstBody).accounts).toHaveLength(90)
		expect(standIn.reportRequests()).toHaveLength(0)

		const sent = await runRoute(
			reporterAction,
			makeRequest(`${url}/reporter`, { cookie, form: { intent: 'send' } }),
			params,
		)
		expect(sent.status).toBe(200)
		expect((sent.data as { notice: string }).notice).toBe(
			'Report sent: 2 batches acknowledged, 1 account closed, 0 accounts updated. The run and its tasks are recorded below.',
		)
		expect(standIn.reportRequests()).toHaveLength(2)

		const page = await runRoute(reportingLoader, makeRequest(url, { cookie }), params)
		const data = page.data as {
			runs: { sentByClearance: boolean; recordedByName: string }[]
			reporterRuns: { status: string; batches: number; requestedBy: string | null }[]
			tasks: { accountId: string; kind: string }[]
		}
		expect(data.runs).toMatchObject([{ sentByClearance: true, recordedByName: 'Sent by Clearance' }])
		expect(data.reporterRuns).toMatchObject([{ status: 'sent', batches: 2 }])
		expect(data.reporterRuns[0]!.requestedBy).not.toBeNull()
		expect(data.tasks).toMatchObject([{ accountId: CLOSED_TEST_ACCOUNT, kind: 'erase' }])
		// The page never carries the connection's secret.
		expect(JSON.stringify(page.data)).not.toContain(standIn.webTriggerSecret)
	})

	it('a 400 is shown with Atlassian’s errorType; a reviewer cannot send; another organisation’s app is a 404', async () => {
		const { org, cookie, params, url } = await connectedWorld()
		standIn.script({ status: 400, body: { errorType: 'INVALID_REQUEST', errorMessage: 'Request body is invalid' } })
		const refused = await runRoute(
			reporterAction,
			makeRequest(`${url}/reporter`, { cookie, form: { intent: 'send' } }),
			params,
		)
		expect((refused.data as { formError: string }).formError).toContain('INVALID_REQUEST: Request body is invalid')

		const reviewer = await addMember(org.id, ['reviewer'], 'Rita Reviewer')
		const { cookie: reviewerCookie } = await cookieFor(reviewer.id)
		const forbidden = await runRoute(
			reporterAction,
			makeRequest(`${url}/reporter`, { cookie: reviewerCookie, form: { intent: 'send' } }),
			params,
		)
		expect(forbidden.status).toBe(403)

		const other = await createOrg('Other Org')
		const { cookie: otherCookie } = await cookieFor(other.admin.id)
		const missing = await runRoute(
			reporterAction,
			makeRequest(`/o/${other.org.slug}/apps/${params.appId}/reporting/reporter`, {
				cookie: otherCookie,
				form: { intent: 'send' },
			}),
			{ org: other.org.slug, appId: params.appId },
		)
		expect(missing.status).toBe(404)
		expect(standIn.reportRequests()).toHaveLength(1)
	})
})
