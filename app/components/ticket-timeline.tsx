import { STATE_LABELS, STATE_TONES, type RequestAction, type RequestState } from '~/domain/request-lifecycle'
import { DATE_CORRECTED, STEP_NAMES, type TicketStepKind } from '~/domain/tickets'
import { formatInTimeZone, formatLocalDate } from '~/domain/zoned-time'
import { labelOfUseCase } from './checklist-panel'
import { Badge } from './ui/status'

export type TimelineEvent = {
	id: number
	kind: string
	fromState: RequestState | null
	toState: RequestState | null
	occurredAt: string | Date
	details: unknown
	actorName: string | null
	/** When it was recorded in Clearance, if different from when it happened. */
	recordedAt?: string | Date
	/** A dated ticket step: the date in force and, once corrected, the date first recorded. */
	step?: { kind: TicketStepKind; at: string | Date; correctedFrom: string | Date | null } | null
}

function formatDay(value: string | Date, timeZone: string) {
	return formatLocalDate(new Date(value), timeZone)
}

function formatTime(value: string | Date, timeZone: string) {
	return formatInTimeZone(new Date(value), timeZone)
}

/** When the event happened: a ticket step by its date in force (its correction shown), anything else by its time. */
function When({ event, timeZone }: { event: TimelineEvent; timeZone: string }) {
	const step = event.step
	if (!step) return <>{formatTime(event.occurredAt, timeZone)}</>
	const what = step.kind === 'opened' ? 'Ticket opened on' : 'On'
	return (
		<>
			{what} {formatDay(step.at, timeZone)}
			{step.correctedFrom ? ` (corrected from ${formatDay(step.correctedFrom, timeZone)})` : ''}
			{event.recordedAt ? ` · recorded ${formatTime(event.recordedAt, timeZone)}` : ''}
		</>
	)
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

/** What happened, in the past tense: the buttons say what to do ("Record ticket"), the timeline what was done. */
const DONE_TITLES: Record<RequestAction, string> = {
	edit: 'Edited',
	submit_for_review: 'Submitted for review',
	reopen: 'Reopened for editing',
	request_changes: 'Sent back for changes',
	complete_review: 'Review completed',
	record_ticket: 'Atlassian ticket recorded',
	atlassian_requested_info: 'Atlassian asked for information',
	record_reply: 'Reply to Atlassian recorded',
	atlassian_approved: 'Atlassian approved',
	atlassian_declined: 'Atlassian declined',
	atlassian_revoked: 'Atlassian revoked access',
	withdraw: 'Withdrawn',
}

function titleOf(event: TimelineEvent, details: Record<string, unknown>) {
	if (event.kind === 'use_case_decided') {
		const what = labelOfUseCase(String(details.code ?? ''), String(details.description ?? ''))
		return `${details.decision === 'approved' ? 'Approved' : 'Rejected'} use case: ${what}`
	}
	if (event.kind === 'ticket_follow_up') return 'Follow-up recorded'
	if (event.kind === DATE_CORRECTED) {
		const step = STEP_NAMES[details.step as TicketStepKind]
		return step ? `Date corrected: ${step}` : 'Date corrected'
	}
	return DONE_TITLES[event.kind as RequestAction] ?? event.kind
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
					const details = (event.details && typeof event.details === 'object' ? event.details : {}) as Record<
						string,
						unknown
					>
					const changed = event.toState && event.fromState !== event.toState
					return (
						<li key={event.id} className="timeline-item">
							<div className="check-head">
								<strong>{titleOf(event, details)}</strong>
								{changed ? <Badge tone={STATE_TONES[event.toState!]}>{STATE_LABELS[event.toState!]}</Badge> : null}
							</div>
							<p className="check-source">
								<When event={event} timeZone={timeZone} />
								{event.actorName ? ` · ${event.actorName}` : ''}
							</p>
							{event.kind === DATE_CORRECTED && typeof details.from === 'string' && typeof details.to === 'string' ? (
								<p className="check-message" data-testid="date-correction">
									From {formatDay(details.from, timeZone)} to {formatDay(details.to, timeZone)}
								</p>
							) : null}
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
