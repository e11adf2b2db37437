import { eq } from 'drizzle-orm'
import { type ComponentType } from 'react'
import { db } from '#db/client.server'
import { accessRequests, apps, users, webhooks } from '#db/schema'
import { DEMO_USERS, seedDemo } from '#db/seed'
import * as orgLayout from '~/routes/o.$org'
import * as dashboard from '~/routes/o.$org._index'
import * as apiKeys from '~/routes/o.$org.api-keys'
import * as appPage from '~/routes/o.$org.apps.$appId'
import * as reporting from '~/routes/o.$org.apps.$appId_.reporting'
import * as ledger from '~/routes/o.$org.apps.$appId_.reporting._index'
import * as connection from '~/routes/o.$org.apps.$appId_.reporting_.connection'
import * as importPage from '~/routes/o.$org.apps.$appId_.reporting_.import'
import * as reporter from '~/routes/o.$org.apps.$appId_.reporting_.reporter'
import * as runs from '~/routes/o.$org.apps.$appId_.reporting_.runs'
import * as appList from '~/routes/o.$org.apps._index'
import * as newApp from '~/routes/o.$org.apps.new'
import * as audit from '~/routes/o.$org.audit'
import * as calendar from '~/routes/o.$org.calendar'
import * as members from '~/routes/o.$org.members'
import * as notifications from '~/routes/o.$org.notifications'
import * as notificationSettings from '~/routes/o.$org.notifications_.settings'
import * as requestPage from '~/routes/o.$org.requests.$requestId._index'
import * as requestText from '~/routes/o.$org.requests.$requestId.text'
import * as requestList from '~/routes/o.$org.requests._index'
import * as review from '~/routes/o.$org.review'
import * as settings from '~/routes/o.$org.settings'
import * as outbox from '~/routes/o.$org.settings_.outbox'
import * as webhookLog from '~/routes/o.$org.webhooks.$webhookId'
import * as webhookList from '~/routes/o.$org.webhooks._index'
import { renderRoute } from '../fixtures/render'
import { cookieFor, makeRequest, runRoute } from '../fixtures/world'

type RouteModule = {
	default: ComponentType
	loader: (...args: never[]) => unknown
}

export type DemoPage = { path: string; who: string; html: string }

/**
 * Every page of the seeded demo as each of its three people sees it: the
 * route's loader on the database the seed filled, then its component
 * rendered with that data (a page someone may not open is skipped).
 */
export async function renderDemoPages(): Promise<DemoPage[]> {
	const { orgId } = await seedDemo(db)
	const slug = 'demo'
	const appRows = await db.select().from(apps).where(eq(apps.orgId, orgId))
	const requestRows = await db.select().from(accessRequests).where(eq(accessRequests.orgId, orgId))
	const hookRows = await db.select().from(webhooks).where(eq(webhooks.orgId, orgId))
	const base = `/o/${slug}`
	const pages: { path: string; route: RouteModule; params?: Record<string, string> }[] = [
		{ path: base, route: orgLayout },
		{ path: base, route: dashboard },
		{ path: `${base}/apps`, route: appList },
		{ path: `${base}/apps/new`, route: newApp },
		{ path: `${base}/requests`, route: requestList },
		{ path: `${base}/review`, route: review },
		{ path: `${base}/calendar`, route: calendar },
		{ path: `${base}/notifications`, route: notifications },
		{ path: `${base}/notifications/settings`, route: notificationSettings },
		{ path: `${base}/members`, route: members },
		{ path: `${base}/audit`, route: audit },
		{ path: `${base}/api-keys`, route: apiKeys },
		{ path: `${base}/webhooks`, route: webhookList },
		{ path: `${base}/settings`, route: settings },
		{ path: `${base}/settings/outbox`, route: outbox },
		...hookRows.map((hook) => ({
			path: `${base}/webhooks/${hook.id}`,
			route: webhookLog,
			params: { webhookId: hook.id },
		})),
		...appRows.flatMap((app) => {
			const params = { appId: app.id }
			const at = `${base}/apps/${app.id}`
			return [
				{ path: at, route: appPage, params },
				{ path: `${at}/reporting`, route: reporting, params },
				{ path: `${at}/reporting`, route: ledger, params },
				{ path: `${at}/reporting/connection`, route: connection, params },
				{ path: `${at}/reporting/import`, route: importPage, params },
				{ path: `${at}/reporting/reporter`, route: reporter, params },
				{ path: `${at}/reporting/runs`, route: runs, params },
			]
		}),
		...requestRows.flatMap((request) => {
			const params = { requestId: request.id }
			const at = `${base}/requests/${request.id}`
			return [
				{ path: at, route: requestPage, params },
				{ path: `${at}/text`, route: requestText, params },
			]
		}),
	]
	const people = await Promise.all(
		DEMO_USERS.map(async (demo) => {
			const [user] = await db.select().from(users).where(eq(users.email, demo.email))
			return { who: demo.email, cookie: (await cookieFor(user!.id)).cookie }
		}),
	)
	const rendered: DemoPage[] = []
	for (const person of people) {
		for (const page of pages) {
			const outcome = await runRoute(
				page.route.loader as Parameters<typeof runRoute>[0],
				makeRequest(page.path, { cookie: person.cookie }),
				{ org: slug, ...page.params },
			)
			if (outcome.status === 403) continue
			if (outcome.status !== 200) throw new Error(`${page.path} as ${person.who}: ${outcome.status}`)
			rendered.push({ path: page.path, who: person.who, html: await renderRoute(page.route.default, outcome.data) })
		}
	}
	return rendered
}

/** The page's text as read: tags removed, entities decoded, spaces collapsed. */
export function pageText(html: string): string {
	return html
		.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, ' ')
		.replace(/<[^>]+>/g, ' ')
		.replace(/&quot;/g, '"')
		.replace(/&#x27;|&#39;/g, "'")
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&nbsp;/g, ' ')
		.replace(/&amp;/g, '&')
		.replace(/\s+/g, ' ')
		.trim()
}
