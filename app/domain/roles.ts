/**
 * Roles are independent grants; one person may hold several
 * (docs/rules.md › Review and four eyes). `admin` does not imply `reviewer`: four-eyes review must
 * be a deliberate grant.
 */
export const ROLES = ['member', 'reviewer', 'admin'] as const
export type Role = (typeof ROLES)[number]

/**
 * The one word for each role, on screen and in messages. The stored code
 * `member` is the role people read as "Vendor" (who builds the apps); on
 * screen "member" only ever means someone in the organisation, whatever
 * their roles (the Members page lists everyone).
 */
export const ROLE_LABELS: Record<Role, string> = {
	member: 'Vendor',
	reviewer: 'Compliance reviewer',
	admin: 'Admin',
}

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
	member: 'Registers apps, fills requests, records tickets and reports.',
	reviewer: 'Approves or rejects use cases and records Atlassian’s answers.',
	admin: 'Manages members, roles, API keys and reads the audit log.',
}

export const PERMISSIONS = {
	'org:view': ['member', 'reviewer', 'admin'],
	'apps:edit': ['member'],
	'requests:edit': ['member'],
	'requests:review': ['reviewer'],
	'members:manage': ['admin'],
	'audit:read': ['admin'],
	'api-keys:manage': ['admin'],
	'reporting-connections:manage': ['admin'],
	'webhooks:manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof PERMISSIONS

export function can(roles: readonly Role[], permission: Permission): boolean {
	const allowed: readonly Role[] = PERMISSIONS[permission]
	return roles.some((role) => allowed.includes(role))
}

/** Normalises a role list: known roles only, no duplicates, stable order. */
export function normaliseRoles(roles: readonly string[]): Role[] {
	return ROLES.filter((role) => roles.includes(role))
}

/**
 * An organisation must keep at least one admin, or nobody could manage it.
 * `adminIds` are the current admins; returns whether the change leaves one.
 */
export function leavesAnAdmin(
	adminIds: readonly string[],
	change: { userId: string; roles: readonly Role[] | null },
): boolean {
	const remaining = adminIds.filter((id) => id !== change.userId)
	if (change.roles?.includes('admin')) return true
	return remaining.length > 0
}

/** Why a person is refused, in words: the role the permission needs, and who can give it. */
export function roleNeededMessage(permission: Permission): string {
	const roles = PERMISSIONS[permission].map((role) => ROLE_LABELS[role].toLowerCase())
	return `This needs the ${roles.join(' or ')} role, which you do not have in this organisation. Ask one of its admins for it.`
}
