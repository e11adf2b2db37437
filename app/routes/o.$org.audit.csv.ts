import { type LoaderFunctionArgs } from '@remix-run/node'
import { actorLabel, subjectView } from '~/domain/audit-labels'
import { parseAuditFilter } from '~/schemas/audit'
import { resolveAuditSubjects, resolvedSubject, searchAuditEvents } from '~/services/audit.server'
import { requirePermission } from '~/utils/auth.server'
import { toCsv } from '~/utils/csv'
import { badRequest } from '~/utils/http.server'

/** Upper bound of one export; narrow the dates for more. */
const MAX_ROWS = 50_000

/** The filtered audit log as CSV, safe to open in a spreadsheet (see csvCell): raw values plus each subject's name. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'audit:read')
	const parsed = parseAuditFilter(new URL(request.url))
	if (!parsed.ok) badRequest(parsed.error)
	const { events } = await searchAuditEvents(org.id, org.timeZone, parsed.filter, { limit: MAX_ROWS })
	const subjects = await resolveAuditSubjects(org.id, events)
	const rows = [
		[
			'id',
			'occurred_at_utc',
			'actor_name',
			'actor_email',
			'action',
			'subject_type',
			'subject_id',
			'subject_name',
			'before',
			'after',
		],
		...events.map((event) => [
			event.id,
			new Date(event.createdAt).toISOString(),
			// An API key that acted (issue 12) is named as the audit page names it.
			event.actorName ??
				(event.actorKeyName
					? actorLabel(event.action, null, { name: event.actorKeyName, prefix: event.actorKeyPrefix })
					: null),
			event.actorEmail,
			event.action,
			event.subjectType,
			event.subjectId,
			subjectView(org.slug, event.subjectType, event.subjectId, resolvedSubject(subjects, event)).label,
			event.before,
			event.after,
		]),
	]
	return new Response(toCsv(rows), {
		headers: {
			'Content-Type': 'text/csv; charset=utf-8',
			'Content-Disposition': `attachment; filename="audit-${org.slug}-${new Date().toISOString().slice(0, 10)}.csv"`,
			'Cache-Control': 'no-store',
		},
	})
}
