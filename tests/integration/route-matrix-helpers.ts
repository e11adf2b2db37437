// Shared by the route matrix and the fuzzing tests (not a test file itself).
import { and, eq } from 'drizzle-orm'
import { db } from '#db/client.server'
import { memberships } from '#db/schema'
import { API_SCOPES, type ApiScope } from '~/domain/api-keys'
import { ROLES, type Role } from '~/domain/roles'
import { action as newRequestAction } from '~/routes/o.$org.requests.new'
import { createApiKey } from '~/services/api-keys.server'
import { createWebhook } from '~/services/webhooks.server'
import { createTestApp } from '../fixtures/requests'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

/**
 * Two organisations. At home: one person per role (each holding that role
 * only), an app, a request and a webhook, an API key with every scope and,
 * per scope, a key with all the others. The other organisation: a stranger
 * holding every role there, an app of their own and a key with every scope.
 */
export async function matrixWorld() {
	const { org, admin } = await createOrg('Home Apps')
	const { org: otherOrg, admin: stranger } = await createOrg('Other Apps')
	await db
		.update(memberships)
		.set({ roles: [...ROLES] })
		.where(and(eq(memberships.orgId, otherOrg.id), eq(memberships.userId, stranger.id)))
	const cookies = {} as Record<Role, string>
	const ids = {} as Record<Role, string>
	for (const role of ROLES) {
		ids[role] = (await addMember(org.id, [role], `Only ${role}`)).id
		cookies[role] = (await cookieFor(ids[role])).cookie
	}
	const founderCookie = (await cookieFor(admin.id)).cookie
	const strangerCookie = (await cookieFor(stranger.id)).cookie
	const app = await createTestApp(org.id, admin.id)
	const otherApp = await createTestApp(otherOrg.id, stranger.id)
	const created = await runRoute(
		newRequestAction,
		makeRequest(`/o/${org.slug}/requests/new`, { cookie: founderCookie, form: { appId: app.id } }),
		{ org: org.slug },
	)
	const requestId = created.headers.get('Location')!.split('/').pop()!
	const { webhook } = await createWebhook(
		org.id,
		admin.id,
		{ name: 'Chat room', url: 'http://127.0.0.1:9/hook' },
		{ allowPrivate: true },
	)
	const key = (await createApiKey(org.id, admin.id, { name: 'Every scope', scopes: [...API_SCOPES] })).key
	const keyWithout = {} as Record<ApiScope, string>
	for (const scope of API_SCOPES) {
		const scopes = API_SCOPES.filter((other) => other !== scope)
		keyWithout[scope] = (await createApiKey(org.id, admin.id, { name: `Without ${scope}`, scopes })).key
	}
	const strangerKey = (await createApiKey(otherOrg.id, stranger.id, { name: 'Theirs', scopes: [...API_SCOPES] })).key
	return {
		org,
		admin,
		otherOrg,
		cookies,
		memberId: ids.member,
		founderCookie,
		strangerCookie,
		app,
		otherApp,
		requestId,
		webhookId: webhook.id,
		key,
		keyWithout,
		strangerKey,
		/** URL parameter values at home (the task and the token name nothing: 404 for everyone). */
		params: {
			org: org.slug,
			appId: app.id,
			requestId,
			webhookId: webhook.id,
			taskId: '00000000-0000-4000-8000-000000000000',
			jobId: '00000000-0000-4000-8000-000000000000',
			accountId: '5be24ad8b16532403769aaaa',
			token: 'no-such-token-0123456789abcdef',
			'*': 'no/such/page',
		} as Record<string, string>,
	}
}

export type MatrixWorld = Awaited<ReturnType<typeof matrixWorld>>

/** URL parameters that name a row of the organisation (a stranger's own URL with one of these must still 404). */
export const ENTITY_PARAMS = ['appId', 'requestId', 'webhookId'] as const
