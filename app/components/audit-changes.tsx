import { Icon } from '~/components/ui/icon'
import { EMPTY_VALUE, type AuditChangeView } from '~/domain/audit-labels'

function Removed({ children }: { children: string }) {
	return (
		<del>
			<span className="visually-hidden">removed: </span>
			{children}
		</del>
	)
}

function Added({ children }: { children: string }) {
	return (
		<ins>
			<span className="visually-hidden">added: </span>
			{children}
		</ins>
	)
}

/** What an audit event changed: each field with old → new, long texts as a word diff with both versions behind "Show in full". */
export function AuditChanges({ changes }: { changes: AuditChangeView[] }) {
	if (changes.length === 0) return <span className="card-muted">—</span>
	return (
		<ul className="audit-changes">
			{changes.map((change, index) => (
				<li key={`${change.label}-${index}`}>
					<span className="audit-field">{change.label}:</span> <ChangeBody change={change} />
				</li>
			))}
		</ul>
	)
}

function ChangeBody({ change }: { change: AuditChangeView }) {
	switch (change.kind) {
		case 'value':
			return (
				<>
					<Removed>{change.from}</Removed> <Icon name="arrow-right" />
					<span className="visually-hidden"> changed to </span> <Added>{change.to}</Added>
				</>
			)
		case 'list':
			return (
				<span className="audit-list">
					{change.added.map((item, index) => (
						<Added key={`a-${index}`}>{`+ ${item}`}</Added>
					))}
					{change.removed.map((item, index) => (
						<Removed key={`r-${index}`}>{`− ${item}`}</Removed>
					))}
				</span>
			)
		case 'detail':
			return change.long ? (
				<details className="audit-more">
					<summary>{`${change.value.slice(0, 60).trimEnd()}…`}</summary>
					<p className="audit-text">{change.value}</p>
				</details>
			) : (
				<span>{change.value}</span>
			)
		case 'text':
			return (
				<>
					<p className="audit-text audit-diff">
						{change.parts.map((part, index) =>
							part.op === 'added' ? (
								<Added key={index}>{part.text}</Added>
							) : part.op === 'removed' ? (
								<Removed key={index}>{part.text}</Removed>
							) : (
								<span key={index}>{part.text}</span>
							),
						)}
					</p>
					<details className="audit-more">
						<summary>Show both versions in full</summary>
						<h4>Before</h4>
						<p className="audit-text">{change.from || EMPTY_VALUE}</p>
						<h4>After</h4>
						<p className="audit-text">{change.to || EMPTY_VALUE}</p>
					</details>
				</>
			)
	}
}
