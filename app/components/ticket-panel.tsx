import { Form, useNavigation } from '@remix-run/react'
import { type ReactNode } from 'react'
import { type RequestAction } from '~/domain/request-lifecycle'
import { STEP_NAMES, type TicketStepKind } from '~/domain/tickets'
import { formatLocalDate } from '~/domain/zoned-time'
import { type ActionFeedback } from './review-panel'
import { FieldError, FormAlert } from './ui/form'
import { Badge } from './ui/status'

export type TicketInfo = {
	key: string
	url: string | null
	openedAt: string | Date
	lastActivityAt: string | Date
	open: boolean
	/** When Atlassian answered (approval or decline, as dated); null while open or when it never answered. */
	answeredAt: string | Date | null
	daysWaiting: number
	followUp: { due: boolean; daysQuiet: number; daysUntilDue: number } | null
	/** The opening date and Atlassian's answers, each with the date in force. */
	steps: TicketStepInfo[]
}

export type TicketStepInfo = {
	eventId: number
	kind: TicketStepKind
	at: string | Date
	correctedFrom: string | Date | null
}

function feedbackFor(feedback: ActionFeedback | undefined, intent: string) {
	return feedback?.intent === intent ? feedback : undefined
}

function Field({
	id,
	label,
	name,
	feedback,
	multiline,
	type = 'text',
	defaultValue,
	hint,
}: {
	id: string
	label: string
	name: string
	feedback?: ActionFeedback
	multiline?: boolean
	type?: string
	defaultValue?: string
	hint?: ReactNode
}) {
	const error = feedback?.errors?.[name]
	const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined
	const common = { id, name, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, defaultValue }
	return (
		<div className="field">
			<label htmlFor={id}>{label}</label>
			{hint ? (
				<span className="hint" id={`${id}-hint`}>
					{hint}
				</span>
			) : null}
			{multiline ? (
				<textarea className="textarea" rows={3} {...common} />
			) : (
				<input className="input" type={type} {...common} />
			)}
			<FieldError name={id} message={error} />
		</div>
	)
}

function ActionForm({
	intent,
	version,
	title,
	submit,
	feedback,
	danger,
	confirmText,
	children,
}: {
	intent: RequestAction | 'ticket_note' | 'correct_date'
	version: number
	title: string
	submit: string
	feedback?: ActionFeedback
	danger?: boolean
	/** Asked before an outcome that cannot be undone (only its dates can be corrected) is recorded. */
	confirmText?: string
	children: ReactNode
}) {
	const navigation = useNavigation()
	const mine = feedbackFor(feedback, intent)
	return (
		<Form
			method="post"
			className="form ticket-form"
			aria-label={title}
			onSubmit={(event) => {
				if (confirmText && !confirm(confirmText)) event.preventDefault()
			}}
		>
			<h3>{title}</h3>
			<input type="hidden" name="intent" value={intent} />
			<input type="hidden" name="version" value={version} />
			<FormAlert message={mine && !mine.errors ? mine.formError : null} />
			{children}
			<div>
				<button
					type="submit"
					className={`button ${danger ? 'button-danger' : 'button-secondary'}`}
					disabled={navigation.state !== 'idle'}
				>
					{submit}
				</button>
			</div>
		</Form>
	)
}

function formatDay(value: string | Date, timeZone: string) {
	return formatLocalDate(new Date(value), timeZone)
}

/**
 * The Atlassian ticket (docs/rules.md › Tickets): recording it, how long it has
 * waited, a follow-up prompt after the org's quiet period, and Atlassian's
 * answers as they come.
 */
export function TicketPanel({
	ticket,
	version,
	actions,
	followUpDays,
	timeZone,
	feedback,
	correctable = [],
	today,
}: {
	ticket: TicketInfo | null
	version: number
	actions: RequestAction[]
	followUpDays: number
	timeZone: string
	/**
	 * Today in the organisation's time zone (YYYY-MM-DD), a date field's
	 * default: from the loader, so the server's render and the browser's
	 * hydration read the same day (never the clock during render).
	 */
	today: string
	feedback?: ActionFeedback
	/** The steps whose dates this person may correct (those they may record). */
	correctable?: TicketStepKind[]
}) {
	const has = (action: RequestAction) => actions.includes(action)
	const f = (intent: string) => feedbackFor(feedback, intent)
	const open = ticket?.followUp !== null && ticket?.followUp !== undefined
	const opened = ticket?.steps.find((step) => step.kind === 'opened')
	const canCorrect = (ticket?.steps ?? []).filter((step) => correctable.includes(step.kind))
	if (!ticket && !has('record_ticket')) return null
	return (
		<section className="card stack-sm" aria-labelledby="ticket-heading">
			<h2 id="ticket-heading">Atlassian ticket</h2>
			{ticket ? (
				<>
					<dl className="dl" data-testid="ticket-summary">
						<dt>Ticket</dt>
						<dd>
							{ticket.url ? (
								<a href={ticket.url} target="_blank" rel="noreferrer">
									{ticket.key}
								</a>
							) : (
								<span className="mono">{ticket.key}</span>
							)}
						</dd>
						<dt>Opened</dt>
						<dd>
							{formatDay(ticket.openedAt, timeZone)}
							{opened?.correctedFrom ? (
								<span className="sub">
									Corrected from {formatDay(opened.correctedFrom, timeZone)}: see the timeline.
								</span>
							) : null}
						</dd>
						<dt>{ticket.open ? 'Days waiting' : ticket.answeredAt ? 'Answered after' : 'Waited'}</dt>
						<dd data-testid="days-waiting">
							{ticket.daysWaiting} day{ticket.daysWaiting === 1 ? '' : 's'}
						</dd>
						<dt>Last activity</dt>
						<dd>{formatDay(ticket.lastActivityAt, timeZone)}</dd>
					</dl>
					{ticket.followUp?.due ? (
						<div className="alert alert-warn" role="status" data-testid="follow-up">
							<strong>Time to follow up.</strong>
							No activity on {ticket.key} for {ticket.followUp.daysQuiet} days (your organisation prompts after{' '}
							{followUpDays}). Atlassian publishes no turnaround time: add a comment to the ticket asking for a status,
							then record it below.
						</div>
					) : open ? (
						<p className="card-muted">
							Atlassian publishes no turnaround time. Clearance prompts a follow-up after {followUpDays} quiet days (
							{ticket.followUp!.daysUntilDue} to go).
						</p>
					) : null}
					{ticket.open && !has('atlassian_approved') && !has('atlassian_declined') ? (
						<p className="card-muted">
							When Atlassian approves or declines, a compliance reviewer of your organisation records it on this page.
						</p>
					) : null}
				</>
			) : null}
			{has('record_ticket') ? (
				<ActionForm
					intent="record_ticket"
					version={version}
					title="Record the ticket"
					submit="Record ticket"
					feedback={feedback}
				>
					<p className="card-muted">
						Send the request text through Atlassian’s developer support portal, then record the ticket it became.
					</p>
					<Field
						id="ticketKey"
						name="ticketKey"
						label="Ticket key"
						hint="For example DEVHELP-5718. A pasted ticket link works too."
						feedback={f('record_ticket')}
					/>
					<Field
						id="ticketUrl"
						name="ticketUrl"
						label="Ticket link (optional)"
						type="url"
						feedback={f('record_ticket')}
					/>
					<Field
						id="openedOn"
						name="openedOn"
						label="Opened on"
						type="date"
						defaultValue={today}
						feedback={f('record_ticket')}
					/>
				</ActionForm>
			) : null}
			{has('record_reply') ? (
				<ActionForm
					intent="record_reply"
					version={version}
					title="Record your reply"
					submit="Record reply"
					feedback={feedback}
				>
					<Field id="reply" name="reply" label="What you answered" multiline feedback={f('record_reply')} />
				</ActionForm>
			) : null}
			{has('atlassian_requested_info') ? (
				<ActionForm
					intent="atlassian_requested_info"
					version={version}
					title="Record Atlassian’s request for information"
					submit="Record question"
					feedback={feedback}
				>
					<Field
						id="question"
						name="question"
						label="What Atlassian asked"
						multiline
						feedback={f('atlassian_requested_info')}
					/>
					<Field
						id="askedOn"
						name="askedOn"
						label="Asked on"
						type="date"
						defaultValue={today}
						feedback={f('atlassian_requested_info')}
					/>
				</ActionForm>
			) : null}
			{open && (has('atlassian_requested_info') || has('record_reply')) ? (
				<ActionForm
					intent="ticket_note"
					version={version}
					title="Record a follow-up"
					submit="Record follow-up"
					feedback={feedback}
				>
					<Field
						id="note"
						name="note"
						label="What you asked or what Atlassian said"
						multiline
						feedback={f('ticket_note')}
					/>
				</ActionForm>
			) : null}
			{has('atlassian_approved') ? (
				<ActionForm
					intent="atlassian_approved"
					version={version}
					title="Record Atlassian’s approval"
					submit="Record approval"
					feedback={feedback}
				>
					<Field
						id="approvedOn"
						name="approvedOn"
						label="Approved on"
						type="date"
						hint="Not before the ticket was opened, nor in the future."
						defaultValue={today}
						feedback={f('atlassian_approved')}
					/>
					<Field
						id="scopes"
						name="scopes"
						label="Products and scopes approved"
						hint="For example: Jira, read:email-address:jira"
						feedback={f('atlassian_approved')}
					/>
				</ActionForm>
			) : null}
			{has('atlassian_declined') ? (
				<ActionForm
					intent="atlassian_declined"
					version={version}
					title="Record Atlassian’s decline"
					submit="Record decline"
					danger
					confirmText="Record that Atlassian declined this request? It closes the request; only the date can be corrected later."
					feedback={feedback}
				>
					<Field
						id="declineReason"
						name="reason"
						label="Reason Atlassian gave"
						multiline
						feedback={f('atlassian_declined')}
					/>
					<Field
						id="declinedOn"
						name="declinedOn"
						label="Declined on"
						type="date"
						defaultValue={today}
						feedback={f('atlassian_declined')}
					/>
				</ActionForm>
			) : null}
			{has('atlassian_revoked') ? (
				<ActionForm
					intent="atlassian_revoked"
					version={version}
					title="Record a revocation of access by Atlassian"
					submit="Record revocation"
					danger
					confirmText="Record that Atlassian revoked this app’s access? It closes the request; only the date can be corrected later."
					feedback={feedback}
				>
					<Field
						id="revokeReason"
						name="reason"
						label="Reason Atlassian gave"
						multiline
						feedback={f('atlassian_revoked')}
					/>
					<Field
						id="revokedOn"
						name="revokedOn"
						label="Revoked on"
						type="date"
						defaultValue={today}
						feedback={f('atlassian_revoked')}
					/>
				</ActionForm>
			) : null}
			{canCorrect.length > 0 ? (
				<CorrectDateForm steps={canCorrect} version={version} timeZone={timeZone} feedback={f('correct_date')} />
			) : null}
			{!ticket ? null : (
				<p className="card-muted">
					<Badge tone="info">Tip</Badge> Every status you record here is dated and kept in the timeline and the audit
					log.
				</p>
			)}
		</section>
	)
}

/**
 * A recorded date was wrong. The correction does not overwrite it: it is
 * recorded in the timeline with who, why and both dates (docs/rules.md › Tickets).
 */
function CorrectDateForm({
	steps,
	version,
	timeZone,
	feedback,
}: {
	steps: TicketStepInfo[]
	version: number
	timeZone: string
	feedback?: ActionFeedback
}) {
	const error = feedback?.errors?.eventId
	return (
		<details className="ticket-correction" open={Boolean(feedback?.formError)}>
			<summary>Correct a recorded date</summary>
			<ActionForm
				intent="correct_date"
				version={version}
				title="Correct a date"
				submit="Record correction"
				feedback={feedback}
			>
				<p className="card-muted">
					The date on record stays in the timeline; the correction is added with your name and reason, and the corrected
					date counts from then on.
				</p>
				<div className="field">
					<label htmlFor="correct-eventId">Which date</label>
					<select
						id="correct-eventId"
						name="eventId"
						className="input"
						aria-invalid={error ? true : undefined}
						aria-describedby={error ? 'correct-eventId-error' : undefined}
					>
						{steps.map((step) => (
							<option key={step.eventId} value={step.eventId}>
								{STEP_NAMES[step.kind]}: {formatDay(step.at, timeZone)}
							</option>
						))}
					</select>
					<FieldError name="correct-eventId" message={error} />
				</div>
				<Field id="correctedOn" name="correctedOn" label="Correct date" type="date" feedback={feedback} />
				<Field
					id="correctionReason"
					name="reason"
					label="Why it is corrected"
					hint="For example: typed the wrong month; Atlassian’s email is dated 12 March."
					multiline
					feedback={feedback}
				/>
			</ActionForm>
		</details>
	)
}
