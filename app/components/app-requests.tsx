import { Form, Link } from '@remix-run/react'
import { STATE_LABELS, STATE_TONES, type RequestState } from '~/domain/request-lifecycle'
import { formatLocalDate } from '~/domain/zoned-time'
import { Badge } from './ui/status'

type RequestSummary = {
	id: string
	state: RequestState
	checklistReady: boolean
	useCaseCount: number
	updatedAt: string | Date
}

/** An app's Email API requests, and the button that starts one. */
export function AppRequests({
	orgSlug,
	appId,
	requests,
	canRequest,
	timeZone,
}: {
	orgSlug: string
	timeZone: string
	appId: string
	requests: RequestSummary[]
	canRequest: boolean
}) {
	const start = canRequest ? (
		<Form method="post" action={`/o/${orgSlug}/requests/new`}>
			<input type="hidden" name="appId" value={appId} />
			<button type="submit" className="button">
				Start an Email API request
			</button>
		</Form>
	) : null
	if (requests.length === 0) {
		return (
			<div className="stack-sm">
				<p className="card-muted">
					No request yet. Start one: Clearance fills in what it knows about this app and checks every answer against
					Atlassian’s rules as you type.
				</p>
				{start}
			</div>
		)
	}
	return (
		<div className="stack-sm">
			<ul className="checklist-items">
				{requests.map((request) => (
					<li key={request.id} className="check-item">
						<div className="check-head">
							<Badge tone={STATE_TONES[request.state]}>{STATE_LABELS[request.state]}</Badge>
							<Link to={`/o/${orgSlug}/requests/${request.id}`}>
								Request of {formatLocalDate(new Date(request.updatedAt), timeZone)}
							</Link>
							{request.checklistReady ? (
								<Badge tone="ok">Checklist passes</Badge>
							) : (
								<Badge tone="bad">Checks failing</Badge>
							)}
							<span className="card-muted">
								{request.useCaseCount} use case{request.useCaseCount === 1 ? '' : 's'}
							</span>
						</div>
					</li>
				))}
			</ul>
			{start}
		</div>
	)
}
