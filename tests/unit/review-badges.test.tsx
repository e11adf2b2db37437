import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { DecisionBadge, SuggestionNote } from '~/components/review-panel'

const text = (html: string) => html.replace(/<[^>]+>/g, '')

// Issue 17, point 3: the review queue showed "On Atlassian’s approved list" beside "Pre-approved (Atlassian’s list)".
describe('a use case’s decision badge', () => {
	it('says what Atlassian’s list means for the reviewer, not the outcome badge’s words again', () => {
		const badge = text(
			renderToStaticMarkup(<DecisionBadge useCase={{ decision: null, engineOutcome: 'auto_approvable' }} />),
		)
		expect(badge).toBe('No decision needed')
		expect(badge).not.toMatch(/Atlassian/)
	})

	it('says the reviewer’s decision once there is one, and asks for one otherwise', () => {
		const badge = (useCase: Parameters<typeof DecisionBadge>[0]['useCase']) =>
			text(renderToStaticMarkup(<DecisionBadge useCase={useCase} />))
		expect(badge({ decision: 'rejected', engineOutcome: 'auto_approvable' })).toBe('Rejected by reviewer')
		expect(badge({ decision: 'approved', engineOutcome: 'needs_review' })).toBe('Approved by reviewer')
		expect(badge({ decision: null, engineOutcome: 'needs_review' })).toBe('Not decided yet')
	})
})

// Issue 17, point 3: a custom use case's suggestion showed its catalogue code, "(`send_error_reports`)".
describe('the suggestion for a custom use case', () => {
	it('names the closest entry in words, without its code', () => {
		const note = text(renderToStaticMarkup(<SuggestionNote code="send_security_alerts" />))
		expect(note).toMatch(/^Closest entry on Atlassian’s list: .+\. A suggestion only: you decide\.$/)
		expect(note).not.toContain('send_security_alerts')
		expect(note).not.toMatch(/engine/i)
	})
})
