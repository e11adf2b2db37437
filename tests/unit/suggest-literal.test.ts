import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { requiredLiteral, SUGGESTION_RULES } from '~/domain/suggest'

/** The suggestion rules skip a keyword whose literal the text lacks: that must never hide a match. */
describe('requiredLiteral', () => {
	it('is the letters a pattern must match first, or nothing when it cannot say', () => {
		expect(requiredLiteral(/\bnews-?letters?\b/i)).toBe('news')
		expect(requiredLiteral(/\bMarketing\b/i)).toBe('marketing')
		expect(requiredLiteral(/\bproduct (?:announcements?|news)\b/i)).toBe('product ')
		expect(requiredLiteral(/\bcampaigns?\b/i)).toBe('campaign')
		expect(requiredLiteral(/\be-?mail\b/i)).toBe('e')
		expect(requiredLiteral(/\bab{2}c/i)).toBe('a')
		expect(requiredLiteral(/\b(?:sso|single sign-?on)\b/i)).toBe('')
		expect(requiredLiteral(/\brenewals?\b|\bexpiry\b/i)).toBe('')
		expect(requiredLiteral(/\bkelvin\b/iu)).toBe('')
	})

	it('every keyword of the rules: a text the pattern matches holds the literal (lower-cased)', () => {
		const words = SUGGESTION_RULES.flatMap((rule) => rule.keywords.map((keyword) => keyword.name))
		const text = fc
			.array(fc.oneof(fc.constantFrom(...words), fc.string(), fc.constantFrom('-', ' ', 'S', 'İ', 'K', 'ſ', '\n')), {
				maxLength: 12,
			})
			.chain((parts) => fc.constantFrom(parts.join(' '), parts.join(''), parts.join(' ').toUpperCase()))
		fc.assert(
			fc.property(text, (value) => {
				for (const rule of SUGGESTION_RULES) {
					for (const { pattern } of rule.keywords) {
						if (pattern.test(value)) expect(value.toLowerCase()).toContain(requiredLiteral(pattern))
					}
				}
			}),
			{ numRuns: 2000 },
		)
		// Most keywords have one, or skipping would gain nothing.
		const literals = SUGGESTION_RULES.flatMap((rule) =>
			rule.keywords.map((keyword) => requiredLiteral(keyword.pattern)),
		)
		expect(literals.filter((literal) => literal.length >= 3).length).toBeGreaterThan(literals.length / 2)
	})
})
