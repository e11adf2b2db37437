import { type LoaderFunctionArgs } from '@remix-run/node'
import { openApiDocument } from '~/schemas/openapi'
import { methodNotAllowed } from '~/utils/api.server'

/** GET /api/v1/openapi.json: the API's OpenAPI 3.1 document, generated from its zod schemas. Public, no key. */
export function loader({ request }: LoaderFunctionArgs) {
	const origin = new URL(request.url).origin
	return Response.json(openApiDocument(`${origin}/api/v1`), {
		headers: { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' },
	})
}

export function action() {
	return methodNotAllowed(['GET'])
}
