import { type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { type z } from 'zod'
import { ApiAppUpdateSchema, type ApiAppEnvelopeSchema } from '~/schemas/api'
import { getApiApp, updateApiApp } from '~/services/api-resources.server'
import { requireApp } from '~/services/apps.server'
import { answerApi, requireApiKey } from '~/utils/api-auth.server'
import { apiJson, methodNotAllowed, parseJsonBody } from '~/utils/api.server'
import { APP_BODY_LIMIT_BYTES, APP_FIELD_NAMES } from './api.v1.apps'

/**
 * GET /api/v1/apps/{appId} (read): one app, archived ones too.
 * PATCH /api/v1/apps/{appId} (apps:write): changes the fields sent, with the
 * same rules as the form; `version` guards against overwriting a change.
 */

export function loader({ request, params }: LoaderFunctionArgs) {
	return answerApi(async () => {
		const caller = await requireApiKey(request, 'read')
		const answer: z.input<typeof ApiAppEnvelopeSchema> = { app: await getApiApp(caller.org.id, params.appId ?? '') }
		return apiJson(answer)
	})
}

export function action({ request, params }: ActionFunctionArgs) {
	if (request.method !== 'PATCH') return methodNotAllowed(['GET', 'PATCH'])
	return answerApi(async () => {
		const caller = await requireApiKey(request, 'apps:write')
		// Another organisation's app is a 404 whatever the body holds.
		const app = await requireApp(caller.org.id, params.appId)
		const body = await parseJsonBody(request, ApiAppUpdateSchema, { limitBytes: APP_BODY_LIMIT_BYTES })
		const answer: z.input<typeof ApiAppEnvelopeSchema> = {
			app: await updateApiApp(caller.org.id, caller.actor, app.id, body),
		}
		return apiJson(answer)
	}, APP_FIELD_NAMES)
}
