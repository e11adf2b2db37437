import { type LoaderFunctionArgs } from '@remix-run/node'
import { slugify } from '~/domain/slug'
import { evaluateSaved, getRequest, requestToFields } from '~/services/requests.server'
import { requireMember } from '~/utils/auth.server'
import { notFound } from '~/utils/http.server'

// The request, its use cases and the checklist result, as a JSON file.
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requireMember(request, params.org)
	const accessRequest = await getRequest(org.id, params.requestId ?? '')
	if (!accessRequest) notFound('No such request in this organisation.')
	const checklist = evaluateSaved(accessRequest)
	const body = {
		id: accessRequest.id,
		state: accessRequest.state,
		version: accessRequest.version,
		updatedAt: accessRequest.updatedAt,
		request: requestToFields(accessRequest),
		useCases: accessRequest.useCases.map((useCase) => ({
			code: useCase.code,
			description: useCase.description || undefined,
			engineOutcome: useCase.engineOutcome,
			suggestedCode: useCase.suggestedCode ?? undefined,
			decision: useCase.decision ?? undefined,
			decisionReason: useCase.decisionReason ?? undefined,
		})),
		checklist,
	}
	const filename = `email-api-request-${slugify(accessRequest.appName || accessRequest.app.name)}.json`
	return new Response(JSON.stringify(body, null, 2), {
		headers: {
			'Content-Type': 'application/json; charset=utf-8',
			'Content-Disposition': `attachment; filename="${filename}"`,
			'Cache-Control': 'no-store',
		},
	})
}
