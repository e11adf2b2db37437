import { Form, Link } from '@remix-run/react'
import { useCaseLabel } from './checklist-panel'
import { Badge } from './ui/status'

type Scope = {
	requestId: string
	approvedAt: string | Date
	products: string[]
	useCases: { code: string; description: string }[]
}

/**
 * What the app may use email for today: the use cases of its latest approved
 * (not revoked) request. New uses need an amendment (domain.md › Appropriate use after approval).
 */
export function AppApprovedScope({
	orgSlug,
	scope,
	canAmend,
	timeZone,
}: {
	orgSlug: string
	scope: Scope | null
	canAmend: boolean
	timeZone: string
}) {
	return (
		<section className="card stack-sm" aria-labelledby="scope-heading">
			<h2 id="scope-heading">Current approved scope</h2>
			{scope ? (
				<>
					<p className="card-muted">
						<Badge tone="ok">Approved</Badge> by Atlassian,{' '}
						<Link to={`/o/${orgSlug}/requests/${scope.requestId}`}>
							request of {new Date(scope.approvedAt).toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone })}
						</Link>
						. Use email only for these; anything new needs an amendment.
					</p>
					<ul className="checklist-items" data-testid="approved-scope">
						{scope.useCases.map((useCase, index) => (
							<li key={index} className="check-item">
								{useCaseLabel(useCase.code, useCase.description)}
							</li>
						))}
					</ul>
					{canAmend ? (
						<Form method="post" action={`/o/${orgSlug}/requests/${scope.requestId}`}>
							<input type="hidden" name="intent" value="amend" />
							<button type="submit" className="button button-secondary">
								Start an amendment
							</button>
						</Form>
					) : null}
				</>
			) : (
				<p className="card-muted">
					No approved Email API access yet. Once Atlassian approves a request, its use cases show here.
				</p>
			)}
		</section>
	)
}
