import { Form, useNavigation } from '@remix-run/react'
import { readsLikeRejected } from '~/domain/checklist'
import { type AvailableAction } from '~/domain/request-lifecycle'
import { OUTCOME, labelOfUseCase } from './checklist-panel'
import { FieldError, FormAlert } from './ui/form'
import { Badge } from './ui/status'

export type ReviewUseCase = {
	id: string
	code: string
	description: string
	engineOutcome: 'auto_approvable' | 'rejected' | 'needs_review'
	suggestedCode: string | null
	decision: 'approved' | 'rejected' | null
	decisionReason: string | null
}

export type ActionFeedback = {
	intent?: string
	useCaseId?: string
	errors?: Record<string, string>
	formError?: string | null
}

/** The closest entry of Atlassian's list for a custom use case, in words (never its code): a hint, not a decision. */
export function SuggestionNote({ code }: { code: string }) {
	return (
		<p className="check-source">
			Closest entry on Atlassian’s list: {labelOfUseCase(code)}. A suggestion only: you decide.
		</p>
	)
}

export function DecisionBadge({ useCase }: { useCase: Pick<ReviewUseCase, 'decision' | 'engineOutcome'> }) {
	if (useCase.decision === 'approved') return <Badge tone="ok">Approved by reviewer</Badge>
	if (useCase.decision === 'rejected') return <Badge tone="bad">Rejected by reviewer</Badge>
	// Beside the outcome badge ("On Atlassian’s approved list"): what it means for the reviewer, not the same words again.
	if (useCase.engineOutcome === 'auto_approvable') return <Badge tone="ok">No decision needed</Badge>
	return <Badge tone="warn">Not decided yet</Badge>
}

/**
 * The reviewer's side of a request in review: a decision per use case,
 * then complete the review or send it back (issue 5 › reviewer queue).
 * Four eyes is explained, not just enforced: the author sees why they
 * cannot decide, and a lone member sees why review cannot proceed.
 */
export function ReviewPanel({
	version,
	useCases,
	canReview,
	isAuthor,
	fourEyes,
	otherReviewers,
	complete,
	feedback,
}: {
	version: number
	useCases: ReviewUseCase[]
	canReview: boolean
	isAuthor: boolean
	/** Why this person may not decide (what they wrote, and the rule), when they may not. */
	fourEyes?: string | null
	otherReviewers: number
	complete: AvailableAction | undefined
	feedback?: ActionFeedback
}) {
	const navigation = useNavigation()
	const busy = navigation.state !== 'idle'
	const reviewFeedback =
		feedback && ['decide', 'complete_review', 'request_changes'].includes(feedback.intent ?? '') ? feedback : undefined
	return (
		<section className="card stack-sm" aria-labelledby="review-heading">
			<h2 id="review-heading">Compliance review</h2>
			{otherReviewers === 0 ? (
				<div className="alert alert-warn" role="status" data-testid="no-reviewer">
					<strong>Nobody can review this request yet.</strong>
					Four eyes: nobody who wrote or edited any version of a request can review it, and this organisation has no
					other compliance reviewer. An admin can invite one under Members.
				</div>
			) : null}
			{canReview && isAuthor ? (
				<div className="alert alert-info" role="status" data-testid="four-eyes">
					{fourEyes ?? 'You wrote or edited this request, so another compliance reviewer has to decide it (four eyes).'}
				</div>
			) : null}
			{!canReview ? (
				<p className="card-muted">A compliance reviewer decides each use case. You will be notified of the outcome.</p>
			) : null}
			{reviewFeedback?.intent !== 'decide' ? <FormAlert message={reviewFeedback?.formError} /> : null}
			<ul className="checklist-items">
				{lookAlikesFirst(useCases).map((useCase) => {
					const mine =
						reviewFeedback?.intent === 'decide' && reviewFeedback.useCaseId === useCase.id ? reviewFeedback : undefined
					const label = labelOfUseCase(useCase.code, useCase.description)
					const reasonId = `reason-${useCase.id}`
					return (
						<li key={useCase.id} className="check-item review-use-case" data-use-case-id={useCase.id}>
							<div className="check-head">
								<Badge tone={OUTCOME[useCase.engineOutcome].tone}>{OUTCOME[useCase.engineOutcome].label}</Badge>
								<DecisionBadge useCase={useCase} />
								<span className="check-title">{label}</span>
							</div>
							{looksRejected(useCase) ? (
								<p className="check-message" data-testid="looks-rejected">
									<Badge tone="bad">Check first</Badge> Looks like a rejected use case:{' '}
									{labelOfUseCase(useCase.suggestedCode ?? '')}. Atlassian does not approve that; decide whether this is
									really something else.
								</p>
							) : useCase.suggestedCode ? (
								<SuggestionNote code={useCase.suggestedCode} />
							) : null}
							{useCase.decisionReason ? <p className="check-message">Reason: {useCase.decisionReason}</p> : null}
							{canReview && !isAuthor ? (
								<Form method="post" className="review-decision" aria-label={`Decision on ${label}`}>
									<input type="hidden" name="intent" value="decide" />
									<input type="hidden" name="version" value={version} />
									<input type="hidden" name="useCaseId" value={useCase.id} />
									<FormAlert message={mine?.formError} />
									<div className="field">
										<label htmlFor={reasonId}>Reason (required to reject)</label>
										<input
											id={reasonId}
											name="reason"
											className="input"
											aria-invalid={mine?.errors?.reason ? true : undefined}
											aria-describedby={mine?.errors?.reason ? `${reasonId}-error` : undefined}
										/>
										<FieldError name={reasonId} message={mine?.errors?.reason} />
									</div>
									<div className="row">
										{useCase.engineOutcome === 'rejected' ? (
											<span className="card-muted">Atlassian rejects this use case: it cannot be approved.</span>
										) : useCase.engineOutcome === 'auto_approvable' && useCase.decision === null ? (
											<span className="card-muted">
												On Atlassian’s approved list: it passes with the review unless you reject it.
											</span>
										) : (
											<button
												type="submit"
												name="decision"
												value="approve"
												className="button button-small"
												disabled={busy}
											>
												Approve
											</button>
										)}
										<button
											type="submit"
											name="decision"
											value="reject"
											className="button button-danger button-small"
											disabled={busy}
										>
											Reject
										</button>
									</div>
								</Form>
							) : null}
						</li>
					)
				})}
			</ul>
			{canReview && !isAuthor ? (
				<div className="review-finish">
					<Form method="post" className="stack-sm">
						<input type="hidden" name="intent" value="complete_review" />
						<input type="hidden" name="version" value={version} />
						<button
							type="submit"
							className="button"
							disabled={busy || Boolean(complete?.blocked)}
							aria-describedby="complete-hint"
						>
							Complete review
						</button>
						<span id="complete-hint" className="card-muted">
							{complete?.blocked
								? complete.blocked.message
								: 'Every use case is approved: the vendor can send the request to Atlassian.'}
						</span>
					</Form>
					<Form method="post" className="form" aria-label="Send back for changes">
						<input type="hidden" name="intent" value="request_changes" />
						<input type="hidden" name="version" value={version} />
						<div className="field">
							<label htmlFor="send-back-comment">Comment for the vendor</label>
							<textarea
								id="send-back-comment"
								name="comment"
								className="textarea"
								rows={3}
								aria-invalid={reviewFeedback?.errors?.comment ? true : undefined}
								aria-describedby={reviewFeedback?.errors?.comment ? 'send-back-comment-error' : undefined}
							/>
							<FieldError name="send-back-comment" message={reviewFeedback?.errors?.comment} />
						</div>
						<div>
							<button type="submit" className="button button-secondary" disabled={busy}>
								Send back for changes
							</button>
						</div>
					</Form>
				</div>
			) : null}
		</section>
	)
}

function looksRejected(useCase: ReviewUseCase): boolean {
	return readsLikeRejected(useCase)
}

/** Custom use cases that read like a rejected one come first: they are the reviewer's first concern. */
function lookAlikesFirst(useCases: ReviewUseCase[]): ReviewUseCase[] {
	return [...useCases.filter(looksRejected), ...useCases.filter((useCase) => !looksRejected(useCase))]
}
