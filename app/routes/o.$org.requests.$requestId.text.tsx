import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { CopyBlock } from '~/components/copy-block'
import { Badge, PageHeader } from '~/components/ui/status'
import { STATE_LABELS, STATE_TONES } from '~/domain/request-lifecycle'
import { appTypeText, productsText, requestMilestones } from '~/domain/request-text'
import { formatLocalDate } from '~/domain/zoned-time'
import { evaluateSaved, getRequest, decidersOfUseCases } from '~/services/requests.server'
import { listRequestEvents } from '~/services/review.server'
import { requireMember } from '~/utils/auth.server'
import { notFound } from '~/utils/http.server'

export const meta: MetaFunction = () => [{ title: 'Request text · Clearance' }]

/** States in which the internal review is complete (the request may go, or has gone, to Atlassian). */
const REVIEWED_STATES: readonly string[] = [
	'ready_to_submit',
	'submitted',
	'info_requested',
	'approved',
	'declined',
	'revoked',
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requireMember(request, params.org)
	const accessRequest = await getRequest(org.id, params.requestId ?? '')
	if (!accessRequest) notFound('No such request in this organisation.')
	const checklist = evaluateSaved(accessRequest)
	const [events, deciders] = await Promise.all([
		listRequestEvents(org.id, accessRequest.id),
		decidersOfUseCases(org.id, accessRequest),
	])
	const rejected = accessRequest.useCases.filter((useCase) => useCase.decision === 'rejected').length
	return {
		orgSlug: org.slug,
		requestId: accessRequest.id,
		// "Ready to send" is the checklist AND the review: a request sent back, or with a use case a
		// reviewer rejected, is not ready whatever the checklist says.
		review: { rejected, reviewed: REVIEWED_STATES.includes(accessRequest.state) },
		appName: accessRequest.appName || accessRequest.app.name,
		text: checklist.submissionText,
		ready: checklist.ready,
		failing: checklist.checks.filter((check) => check.status === 'fail').length,
		// The record a printed copy carries: where the request stands, since when, and who decided it.
		record: {
			state: accessRequest.state,
			version: accessRequest.version,
			appType: appTypeText(accessRequest.appType),
			products: productsText(accessRequest.products),
			milestones: requestMilestones(
				accessRequest.createdAt,
				events.map((event) => ({
					fromState: event.fromState,
					toState: event.toState,
					at: event.step?.at ?? event.occurredAt,
				})),
			),
			deciders,
			timeZone: org.timeZone,
		},
	}
}

function RequestRecord({ record }: { record: ReturnType<typeof useLoaderData<typeof loader>>['record'] }) {
	const date = (value: string | Date) => formatLocalDate(new Date(value), record.timeZone)
	return (
		<section className="card stack-sm" aria-labelledby="record-heading" data-testid="request-record">
			<h2 id="record-heading">Request record</h2>
			<dl className="dl">
				<dt>State</dt>
				<dd>
					<Badge tone={STATE_TONES[record.state]}>{STATE_LABELS[record.state]}</Badge> (version {record.version})
				</dd>
				<dt>App type</dt>
				<dd>{record.appType}</dd>
				<dt>Products</dt>
				<dd>{record.products}</dd>
				{record.milestones.map((milestone) => (
					<div key={milestone.label} style={{ display: 'contents' }}>
						<dt>{milestone.label}</dt>
						<dd>{date(milestone.at)}</dd>
					</div>
				))}
				<dt>Decided by</dt>
				<dd>
					{record.deciders.length === 0 ? (
						'No reviewer has decided a use case yet.'
					) : (
						<ul style={{ margin: 0, paddingLeft: 'var(--space-4)' }}>
							{record.deciders.map((decider) => (
								<li key={decider.name}>
									{decider.name}:{' '}
									{[
										decider.approved ? `approved ${decider.approved} use case${decider.approved > 1 ? 's' : ''}` : '',
										decider.rejected ? `rejected ${decider.rejected} use case${decider.rejected > 1 ? 's' : ''}` : '',
									]
										.filter(Boolean)
										.join(', ')}
									{decider.lastDecidedAt ? `, on ${date(decider.lastDecidedAt)}` : ''}
								</li>
							))}
						</ul>
					)}
				</dd>
			</dl>
		</section>
	)
}

export default function RequestTextPage() {
	const { appName, text, ready, failing, record, orgSlug, requestId, review } = useLoaderData<typeof loader>()
	return (
		<div className="stack">
			<PageHeader
				title={`Request text: ${appName}`}
				description="In the order of Atlassian’s request form. Paste it into the developer support portal when the request is ready."
				actions={
					<div className="row no-print">
						<Link className="button button-secondary" to={`/o/${orgSlug}/requests/${requestId}`}>
							Back to the request
						</Link>
						<a className="button button-secondary" href="json" download>
							Download JSON
						</a>
						<button type="button" className="button button-secondary" onClick={() => window.print()}>
							Print
						</button>
					</div>
				}
			/>
			{ready && review.rejected > 0 ? (
				<div className="alert alert-warn">
					<strong>
						<Badge tone="bad">Not ready</Badge> A reviewer rejected {review.rejected} use case
						{review.rejected === 1 ? '' : 's'}.
					</strong>{' '}
					Change or remove {review.rejected === 1 ? 'it' : 'them'} and have the request reviewed again before sending
					it.
				</div>
			) : ready && !review.reviewed ? (
				<div className="alert alert-info">
					<strong>The checklist passes.</strong> The request still needs its review before this text is sent to
					Atlassian.
				</div>
			) : ready ? (
				<div className="alert alert-ok">
					<strong>The checklist passes and the review is complete.</strong> This text is ready to send.
				</div>
			) : (
				<div className="alert alert-warn">
					<strong>
						<Badge tone="bad">Not ready</Badge> {failing} check{failing === 1 ? '' : 's'} still fail.
					</strong>
					Atlassian is likely to bounce this request; fix the checklist first.
				</div>
			)}
			<RequestRecord record={record} />
			<section className="card">
				<CopyBlock text={text} label="request text" />
			</section>
		</div>
	)
}
