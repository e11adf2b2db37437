import { redirect } from '@remix-run/node'
import { can, roleNeededMessage, type Permission } from '~/domain/roles'
import { isSlug } from '~/domain/slug'
import { recordPermissionDenied } from '~/services/audit.server'
import { getSessionUser, type SessionUser } from '~/services/auth.server'
import { getMembership, type Membership } from '~/services/members.server'
import { NO_SUCH_ORGANISATION } from './errors'
import { forbidden, notFound } from './http.server'
import { oncePerRequest } from './request-scope.server'
import { clearSessionCookie, readSessionToken } from './session.server'

export async function getOptionalUser(request: Request): Promise<SessionUser | null> {
	const token = await readSessionToken(request)
	return token ? sessionUser(token) : null
}

/** The session's user, read once per page view (the layout's loader and the page's share it: requestScope). */
function sessionUser(token: string) {
	return oncePerRequest(`session:${token}`, () => getSessionUser(token))
}

/**
 * The signed-in user, or a redirect to the login page that comes back here.
 * A cookie whose session is gone (expired, logged out) is cleared on the way.
 */
export async function requireUser(request: Request): Promise<SessionUser> {
	const token = await readSessionToken(request)
	const user = token ? await sessionUser(token) : null
	if (user) return user
	const url = new URL(request.url)
	const redirectTo = url.pathname + url.search
	const headers = token ? { 'Set-Cookie': await clearSessionCookie(request) } : undefined
	throw redirect(`/login?${new URLSearchParams({ redirectTo })}`, { headers })
}

/**
 * Pages for people not signed in: a signed-in user goes home. Returns the
 * headers for the page: a cookie for a session that no longer exists is
 * cleared, so the browser stops sending it.
 */
export async function requireAnonymous(request: Request): Promise<HeadersInit> {
	const token = await readSessionToken(request)
	if (!token) return {}
	if (await getSessionUser(token)) throw redirect('/')
	return { 'Set-Cookie': await clearSessionCookie(request) }
}

/**
 * The user's membership of the organisation in the URL. Someone outside it
 * gets a 404, not a 403, so an org's existence is not confirmed
 * (docs/architecture.md › Tenancy).
 */
export async function requireMember(
	request: Request,
	orgSlug: string | undefined,
): Promise<{ user: SessionUser } & Membership> {
	const user = await requireUser(request)
	// A slug of the wrong shape names no organisation (and must reach neither the database nor a header).
	const membership = isSlug(orgSlug)
		? await oncePerRequest(`membership:${user.id}:${orgSlug}`, () => getMembership(user.id, orgSlug))
		: null
	if (!membership) notFound(NO_SUCH_ORGANISATION)
	return { user, ...membership }
}

export async function requirePermission(request: Request, orgSlug: string | undefined, permission: Permission) {
	const member = await requireMember(request, orgSlug)
	await assertPermission(request, member, permission)
	return member
}

/**
 * A 403 unless the member's roles allow `permission`. The refusal is
 * recorded in the organisation's audit log first: who, what they tried
 * (the page or action), on what, and which role it needs
 * (docs/rules.md › Audit trail).
 */
export async function assertPermission(
	request: Request,
	member: { user: SessionUser } & Membership,
	permission: Permission,
	message?: string,
) {
	if (can(member.roles, permission)) return
	await recordPermissionDenied({
		orgId: member.org.id,
		actorUserId: member.user.id,
		roles: member.roles,
		permission,
		method: request.method,
		path: new URL(request.url).pathname,
	})
	forbidden(message ?? roleNeededMessage(permission))
}

const LOCAL_ORIGIN = 'http://clearance.local'

/**
 * Only same-site paths, so a crafted link cannot bounce a user elsewhere.
 * The check is made on what the browser will follow, not on what was typed:
 * the path is resolved against a stand-in origin and must stay on it, and the
 * result must start with exactly one `/` (`/..//evil.example` resolves to
 * `//evil.example`, which a browser reads as another host). Control
 * characters, whitespace and backslashes are refused outright: browsers strip
 * a tab or newline (`/\t/evil.example` becomes `//evil.example`) and read `\`
 * as `/`.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/') {
	if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//')) return fallback
	if (/[\u0000-\u0020\u007f\\]|\p{Cf}/u.test(to)) return fallback
	let url: URL
	try {
		url = new URL(to, LOCAL_ORIGIN)
	} catch {
		return fallback
	}
	const target = `${url.pathname}${url.search}${url.hash}`
	return url.origin === LOCAL_ORIGIN && target.startsWith('/') && !target.startsWith('//') ? target : fallback
}
