import { db } from '#db/client.server'
import { reportingConnections } from '#db/schema'
import { type ReportBody } from '~/domain/report-batches'
import { AppSchema } from '~/schemas/apps'
import { createApp } from '~/services/apps.server'
import { writeAccounts } from '~/services/ledger.server'
import { type BatchSender, type SendAnswer } from '~/services/reporter.server'
import { type AtlassianStandIn } from '../fixtures/atlassian-stand-in'
import { addMember, createOrg } from '../fixtures/world'

/** Account ids in the documented shape (24 hex digits), sorted as the ledger streams them. */
export function accountIds(count: number, prefix = '5be24ad8b16532403769'): string[] {
	return Array.from({ length: count }, (_, i) => `${prefix}${i.toString(16).padStart(4, '0')}`)
}

/** An organisation with an app that stores personal data, its ledger, and a reporting connection. */
export async function reporterWorld({
	accounts = accountIds(3),
	kind = 'oauth2',
	connection = true,
}: { accounts?: string[]; kind?: 'oauth2' | 'forge_webtrigger' | 'connect'; connection?: boolean } = {}) {
	const { org, admin } = await createOrg()
	const member = await addMember(org.id, ['member'], 'Mo Member')
	const app = await createApp(
		org.id,
		member.id,
		AppSchema.parse({
			name: 'Mail Bridge',
			appKey: `com.acme.bridge-${Math.random().toString(36).slice(2, 8)}`,
			appType: 'forge',
			products: ['jira'],
			privacyPolicyUrl: 'https://acme.example/privacy',
			storesPersonalData: 'yes',
		}),
	)
	const retrievedAt = new Date(Date.now() - 3 * 86_400_000)
	await writeAccounts(
		org.id,
		admin.id,
		app.id,
		accounts.map((accountId, position) => ({ position, accountId, updatedAt: retrievedAt.toISOString() })),
		{ atomic: true },
	)
	if (!connection) return { org, admin, member, app }
	await db.insert(reportingConnections).values({
		appId: app.id,
		orgId: org.id,
		kind,
		settings: {},
		secretsCiphertext: 'not-used-by-the-test-sender',
		createdBy: admin.id,
	})
	return { org, admin, member, app }
}

/**
 * A sender for the engine that speaks to the stand-in's OAuth 2.0 door as the
 * real client does (refresh token → access token, rotated; Bearer), kept in the
 * test so the engine is tested on its own.
 */
export function standInSender(standIn: AtlassianStandIn): BatchSender & { calls: ReportBody[] } {
	let access: string | null = null
	const calls: ReportBody[] = []
	const sender = async (_connection: unknown, body: ReportBody): Promise<SendAnswer> => {
		calls.push(body)
		if (!access) {
			const response = await fetch(`${standIn.authUrl}/oauth/token`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({
					grant_type: 'refresh_token',
					client_id: standIn.clientId,
					client_secret: standIn.clientSecret,
					refresh_token: standIn.currentRefreshToken(),
				}),
			})
			access = ((await response.json()) as { access_token: string }).access_token
		}
		let response: Response
		try {
			response = await fetch(`${standIn.apiUrl}/app/report-accounts/`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${access}` },
				body: JSON.stringify(body),
			})
		} catch (error) {
			const failure = new Error(`network: ${(error as Error).message}`)
			failure.name = 'NetworkError'
			throw failure
		}
		return { status: response.status, headers: response.headers, bodyText: await response.text() }
	}
	return Object.assign(sender, { calls })
}

/** A sleep that records what it was asked to wait and returns at once. */
export function recordingSleep() {
	const waits: number[] = []
	const sleep = async (ms: number) => {
		waits.push(ms)
	}
	return Object.assign(sleep, { waits })
}
