import { type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { rfc3339OrNull, toRfc3339InZone } from '~/domain/api-dates'
import { ReportingConnectionInputSchema, type ReportingConnectionView } from '~/schemas/reporting-connection'
import { requireApp } from '~/services/apps.server'
import {
	deleteReportingConnection,
	getReportingConnection,
	saveReportingConnection,
	type ConnectionSummary,
} from '~/services/reporting-connection.server'
import { answerApi, requireApiKey } from '~/utils/api-auth.server'
import { apiError, apiJson, methodNotAllowed, parseJsonBody } from '~/utils/api.server'

/**
 * /api/v1/apps/{appId}/reporting-connection (docs/rules.md › Reporting
 * connections): how Clearance reaches Atlassian for the app. GET (read) shows it without secrets; PUT (apps:write) sets or replaces
 * it; DELETE (apps:write) removes it. Secrets are sealed when saved and are
 * never returned, by any answer.
 */

const ALLOWED = ['GET', 'PUT', 'DELETE'] as const
/** Three fields of at most 4 KB each, with room to spare. */
const BODY_LIMIT_BYTES = 32 * 1024
const NONE = 'This app has no reporting connection: set one with PUT.'

export function viewOf(summary: ConnectionSummary, timeZone: string): ReportingConnectionView {
	return {
		appId: summary.appId,
		kind: summary.kind,
		settings: summary.settings,
		state: summary.state,
		lastSuccessAt: rfc3339OrNull(summary.lastSuccessAt, timeZone),
		lastErrorAt: rfc3339OrNull(summary.lastErrorAt, timeZone),
		lastError: summary.lastError,
		nextPlannedAt: rfc3339OrNull(summary.nextPlannedAt, timeZone),
		updatedAt: toRfc3339InZone(summary.updatedAt, timeZone),
		version: summary.version,
	}
}

export function loader({ request, params }: LoaderFunctionArgs) {
	return answerApi(async () => {
		const caller = await requireApiKey(request, 'read')
		const app = await requireApp(caller.org.id, params.appId)
		const summary = await getReportingConnection(caller.org.id, app.id)
		if (!summary) return apiError(404, NONE)
		return apiJson(viewOf(summary, caller.org.timeZone))
	})
}

export function action({ request, params }: ActionFunctionArgs) {
	if (request.method === 'PUT') {
		return answerApi(async () => {
			const caller = await requireApiKey(request, 'apps:write')
			const app = await requireApp(caller.org.id, params.appId)
			const input = await parseJsonBody(request, ReportingConnectionInputSchema, { limitBytes: BODY_LIMIT_BYTES })
			const summary = await saveReportingConnection(caller.org.id, caller.actor, app.id, input)
			return apiJson(viewOf(summary, caller.org.timeZone))
		})
	}
	if (request.method === 'DELETE') {
		return answerApi(async () => {
			const caller = await requireApiKey(request, 'apps:write')
			const app = await requireApp(caller.org.id, params.appId)
			const removed = await deleteReportingConnection(caller.org.id, caller.actor, app.id)
			if (!removed) return apiError(404, NONE)
			return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } })
		})
	}
	return methodNotAllowed(ALLOWED)
}
