import { type ActionFunctionArgs } from '@remix-run/node'
import { type z } from 'zod'
import { ApiAccountsPushSchema, type ApiAccountsRefusedSchema, type ApiAccountsResultSchema } from '~/schemas/api'
import { requireApp } from '~/services/apps.server'
import { pushAccounts } from '~/services/ledger.server'
import { answerApi, requireApiKey } from '~/utils/api-auth.server'
import { apiError, apiJson, methodNotAllowed, parseJsonBody } from '~/utils/api.server'

/**
 * POST /api/v1/apps/{appId}/accounts (accounts:write): the accounts the app
 * stores, upserted with the same rules and the same write as the CSV import
 * (docs/rules.md › Personal-data reporting), answered once written.
 * `?atomic=true`: any rejected entry refuses the request and nothing is
 * written (422). A value that looks like an email address is never echoed.
 */

/** 10,000 entries of the longest id, pretty-printed, fit. */
export const ACCOUNTS_BODY_LIMIT_BYTES = 4 * 1024 * 1024

export function loader() {
	return methodNotAllowed(['POST'])
}

function readAtomic(request: Request): boolean {
	const value = new URL(request.url).searchParams.get('atomic')
	if (value === null || value === '' || value === 'false' || value === '0') return false
	if (value === 'true' || value === '1') return true
	throw apiError(400, 'atomic must be true or false.', [
		{ path: 'atomic', message: 'Use ?atomic=true or ?atomic=false.' },
	])
}

export function action({ request, params }: ActionFunctionArgs) {
	if (request.method !== 'POST') return methodNotAllowed(['POST'])
	return answerApi(async () => {
		const caller = await requireApiKey(request, 'accounts:write')
		const app = await requireApp(caller.org.id, params.appId)
		const atomic = readAtomic(request)
		const body = await parseJsonBody(request, ApiAccountsPushSchema, { limitBytes: ACCOUNTS_BODY_LIMIT_BYTES })
		const result = await pushAccounts(caller.org.id, caller.actor, app.id, body.accounts, { atomic })
		const rejected = result.refused.map((entry) => ({
			index: entry.position,
			// docs/rules.md › Emails are never stored: such a value is not sent back.
			accountId: entry.hidden ? null : entry.accountId,
			reason: entry.reason,
		}))
		if (!result.written) {
			const refused: z.input<typeof ApiAccountsRefusedSchema> = {
				error: `${rejected.length} of ${result.rows} accounts were refused, so none was written (atomic).`,
				issues: rejected.slice(0, 50).map((entry) => ({ path: `accounts.${entry.index}`, message: entry.reason })),
				upserted: 0,
				rejected,
			}
			return apiJson(refused, { status: 422 })
		}
		const answer: z.input<typeof ApiAccountsResultSchema> = { upserted: result.inserted + result.updated, rejected }
		return apiJson(answer)
	})
}
