import { Link } from '@remix-run/react'
import { type UseCaseDiff } from '~/domain/use-case-diff'
import { labelOfUseCase } from './checklist-panel'
import { Badge } from './ui/status'

/** What an amendment changes against the approved request (docs/rules.md › Appropriate use). */
export function AmendmentDiff({ diff, approvedHref }: { diff: UseCaseDiff; approvedHref: string }) {
	const rows = [
		...diff.added.map((useCase) => ({ useCase, tone: 'warn' as const, label: 'Added' })),
		...diff.removed.map((useCase) => ({ useCase, tone: 'bad' as const, label: 'Removed' })),
		...diff.unchanged.map((useCase) => ({ useCase, tone: 'neutral' as const, label: 'Unchanged' })),
	]
	return (
		<section className="card stack-sm" aria-labelledby="diff-heading" data-testid="amendment-diff">
			<h2 id="diff-heading">Changes against the approved request</h2>
			<p className="card-muted">
				This is an amendment of <Link to={approvedHref}>the approved request</Link>, which stays as it was. Added use
				cases are reviewed like any other.
			</p>
			{diff.added.length === 0 && diff.removed.length === 0 ? (
				<p className="card-muted">No use case changed yet. Add the new email feature below and save.</p>
			) : null}
			<ul className="checklist-items">
				{rows.map(({ useCase, tone, label }, index) => (
					<li key={`${label}-${index}`} className={`check-item diff-${label.toLowerCase()}`}>
						<div className="check-head">
							<Badge tone={tone}>{label}</Badge>
							<span className="check-title">{labelOfUseCase(useCase.code, useCase.description ?? '')}</span>
						</div>
					</li>
				))}
			</ul>
		</section>
	)
}
