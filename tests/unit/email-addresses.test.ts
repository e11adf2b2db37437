import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
	containsEmailAddress,
	findEmailAddresses,
	foreignEmailAddresses,
	isOwnDomain,
	maskEmailAddresses,
	ownDomainNote,
	ownDomainsOf,
} from '~/domain/email-addresses'
import { growth, LINEAR_TEN_TIMES } from '../fixtures/growth'

/** The pattern the checklist used before the scanner: quadratic on a long run of letters. */
const OLD_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/

describe('findEmailAddresses', () => {
	it.each([
		['jane.doe@customer.example', ['customer.example']],
		['Mail Bob.Smith+jira@Client.Example.ORG now.', ['client.example.org']],
		['two: a@b.co and c_d%e@f-g.io.', ['b.co', 'f-g.io']],
		['end of a sentence: privacy@vendor.com.', ['vendor.com']],
		['(x@y.de)', ['y.de']],
		['foo@2x.png', ['2x.png']],
	])('%s', (text, domains) => {
		expect(findEmailAddresses(text).map((found) => found.domain)).toEqual(domains)
	})

	it.each([
		'email us',
		'@mention a teammate',
		'lodash@4.17.21',
		'user@localhost',
		'name@ example.com',
		'a@b.c',
		'a@.com',
		'ari:cloud:ecosystem::app/1b2c-3d4e',
		'@@@@',
		'',
	])('finds none in %j', (text) => {
		expect(findEmailAddresses(text)).toEqual([])
		expect(containsEmailAddress(text)).toBe(false)
	})

	it('agrees with the pattern it replaced on whether a text holds an address', () => {
		const unit = fc.constantFrom('a', 'Z', '7', '.', '-', '_', '+', '%', '@', ' ', 'co', 'de', '\n')
		fc.assert(
			fc.property(fc.string({ unit, maxLength: 40 }), (text) => {
				expect(containsEmailAddress(text)).toBe(OLD_PATTERN.test(text))
			}),
			{ numRuns: 2000 },
		)
	})

	it('reads each @ once with a bounded window: ten times the hostile text costs at most about ten times the work', () => {
		const hostile: ((n: number) => string)[] = [
			(n) => 'a'.repeat(n) + '@',
			(n) => 'a@'.repeat(n / 2),
			(n) => `x@${'a.'.repeat(n / 2)}`,
			(n) => '.'.repeat(n),
			(n) => '@'.repeat(n),
		]
		for (const text of hostile) {
			const run = (n: number) => {
				findEmailAddresses(text(n), Number.POSITIVE_INFINITY)
				maskEmailAddresses(text(n))
			}
			expect(growth(run, 100_000, 1_000_000), text(8)).toBeLessThan(LINEAR_TEN_TIMES)
		}
	})
})

describe('maskEmailAddresses', () => {
	it('replaces each address and keeps the rest', () => {
		expect(maskEmailAddresses('cc jane@gmail.com and bob@corp.example.')).toBe(
			'cc [email address] and [email address].',
		)
		expect(maskEmailAddresses('a@b.com@c.com')).not.toContain('@')
		expect(maskEmailAddresses('no address')).toBe('no address')
	})
})

describe('the vendor’s own domain', () => {
	it('comes from the policy, terms and listing hosts, without www. and never Atlassian’s', () => {
		expect(
			ownDomainsOf([
				'https://www.vendor.com/privacy',
				'https://legal.vendor.com/terms',
				'https://marketplace.atlassian.com/apps/1',
				'https://vendor.atlassian.net/wiki',
				'not a url',
				'mailto:privacy@vendor.com',
				undefined,
			]),
		).toEqual(['vendor.com', 'legal.vendor.com'])
	})

	it.each([
		['vendor.com', ['vendor.com'], true],
		['mail.vendor.com', ['vendor.com'], true],
		['vendor.com', ['legal.vendor.com'], true],
		['notvendor.com', ['vendor.com'], false],
		['vendor.com.evil.io', ['vendor.com'], false],
		['gmail.com', ['vendor.com'], false],
		['github.io', ['vendor.github.io'], false],
		['atlassian.net', ['vendor.atlassian.net'], false],
		['com', ['vendor.com'], false],
		['vendor.com', [], false],
	] as const)('%s with own %j → %s', (domain, own, expected) => {
		expect(isOwnDomain(domain, own)).toBe(expected)
	})

	it('foreign addresses are the ones not at the vendor’s domain', () => {
		const own = ownDomainsOf(['https://www.vendor.com/privacy'])
		expect(
			foreignEmailAddresses('privacy@vendor.com, dpo@eu.vendor.com, jane@gmail.com', own).map((a) => a.domain),
		).toEqual(['gmail.com'])
	})

	it('the note names the domain, or says how to make one count', () => {
		expect(ownDomainNote(['vendor.com'])).toBe('Addresses at your own domain vendor.com are fine.')
		expect(ownDomainNote(['a.com', 'b.com'])).toBe('Addresses at your own domain a.com or b.com are fine.')
		expect(ownDomainNote([])).toContain('once your privacy policy or terms-of-use URL is on that domain')
	})
})
