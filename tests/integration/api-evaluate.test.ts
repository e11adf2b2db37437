import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { REQUIRED_CHECK_IDS, type ChecklistResult } from '~/domain/checklist'
import { type ChecklistInput } from '~/domain/checklist-input'
import { action, loader } from '~/routes/api.v1.checklist.evaluate'
import { cpuMsAsync } from '../fixtures/growth'
import { makeRequest, runRoute, type RouteOutcome } from '../fixtures/world'

const URL = 'http://localhost/api/v1/checklist/evaluate'
const LIMIT = 64 * 1024

/** A request that passes every check (the listing URL stands in for both documents). */
const complete: ChecklistInput = {
	companyName: 'Acme Apps GmbH',
	appName: 'Acme Alerts',
	appKey: 'com.acme.alerts',
	appType: 'forge',
	products: ['jira'],
	marketplaceListingUrl: 'https://marketplace.atlassian.com/apps/1234/acme-alerts',
	storesPersonalData: false,
	useCases: [{ code: 'send_security_alerts' }],
	functionalityDescription:
		'When the app detects a suspicious login to a Jira site, it emails the affected user. Site admins receive a weekly summary of the alerts.',
	privacyPolicyExcerpt:
		'We use your email address only to send the security alerts you asked for, and delete it after 30 days.',
}

type ErrorBody = { error: string; issues?: { path: string; message: string }[] }

function post(body: BodyInit | null, headers: HeadersInit = { 'Content-Type': 'application/json' }): Request {
	// `duplex` is required by Node for stream bodies and missing from the DOM types.
	return new Request(URL, { method: 'POST', headers, body, duplex: 'half' } as RequestInit)
}

async function evaluate(body: unknown): Promise<RouteOutcome & { data: ChecklistResult }> {
	const outcome = await runRoute(action, post(JSON.stringify(body)))
	expect(outcome.status, JSON.stringify(outcome.data)).toBe(200)
	return outcome as RouteOutcome & { data: ChecklistResult }
}

async function rejected(request: Request, status: number): Promise<ErrorBody> {
	const outcome = await runRoute(action, request)
	expect(outcome.status, JSON.stringify(outcome.data)).toBe(status)
	expect(outcome.headers.get('Cache-Control')).toBe('no-store')
	const data = outcome.data as ErrorBody
	expect(typeof data.error).toBe('string')
	return data
}

const check = (result: ChecklistResult, id: string) => result.checks.find((c) => c.id === id)

/** A stream of `chunkBytes`-sized chunks of spaces that never ends, counting what was pulled. */
function endlessStream(chunkBytes: number) {
	const counter = { pulled: 0, cancelled: false }
	const stream = new ReadableStream<Uint8Array>(
		{
			pull(controller) {
				counter.pulled += chunkBytes
				controller.enqueue(new Uint8Array(chunkBytes).fill(0x20))
			},
			cancel() {
				counter.cancelled = true
			},
		},
		{ highWaterMark: 0 },
	)
	return { stream, counter }
}

describe('POST /api/v1/checklist/evaluate › answers', () => {
	it('a complete body is ready, with all ten checks, and is never cached', async () => {
		const { data, headers } = await evaluate(complete)
		expect(data.ready).toBe(true)
		expect(data.checks.map((c) => c.id)).toEqual([...REQUIRED_CHECK_IDS])
		expect(data.checks.every((c) => c.status === 'pass')).toBe(true)
		expect(typeof data.submissionText).toBe('string')
		expect(headers.get('Cache-Control')).toBe('no-store')
		expect(headers.get('Content-Type')).toMatch(/^application\/json/)
	})

	it('missing fields are failing checks, not an error', async () => {
		const { data } = await evaluate({})
		expect(data.ready).toBe(false)
		// Every check fails but the one that looks for email addresses: there is no text to hold one.
		expect(data.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(
			REQUIRED_CHECK_IDS.filter((id) => id !== 'no_email_addresses'),
		)
		expect(data.eligibility.status).toBe('not_eligible')
	})

	it('unknown keys are ignored', async () => {
		const { data } = await evaluate({ ...complete, shoeSize: 44, nested: { deep: [1, 2] } })
		expect(data.ready).toBe(true)
	})

	it('forge is eligible on a condition, which does not block', async () => {
		const { data } = await evaluate(complete)
		expect(data.eligibility.status).toBe('conditional')
		expect(check(data, 'app_type')?.status).toBe('pass')
	})

	it('oauth2 is not eligible and fails app_type', async () => {
		const { data } = await evaluate({ ...complete, appType: 'oauth2' })
		expect(data.eligibility.status).toBe('not_eligible')
		expect(check(data, 'app_type')?.status).toBe('fail')
		expect(data.ready).toBe(false)
	})

	it('the Marketplace listing URL satisfies both document checks', async () => {
		const { data } = await evaluate(complete)
		for (const id of ['privacy_policy', 'terms_of_use']) {
			expect(check(data, id)).toMatchObject({ status: 'pass', field: 'marketplaceListingUrl' })
		}
		const without = await evaluate({ ...complete, marketplaceListingUrl: undefined })
		expect(check(without.data, 'privacy_policy')?.status).toBe('fail')
		expect(check(without.data, 'terms_of_use')?.status).toBe('fail')
	})

	it('storesPersonalData null fails personal_data and needs no reporting', async () => {
		const { data } = await evaluate({ ...complete, storesPersonalData: null })
		expect(check(data, 'personal_data')?.status).toBe('fail')
		expect(data.reportingObligation).toEqual({ required: false, cycleDays: 15 })
	})

	it('storesPersonalData true requires reporting every 15 days', async () => {
		const { data } = await evaluate({ ...complete, storesPersonalData: true })
		expect(check(data, 'personal_data')?.status).toBe('pass')
		expect(data.reportingObligation).toEqual({ required: true, cycleDays: 15 })
	})

	it('a use case Atlassian rejects makes the request not ready', async () => {
		const useCases = [{ code: 'send_security_alerts' }, { code: 'marketing_emails' }]
		const { data } = await evaluate({ ...complete, useCases })
		expect(data.ready).toBe(false)
		expect(data.useCases.map((u) => u.outcome)).toEqual(['auto_approvable', 'rejected'])
		expect(check(data, 'use_cases')?.status).toBe('fail')
	})

	it('accepts +json and a missing Content-Type', async () => {
		const json = JSON.stringify(complete)
		const vendor = await runRoute(action, post(json, { 'Content-Type': 'application/vnd.api+json; charset=utf-8' }))
		expect(vendor.status).toBe(200)
		// A Uint8Array body gets no default Content-Type (a string would get text/plain).
		const bare = post(new TextEncoder().encode(json), {})
		expect(bare.headers.get('Content-Type')).toBeNull()
		expect((await runRoute(action, bare)).status).toBe(200)
	})
})

describe('POST /api/v1/checklist/evaluate › bad bodies are 400 with issues', () => {
	const cases: [label: string, body: string, paths: string[]][] = [
		['invalid JSON', '{"appName": "Acme",', ['']],
		['a JSON array', '[]', ['']],
		['null', 'null', ['']],
		['a number', '42', ['']],
		['a wrong type', '{"appName": 5}', ['appName']],
		['an unknown app type', '{"appType": "desktop"}', ['appType']],
		['an unknown product', '{"products": ["jira", "bitbucket"]}', ['products.1']],
		['a use case without a code', '{"useCases": [{"description": "x"}]}', ['useCases.0.code']],
		['a string for storesPersonalData', '{"storesPersonalData": "yes"}', ['storesPersonalData']],
		['deeply nested arrays', `{"useCases": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`, ['useCases.0']],
		['an empty body', '', ['']],
		['only whitespace', ' \n\t ', ['']],
	]
	it.each(cases)('%s', async (_label, body, paths) => {
		const data = await rejected(post(body), 400)
		expect(data.issues?.map((issue) => issue.path)).toEqual(paths)
		for (const issue of data.issues ?? []) expect(issue.message).not.toBe('')
	})

	it('names what is wrong', async () => {
		expect(await rejected(post('{oops}'), 400)).toMatchObject({ error: 'Request body is not valid JSON.' })
		const appType = await rejected(post('{"appType": "desktop"}'), 400)
		expect(appType.issues?.[0]?.message).toMatch(/Unknown app type: use one of connect, forge, oauth2, api_token/)
	})

	it('invalid UTF-8', async () => {
		const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) // {"a":"\xff\xfe"}
		const data = await rejected(post(bytes), 400)
		expect(data).toMatchObject({ error: 'Request body is not valid UTF-8.', issues: [{ path: '' }] })
	})

	it('lists at most 50 issues however many values are wrong', async () => {
		const useCases = Array.from({ length: 40 }, () => ({ code: 1, description: 2 })) // 80 issues
		const data = await rejected(post(JSON.stringify({ useCases })), 400)
		expect(data.issues?.length).toBe(50)
	})
})

describe('POST /api/v1/checklist/evaluate › cost (issue 10, finding 1)', () => {
	/** The most expensive body the schema and the 64 KB limit let through: every text a run of letters ending in `@`. */
	const hostile: ChecklistInput = {
		...complete,
		companyName: `${'a'.repeat(199)}@`,
		appName: `${'a'.repeat(199)}@`,
		appKey: `${'a'.repeat(199)}@`,
		useCases: Array.from({ length: 21 }, () => ({ code: 'other', description: `${'a'.repeat(1999)}@` })),
		functionalityDescription: `${'a'.repeat(9999)}@`,
		privacyPolicyExcerpt: `email ${'a.'.repeat(4990)}@`,
	}

	it('the largest hostile body evaluates in milliseconds of CPU work (it took about 0.3 s)', async () => {
		const body = JSON.stringify(hostile)
		expect(body.length).toBeGreaterThan(60_000)
		expect(body.length).toBeLessThanOrEqual(LIMIT)
		const times: number[] = []
		for (let run = 0; run < 3; run++) {
			// CPU time, not wall-clock: a busy machine stretches the wait, not the work.
			times.push(
				await cpuMsAsync(async () => {
					const outcome = await runRoute(action, post(body))
					expect(outcome.status).toBe(200)
				}),
			)
		}
		expect(Math.min(...times)).toBeLessThan(50)
	})

	it('an address in what would be sent fails the request; the vendor’s own does not (issue 9, finding 8)', async () => {
		const foreign = await evaluate({
			...complete,
			privacyPolicyExcerpt: `${complete.privacyPolicyExcerpt} Questions: dpo@gmail.com`,
		})
		expect(foreign.data.ready).toBe(false)
		expect(check(foreign.data, 'no_email_addresses')).toMatchObject({ status: 'fail', field: 'privacyPolicyExcerpt' })
		expect(JSON.stringify(foreign.data.checks)).not.toContain('dpo@gmail.com')
		const own = await evaluate({
			...complete,
			privacyPolicyUrl: 'https://www.acme.example/privacy',
			privacyPolicyExcerpt: `${complete.privacyPolicyExcerpt} Questions: privacy@acme.example`,
		})
		expect(own.data.ready).toBe(true)
		expect(check(own.data, 'no_email_addresses')?.status).toBe('pass')
	})
})

describe('POST /api/v1/checklist/evaluate › limits, media type, methods', () => {
	it('takes exactly 64 KB, refuses one byte more', async () => {
		const json = JSON.stringify(complete)
		const atLimit = json + ' '.repeat(LIMIT - json.length)
		expect((await runRoute(action, post(atLimit))).status).toBe(200)
		const data = await rejected(post(atLimit + ' '), 413)
		expect(data.error).toBe('Request body is larger than 64 KB.')
	})

	it('refuses a declared Content-Length over the limit without reading the body', async () => {
		const { stream, counter } = endlessStream(1024)
		await rejected(post(stream, { 'Content-Type': 'application/json', 'Content-Length': String(LIMIT + 1) }), 413)
		expect(counter.pulled).toBe(0)
		expect(counter.cancelled).toBe(true)
	})

	it('stops reading an undeclared body as soon as it passes the limit', async () => {
		const { stream, counter } = endlessStream(1024)
		const request = post(stream)
		expect(request.headers.get('Content-Length')).toBeNull()
		await rejected(request, 413)
		expect(counter.pulled).toBeLessThanOrEqual(LIMIT + 2 * 1024)
		expect(counter.cancelled).toBe(true)
	})

	it('a body longer than its Content-Length claims is still cut off', async () => {
		const { stream } = endlessStream(4096)
		await rejected(post(stream, { 'Content-Type': 'application/json', 'Content-Length': '10' }), 413)
	})

	it('text/plain is 415', async () => {
		await rejected(post(JSON.stringify(complete), { 'Content-Type': 'text/plain' }), 415)
		// What `new Request` and fetch add to a string body by default.
		await rejected(new Request(URL, { method: 'POST', body: JSON.stringify(complete) }), 415)
		await rejected(post(JSON.stringify(complete), { 'Content-Type': 'application/json; charset=latin1' }), 415)
	})

	it('GET and PUT are 405 with Allow: POST', async () => {
		for (const outcome of [
			await runRoute(loader, makeRequest('/api/v1/checklist/evaluate')),
			await runRoute(action, new Request(URL, { method: 'PUT', body: JSON.stringify(complete) })),
		]) {
			expect(outcome.status).toBe(405)
			expect(outcome.headers.get('Allow')).toBe('POST')
			expect(outcome.headers.get('Cache-Control')).toBe('no-store')
			expect(outcome.data).toEqual({ error: 'Method not allowed: use POST.' })
		}
	})
})

describe('POST /api/v1/checklist/evaluate › any input', () => {
	const field = fc.constantFrom(...Object.keys(complete), 'shoeSize')
	const plausible = fc.constantFrom<unknown>(
		...Object.values(complete),
		'connect',
		'oauth2',
		'confluence',
		null,
		true,
		[{ code: 'other', description: 'newsletters' }],
		[{ code: 'marketing_emails' }],
	)
	// Whole JSON documents, raw bytes, and objects of the right keys with odd or likely values.
	const body = fc.oneof(
		fc.json(),
		fc.anything().map((value) => JSON.stringify(value) ?? ''),
		fc.uint8Array({ maxLength: 64 }),
		fc.dictionary(field, fc.oneof(fc.jsonValue(), plausible)).map((value) => JSON.stringify(value)),
	)

	it('answers 200 or 400, never a 500 or an exception', async () => {
		const seen = new Set<number>()
		await fc.assert(
			fc.asyncProperty(body, async (payload) => {
				const outcome = await runRoute(action, post(payload))
				seen.add(outcome.status)
				expect([200, 400]).toContain(outcome.status)
				if (outcome.status === 200) {
					const data = outcome.data as ChecklistResult
					expect(typeof data.ready).toBe('boolean')
					expect(data.checks.slice(0, REQUIRED_CHECK_IDS.length).map((c) => c.id)).toEqual([...REQUIRED_CHECK_IDS])
				} else {
					expect((outcome.data as ErrorBody).issues?.length).toBeGreaterThan(0)
				}
			}),
			{ numRuns: 200 },
		)
		expect([...seen].sort()).toEqual([200, 400])
	})
})
