import { Form, Link } from '@remix-run/react'
import { type ApprovalStanding } from '~/domain/approved-scope'
import { formatLocalDate } from '~/domain/zoned-time'
import { labelOfUseCase } from './checklist-panel'
import { Badge } from './ui/status'

type Scope = {
	requestId: string
	approvedAt: string | Date
	products: string[]
	useCases: { code: string; description: string }[]
}

/** Access revoked and nothing approved since. */
export type Revocation = { requestId: string; revokedAt: string | Date }

function formatDay(value: string | Date, timeZone: string) {
	return formatLocalDate(new Date(value), timeZone)
}

/**
 * The app record contradicts its approved request about personal data
 * (docs/rules.md › Personal-data reporting): shown on the app page and the
 * request page until an amendment is approved or the app is corrected.
 */
export function PersonalDataConflictNotice({ message }: { message: string | null }) {
	if (!message) return null
	return (
		<div className="alert alert-warn" role="status" data-testid="personal-data-conflict">
			<strong>The app and its approved request disagree about personal data.</strong> {message}
		</div>
	)
}

/** The app record is no longer the app Atlassian approved (another type or key): shown on the app page. */
export function ApprovedAppConflictNotice({ message }: { message: string | null }) {
	if (!message) return null
	return (
		<div className="alert alert-warn" role="status" data-testid="approved-app-conflict">
			<strong>The app is not the one Atlassian approved.</strong> {message}
		</div>
	)
}

/**
 * What the app may use email for today: the use cases of the approval in
 * force. Atlassian revokes an app's access, so after a revocation there is
 * none until a new request is approved (docs/rules.md › Review and four eyes).
 * New uses need an amendment (docs/rules.md › Appropriate use).
 */
export function AppApprovedScope({
	orgSlug,
	scope,
	revocation,
	canAmend,
	timeZone,
}: {
	orgSlug: string
	scope: Scope | null
	revocation?: Revocation | null
	canAmend: boolean
	timeZone: string
}) {
	return (
		<section className="card stack-sm" aria-labelledby="scope-heading">
			<h2 id="scope-heading">Current approved scope</h2>
			{scope ? (
				<>
					<p className="card-muted">
						<Badge tone="ok">Approved</Badge> by Atlassian on {formatDay(scope.approvedAt, timeZone)} (
						<Link to={`/o/${orgSlug}/requests/${scope.requestId}`}>the approved request</Link>). Use email only for
						these; anything new needs an amendment.
					</p>
					<ul className="checklist-items" data-testid="approved-scope">
						{scope.useCases.map((useCase, index) => (
							<li key={index} className="check-item">
								{labelOfUseCase(useCase.code, useCase.description)}
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
			) : revocation ? (
				<div className="alert alert-bad" role="status" data-testid="access-revoked">
					<Badge tone="bad">Access revoked</Badge>{' '}
					<strong>Access revoked on {formatDay(revocation.revokedAt, timeZone)}</strong> (see{' '}
					<Link to={`/o/${orgSlug}/requests/${revocation.requestId}`}>the revoked request</Link>); no approved scope
					until a new request is approved. Atlassian revokes an app’s access, so earlier approvals do not count either:
					do not use Atlassian users’ email addresses until then.
				</div>
			) : (
				<p className="card-muted">
					No approved Email API access yet. Once Atlassian approves a request, its use cases show here.
				</p>
			)}
		</section>
	)
}

/**
 * On an approved request's page: whether that approval is still what the
 * app may do, or was superseded by a later approval or ended by a revocation.
 */
export function ApprovalStandingNotice({
	orgSlug,
	standing,
	timeZone,
}: {
	orgSlug: string
	standing: ApprovalStanding | null
	timeZone: string
}) {
	if (!standing || standing.standing === 'in_force') return null
	if (standing.standing === 'superseded') {
		return (
			<div className="alert alert-info" role="status" data-testid="approval-standing">
				<strong>No longer the app’s approved scope.</strong> A later request was approved on{' '}
				{formatDay(standing.at, timeZone)}:{' '}
				<Link to={`/o/${orgSlug}/requests/${standing.byRequestId}`}>that request</Link> is what the app may use email
				for now.
			</div>
		)
	}
	return (
		<div className="alert alert-bad" role="status" data-testid="approval-standing">
			<Badge tone="bad">Access revoked</Badge>{' '}
			<strong>Atlassian revoked this app’s access on {formatDay(standing.at, timeZone)}</strong> (see{' '}
			<Link to={`/o/${orgSlug}/requests/${standing.byRequestId}`}>the revoked request</Link>). This approval no longer
			gives the app any scope; a new request has to be approved first.
		</div>
	)
}
