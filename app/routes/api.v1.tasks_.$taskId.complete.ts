import { type ActionFunctionArgs } from '@remix-run/node'
import { type z } from 'zod'
import { type ApiTaskEnvelopeSchema } from '~/schemas/api'
import { completeApiTask } from '~/services/api-resources.server'
import { answerApi, requireApiKey } from '~/utils/api-auth.server'
import { apiJson, methodNotAllowed } from '~/utils/api.server'

/**
 * POST /api/v1/tasks/{taskId}/complete (accounts:write, no body): the
 * vendor's job confirms it erased (the account leaves the ledger) or
 * refreshed (its updatedAt becomes now) the account's data. A task already
 * done is answered as it is.
 */

export function loader() {
	return methodNotAllowed(['POST'])
}

export function action({ request, params }: ActionFunctionArgs) {
	if (request.method !== 'POST') return methodNotAllowed(['POST'])
	return answerApi(async () => {
		const caller = await requireApiKey(request, 'accounts:write')
		const answer: z.input<typeof ApiTaskEnvelopeSchema> = {
			task: await completeApiTask(caller.org.id, caller.actor, params.taskId ?? ''),
		}
		return apiJson(answer)
	})
}
