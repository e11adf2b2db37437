import { z } from 'zod'
import { DAY_MS, isBeforeEarliestYear, isCalendarDay, TOO_EARLY_MESSAGE } from '~/domain/calendar-day'
import { keyText, multilineText, optionalHttpUrl, wholeNumber } from './text'

/**
 * Every lifecycle form on the request page. Each carries the version the
 * page was rendered from (hidden input), checked by the service
 * (docs/architecture.md › Transactions and concurrency: optimistic locking).
 */
const version = z.coerce.number().int().positive()
const note = (max: number, message?: string) =>
	multilineText()
		.max(max, `Use at most ${max.toLocaleString('en')} characters.`)
		.refine((value) => !message || value.length > 0, message ?? '')

// The one URL check (domain/urls.ts), as on the app and request forms.
const optionalUrl = optionalHttpUrl(2000, 'Enter a link starting with http:// or https://, or leave it empty.')

/** A calendar date from `<input type="date">`, not in the future. */
const pastDate = (label: string) =>
	z
		.string()
		.trim()
		.refine((value) => !isBeforeEarliestYear(value), TOO_EARLY_MESSAGE)
		.refine(isCalendarDay, `Enter the ${label} as a real date, like 2026-03-31.`)
		.refine((value) => Date.parse(`${value}T00:00:00Z`) <= Date.now() + DAY_MS, `The ${label} cannot be in the future.`)

export const DecideUseCaseSchema = z
	.object({
		intent: z.literal('decide'),
		version,
		useCaseId: z.uuid('Reload the request: that use case is unknown.'),
		decision: z.enum(['approve', 'reject'], 'Choose approve or reject.'),
		reason: note(1000),
	})
	.refine((value) => value.decision === 'approve' || value.reason.length > 0, {
		path: ['reason'],
		message: 'Give a reason so the vendor knows what to change.',
	})

export const RequestChangesSchema = z.object({
	intent: z.literal('request_changes'),
	version,
	comment: note(2000, 'Say what the vendor needs to change: a comment is required.'),
})

export const RecordTicketSchema = z.object({
	intent: z.literal('record_ticket'),
	version,
	// Shape only here; parseTicketKey (domain) gives the precise message.
	ticketKey: keyText()
		.min(1, 'Enter the ticket key, for example DEVHELP-5718.')
		.max(200, 'That is too long for a ticket key.'),
	ticketUrl: optionalUrl,
	openedOn: pastDate('date the ticket was opened'),
})

// Each of Atlassian's answers carries the day it came (defaults to today in
// the form). The service checks it against the ticket's other dates in the
// organisation's time zone (docs/rules.md › Tickets).

export const InfoRequestedSchema = z.object({
	intent: z.literal('atlassian_requested_info'),
	version,
	question: note(4000, 'Write down what Atlassian asked.'),
	askedOn: pastDate('date Atlassian asked').optional(),
})

export const RecordReplySchema = z.object({
	intent: z.literal('record_reply'),
	version,
	reply: note(4000, 'Write down what you answered.'),
})

export const ApprovedSchema = z.object({
	intent: z.literal('atlassian_approved'),
	version,
	approvedOn: pastDate('approval date'),
	scopes: note(1000, 'List the products and scopes Atlassian approved, for example “Jira: read:email-address:jira”.'),
})

export const DeclinedSchema = z.object({
	intent: z.literal('atlassian_declined'),
	version,
	reason: note(2000, 'Write down the reason Atlassian gave.'),
	declinedOn: pastDate('date Atlassian declined').optional(),
})

export const RevokedSchema = z.object({
	intent: z.literal('atlassian_revoked'),
	version,
	reason: note(2000, 'Write down the reason Atlassian gave.'),
	revokedOn: pastDate('date Atlassian revoked access').optional(),
})

/** A recorded ticket date was wrong: the correction is an event of its own, with the reason. */
export const CorrectDateSchema = z.object({
	intent: z.literal('correct_date'),
	version,
	eventId: wholeNumber(
		z.number('Choose the date to correct.').int('Choose the date to correct.').positive('Choose the date to correct.'),
	),
	correctedOn: pastDate('corrected date'),
	reason: note(1000, 'Say why the date is corrected, for example “typed the wrong month”.'),
})

export const TicketNoteSchema = z.object({
	intent: z.literal('ticket_note'),
	version,
	note: note(2000, 'Say what you asked or what Atlassian said.'),
})

const simple = <T extends string>(intent: T) => z.object({ intent: z.literal(intent), version })

export const RequestActionSchema = z.discriminatedUnion('intent', [
	DecideUseCaseSchema,
	RequestChangesSchema,
	RecordTicketSchema,
	InfoRequestedSchema,
	RecordReplySchema,
	ApprovedSchema,
	DeclinedSchema,
	RevokedSchema,
	TicketNoteSchema,
	CorrectDateSchema,
	simple('submit_for_review'),
	simple('complete_review'),
	simple('reopen'),
	z.object({ intent: z.literal('withdraw'), version, comment: note(2000).optional() }),
	z.object({ intent: z.literal('amend') }),
])

export type RequestActionInput = z.infer<typeof RequestActionSchema>
