import { and, eq } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { apps, memberships, reportingConnections } from '#db/schema'
import {
	CONNECTION_KIND_LABELS,
	splitConnection,
	type ConnectionKind,
	type ConnectionSecrets,
	type ConnectionSettings,
	type ConnectionState,
	type OpenConnection,
} from '~/domain/reporting-connection'
import { type ReportingConnectionInput } from '~/schemas/reporting-connection'
import { UserFacingError } from '~/utils/errors'
import { isUuid } from '~/utils/ids'
import { checkOutboundUrl } from '~/utils/outbound-url.server'
import { openJson, sealJson, secretKey, SecretKeyError, secretKeyProblem } from '~/utils/secret-box.server'
import { lockApp } from './apps.server'
import { auditActor, recordAudit, type Actor } from './audit.server'

/**
 * An app's reporting connection (docs/rules.md › Reporting connections): how
 * Clearance itself reaches Atlassian's
 * personal-data reporting API for the app. Secrets are sealed with
 * CLEARANCE_SECRET_KEY (app/utils/secret-box.server.ts) and leave this module
 * only through `loadConnectionForSending`, for the reporter; every other answer,
 * the audit log included, holds the kind and the non-secret settings only.
 */

const NOT_FOUND = 'No such app in this organisation.'
const ADMIN_ONLY = 'Only an admin can set or remove how Clearance reaches Atlassian for an app.'

/** The connection as it may be shown: no secrets. */
export type ConnectionSummary = {
	appId: string
	kind: ConnectionKind
	settings: ConnectionSettings
	state: ConnectionState
	lastSuccessAt: Date | null
	lastErrorAt: Date | null
	lastError: string | null
	nextPlannedAt: Date | null
	updatedAt: Date
	version: number
}

type Row = typeof reportingConnections.$inferSelect

/** Sealed values are bound to their app: one copied onto another row does not open. */
function sealContext(appId: string) {
	return `reporting-connection:${appId}`
}

function summaryOf(row: Row): ConnectionSummary {
	const settings = row.settings as ConnectionSettings
	return {
		appId: row.appId,
		kind: row.kind as ConnectionKind,
		// Only the known, non-secret settings, whatever else a row may hold.
		settings: {
			...(settings.clientId !== undefined ? { clientId: settings.clientId } : {}),
			...(settings.url !== undefined ? { url: settings.url } : {}),
			...(settings.baseUrl !== undefined ? { baseUrl: settings.baseUrl } : {}),
		},
		state: row.state as ConnectionState,
		lastSuccessAt: row.lastSuccessAt,
		lastErrorAt: row.lastErrorAt,
		lastError: row.lastError,
		nextPlannedAt: row.nextPlannedAt,
		updatedAt: row.updatedAt,
		version: row.version,
	}
}

/** What the audit log keeps of a connection, in words: never a secret. */
function auditView(summary: Pick<ConnectionSummary, 'kind' | 'settings'>) {
	const { clientId, url, baseUrl } = summary.settings
	return {
		kind: summary.kind,
		connection: CONNECTION_KIND_LABELS[summary.kind],
		...(clientId !== undefined ? { clientId } : {}),
		...(url !== undefined ? { webTriggerUrl: url } : {}),
		...(baseUrl !== undefined ? { baseUrl } : {}),
	}
}

const SECRET_WORDS: Record<keyof ConnectionSecrets, string> = {
	clientSecret: 'client secret',
	refreshToken: 'refresh token',
	secret: 'web trigger secret',
	sharedSecret: 'shared secret',
}

/** The secret key is set and usable, else a 409 that says how to create one. */
function requireSecretKey() {
	try {
		secretKey()
	} catch (error) {
		if (error instanceof SecretKeyError) throw new UserFacingError(error.message, 409)
		throw error
	}
}

/** A person must be an admin of the organisation; an API key was checked for `apps:write` by its route. */
async function assertMayManage(tx: Tx, orgId: string, actor: Actor) {
	if (typeof actor !== 'string') return
	const [member] = await tx
		.select({ roles: memberships.roles })
		.from(memberships)
		.where(and(eq(memberships.orgId, orgId), eq(memberships.userId, actor)))
	if (!member?.roles.includes('admin')) throw new UserFacingError(ADMIN_ONLY, 403)
}

async function findRow(orgId: string, appId: string | undefined, tx: Tx | typeof db = db): Promise<Row | null> {
	if (!isUuid(appId)) return null
	const [row] = await tx
		.select()
		.from(reportingConnections)
		.where(and(eq(reportingConnections.orgId, orgId), eq(reportingConnections.appId, appId)))
	return row ?? null
}

/** The app's connection without its secrets, or null when none is set (a 404 for another organisation's app). */
export async function getReportingConnection(
	orgId: string,
	appId: string | undefined,
): Promise<ConnectionSummary | null> {
	if (!isUuid(appId)) throw new UserFacingError(NOT_FOUND, 404)
	const [app] = await db
		.select({ id: apps.id })
		.from(apps)
		.where(and(eq(apps.orgId, orgId), eq(apps.id, appId)))
	if (!app) throw new UserFacingError(NOT_FOUND, 404)
	const row = await findRow(orgId, appId)
	return row ? summaryOf(row) : null
}

/** The address typed for a web trigger or a Connect site must be one Clearance may send to (the outbound rule). */
async function assertReachable(input: ReportingConnectionInput) {
	const url = input.kind === 'forge_webtrigger' ? input.url : input.kind === 'connect' ? input.baseUrl : null
	if (url === null) return
	const check = await checkOutboundUrl(url)
	if (!check.ok) throw new UserFacingError(check.message, 422, input.kind === 'connect' ? 'baseUrl' : 'url')
}

/**
 * Sets (or replaces) the app's connection: secrets sealed, settings plain,
 * the state back to `ok` (new credentials deserve a new try), one audit
 * event without secrets, all in one transaction. Needs CLEARANCE_SECRET_KEY.
 */
export async function saveReportingConnection(
	orgId: string,
	actor: Actor,
	appId: string,
	input: ReportingConnectionInput,
	now = new Date(),
): Promise<ConnectionSummary> {
	requireSecretKey()
	await assertReachable(input)
	const { settings, secrets } = splitConnection(input)
	const sealed = sealJson(secrets, sealContext(appId))
	return db.transaction(async (tx) => {
		await assertMayManage(tx, orgId, actor)
		await lockApp(tx, orgId, appId)
		const before = await findRow(orgId, appId, tx)
		const values = {
			kind: input.kind,
			settings,
			secretsCiphertext: sealed,
			state: 'ok',
			lastError: null,
			lastErrorAt: null,
			updatedAt: now,
		}
		const [row] = before
			? await tx
					.update(reportingConnections)
					.set({ ...values, version: before.version + 1 })
					.where(eq(reportingConnections.appId, appId))
					.returning()
			: await tx
					.insert(reportingConnections)
					.values({
						...values,
						appId,
						orgId,
						createdBy: typeof actor === 'string' ? actor : null,
						createdAt: now,
					})
					.returning()
		const summary = summaryOf(row!)
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: 'reporting_connection.saved',
			subjectType: 'app',
			subjectId: appId,
			before: before ? auditView(summaryOf(before)) : null,
			// Which secrets were replaced, by name only.
			after: {
				...auditView(summary),
				secretsReplaced: (Object.keys(secrets) as (keyof ConnectionSecrets)[]).map((name) => SECRET_WORDS[name]),
			},
		})
		return summary
	})
}

/** Removes the app's connection (its sealed secrets with it). False when there was none. */
export async function deleteReportingConnection(orgId: string, actor: Actor, appId: string): Promise<boolean> {
	return db.transaction(async (tx) => {
		await assertMayManage(tx, orgId, actor)
		await lockApp(tx, orgId, appId)
		const [removed] = await tx
			.delete(reportingConnections)
			.where(and(eq(reportingConnections.orgId, orgId), eq(reportingConnections.appId, appId)))
			.returning()
		if (!removed) return false
		await recordAudit(tx, {
			orgId,
			...auditActor(actor),
			action: 'reporting_connection.removed',
			subjectType: 'app',
			subjectId: appId,
			before: auditView(summaryOf(removed)),
			after: null,
		})
		return true
	})
}

/**
 * Atlassian refused the credentials (a 401 or 403, a spent refresh token):
 * the connection is `broken` until a person saves it again; `message` says
 * what to fix. Recorded in the audit log under Clearance the first time.
 */
export async function markBroken(orgId: string, appId: string, message: string, now = new Date()): Promise<void> {
	await db.transaction(async (tx) => {
		const [row] = await tx
			.select()
			.from(reportingConnections)
			.where(and(eq(reportingConnections.orgId, orgId), eq(reportingConnections.appId, appId)))
			.for('update')
		if (!row) return
		await tx
			.update(reportingConnections)
			.set({ state: 'broken', lastError: message, lastErrorAt: now })
			.where(eq(reportingConnections.appId, appId))
		if (row.state !== 'broken') {
			await recordAudit(tx, {
				orgId,
				actorUserId: null,
				action: 'reporting_connection.broken',
				subjectType: 'app',
				subjectId: appId,
				before: { state: row.state },
				after: { state: 'broken', reason: message },
			})
		}
	})
}

/** A failure that needs no person (a 503 after its retries, a network error): kept as the last error, state unchanged. */
export async function recordConnectionError(orgId: string, appId: string, message: string, now = new Date()) {
	await db
		.update(reportingConnections)
		.set({ lastError: message, lastErrorAt: now })
		.where(and(eq(reportingConnections.orgId, orgId), eq(reportingConnections.appId, appId)))
}

/** Atlassian acknowledged a batch: the connection works (a broken one is whole again). */
export async function markSuccess(orgId: string, appId: string, now = new Date()): Promise<void> {
	await db
		.update(reportingConnections)
		.set({ state: 'ok', lastSuccessAt: now })
		.where(and(eq(reportingConnections.orgId, orgId), eq(reportingConnections.appId, appId)))
}

/** When the reporter plans the next send (shown on the reporting page); null for none planned. */
export async function setNextPlannedAt(orgId: string, appId: string, at: Date | null): Promise<void> {
	await db
		.update(reportingConnections)
		.set({ nextPlannedAt: at })
		.where(and(eq(reportingConnections.orgId, orgId), eq(reportingConnections.appId, appId)))
}

function openRow(row: Row, appKey: string): OpenConnection & { orgId: string; version: number } {
	const settings = row.settings as ConnectionSettings
	const secrets = openJson<ConnectionSecrets>(row.secretsCiphertext, sealContext(row.appId))
	const base = { appId: row.appId, orgId: row.orgId, version: row.version }
	switch (row.kind as ConnectionKind) {
		case 'oauth2':
			return {
				...base,
				kind: 'oauth2',
				clientId: settings.clientId ?? '',
				clientSecret: secrets.clientSecret ?? '',
				refreshToken: secrets.refreshToken ?? '',
			}
		case 'forge_webtrigger':
			return { ...base, kind: 'forge_webtrigger', url: settings.url ?? '', secret: secrets.secret ?? '' }
		case 'connect':
			return {
				...base,
				kind: 'connect',
				baseUrl: settings.baseUrl ?? '',
				sharedSecret: secrets.sharedSecret ?? '',
				appKey,
			}
	}
}

export type ConnectionForSending = OpenConnection & { orgId: string; version: number }

/**
 * The connection with its secrets opened, for the reporter only (server
 * side; never log it or send it to a page). Null when the app has none.
 * Throws SecretKeyError / SecretBoxError when the key is missing or changed.
 * For Connect, the JWT issuer is the app key registered on the app.
 */
export async function loadConnectionForSending(orgId: string, appId: string): Promise<ConnectionForSending | null> {
	if (!isUuid(appId)) return null
	const [found] = await db
		.select({ row: reportingConnections, appKey: apps.appKey })
		.from(reportingConnections)
		.innerJoin(apps, eq(apps.id, reportingConnections.appId))
		.where(and(eq(reportingConnections.orgId, orgId), eq(reportingConnections.appId, appId), eq(apps.orgId, orgId)))
	return found ? openRow(found.row, found.appKey) : null
}

/**
 * Atlassian rotated the refresh token: the new one replaces the spent one,
 * committed at once in its own transaction (before the access token is
 * used), so the spent token is never sent again. Only when the connection
 * is still the one the token was exchanged for (`version`): a connection
 * saved meanwhile by a person is kept. Returns the new version, or null when
 * the connection changed or is gone.
 */
export async function storeRotatedRefreshToken(
	conn: { orgId: string; appId: string; version: number },
	refreshToken: string,
): Promise<number | null> {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select()
			.from(reportingConnections)
			.where(and(eq(reportingConnections.orgId, conn.orgId), eq(reportingConnections.appId, conn.appId)))
			.for('update')
		if (!row || row.version !== conn.version || row.kind !== 'oauth2') return null
		const secrets = openJson<ConnectionSecrets>(row.secretsCiphertext, sealContext(row.appId))
		const sealed = sealJson({ ...secrets, refreshToken }, sealContext(row.appId))
		const [updated] = await tx
			.update(reportingConnections)
			.set({ secretsCiphertext: sealed, version: row.version + 1 })
			.where(eq(reportingConnections.appId, conn.appId))
			.returning({ version: reportingConnections.version })
		return updated?.version ?? null
	})
}

/**
 * What the reporting page's connection card shows: the connection without
 * secrets, and whether the server can keep secrets at all (the form warns
 * before anyone types one).
 */
export async function getConnectionForPage(orgId: string, appId: string) {
	return {
		summary: await getReportingConnection(orgId, appId),
		secretKeyProblem: secretKeyProblem(),
	}
}
