import { Form, Link, NavLink } from '@remix-run/react'
import { type ReactNode } from 'react'
import { can, ROLE_LABELS, type Permission, type Role } from '~/domain/roles'
import { Logo } from './auth-card'
import { NavMenu } from './ui/nav-menu'

type NavItem = { to: string; label: string; permission: Permission; end?: boolean }

// One list, filtered by role: people see only what they can use.
const NAV: { section: string; items: NavItem[] }[] = [
	{
		section: 'Work',
		items: [
			{ to: '', label: 'Dashboard', permission: 'org:view', end: true },
			{ to: 'apps', label: 'Apps', permission: 'org:view' },
			{ to: 'requests', label: 'Requests', permission: 'org:view' },
			{ to: 'review', label: 'Review queue', permission: 'requests:review' },
			{ to: 'calendar', label: 'Calendar', permission: 'org:view' },
		],
	},
	{
		section: 'Organisation',
		items: [
			{ to: 'members', label: 'Members', permission: 'members:manage' },
			{ to: 'audit', label: 'Audit log', permission: 'audit:read' },
			{ to: 'api-keys', label: 'API keys', permission: 'api-keys:manage' },
			{ to: 'webhooks', label: 'Webhooks', permission: 'webhooks:manage' },
			{ to: 'settings', label: 'Settings', permission: 'members:manage' },
		],
	},
]

export function AppShell({
	org,
	roles,
	user,
	unreadCount = 0,
	otherOrgs = [],
	children,
}: {
	org: { slug: string; name: string }
	/** Unread notifications plus tickets due a follow-up (issue 5). */
	unreadCount?: number
	roles: Role[]
	user: { name: string; email: string }
	/** The person's other organisations, for switching. */
	otherOrgs?: { slug: string; name: string }[]
	children: ReactNode
}) {
	const base = `/o/${org.slug}`
	return (
		<div className="shell">
			<aside className="sidebar" aria-label="Organisation and navigation">
				<div className="brand-wrap">
					<Logo />
				</div>
				<NavMenu label={unreadCount > 0 ? `Menu, ${unreadCount} unread` : 'Menu'}>
					<div className="org-name">
						Organisation
						<strong>{org.name}</strong>
						{otherOrgs.length > 0 ? (
							<details className="org-switch">
								<summary>Switch organisation</summary>
								<ul>
									{otherOrgs.map((other) => (
										<li key={other.slug}>
											<Link to={`/o/${other.slug}`}>{other.name}</Link>
										</li>
									))}
								</ul>
							</details>
						) : null}
					</div>
					<NavLink
						to={`${base}/notifications`}
						className={`notification-link${unreadCount > 0 ? ' notification-link-unread' : ''}`}
						aria-label={unreadCount > 0 ? `Notifications: ${unreadCount} unread` : 'Notifications: none unread'}
					>
						Notifications{' '}
						<span className={`badge ${unreadCount > 0 ? 'badge-warn' : 'badge-neutral'}`}>
							{unreadCount > 0 ? `${unreadCount} unread` : 'none new'}
						</span>
					</NavLink>
					<nav className="nav" aria-label="Main">
						{NAV.map((group) => {
							const items = group.items.filter((item) => can(roles, item.permission))
							if (items.length === 0) return null
							return (
								<div key={group.section}>
									<div className="nav-section">{group.section}</div>
									{items.map((item) => (
										<NavLink key={item.to} to={item.to ? `${base}/${item.to}` : base} end={item.end}>
											{item.label}
										</NavLink>
									))}
								</div>
							)
						})}
					</nav>
					<div className="sidebar-footer">
						<div className="who">
							{user.name}
							<small>{roles.map((role) => ROLE_LABELS[role]).join(' · ')}</small>
						</div>
						<Link to="/docs/api" className="button-link">
							API reference
						</Link>
						<Form method="post" action="/logout">
							<button type="submit" className="button-link">
								Log out
							</button>
						</Form>
					</div>
				</NavMenu>
			</aside>
			<main className="main" id="main">
				{children}
			</main>
		</div>
	)
}
