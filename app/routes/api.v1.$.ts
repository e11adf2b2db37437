import { apiError } from '~/utils/api.server'

/** Any other path under /api/v1: a JSON 404 that says where the endpoints are, for every method. */
function noSuchEndpoint({ request }: { request: Request }) {
	const { pathname } = new URL(request.url)
	return apiError(
		404,
		`No such endpoint: ${request.method} ${pathname}. The endpoints are listed in /api/v1/openapi.json.`,
	)
}

export const loader = noSuchEndpoint
export const action = noSuchEndpoint
