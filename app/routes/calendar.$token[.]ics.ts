import { type LoaderFunctionArgs } from '@remix-run/node'
import { calendarResponse, calendarText, findFeedByToken, publicBaseUrl } from '~/services/calendar.server'

/**
 * GET /calendar/<token>.ics: a calendar feed for Google Calendar, Outlook
 * and the like (issue 13, point 5). No session: the secret token in the
 * address is the credential, so an unknown, replaced or stopped address is
 * a plain 404 that says what to do, and nothing else about it.
 */

const GONE =
	'This calendar address does not work (any more): it may have been replaced by a new one. Copy the current address from the Calendar page in Clearance.\n'

export async function loader({ request, params }: LoaderFunctionArgs) {
	const feed = await findFeedByToken(params.token ?? '')
	if (!feed) {
		return new Response(GONE, {
			status: 404,
			headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
		})
	}
	return calendarResponse(await calendarText(feed, publicBaseUrl(request)), request)
}

export function action() {
	return new Response('Method not allowed: calendar addresses are read with GET.\n', {
		status: 405,
		headers: { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' },
	})
}
