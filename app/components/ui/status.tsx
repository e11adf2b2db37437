import { type ReactNode } from 'react'

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'neutral'

/** Status is always colour plus words, never colour alone. */
export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
	return <span className={`badge badge-${tone}`}>{children}</span>
}

export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
	return (
		<div className="empty-state">
			<h2>{title}</h2>
			<p>{children}</p>
			{action}
		</div>
	)
}

export function PageHeader({
	title,
	description,
	actions,
}: {
	title: string
	description?: ReactNode
	actions?: ReactNode
}) {
	return (
		<div className="page-header">
			<div>
				<h1>{title}</h1>
				{description ? <p>{description}</p> : null}
			</div>
			{actions ? <div className="row">{actions}</div> : null}
		</div>
	)
}
