import { type LoaderFunctionArgs } from '@remix-run/node'
import { calendarResponse, calendarText, publicBaseUrl } from '~/services/calendar.server'
import { answerApi, requireApiKey } from '~/utils/api-auth.server'
import { methodNotAllowed } from '~/utils/api.server'

/**
 * GET /api/v1/calendar.ics (read): the organisation's calendar feed, the
 * same as its secret calendar address, for a job that holds an API key.
 */

export function action() {
	return methodNotAllowed(['GET'])
}

export function loader({ request }: LoaderFunctionArgs) {
	return answerApi(async () => {
		const caller = await requireApiKey(request, 'read')
		return calendarResponse(await calendarText({ orgId: caller.org.id, userId: null }, publicBaseUrl(request)), request)
	})
}
