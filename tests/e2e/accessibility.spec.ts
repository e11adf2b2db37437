// Accessibility (issue 15): axe on every page the app renders, read from the
// app's own route config (tests/fixtures/route-manifest.ts › routeFiles), not
// from a hand-kept list: a page added later is checked at once, and a page
// whose URL needs a parameter nobody here knows how to fill fails, naming it.
// Each page is opened in the seeded demo organisation as the person whose
// role it is for (tests/fixtures/route-access.ts); public pages signed out.
// Zero serious or critical violations of WCAG 2.1 A and AA rules.
import AxeBuilder from '@axe-core/playwright'
import { type Browser, type BrowserContext } from '@playwright/test'
import { ROUTE_ACCESS } from '../fixtures/route-access'
import { routeFiles } from '../fixtures/route-manifest'
import { DEMO_PASSWORD, expect, gotoHydrated, signInAs, test } from './utils'

const DEMO = { admin: 'admin@demo.test', reviewer: 'reviewer@demo.test', vendor: 'vendor@demo.test' } as const
type Viewer = keyof typeof DEMO | 'anonymous'

/** Who opens a page: anyone signed out for public ones; else the demo person holding the permission. */
function viewersOf(id: string): Viewer[] {
	const access = ROUTE_ACCESS[id]?.GET
	if (access === undefined) throw new Error(`${id} has no GET entry in tests/fixtures/route-access.ts`)
	if (access === 'public' || access === 'token') return ['anonymous']
	if (access === 'requests:review') return ['reviewer']
	if (access === 'apps:edit' || access === 'requests:edit') return ['vendor']
	if (access === 'member' || access === 'org:view') {
		// The request page is the editor to the vendor and the review to the reviewer.
		return id === 'routes/o.$org.requests.$requestId._index' ? ['vendor', 'reviewer'] : ['vendor']
	}
	return ['admin']
}

// A layout and its index child share a URL: the page is checked once, as the index (listed after its layout).
const unique = [
	...new Map(
		(await routeFiles()).filter((route) => route.page).map((route) => [route.pattern, route] as const),
	).values(),
]

// One signed-in context per person and worker: a sign-in and the page's scripts once, not on every page.
const contexts = new Map<Viewer, Promise<BrowserContext>>()
function contextFor(browser: Browser, viewer: Viewer) {
	let context = contexts.get(viewer)
	if (!context) {
		context = browser.newContext().then(async (created) => {
			if (viewer !== 'anonymous') await signInAs(created, DEMO[viewer], DEMO_PASSWORD)
			return created
		})
		contexts.set(viewer, context)
	}
	return context
}

test.afterAll(async () => {
	for (const context of contexts.values()) await (await context).close()
	contexts.clear()
})

/** The first id of a link to `pattern` in the HTML of `listUrl` (the demo's own apps, requests, webhooks). */
async function firstLinked(context: BrowserContext, listUrl: string, pattern: RegExp) {
	const html = await (await context.request.get(listUrl)).text()
	return pattern.exec(html)?.[1]
}

let values: Record<string, string> = {}

test.beforeAll(async ({ browser }) => {
	test.setTimeout(180_000)
	const admin = await contextFor(browser, 'admin')
	const uuid = '([0-9a-f-]{36})'
	const appId = await firstLinked(admin, '/o/demo/apps', new RegExp(`"/o/demo/apps/${uuid}"`))
	const requestId = await firstLinked(admin, '/o/demo/requests', new RegExp(`"/o/demo/requests/${uuid}"`))
	let webhookId = await firstLinked(admin, '/o/demo/webhooks', new RegExp(`"/o/demo/webhooks/${uuid}"`))
	if (!webhookId) {
		// The demo has no webhook: one that is never called (the scheduler is off in the suite). Its address
		// must resolve (this machine resolves no outside names) and loopback is allowed in the suite.
		const created = await admin.request.post('/o/demo/webhooks?index', {
			form: { intent: 'create', name: '#compliance', url: 'http://127.0.0.1:9/hooks/compliance' },
		})
		expect(created.status(), 'creating the demo webhook').toBeLessThan(400)
		webhookId = await firstLinked(admin, '/o/demo/webhooks', new RegExp(`"/o/demo/webhooks/${uuid}"`))
	}
	values = {
		org: 'demo',
		appId: appId ?? '',
		requestId: requestId ?? '',
		webhookId: webhookId ?? '',
		// An invite link that is not valid (a real one is used once): the page that says so.
		token: 'not-a-real-invite-token-000000000000',
		'*': 'no-such-page',
	}
})

for (const route of unique) {
	for (const viewer of viewersOf(route.id)) {
		test(`axe: ${route.pattern} as ${viewer === 'anonymous' ? 'someone signed out' : `the demo ${viewer}`}`, async ({
			browser,
		}) => {
			const url = route.pattern.replace(/:(\w+)|\*/g, (_match, name: string | undefined) => {
				const value = values[name ?? '*']
				if (!value)
					throw new Error(`${route.id}: no value for the URL parameter ${name ?? '*'} in accessibility.spec.ts`)
				return value
			})
			const page = await (await contextFor(browser, viewer)).newPage()
			const response = await gotoHydrated(page, url)
			// The not-found page and a token that is not valid answer 404: pages all the same.
			const notFoundToo = route.id === 'routes/$' || ROUTE_ACCESS[route.id]?.GET === 'token'
			expect(response?.status(), `${url} as ${viewer}`).toBeLessThan(notFoundToo ? 500 : 400)
			const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
			const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
			const critical = results.violations.filter((v) => v.impact === 'critical').length
			// The per-page figures, in the run's output.
			console.log(
				`axe ${url} as ${viewer}: critical ${critical}, serious ${bad.length - critical}, moderate or minor ${results.violations.length - bad.length}`,
			)
			await page.close()
			expect(
				bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`),
			).toEqual([])
		})
	}
}
