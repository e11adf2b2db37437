import { type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { type z } from 'zod'
import { ApiAppCreateSchema, type ApiAppEnvelopeSchema, type ApiAppListSchema } from '~/schemas/api'
import { createApiApp, listApiApps } from '~/services/api-resources.server'
import { answerApi, requireApiKey } from '~/utils/api-auth.server'
import { apiJson, methodNotAllowed, parseJsonBody } from '~/utils/api.server'

/**
 * GET /api/v1/apps (read): the organisation's active apps with their
 * reporting status, most urgent first. POST /api/v1/apps (apps:write):
 * registers an app with the same rules as the form.
 */

export const APP_BODY_LIMIT_BYTES = 64 * 1024
/** Service fields the API names otherwise. */
export const APP_FIELD_NAMES = { reason: 'cycleReason' }

export function loader({ request }: LoaderFunctionArgs) {
	return answerApi(async () => {
		const caller = await requireApiKey(request, 'read')
		const answer: z.input<typeof ApiAppListSchema> = { apps: await listApiApps(caller.org.id) }
		return apiJson(answer)
	})
}

export function action({ request }: ActionFunctionArgs) {
	if (request.method !== 'POST') return methodNotAllowed(['GET', 'POST'])
	return answerApi(async () => {
		const caller = await requireApiKey(request, 'apps:write')
		const body = await parseJsonBody(request, ApiAppCreateSchema, { limitBytes: APP_BODY_LIMIT_BYTES })
		const answer: z.input<typeof ApiAppEnvelopeSchema> = { app: await createApiApp(caller.org.id, caller.actor, body) }
		return apiJson(answer, { status: 201, headers: { Location: `/api/v1/apps/${answer.app.id}` } })
	}, APP_FIELD_NAMES)
}
