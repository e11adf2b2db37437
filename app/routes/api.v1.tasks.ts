import { type LoaderFunctionArgs } from '@remix-run/node'
import { type z } from 'zod'
import { ApiTaskQuerySchema, type ApiTaskListSchema } from '~/schemas/api'
import { listApiTasks } from '~/services/api-resources.server'
import { answerApi, requireApiKey } from '~/utils/api-auth.server'
import { apiError, apiJson, methodNotAllowed, zodIssues } from '~/utils/api.server'

/**
 * GET /api/v1/tasks?status=open (read): the organisation's erase and refresh
 * tasks from report runs, by due date, a page at a time (`limit`, `cursor`);
 * `appId` narrows to one app.
 */

export function action() {
	return methodNotAllowed(['GET'])
}

export function loader({ request }: LoaderFunctionArgs) {
	return answerApi(async () => {
		const caller = await requireApiKey(request, 'read')
		const query = ApiTaskQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams))
		if (!query.success) return apiError(400, 'The query is invalid: see issues.', zodIssues(query.error))
		const answer: z.input<typeof ApiTaskListSchema> = await listApiTasks(caller.org.id, query.data)
		return apiJson(answer)
	})
}
