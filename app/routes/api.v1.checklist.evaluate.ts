import { type ActionFunctionArgs } from '@remix-run/node'
import { evaluateRequest } from '~/domain/checklist'
import { ChecklistInputSchema } from '~/schemas/checklist'
import { apiJson, methodNotAllowed, parseJsonBody } from '~/utils/api.server'

/**
 * POST /api/v1/checklist/evaluate — the checklist engine over HTTP. Public and
 * key-less because it is pure: it reads nothing stored and stores nothing
 * (design.md › REST API). Empty or wrong answers are a 200 with failing checks;
 * only a body of the wrong shape is a 400.
 */

// A real request is a few KB. The schema's own caps add up to more than this
// (50 use-case descriptions of 2,000 characters), so this limit binds first.
const BODY_LIMIT_BYTES = 64 * 1024

export function loader() {
	return methodNotAllowed(['POST'])
}

export async function action({ request }: ActionFunctionArgs) {
	if (request.method !== 'POST') return methodNotAllowed(['POST'])
	const input = await parseJsonBody(request, ChecklistInputSchema, { limitBytes: BODY_LIMIT_BYTES })
	return apiJson(evaluateRequest(input))
}
