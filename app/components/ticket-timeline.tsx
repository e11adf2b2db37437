import { ACTION_LABELS, STATE_LABELS, STATE_TONES, type RequestAction, type RequestState } from '~/domain/request-lifecycle'
import { useCaseLabel } from './checklist-panel'
import { Badge } from './ui/status'

export type TimelineEvent = {
	id: number
	kind: string
	fromState: RequestState | null
	toState: RequestState | null
	occurredAt: string | Date
	details: unknown
	actorName: string | null
}

const DETAIL_LABELS: Record<string, string> = {
	comment: 'Comment',
	question: 'Atlassian asked',
	reply: 'Reply',
	scopes: 'Products and scopes',
	reason: 'Reason',
	note: 'Note',
	ticketKey: 'Ticket',
	url: 'Link',
}

function titleOf(event: TimelineEvent, details: Record<string, unknown>) {
	if (event.kind === 'use_case_decided') {
		const what = useCaseLabel(String(details.code ?? ''), String(details.description ?? ''))
		return `${details.decision === 'approved' ? 'Approved' : 'Rejected'} use case: ${what}`
	}
	if (event.kind === 'ticket_follow_up') return 'Follow-up recorded'
	return ACTION_LABELS[event.kind as RequestAction] ?? event.kind
}

/** The request's history, oldest first: who did what, when, and what was said. */
export function TicketTimeline({ events, timeZone }: { events: TimelineEvent[]; timeZone: string }) {
	if (events.length === 0) {
		return (
			<section className="card stack-sm" aria-labelledby="timeline-heading">
				<h2 id="timeline-heading">Timeline</h2>
				<p className="card-muted">Nothing has happened yet. Submitting for review starts the timeline.</p>
			</section>
		)
	}
	return (
		<section className="card stack-sm" aria-labelledby="timeline-heading">
			<h2 id="timeline-heading">Timeline</h2>
			<ol className="timeline">
				{events.map((event) => {
					const details = (event.details && typeof event.details === 'object' ? event.details : {}) as Record<string, unknown>
					const changed = event.toState && event.fromState !== event.toState
					return (
						<li key={event.id} className="timeline-item">
							<div className="check-head">
								<strong>{titleOf(event, details)}</strong>
								{changed ? <Badge tone={STATE_TONES[event.toState!]}>{STATE_LABELS[event.toState!]}</Badge> : null}
							</div>
							<p className="check-source">
								{new Date(event.occurredAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone })}
								{event.actorName ? ` · ${event.actorName}` : ''}
							</p>
							{Object.entries(DETAIL_LABELS).map(([key, label]) =>
								typeof details[key] === 'string' && details[key] ? (
									<p key={key} className="check-message">
										{label}: {String(details[key])}
									</p>
								) : null,
							)}
						</li>
					)
				})}
			</ol>
		</section>
	)
}
