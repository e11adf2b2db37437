import { type ActionFunctionArgs } from '@remix-run/node'
import { evaluateRequest } from '~/domain/checklist'
import { ChecklistInputSchema } from '~/schemas/checklist'
import { clientKey, hitRateLimit } from '~/services/rate-limit.server'
import { apiError, apiJson, methodNotAllowed, parseJsonBody } from '~/utils/api.server'
import { env } from '~/utils/env.server'
import { clientAddress } from '~/utils/http.server'

/**
 * POST /api/v1/checklist/evaluate — the checklist engine over HTTP. Public and
 * key-less because it is pure: it reads nothing stored and stores nothing
 * (docs/architecture.md › REST API). Empty or wrong answers are a 200 with failing checks;
 * only a body of the wrong shape is a 400.
 */

// A real request is a few KB. The schema's own caps add up to more than this
// (50 use-case descriptions of 2,000 characters), so this limit binds first.
const BODY_LIMIT_BYTES = 64 * 1024

export function loader() {
	return methodNotAllowed(['POST'])
}

export async function action({ request, context }: ActionFunctionArgs) {
	if (request.method !== 'POST') return methodNotAllowed(['POST'])
	// Per client, before the body is read (EVALUATE_PER_CLIENT a window, 60 a minute by default).
	const client = clientKey(clientAddress(context))
	if (client) {
		const { EVALUATE_PER_CLIENT, EVALUATE_WINDOW_SECONDS } = env()
		const limit = await hitRateLimit(`evaluate:client:${client}`, EVALUATE_PER_CLIENT, EVALUATE_WINDOW_SECONDS)
		if (!limit.allowed) {
			await request.body?.cancel().catch(() => {})
			return apiError(
				429,
				`Too many requests: at most ${EVALUATE_PER_CLIENT} per ${EVALUATE_WINDOW_SECONDS} seconds. Try again later.`,
				undefined,
				{
					'Retry-After': String(limit.retryAfterSeconds),
				},
			)
		}
	}
	const input = await parseJsonBody(request, ChecklistInputSchema, { limitBytes: BODY_LIMIT_BYTES })
	return apiJson(evaluateRequest(input))
}
