import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { OUTCOME, labelOfUseCase } from '~/components/checklist-panel'
import { DecisionBadge } from '~/components/review-panel'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { daysWaiting } from '~/domain/tickets'
import { formatLocalDate } from '~/domain/zoned-time'
import { listReviewQueue } from '~/services/review.server'
import { requirePermission } from '~/utils/auth.server'

export const meta: MetaFunction = () => [{ title: 'Review queue · Clearance' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'requests:review')
	const now = new Date()
	const queue = await listReviewQueue(org.id, user.id)
	return {
		org,
		queue: queue.map((item) => ({ ...item, daysInQueue: daysWaiting(item.submittedAt, now, org.timeZone) })),
	}
}

export default function ReviewQueuePage() {
	const { org, queue } = useLoaderData<typeof loader>()
	return (
		<div className="stack">
			<PageHeader
				title="Review queue"
				description="Requests waiting for a compliance decision, the longest-waiting first. Decide each use case, then complete the review or send it back."
			/>
			{queue.length === 0 ? (
				<EmptyState
					title="Nothing to review"
					action={
						<Link className="button button-secondary" to={`/o/${org.slug}/requests`}>
							See all requests
						</Link>
					}
				>
					No request is waiting for review. When a vendor submits one, it appears here and you get a notification.
				</EmptyState>
			) : (
				<ol className="review-queue">
					{queue.map((item) => (
						<li key={item.id} className="card stack-sm" data-testid="queue-item">
							<div className="check-head">
								<Link to={`/o/${org.slug}/requests/${item.id}`}>
									<strong>{item.appName}</strong>
								</Link>
								{item.amendsRequestId ? <Badge tone="info">Amendment</Badge> : null}
								{item.checklistReady ? (
									<Badge tone="ok">Checklist passes</Badge>
								) : (
									<Badge tone="bad">Checks failing</Badge>
								)}
								{item.isAuthor ? <Badge tone="neutral">Yours: another reviewer decides (four eyes)</Badge> : null}
							</div>
							<p className="card-muted">
								By {item.authorName} ·{' '}
								{item.daysInQueue === 0
									? 'waiting since today'
									: `waiting ${item.daysInQueue} day${item.daysInQueue === 1 ? '' : 's'} (since ${formatLocalDate(new Date(item.submittedAt), org.timeZone)})`}
							</p>
							<ul className="checklist-items">
								{item.useCases.map((useCase) => (
									<li key={useCase.id} className="check-item">
										<div className="check-head">
											<Badge tone={OUTCOME[useCase.engineOutcome].tone}>{OUTCOME[useCase.engineOutcome].label}</Badge>
											<DecisionBadge useCase={useCase} />
											<span className="check-title">{labelOfUseCase(useCase.code, useCase.description)}</span>
										</div>
										{useCase.suggestedCode ? (
											<p className="check-source">
												Reads like “{labelOfUseCase(useCase.suggestedCode)}”, a suggestion only: a reviewer decides.
											</p>
										) : null}
									</li>
								))}
							</ul>
						</li>
					))}
				</ol>
			)}
		</div>
	)
}
