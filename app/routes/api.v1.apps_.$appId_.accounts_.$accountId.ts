import { type ActionFunctionArgs } from '@remix-run/node'
import { type z } from 'zod'
import { type ApiAccountRemovedSchema } from '~/schemas/api'
import { requireApp } from '~/services/apps.server'
import { removeErasedAccount } from '~/services/ledger.server'
import { answerApi, requireApiKey } from '~/utils/api-auth.server'
import { apiJson, methodNotAllowed } from '~/utils/api.server'

/**
 * DELETE /api/v1/apps/{appId}/accounts/{accountId} (accounts:write): the app
 * erased that person's data on its own, so the account needs no report any
 * more (docs/rules.md › Personal-data reporting); its open tasks close.
 */

export function loader() {
	return methodNotAllowed(['DELETE'])
}

export function action({ request, params }: ActionFunctionArgs) {
	if (request.method !== 'DELETE') return methodNotAllowed(['DELETE'])
	return answerApi(async () => {
		const caller = await requireApiKey(request, 'accounts:write')
		const app = await requireApp(caller.org.id, params.appId)
		const removed = await removeErasedAccount(caller.org.id, caller.actor, app.id, params.accountId ?? '')
		const answer: z.input<typeof ApiAccountRemovedSchema> = removed
		return apiJson(answer)
	})
}
