import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import {
	isRouteErrorResponse,
	Outlet,
	useLoaderData,
	useParams,
	useRouteError,
	useRouteLoaderData,
} from '@remix-run/react'
import { AppShell } from '~/components/app-shell'
import { ErrorPanel, GeneralErrorBoundary } from '~/components/error-boundary'
import { listUserOrgs } from '~/services/members.server'
import { unreadCount } from '~/services/notifications.server'
import { requireMember } from '~/utils/auth.server'
import { NO_SUCH_ORGANISATION } from '~/utils/errors'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `${data.org.name} · Clearance` : 'Clearance' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { user, org, roles } = await requireMember(request, params.org)
	const [unread, orgs] = await Promise.all([unreadCount(org.id, user.id, roles), listUserOrgs(user.id)])
	return {
		user: { name: user.name, email: user.email },
		org,
		roles,
		unreadCount: unread,
		otherOrgs: orgs.filter((other) => other.slug !== org.slug).map(({ slug, name }) => ({ slug, name })),
	}
}

export default function OrgLayout() {
	const { user, org, roles, unreadCount, otherOrgs } = useLoaderData<typeof loader>()
	return (
		<AppShell org={org} roles={roles} user={user} unreadCount={unreadCount} otherOrgs={otherOrgs}>
			<Outlet />
		</AppShell>
	)
}

/**
 * A page of the organisation that fails (no access to it, not found, an error) is answered inside the
 * organisation's navigation when the layout was read for this organisation. Not a member (the layout's own 404,
 * which the router answers with the layout's last data when it comes on a later read), or the layout's data is of
 * another organisation: the bare error page.
 */
export function ErrorBoundary() {
	const layout = useRouteLoaderData<typeof loader>('routes/o.$org')
	const { org: slug } = useParams()
	const error = useRouteError()
	const notAMember =
		isRouteErrorResponse(error) &&
		error.status === 404 &&
		(error.data as { error?: unknown } | null)?.error === NO_SUCH_ORGANISATION
	if (!layout || layout.org.slug !== slug || notAMember) return <GeneralErrorBoundary />
	const { user, org, roles, unreadCount, otherOrgs } = layout
	return (
		<AppShell org={org} roles={roles} user={user} unreadCount={unreadCount} otherOrgs={otherOrgs}>
			<ErrorPanel home={`/o/${org.slug}`} />
		</AppShell>
	)
}
