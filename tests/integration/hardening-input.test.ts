import { eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { requestEvents } from '#db/schema'
import { action as inviteAction } from '~/routes/invite.$token'
import { action as loginAction } from '~/routes/login'
import { loader as dashboardLoader } from '~/routes/o.$org._index'
import { action as appAction } from '~/routes/o.$org.apps.$appId'
import { action as reportingAction } from '~/routes/o.$org.apps.$appId_.reporting'
import { loader as ledgerLoader } from '~/routes/o.$org.apps.$appId_.reporting._index'
import { action as importAction } from '~/routes/o.$org.apps.$appId_.reporting_.import'
import { action as runAction } from '~/routes/o.$org.apps.$appId_.reporting_.runs'
import { loader as appsLoader } from '~/routes/o.$org.apps._index'
import { action as newAppAction } from '~/routes/o.$org.apps.new'
import { loader as auditLoader } from '~/routes/o.$org.audit'
import { loader as auditCsvLoader } from '~/routes/o.$org.audit.csv'
import { action as membersAction } from '~/routes/o.$org.members'
import { action as notificationsAction } from '~/routes/o.$org.notifications'
import { loader as requestsLoader } from '~/routes/o.$org.requests._index'
import { action as newRequestAction, loader as newRequestLoader } from '~/routes/o.$org.requests.new'
import { action as settingsAction } from '~/routes/o.$org.settings'
import { action as signupAction } from '~/routes/signup'
import { createInvite } from '~/services/members.server'
import { rowsOf } from '~/utils/sql-rows.server'
import { cpuMsAsync } from '../fixtures/growth'
import { appForm } from '../fixtures/requests'
import { makeRequest, runRoute, type RouteOutcome } from '../fixtures/world'
import { approveAll, COMPLETE, post, reviewWorld, submittedRequest, versionOf } from './review-helpers'

// Issue 10, finding 2: a NUL byte (U+0000) in any stored text or search made
// PostgreSQL fail (`invalid byte sequence for encoding "UTF8": 0x00`), a 500.
// Every form action and search page, walked with one.

const NUL = 'text\u0000with a NUL'

/** Every table a refused action must leave as it was (sessions and rate-limit counters may move). */
async function fingerprint() {
	const rows = await db.execute<{ tablename: string }>(
		sql`select tablename from pg_tables where schemaname = 'public' order by tablename`,
	)
	const tables = (Array.isArray(rows) ? rows : (rows as { rows: { tablename: string }[] }).rows)
		.map((row) => row.tablename)
		.filter((name) => !['sessions', 'rate_limits'].includes(name) && !name.startsWith('__'))
	// Every table's digest in one statement: a query per table (some forty, twice per case) took the fuzz past its
	// bound on a busy machine, while the digests themselves cost little.
	const digests = tables.map(
		(table, i) =>
			`(select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from "public"."${table}" t) as d${i}`,
	)
	const result = await db.execute<Record<string, string | null>>(sql.raw(`select ${digests.join(', ')}`))
	const [row] = rowsOf<Record<string, string | null>>(result)
	return tables.map((table, i) => `${table}:${row?.[`d${i}`]}`)
}

type Handler = Parameters<typeof runRoute>[0]

async function today() {
	return new Date().toISOString().slice(0, 10)
}

/** A request in each state the lifecycle forms need, and the world around them. */
async function lifecycleWorld() {
	const w = await reviewWorld()
	const created = await runRoute(
		newRequestAction,
		makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.vendorCookie, form: { appId: w.app.id } }),
		{ org: w.org.slug },
	)
	const draft = created.headers.get('Location')!.split('/').pop()!
	const inReview = await submittedRequest(w)
	const ready = await submittedRequest(w)
	await approveAll(w, ready)
	const submitted = await submittedRequest(w)
	await approveAll(w, submitted)
	const act = async (id: string, cookie: string, form: Record<string, string>) => {
		const { version } = await versionOf(id)
		const result = await post(w, cookie, id, { ...form, version: String(version) })
		expect(result.status, JSON.stringify(result.data)).toBe(200)
	}
	await act(submitted, w.vendorCookie, {
		intent: 'record_ticket',
		ticketKey: 'DEVHELP-5718',
		ticketUrl: '',
		openedOn: await today(),
	})
	const info = await submittedRequest(w)
	await approveAll(w, info)
	await act(info, w.vendorCookie, {
		intent: 'record_ticket',
		ticketKey: 'DEVHELP-5719',
		ticketUrl: '',
		openedOn: await today(),
	})
	await act(info, w.reviewerCookie, { intent: 'atlassian_requested_info', question: 'Which emails?' })
	const approved = await submittedRequest(w)
	await approveAll(w, approved)
	await act(approved, w.vendorCookie, {
		intent: 'record_ticket',
		ticketKey: 'DEVHELP-5720',
		ticketUrl: '',
		openedOn: await today(),
	})
	await act(approved, w.reviewerCookie, {
		intent: 'atlassian_approved',
		approvedOn: await today(),
		scopes: 'Jira: read:email-address:jira',
	})
	const [opened] = await db
		.select()
		.from(requestEvents)
		.where(eq(requestEvents.requestId, submitted))
		.orderBy(sql`${requestEvents.id} desc`)
		.limit(1)
	const invite = await createInvite(w.org.id, w.admin.id, {
		intent: 'invite',
		email: 'new.person@example.test',
		roles: ['member'],
	})
	return {
		...w,
		draft,
		inReview,
		ready,
		submitted,
		info,
		approved,
		openedEventId: opened!.id,
		inviteToken: invite.token,
	}
}
type World = Awaited<ReturnType<typeof lifecycleWorld>>

/** `silent`: a hidden field only a hand-made post can fill; a bare 400 is enough. */
type Case = { name: string; run: (w: World) => Promise<RouteOutcome>; silent?: boolean }

const orgRoute =
	(
		handler: Handler,
		path: (w: World) => string,
		cookie: (w: World) => string,
		form: (w: World) => Record<string, string | string[]>,
		params: (w: World) => Record<string, string> = () => ({}),
	) =>
	(w: World) =>
		runRoute(handler, makeRequest(path(w), { cookie: cookie(w), form: form(w) }), { org: w.org.slug, ...params(w) })

const vendor = (w: World) => w.vendorCookie
const reviewer = (w: World) => w.reviewerCookie

async function lifecycle(w: World, id: string, cookie: string, form: Record<string, string>) {
	const { version } = await versionOf(id)
	return post(w, cookie, id, { ...form, version: String(version) })
}

const saveField = (field: string, value: string | string[] = NUL): Case => ({
	name: `request save: ${field}`,
	run: (w) => post(w, w.vendorCookie, w.draft, { ...COMPLETE, version: '1', [field]: value }),
})

const appField = (field: string, value = NUL): Case[] => [
	{
		name: `new app: ${field}`,
		run: orgRoute(
			newAppAction,
			(w) => `/o/${w.org.slug}/apps/new`,
			vendor,
			() => appForm({ appKey: 'com.acme.other', [field]: value }),
		),
	},
	{
		name: `app edit: ${field}`,
		run: orgRoute(
			appAction,
			(w) => `/o/${w.org.slug}/apps/${w.app.id}`,
			vendor,
			() => ({ ...appForm({ [field]: value }), intent: 'update' }),
			(w) => ({ appId: w.app.id }),
		),
	},
]

/** A form of the reporting page: a run posts to its own route, the other intents to the page's. */
const reportingHandler = (form: Record<string, string>) => (form.intent === 'run' ? runAction : reportingAction)

const reporting = (form: Record<string, string>): Case['run'] =>
	orgRoute(
		reportingHandler(form),
		(w) => `/o/${w.org.slug}/apps/${w.app.id}/reporting`,
		vendor,
		() => form,
		(w) => ({ appId: w.app.id }),
	)

const FORM_CASES: Case[] = [
	...appField('name'),
	...appField('appKey'),
	...appField('privacyPolicyUrl', `https://acme.example/${NUL}`),
	...appField('termsOfUseUrl', `https://acme.example/${NUL}`),
	...appField('marketplaceListingUrl', `https://marketplace.atlassian.com/apps/${NUL}`),
	saveField('companyName'),
	saveField('appName'),
	saveField('appKey'),
	saveField('marketplaceListingUrl', `https://marketplace.atlassian.com/${NUL}`),
	saveField('privacyPolicyUrl', `https://acme.example/${NUL}`),
	saveField('termsOfUseUrl', `https://acme.example/${NUL}`),
	saveField('useCaseCodes', [NUL]),
	saveField('customUseCases.0.description'),
	saveField('functionalityDescription'),
	saveField('privacyPolicyExcerpt'),
	{
		name: 'review: reject reason',
		run: async (w) => {
			const [useCase] = await db
				.execute<{ id: string }>(
					sql`select id from request_use_cases where request_id = ${w.inReview} and engine_outcome = 'needs_review' limit 1`,
				)
				.then((r) => (Array.isArray(r) ? r : (r as { rows: { id: string }[] }).rows))
			return lifecycle(w, w.inReview, w.reviewerCookie, {
				intent: 'decide',
				useCaseId: useCase!.id,
				decision: 'reject',
				reason: NUL,
			})
		},
	},
	{
		name: 'review: request changes comment',
		run: (w) => lifecycle(w, w.inReview, w.reviewerCookie, { intent: 'request_changes', comment: NUL }),
	},
	{ name: 'withdraw comment', run: (w) => lifecycle(w, w.draft, w.vendorCookie, { intent: 'withdraw', comment: NUL }) },
	{
		name: 'ticket: key',
		run: async (w) =>
			lifecycle(w, w.ready, w.vendorCookie, {
				intent: 'record_ticket',
				ticketKey: `DEVHELP-1${NUL}`,
				ticketUrl: '',
				openedOn: await today(),
			}),
	},
	{
		name: 'ticket: url',
		run: async (w) =>
			lifecycle(w, w.ready, w.vendorCookie, {
				intent: 'record_ticket',
				ticketKey: 'DEVHELP-1',
				ticketUrl: `https://developer.atlassian.com/${NUL}`,
				openedOn: await today(),
			}),
	},
	{
		name: 'ticket: Atlassian’s question',
		run: (w) => lifecycle(w, w.submitted, w.reviewerCookie, { intent: 'atlassian_requested_info', question: NUL }),
	},
	{ name: 'ticket: reply', run: (w) => lifecycle(w, w.info, w.vendorCookie, { intent: 'record_reply', reply: NUL }) },
	{
		name: 'ticket: approved scopes',
		run: async (w) =>
			lifecycle(w, w.submitted, w.reviewerCookie, {
				intent: 'atlassian_approved',
				approvedOn: await today(),
				scopes: NUL,
			}),
	},
	{
		name: 'ticket: declined reason',
		run: (w) => lifecycle(w, w.submitted, w.reviewerCookie, { intent: 'atlassian_declined', reason: NUL }),
	},
	{
		name: 'ticket: revoked reason',
		run: (w) => lifecycle(w, w.approved, w.reviewerCookie, { intent: 'atlassian_revoked', reason: NUL }),
	},
	{
		name: 'ticket: follow-up note',
		run: (w) => lifecycle(w, w.submitted, w.vendorCookie, { intent: 'ticket_note', note: NUL }),
	},
	{
		name: 'ticket: date correction reason',
		run: async (w) =>
			lifecycle(w, w.submitted, w.vendorCookie, {
				intent: 'correct_date',
				eventId: String(w.openedEventId),
				correctedOn: await today(),
				reason: NUL,
			}),
	},
	{
		name: 'new request: app id',
		run: orgRoute(
			newRequestAction,
			(w) => `/o/${w.org.slug}/requests/new`,
			vendor,
			() => ({ appId: NUL }),
		),
	},
	{
		name: 'members: invite email',
		run: orgRoute(
			membersAction,
			(w) => `/o/${w.org.slug}/members`,
			vendor,
			() => ({ intent: 'invite', email: `x${NUL}@example.test`, roles: ['member'] }),
		),
	},
	{
		name: 'settings: time zone',
		run: orgRoute(
			settingsAction,
			(w) => `/o/${w.org.slug}/settings`,
			vendor,
			() => ({ timeZone: `Europe/Berlin${NUL}`, followUpDays: '10', taskDueDays: '30', version: '1' }),
		),
	},
	{
		name: 'notifications: id',
		run: orgRoute(
			notificationsAction,
			(w) => `/o/${w.org.slug}/notifications`,
			reviewer,
			() => ({ intent: 'read', id: NUL }),
		),
		silent: true,
	},
	{
		name: 'reporting: cycle reason',
		run: reporting({ intent: 'cycle', cycle: 'custom', customDays: '30', confirmLonger: 'on', reason: NUL }),
	},
	{ name: 'reporting: custom cycle days', run: reporting({ intent: 'cycle', cycle: 'custom', customDays: NUL }) },
	{ name: 'reporting: storing since', run: reporting({ intent: 'storing-since', storingSince: `2026-01-01${NUL}` }) },
	{
		name: 'reporting: run sent at',
		run: reporting({
			intent: 'run',
			sentAt: `2026-01-01T10:00${NUL}`,
			preparedReport: '00000000-0000-4000-8000-000000000000',
			answers: '204',
		}),
	},
	{
		name: 'reporting: run Cycle-Period',
		run: reporting({
			intent: 'run',
			sentAt: '2026-01-01T10:00',
			preparedReport: '00000000-0000-4000-8000-000000000000',
			cyclePeriod: NUL,
			answers: '204',
		}),
	},
	{
		name: 'reporting: run answers',
		run: reporting({
			intent: 'run',
			sentAt: '2026-01-01T10:00',
			preparedReport: '00000000-0000-4000-8000-000000000000',
			answers: `{"accounts":[]}${NUL}`,
		}),
	},
	{
		name: 'reporting: header-cycle reason',
		run: reporting({
			intent: 'header-cycle',
			runId: '00000000-0000-4000-8000-000000000000',
			decision: 'dismiss',
			reason: NUL,
		}),
	},
	{ name: 'reporting: task id', run: reporting({ intent: 'complete', taskId: NUL }) },
	{
		name: 'sign-up: name',
		run: () =>
			runRoute(
				signupAction,
				makeRequest('/signup', {
					form: {
						name: NUL,
						email: 'nul-name@example.test',
						password: 'correct horse battery staple',
						orgName: 'Nul Org',
					},
				}),
			),
	},
	{
		name: 'sign-up: organisation name',
		run: () =>
			runRoute(
				signupAction,
				makeRequest('/signup', {
					form: { name: 'Nora', email: 'nul-org@example.test', password: 'correct horse battery staple', orgName: NUL },
				}),
			),
	},
	{
		name: 'sign-up: email',
		run: () =>
			runRoute(
				signupAction,
				makeRequest('/signup', {
					form: {
						name: 'Nora',
						email: `nora${NUL}@example.test`,
						password: 'correct horse battery staple',
						orgName: 'Nul Org',
					},
				}),
			),
	},
	{
		name: 'invite: name',
		run: (w) =>
			runRoute(
				inviteAction,
				makeRequest(`/invite/${w.inviteToken}`, { form: { name: NUL, password: 'correct horse battery staple' } }),
				{ token: w.inviteToken },
			),
	},
	{
		name: 'invite: token',
		run: () =>
			runRoute(
				inviteAction,
				makeRequest('/invite/x', { form: { name: 'Nora', password: 'correct horse battery staple' } }),
				{ token: NUL },
			),
	},
	{
		name: 'login: email',
		run: () =>
			runRoute(
				loginAction,
				makeRequest('/login', { form: { email: `fay${NUL}@example.test`, password: 'correct horse battery staple' } }),
			),
	},
]

const search =
	(handler: Handler, path: (w: World) => string, params: (w: World) => Record<string, string> = () => ({})) =>
	(w: World) =>
		runRoute(handler, makeRequest(path(w), { cookie: w.vendorCookie }), { org: w.org.slug, ...params(w) })

const q = encodeURIComponent(NUL)

const SEARCH_CASES: Case[] = [
	{ name: 'apps list ?q=', run: search(appsLoader, (w) => `/o/${w.org.slug}/apps?q=${q}`) },
	{ name: 'apps list ?q= with archived', run: search(appsLoader, (w) => `/o/${w.org.slug}/apps?q=${q}&archived=1`) },
	{ name: 'dashboard ?q=', run: search(dashboardLoader, (w) => `/o/${w.org.slug}?q=${q}`) },
	{ name: 'dashboard ?status=', run: search(dashboardLoader, (w) => `/o/${w.org.slug}?status=${q}`) },
	{
		name: 'ledger ?q=',
		run: search(
			ledgerLoader,
			(w) => `/o/${w.org.slug}/apps/${w.app.id}/reporting?q=${q}`,
			(w) => ({ appId: w.app.id }),
		),
	},
	{ name: 'audit ?action=', run: search(auditLoader, (w) => `/o/${w.org.slug}/audit?action=${q}`) },
	{ name: 'audit ?actor=', run: search(auditLoader, (w) => `/o/${w.org.slug}/audit?actor=${q}`) },
	{ name: 'audit ?from=', run: search(auditLoader, (w) => `/o/${w.org.slug}/audit?from=${q}`) },
	{ name: 'audit ?to=', run: search(auditLoader, (w) => `/o/${w.org.slug}/audit?to=${q}`) },
	{ name: 'audit ?before=', run: search(auditLoader, (w) => `/o/${w.org.slug}/audit?before=${q}`) },
	{ name: 'audit CSV ?action=', run: search(auditCsvLoader, (w) => `/o/${w.org.slug}/audit/csv?action=${q}`) },
	{
		name: 'requests list, NUL in the organisation slug',
		run: (w) => runRoute(requestsLoader, makeRequest(`/o/${q}/requests`, { cookie: w.vendorCookie }), { org: NUL }),
	},
	{
		name: 'new request redirect, NUL in the organisation slug',
		run: (w) =>
			runRoute(newRequestLoader, makeRequest(`/o/${q}/requests/new`, { cookie: w.vendorCookie }), { org: NUL }),
	},
]

describe('a NUL byte in any stored text or search (issue 10, finding 2)', () => {
	it('every form action refuses it with a 4xx and a message, and writes nothing', async () => {
		const w = await lifecycleWorld()
		const failures: string[] = []
		for (const testCase of FORM_CASES) {
			const before = await fingerprint()
			let outcome: RouteOutcome
			try {
				outcome = await testCase.run(w)
			} catch (error) {
				failures.push(`${testCase.name}: threw ${(error as Error).message.slice(0, 120)}`)
				continue
			}
			if (outcome.status < 400 || outcome.status >= 500) failures.push(`${testCase.name}: answered ${outcome.status}`)
			else if (
				!testCase.silent &&
				!JSON.stringify(outcome.data ?? '').match(/NUL|not|Enter|Remove|No such|Pick|Choose|Check/i)
			) {
				failures.push(
					`${testCase.name}: ${outcome.status} without a message (${JSON.stringify(outcome.data).slice(0, 200)})`,
				)
			}
			const after = await fingerprint()
			const changed = after.filter((part, i) => part !== before[i]).map((part) => part.split(':')[0])
			if (changed.length > 0) failures.push(`${testCase.name}: wrote to ${changed.join(', ')}`)
		}
		expect(failures).toEqual([])
		// Forty-eight actions, each between two digests of every table, over a world taken through the whole lifecycle:
		// seconds idle, about the project's 30 s on a busy 2-core machine.
	}, 120_000)

	it('a field holding one is refused next to that field, saying what to remove', async () => {
		const w = await lifecycleWorld()
		const saved = await post(w, w.vendorCookie, w.draft, { ...COMPLETE, version: '1', functionalityDescription: NUL })
		expect(saved.status).toBe(400)
		expect((saved.data as { errors: Record<string, string> }).errors.functionalityDescription).toBe(
			'Remove the invisible NUL character (U+0000): it cannot be saved. Type the text again rather than pasting it.',
		)
	})

	it('every search page and filter answers without a 500: a search holding one finds nothing', async () => {
		const w = await lifecycleWorld()
		const failures: string[] = []
		for (const testCase of SEARCH_CASES) {
			try {
				const outcome = await testCase.run(w)
				if (outcome.status >= 500) failures.push(`${testCase.name}: answered ${outcome.status}`)
			} catch (error) {
				failures.push(`${testCase.name}: threw ${(error as Error).message.slice(0, 120)}`)
			}
		}
		expect(failures).toEqual([])
		const apps = await search(appsLoader, (x) => `/o/${x.org.slug}/apps?q=${encodeURIComponent('Mail\u0000')}`)(w)
		expect(apps.status).toBe(200)
		expect((apps.data as { apps: unknown[]; total: number }).total).toBe(0)
	})
})

describe('the request page after a refused save of values of the wrong shape (issue 10, finding 2)', () => {
	const SHAPES: [string, Record<string, string | string[]>][] = [
		['an unknown app type', { appType: 'desktop' }],
		['a duplicated text field', { companyName: ['Acme', 'Evil'] }],
		['a duplicated choice', { storesPersonalData: ['yes', 'no'], appType: ['forge', 'connect'] }],
		['a nested key under a text field', { 'companyName.x': 'nested', 'appName.0': 'nested' }],
		['a nested key under a list', { 'products.x': 'jira', 'useCaseCodes.0.x': 'send_security_alerts' }],
		['custom use cases as plain text', { customUseCases: 'not a list', 'customUseCases.0': 'a string row' }],
		[
			'a custom use case row of the wrong shape',
			{ 'customUseCases.0.description.x': 'deep', 'customUseCases.1.description': ['a', 'b'] },
		],
		['a long text as a list', { functionalityDescription: ['one', 'two'], privacyPolicyExcerpt: ['x'] }],
		['a nested version', { 'version.x': '1' }],
	]

	it.each(SHAPES)('%s: 400, nothing saved, and the editor renders what can be shown', async (_name, overrides) => {
		const { default: EditorPage, loader: editorLoader } = await import('~/routes/o.$org.requests.$requestId._index')
		const { renderRoute } = await import('../fixtures/render')
		const w = await reviewWorld()
		const created = await runRoute(
			newRequestAction,
			makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.vendorCookie, form: { appId: w.app.id } }),
			{ org: w.org.slug },
		)
		const id = created.headers.get('Location')!.split('/').pop()!
		const before = await fingerprint()
		const saved = await post(w, w.vendorCookie, id, { ...COMPLETE, version: '1', ...overrides })
		expect(saved.status).toBe(400)
		expect(await fingerprint()).toEqual(before)
		const page = await runRoute(editorLoader, makeRequest('/', { cookie: w.vendorCookie }), {
			org: w.org.slug,
			requestId: id,
		})
		const html = await renderRoute(EditorPage, page.data, saved.data)
		expect(html).toContain('Some fields need attention; nothing was saved yet.')
		expect(html).toContain('name="functionalityDescription"')
	})
})

describe('bracketed keys (a[b]) from a hand-made post (issue 10, finding 2)', () => {
	it('are not fields: ignored, never stored, and the save of the real fields works', async () => {
		const w = await reviewWorld()
		const created = await runRoute(
			newRequestAction,
			makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.vendorCookie, form: { appId: w.app.id } }),
			{ org: w.org.slug },
		)
		const id = created.headers.get('Location')!.split('/').pop()!
		const saved = await post(w, w.vendorCookie, id, {
			...COMPLETE,
			version: '1',
			'companyName[x]': 'Evil',
			'useCaseCodes[]': 'made_up_code',
			'customUseCases[0][description]': 'Evil',
		})
		expect(saved.status).toBe(200)
		const row = await versionOf(id)
		expect(row.companyName).toBe('Acme Apps')
		const codes = await db.execute<{ code: string }>(
			sql`select code from request_use_cases where request_id = ${id} order by position`,
		)
		expect((Array.isArray(codes) ? codes : (codes as { rows: { code: string }[] }).rows).map((r) => r.code)).toEqual([
			'send_security_alerts',
			'other',
		])
	})
})

describe('an odd organisation slug in the URL (issue 10, finding 2)', () => {
	const ODD = ['\u202e', '\r\n', 'acme\r\nSet-Cookie: x=1', '\u0000', 'ACME', 'a/b', '../x', 'é']

	it.each(ODD.map((slug) => [JSON.stringify(slug), slug]))(
		'%s is a 404, never copied into a Location header',
		async (_shown, slug) => {
			const w = await reviewWorld()
			const path = `/o/${encodeURIComponent(slug)}/requests/new`
			const redirect = await runRoute(newRequestLoader, makeRequest(path, { cookie: w.vendorCookie }), { org: slug })
			expect(redirect.status).toBe(404)
			expect(redirect.headers.get('Location')).toBeNull()
			const page = await runRoute(
				requestsLoader,
				makeRequest(`/o/${encodeURIComponent(slug)}/requests`, { cookie: w.vendorCookie }),
				{ org: slug },
			)
			expect(page.status).toBe(404)
		},
	)

	it('a real slug still redirects to its list', async () => {
		const w = await reviewWorld()
		const redirect = await runRoute(
			newRequestLoader,
			makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.vendorCookie }),
			{ org: w.org.slug },
		)
		expect(redirect.status).toBe(302)
		expect(redirect.headers.get('Location')).toBe(`/o/${w.org.slug}/requests`)
	})
})

describe('dates before 1970 (issue 10, finding 2)', () => {
	async function reportingWorld() {
		const w = await reviewWorld()
		const { importAccounts } = await import('~/services/ledger.server')
		const { parseCsv } = await import('~/domain/csv')
		const { prepareReport } = await import('~/services/prepared-reports.server')
		await importAccounts(
			w.org.id,
			w.admin.id,
			w.app.id,
			parseCsv(['accountId,updatedAt\n5be24ad8b1653240376955d2,2026-01-01T00:00:00Z\n']),
			{ atomic: false },
		)
		const report = await prepareReport(w.org.id, w.admin.id, w.app.id)
		const send = (form: Record<string, string>) =>
			runRoute(
				reportingHandler(form),
				makeRequest(`/o/${w.org.slug}/apps/${w.app.id}/reporting`, { cookie: w.vendorCookie, form }),
				{ org: w.org.slug, appId: w.app.id },
			)
		return { ...w, report, send }
	}

	it.each(['0000-01-01T00:00', '0050-06-01T12:00', '0099-12-31T23:59', '1969-12-31T23:59'])(
		'a report run sent at %s is refused on the field, and nothing is recorded',
		async (sentAt) => {
			const w = await reportingWorld()
			const before = await fingerprint()
			const result = await w.send({ intent: 'run', sentAt, preparedReport: w.report.id, answers: '204' })
			expect(result.status).toBe(400)
			expect(result.data).toMatchObject({ errors: { sentAt: 'Enter a real date from 1970 on: check the year.' } })
			expect(await fingerprint()).toEqual(before)
		},
	)

	it.each(['0000-01-01', '0050-06-01', '1950-06-01'])(
		'storing personal data since %s is refused, not stored as another year',
		async (storingSince) => {
			const w = await reportingWorld()
			const before = await fingerprint()
			const result = await w.send({ intent: 'storing-since', storingSince })
			expect(result.status).toBe(400)
			expect(result.data).toMatchObject({ errors: { storingSince: 'Enter a real date from 1970 on: check the year.' } })
			expect(await fingerprint()).toEqual(before)
		},
	)

	it('the services refuse such dates too, whatever the form checked', async () => {
		const w = await reportingWorld()
		const { setStoringSince } = await import('~/services/storing-since.server')
		const { recordRun } = await import('~/services/reporting.server')
		const { utcInstant } = await import('~/domain/calendar-day')
		await expect(setStoringSince(w.org.id, w.admin.id, w.app.id, utcInstant(50, 6, 1))).rejects.toMatchObject({
			status: 400,
			field: 'storingSince',
		})
		await expect(
			recordRun(w.org.id, w.admin.id, w.app.id, {
				sentAt: utcInstant(0, 1, 1),
				preparedReport: { id: w.report.id },
				cyclePeriod: null,
				answers: '204',
			}),
		).rejects.toMatchObject({ status: 400, field: 'sentAt' })
	})

	it('a ticket date or the audit filter before 1970 says so', async () => {
		const w = await lifecycleWorld()
		const opened = await lifecycle(w, w.ready, w.vendorCookie, {
			intent: 'record_ticket',
			ticketKey: 'DEVHELP-1',
			ticketUrl: '',
			openedOn: '0050-06-01',
		})
		expect(opened.status).toBe(400)
		expect(opened.data).toMatchObject({ errors: { openedOn: 'Enter a real date from 1970 on: check the year.' } })
		const audit = await search(auditLoader, (x) => `/o/${x.org.slug}/audit?from=0050-06-01`)(w)
		expect(audit.status).toBe(400)
		expect(audit.data).toMatchObject({ filterError: 'Enter a real date from 1970 on: check the year.' })
	})

	it('a Cycle-Period header holding a NUL (escaped in the answer’s JSON) is refused, not a 500', async () => {
		const w = await reportingWorld()
		const before = await fingerprint()
		const answers = JSON.stringify({ status: 200, headers: { 'cycle-period': 'P15D\u0000' }, body: { accounts: [] } })
		const result = await w.send({ intent: 'run', sentAt: '2026-01-02T10:00', preparedReport: w.report.id, answers })
		expect(result.status).toBe(400)
		expect(JSON.stringify(result.data)).toContain('control character')
		expect(await fingerprint()).toEqual(before)
	})
})

describe('no open redirect after login (issue 10, finding 4)', () => {
	const HOSTILE = [
		'/..//evil.example',
		'/../..//evil.example/x',
		'/./..//evil.example',
		'/.%2e//evil.example',
		'/%2e%2e//evil.example',
		'/a/../..//evil.example',
		'//evil.example',
		'///evil.example',
		'/\\evil.example',
		'/\\\\evil.example',
		'\\\\evil.example',
		'%2F%2Fevil.example',
		'\t//evil.example',
		'/\t/evil.example',
		'/\r\n/evil.example',
		' //evil.example',
		'/\u202e/evil.example',
		'javascript:alert(1)',
		'JAVASCRIPT:alert(1)',
		'data:text/html,<script>alert(1)</script>',
		'https://evil.example',
		'http:evil.example',
		'',
	]

	it('every hostile redirectTo is refused, whatever the browser would make of it', async () => {
		const { safeRedirect } = await import('~/utils/auth.server')
		const kept = HOSTILE.map((redirectTo) => [redirectTo, safeRedirect(redirectTo)]).filter(
			([, location]) => location !== '/',
		)
		expect(kept).toEqual([])
	})

	it('after a real login, /..//evil.example (the finding) and its kin end at the start page', async () => {
		const { createOrg, PASSWORD } = await import('../fixtures/world')
		const { admin } = await createOrg()
		for (const redirectTo of ['/..//evil.example', '/.%2e//evil.example', '/a/../..//evil.example']) {
			const answer = await runRoute(
				loginAction,
				makeRequest('/login', { form: { email: admin.email, password: PASSWORD, redirectTo } }),
			)
			expect(answer.status, redirectTo).toBe(302)
			expect(answer.headers.get('Location'), redirectTo).toBe('/')
			// What a browser at the site would open: never another host.
			expect(new URL(answer.headers.get('Location')!, 'https://clearance.example').host).toBe('clearance.example')
		}
	})

	it('a path on the site is kept, normalised', async () => {
		const { createOrg, PASSWORD } = await import('../fixtures/world')
		const { admin } = await createOrg()
		const answer = await runRoute(
			loginAction,
			makeRequest('/login', {
				form: { email: admin.email, password: PASSWORD, redirectTo: '/o/acme/../acme/apps?q=a#top' },
			}),
		)
		expect(answer.headers.get('Location')).toBe('/o/acme/apps?q=a#top')
		const { safeRedirect } = await import('~/utils/auth.server')
		expect(safeRedirect('/o/acme/apps?next=//evil.example')).toBe('/o/acme/apps?next=//evil.example')
	})
})

describe('garbage refused (issue 10, finding 6)', () => {
	const RLO = '\u202e'

	it('a login posted with 80,000 field names is a prompt 413, and a name nested 2,000 deep is an ordinary refusal', async () => {
		// Each name had been looked up among all the others: a minute of the server's one thread for this post.
		const many: Record<string, string> = { email: 'x@y.test', password: 'p' }
		for (let i = 0; i < 80_000; i++) many[`k${i}`] = ''
		const crowded = await runRoute(loginAction, makeRequest('/login', { form: many }))
		expect(crowded.status).toBe(413)
		expect(crowded.data).toMatchObject({ error: expect.stringContaining('more than 1,000 fields') })
		const deep = await runRoute(
			loginAction,
			makeRequest('/login', {
				form: { email: 'x@y.test', password: 'p', [Array.from({ length: 2000 }, () => 'a').join('.')]: 'v' },
			}),
		)
		expect(deep.status).toBeGreaterThanOrEqual(400)
		expect(deep.status).toBeLessThan(500)
	})

	it('control and bidi characters in app names and keys are refused next to the field; joiners in names are fine', async () => {
		const w = await reviewWorld()
		const create = (form: Record<string, string | string[]>) =>
			runRoute(
				newAppAction,
				makeRequest(`/o/${w.org.slug}/apps/new`, { cookie: w.vendorCookie, form: appForm(form) }),
				{ org: w.org.slug },
			)
		const before = await fingerprint()
		const cases: [Record<string, string>, string, string][] = [
			[{ name: `Mail ${RLO}egdirB` }, 'name', 'Remove the invisible right-to-left override (U+202E)'],
			[{ name: 'Mail\u2066 Bridge' }, 'name', 'left-to-right isolate (U+2066)'],
			[{ name: 'Mail\u0007Bridge' }, 'name', 'Remove the invisible control character (U+0007)'],
			[{ name: 'Mail\u0085Bridge' }, 'name', 'control character (U+0085)'],
			[{ appKey: `com.acme.${RLO}bridge` }, 'appKey', 'right-to-left override'],
			[{ appKey: 'com.acme.\u200bbridge' }, 'appKey', 'Remove the invisible formatting character (U+200B)'],
			[{ appKey: 'com.acme.\u200dbridge' }, 'appKey', 'formatting character (U+200D)'],
		]
		for (const [form, field, message] of cases) {
			const answer = await create({ appKey: 'com.acme.garbage', ...form })
			expect(answer.status, JSON.stringify(form)).toBe(400)
			expect((answer.data as { errors: Record<string, string> }).errors[field]).toContain(message)
		}
		expect(await fingerprint()).toEqual(before)
		// A zero-width joiner spells some names and emoji: fine in a name.
		const emoji = await create({ appKey: 'com.acme.emoji', name: 'Mail Bridge \u{1F469}\u200d\u{1F4BB}' })
		expect(emoji.status).toBe(302)
	})

	it('and in the other one-line names: organisation, person, company, custom use case, ticket key', async () => {
		const w = await lifecycleWorld()
		const signup = await runRoute(
			signupAction,
			makeRequest('/signup', {
				form: {
					name: 'Nora',
					email: 'bidi@example.test',
					password: 'correct horse battery staple',
					orgName: `Acme ${RLO}sppA`,
				},
			}),
		)
		expect(signup.status).toBe(400)
		expect((signup.data as { errors: Record<string, string> }).errors.orgName).toContain('right-to-left override')
		const invited = await runRoute(
			inviteAction,
			makeRequest(`/invite/${w.inviteToken}`, {
				form: { name: 'Nora\nNewline', password: 'correct horse battery staple' },
			}),
			{ token: w.inviteToken },
		)
		expect(invited.status).toBe(400)
		expect((invited.data as { errors: Record<string, string> }).errors.name).toBe(
			'Remove the line break: this is one line of text. Type the text again rather than pasting it.',
		)
		for (const [field, value] of [
			['companyName', `Acme ${RLO}`],
			['appName', 'Mail\u0000'],
			['customUseCases.0.description', `Alerts ${RLO}`],
		] as const) {
			const saved = await post(w, w.vendorCookie, w.draft, { ...COMPLETE, version: '1', [field]: value })
			expect(saved.status, field).toBe(400)
			expect(Object.keys((saved.data as { errors: Record<string, string> }).errors), field).toEqual([field])
		}
		const ticket = await lifecycle(w, w.ready, w.vendorCookie, {
			intent: 'record_ticket',
			ticketKey: `DEVHELP-57${RLO}18`,
			ticketUrl: '',
			openedOn: await today(),
		})
		expect(ticket.status).toBe(400)
		expect((ticket.data as { errors: Record<string, string> }).errors.ticketKey).toContain('right-to-left override')
		// Several lines are fine where the text has several lines.
		const text = await post(w, w.vendorCookie, w.draft, {
			...COMPLETE,
			version: '1',
			functionalityDescription: `${COMPLETE.functionalityDescription}\r\n\r\n\tAnd a second paragraph.`,
		})
		expect(text.status).toBe(200)
	})

	it('an invite email of 1,000,007 characters is refused at once and nothing is stored', async () => {
		const w = await reviewWorld()
		const before = await fingerprint()
		const email = `${'a'.repeat(1_000_000)}@x.test`
		expect(email).toHaveLength(1_000_007)
		let answer: Awaited<ReturnType<typeof runRoute>> | undefined
		// At once: CPU work, not wall-clock time (a busy machine stretches the wait, not the work).
		const work = await cpuMsAsync(async () => {
			answer = await runRoute(
				membersAction,
				makeRequest(`/o/${w.org.slug}/members`, {
					cookie: w.vendorCookie,
					form: { intent: 'invite', email, roles: ['member'] },
				}),
				{ org: w.org.slug },
			)
		})
		expect(answer!.status).toBe(400)
		expect((answer!.data as { errors: Record<string, string> }).errors.email).toBe(
			'That email address is too long: an address has at most 254 characters.',
		)
		expect(work).toBeLessThan(2000)
		expect(await fingerprint()).toEqual(before)
		// The longest an address can be still works.
		const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(56)}.test`
		expect(longest).toHaveLength(254)
		const ok = await runRoute(
			membersAction,
			makeRequest(`/o/${w.org.slug}/members`, {
				cookie: w.vendorCookie,
				form: { intent: 'invite', email: longest, roles: ['member'] },
			}),
			{ org: w.org.slug },
		)
		expect(ok.status).toBe(200)
	})

	it('an unknown use-case code is refused, not stored, and the editor says so', async () => {
		const { default: EditorPage, loader: editorLoader } = await import('~/routes/o.$org.requests.$requestId._index')
		const { renderRoute } = await import('../fixtures/render')
		const w = await lifecycleWorld()
		const before = await fingerprint()
		for (const codes of [['made_up_code'], ['send_security_alerts', 'SEND_SECURITY_ALERTS'], ['other']]) {
			const saved = await post(w, w.vendorCookie, w.draft, { ...COMPLETE, version: '1', useCaseCodes: codes })
			expect(saved.status, codes.join()).toBe(400)
			expect((saved.data as { errors: Record<string, string> }).errors).toEqual({
				useCaseCodes: expect.stringContaining('not in the catalogue'),
			})
		}
		expect(await fingerprint()).toEqual(before)
		const saved = await post(w, w.vendorCookie, w.draft, { ...COMPLETE, version: '1', useCaseCodes: ['made_up_code'] })
		const page = await runRoute(editorLoader, makeRequest('/', { cookie: w.vendorCookie }), {
			org: w.org.slug,
			requestId: w.draft,
		})
		expect(await renderRoute(EditorPage, page.data, saved.data)).toContain(
			'Pick use cases from the list: one of those sent is not in the catalogue.',
		)
	})

	it.each([
		'javascript:alert(1)',
		'JavaScript:alert(document.cookie)',
		'data:text/html,<script>alert(1)</script>',
		'file:///etc/passwd',
		'ftp://acme.example/privacy',
		'mailto:privacy@acme.example',
		'https://',
		'acme.example/privacy',
		'https://acme.example/\tprivacy',
	])('a request URL field holding %s is refused on save, as on the app form', async (url) => {
		const w = await lifecycleWorld()
		const before = await fingerprint()
		for (const field of ['marketplaceListingUrl', 'privacyPolicyUrl', 'termsOfUseUrl']) {
			const saved = await post(w, w.vendorCookie, w.draft, { ...COMPLETE, version: '1', [field]: url })
			expect(saved.status, field).toBe(400)
			expect((saved.data as { errors: Record<string, string> }).errors[field]).toBe(
				'Enter a full URL starting with https://',
			)
		}
		const app = await runRoute(
			newAppAction,
			makeRequest(`/o/${w.org.slug}/apps/new`, {
				cookie: w.vendorCookie,
				form: appForm({ appKey: 'com.acme.urls', privacyPolicyUrl: url }),
			}),
			{ org: w.org.slug },
		)
		expect((app.data as { errors: Record<string, string> }).errors.privacyPolicyUrl).toBe(
			'Enter a full URL starting with https://',
		)
		expect(await fingerprint()).toEqual(before)
	})

	it('a draft may still leave its URLs empty', async () => {
		const w = await lifecycleWorld()
		const saved = await post(w, w.vendorCookie, w.draft, {
			...COMPLETE,
			version: '1',
			privacyPolicyUrl: '',
			termsOfUseUrl: '',
			marketplaceListingUrl: '',
		})
		expect(saved.status).toBe(200)
	})

	describe('a binary file uploaded as the ledger CSV', () => {
		const PNG = Uint8Array.from([
			0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x40, 0x40, 0x40,
			0x40, 0x08, 0x06,
		])
		const text = (value: string) => new TextEncoder().encode(value) as Uint8Array<ArrayBuffer>
		const utf16 = (value: string) =>
			Uint8Array.from([0xff, 0xfe, ...[...value].flatMap((char) => [char.charCodeAt(0), 0])])
		const FILES: [string, Uint8Array<ArrayBuffer>][] = [
			['a PNG image', PNG],
			[
				'NUL bytes after a good header and row',
				text(
					'accountId,updatedAt\n5be24ad8b1653240376955d2,2026-01-01T00:00:00Z\nab\u0000@\u0000cd,2026-01-01T00:00:00Z\n',
				),
			],
			['a UTF-16 export', utf16('accountId,updatedAt\r\n5be24ad8b1653240376955d2,2026-01-01T00:00:00Z\r\n')],
			[
				'a zip (a spreadsheet workbook)',
				Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x40, 0x40]),
			],
		]

		it.each(FILES)('%s is refused as "not a CSV text file", whole, and nothing is written', async (_name, bytes) => {
			const w = await reviewWorld()
			const before = await fingerprint()
			const form = new FormData()
			form.set('intent', 'import')
			form.set('file', new File([bytes], 'ledger.csv', { type: 'text/csv' }))
			const request = new Request(`http://localhost/o/${w.org.slug}/apps/${w.app.id}/reporting`, {
				method: 'POST',
				headers: { Cookie: w.vendorCookie },
				body: form,
			})
			const answer = await runRoute(importAction, request, { org: w.org.slug, appId: w.app.id })
			expect(answer.status).toBe(400)
			const { errors, importResult } = answer.data as { errors: Record<string, string>; importResult?: unknown }
			expect(errors.file).toContain('This file is not a CSV text file')
			expect(importResult).toBeUndefined()
			expect(JSON.stringify(answer.data)).not.toContain('looks like an email address')
			expect(await fingerprint()).toEqual(before)
		})
	})
})
