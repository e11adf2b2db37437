import { renderToString } from 'react-dom/server'
import { createMemoryRouter, RouterProvider } from 'react-router-dom'
import { describe, expect, it } from 'vitest'
import { AppApprovedScope, ApprovalStandingNotice, PersonalDataConflictNotice } from '~/components/review-scope'
import { TicketPanel, type TicketInfo } from '~/components/ticket-panel'
import { TicketTimeline, type TimelineEvent } from '~/components/ticket-timeline'

function render(element: React.ReactElement) {
	const router = createMemoryRouter([{ path: '/', element }])
	// React separates adjacent text with comments; the page reads without them.
	return renderToString(<RouterProvider router={router} />).replaceAll('<!-- -->', '')
}

const ticket: TicketInfo = {
	key: 'DEVHELP-5718',
	url: null,
	openedAt: '2026-03-01T12:00:00.000Z',
	lastActivityAt: '2026-03-07T12:00:00.000Z',
	open: false,
	answeredAt: '2026-03-07T12:00:00.000Z',
	daysWaiting: 6,
	followUp: null,
	steps: [
		{ eventId: 2, kind: 'opened', at: '2026-03-01T12:00:00.000Z', correctedFrom: '2026-03-02T12:00:00.000Z' },
		{ eventId: 5, kind: 'approved', at: '2026-03-07T12:00:00.000Z', correctedFrom: null },
	],
}

describe('ticket dates on the request page (issue 9, finding 5)', () => {
	it('the ticket shows the corrected opening date, and offers to correct only the dates this person may record', () => {
		const props = { ticket, version: 7, actions: [], followUpDays: 10, timeZone: 'UTC', today: '2026-03-08' }
		const vendor = render(<TicketPanel {...props} correctable={['opened', 'info_requested']} />)
		expect(vendor).toContain('Corrected from Mon 2 Mar 2026')
		expect(vendor).toContain('Correct a recorded date')
		expect(vendor).toContain('Ticket opened: Sun 1 Mar 2026')
		expect(vendor).not.toContain('Atlassian approved: Sat 7 Mar 2026')
		const reviewer = render(<TicketPanel {...props} correctable={['approved', 'info_requested']} />)
		expect(reviewer).toContain('Atlassian approved: Sat 7 Mar 2026')
		expect(render(<TicketPanel {...props} />)).not.toContain('Correct a recorded date')
		// Closed: the wait is said as what it was, answered or not (a request withdrawn before Atlassian answered).
		expect(render(<TicketPanel {...props} />)).toContain('Answered after</dt>')
		expect(render(<TicketPanel {...props} ticket={{ ...ticket, answeredAt: null }} />)).toContain('Waited</dt>')
	})

	it('while Atlassian has not answered, says who records the answer to someone who cannot', () => {
		const waiting = { ...ticket, open: true, answeredAt: null, steps: ticket.steps.slice(0, 1) }
		const props = { ticket: waiting, version: 7, followUpDays: 10, timeZone: 'UTC', today: '2026-03-08' }
		const who = 'a compliance reviewer of your organisation records it on this page'
		expect(render(<TicketPanel {...props} actions={['atlassian_requested_info']} />)).toContain(who)
		expect(render(<TicketPanel {...props} actions={['atlassian_approved', 'atlassian_declined']} />)).not.toContain(who)
	})

	it('the timeline shows the date in force, the date first recorded, and the correction with its reason', () => {
		const events: TimelineEvent[] = [
			{
				id: 5,
				kind: 'atlassian_approved',
				fromState: 'submitted',
				toState: 'approved',
				occurredAt: '2026-03-09T12:00:00.000Z',
				recordedAt: '2026-03-09T15:30:00.000Z',
				details: { scopes: 'Jira' },
				actorName: 'Rita Reviewer',
				step: { kind: 'approved', at: '2026-03-07T12:00:00.000Z', correctedFrom: '2026-03-09T12:00:00.000Z' },
			},
			{
				id: 6,
				kind: 'date_corrected',
				fromState: 'approved',
				toState: 'approved',
				occurredAt: '2026-03-10T08:00:00.000Z',
				details: {
					eventId: 5,
					step: 'approved',
					from: '2026-03-09T12:00:00.000Z',
					to: '2026-03-07T12:00:00.000Z',
					reason: 'Email dated the 7th',
				},
				actorName: 'Rita Reviewer',
			},
		]
		const html = render(<TicketTimeline events={events} timeZone="UTC" />)
		expect(html).toContain('On Sat 7 Mar 2026 (corrected from Mon 9 Mar 2026)')
		expect(html).toContain('Date corrected: Atlassian approved')
		expect(html).toContain('From Mon 9 Mar 2026 to Sat 7 Mar 2026')
		expect(html).toContain('Reason: Email dated the 7th')
	})
})

describe('the timeline says what was done (issue 17, point 3)', () => {
	it('titles each step in the past tense, not with the button’s words', () => {
		const step = (id: number, kind: string, occurredAt: string): TimelineEvent => ({
			id,
			kind,
			fromState: null,
			toState: null,
			occurredAt,
			details: {},
			actorName: 'Victor Vendor',
		})
		const html = render(
			<TicketTimeline
				events={[
					step(1, 'submit_for_review', '2026-03-01T12:00:00.000Z'),
					step(2, 'complete_review', '2026-03-02T12:00:00.000Z'),
					step(3, 'record_ticket', '2026-03-03T12:00:00.000Z'),
					step(4, 'withdraw', '2026-03-04T12:00:00.000Z'),
				]}
				timeZone="UTC"
			/>,
		)
		const titles = ['Submitted for review', 'Review completed', 'Atlassian ticket recorded', 'Withdrawn']
		for (const title of titles) expect(html).toContain(title)
		expect(titles.map((title) => html.indexOf(title))).toEqual(
			titles.map((title) => html.indexOf(title)).sort((a, b) => a - b),
		)
		for (const button of ['Submit for review', 'Complete review', 'Record ticket']) expect(html).not.toContain(button)
	})
})

describe('the app’s access (issue 9, finding 7; approval drives the app)', () => {
	it('a revoked app says so and shows no scope', () => {
		const html = render(
			<AppApprovedScope
				orgSlug="acme"
				scope={null}
				revocation={{ requestId: 'r1', revokedAt: '2026-03-08T12:00:00.000Z' }}
				canAmend
				timeZone="UTC"
			/>,
		)
		expect(html).toContain('Access revoked on Sun 8 Mar 2026')
		expect(html).toContain('no approved scope until a new request is approved')
		expect(html).not.toContain('Start an amendment')
	})

	it('an approved request that a revocation ended, and a contradiction about personal data', () => {
		const standing = render(
			<ApprovalStandingNotice
				orgSlug="acme"
				standing={{ standing: 'revoked', byRequestId: 'r2', at: '2026-03-08T12:00:00.000Z' as unknown as Date }}
				timeZone="UTC"
			/>,
		)
		expect(standing).toContain('Atlassian revoked this app’s access on Sun 8 Mar 2026')
		expect(render(<ApprovalStandingNotice orgSlug="acme" standing={{ standing: 'in_force' }} timeZone="UTC" />)).toBe(
			'',
		)
		expect(
			render(<PersonalDataConflictNotice message="The app record says it stores no personal data, but …" />),
		).toContain('The app and its approved request disagree about personal data.')
	})
})
