import { describe, expect, it } from 'vitest'
import { APP_TYPES, PRODUCTS, USE_CASE_CODES } from '~/domain/catalogue'
import { CYCLE_SOURCES, PERSONAL_DATA_ANSWERS } from '~/domain/reporting-cycle'
import { REQUEST_STATES } from '~/domain/request-lifecycle'
import { pageText, renderDemoPages, type DemoPage } from './demo-pages'

// Issue 17, point 3 ("words for people, not code"): every page of the seeded
// demo, as each of its three people sees it, is read as text and searched for
// what only a developer would recognise.

/** Code samples (how to check a webhook's signature) are code on purpose. */
const withoutSamples = (html: string) => html.replace(/<pre[\s\S]*?<\/pre>/g, ' ')
/** Text outside code marks: a file format (`accountId,updatedAt`) may name its columns there. */
const withoutCode = (html: string) =>
	withoutSamples(html).replace(/<(code|kbd)[^>]*>[\s\S]*?<\/\1>|<span class="mono">[^<]*<\/span>/g, ' ')

const words = (list: readonly string[]) => list.filter((code) => code.includes('_'))
/** Codes with an underscore never read as English, wherever they stand. */
const UNDERSCORE_CODES = [
	...words(USE_CASE_CODES),
	...words(CYCLE_SOURCES),
	...words(REQUEST_STATES),
	...words(APP_TYPES),
	// The checklist's item ids.
	...['app_identity', 'app_type', 'privacy_policy', 'terms_of_use', 'personal_data', 'policy_language', 'use_cases'],
	'connect_end_of_support',
]
/** Codes that are also English words: wrong when they are the whole text of a cell, a value or a badge. */
const BARE_VALUES = [...APP_TYPES, ...PRODUCTS, ...PERSONAL_DATA_ANSWERS]
const BARE = new RegExp(`>\\s*(?:${BARE_VALUES.join('|')})(?:\\s*,\\s*(?:${BARE_VALUES.join('|')}))*\\s*<`, 'g')
/** `request.atlassian_approved`, `org.settings_changed`: an audit action's code. */
const ACTION_CODE = /\b[a-z]+(?:_[a-z]+)*\.[a-z]+_[a-z_]+\b/g
/** `updatedAt`, `storesPersonalData`: a field's name in the code. */
const FIELD_NAME = /\b[a-z]+[A-Z][A-Za-z]*\b/g
const FILE_NAME = /\b[\w-]+\.(?:md|tsx?)\b|docs\/rules/g
const PLURAL_SLIP =
	/(?<![\d.,])1 (?:days|weeks|hours|minutes|accounts|apps|requests|checks|warnings|use cases|batches|members|reminders|tasks|runs)\b|\b\d+ days cycle\b/g
const STATE_TEMPLATE = /\bis (?:draft|changes requested|submitted to atlassian|in_review)\b/gi

function findings(pages: DemoPage[], look: (html: string) => string[]): string[] {
	return pages.flatMap((page) => [...new Set(look(page.html))].map((hit) => `${page.path} (${page.who}): ${hit}`))
}

const all = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((match) => match[0])

describe('the demo in words for people (issue 17, point 3)', () => {
	it('no page of the demo shows an internal file name or a raw code', async () => {
		const pages = await renderDemoPages()
		// Every area of the app was rendered: the check is not vacuous.
		expect(pages.length).toBeGreaterThan(60)
		for (const path of ['/o/demo/audit', '/o/demo/review', '/o/demo/requests', '/o/demo/calendar']) {
			expect(pages.some((page) => page.path === path)).toBe(true)
		}
		expect(pages.filter((page) => /\/requests\/[0-9a-f-]{36}$/.test(page.path)).length).toBeGreaterThanOrEqual(9)

		expect(findings(pages, (html) => all(pageText(html), FILE_NAME))).toEqual([])
		expect(
			findings(pages, (html) => {
				const text = pageText(withoutSamples(html))
				return UNDERSCORE_CODES.filter((code) => new RegExp(`\\b${code}\\b`).test(text))
			}),
		).toEqual([])
		expect(findings(pages, (html) => all(withoutSamples(html), BARE))).toEqual([])
		expect(findings(pages, (html) => all(pageText(withoutSamples(html)), ACTION_CODE))).toEqual([])
		expect(findings(pages, (html) => all(pageText(withoutCode(html)), FIELD_NAME))).toEqual([])
	}, 180_000)

	it('plurals agree with their number and no sentence is a template over a state code', async () => {
		const pages = await renderDemoPages()
		expect(findings(pages, (html) => all(pageText(html), PLURAL_SLIP))).toEqual([])
		expect(findings(pages, (html) => all(pageText(html), STATE_TEMPLATE))).toEqual([])
	}, 180_000)
})
