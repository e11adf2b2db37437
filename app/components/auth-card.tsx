import { Link } from '@remix-run/react'
import { type ReactNode } from 'react'

export function Logo() {
	return (
		<Link to="/" className="brand">
			<img src="/favicon.svg" alt="" width={28} height={28} />
			Clearance
		</Link>
	)
}

export function AuthCard({
	title,
	lead,
	children,
	footer,
}: {
	title: string
	lead?: ReactNode
	children: ReactNode
	footer?: ReactNode
}) {
	return (
		<main className="auth" id="main">
			<div className="auth-card">
				<Logo />
				<div className="card">
					<h1>{title}</h1>
					{lead ? <p className="lead">{lead}</p> : null}
					{children}
				</div>
				{footer ? <p className="auth-foot">{footer}</p> : null}
			</div>
		</main>
	)
}
