import { and, asc, desc, eq, inArray, like, sql } from 'drizzle-orm'
import { db, type Database, type Tx } from '#db/client.server'
import {
	accessRequests,
	accountActions,
	apiKeys,
	apps,
	auditEvents,
	invites,
	organizations,
	reportRuns,
	requestUseCases,
	users,
	webhooks,
} from '#db/schema'
import { auditChanges, redactEmails, REQUEST_AUDIT_FIELDS, requestAuditState } from '~/domain/audit-diff'
import { permissionRefusalReason, subjectOfPath, type ResolvedSubject } from '~/domain/audit-labels'
import { type Permission, type Role } from '~/domain/roles'
import { UserFacingError } from '~/utils/errors'
import { isUuid } from '~/utils/ids'
import { rowsOf } from '~/utils/sql-rows.server'

/**
 * Who makes a change: a signed-in person (their user id), or one of the
 * organisation's API keys (issue 12). Services take either; the audit event
 * names whichever it was.
 */
export type Actor = string | { apiKeyId: string }

/** The person behind a change, or null when an API key made it. */
export function actorUserIdOf(actor: Actor): string | null {
	return typeof actor === 'string' ? actor : null
}

/** The audit event's actor columns for this actor. */
export function auditActor(actor: Actor | null): { actorUserId: string | null; actorApiKeyId: string | null } {
	if (actor === null) return { actorUserId: null, actorApiKeyId: null }
	return typeof actor === 'string'
		? { actorUserId: actor, actorApiKeyId: null }
		: { actorUserId: null, actorApiKeyId: actor.apiKeyId }
}

export interface AuditEntry {
	orgId: string
	actorUserId: string | null
	/** Set when one of the organisation's API keys made the change (then `actorUserId` is null). */
	actorApiKeyId?: string | null
	action: string
	subjectType: string
	subjectId: string
	before?: unknown
	after?: unknown
}

/**
 * Writes one audit event inside the caller's transaction, so the event and
 * the change it describes commit (or roll back) together.
 */
export async function recordAudit(tx: Tx | Database, entry: AuditEntry) {
	await tx.insert(auditEvents).values({
		orgId: entry.orgId,
		actorUserId: entry.actorUserId,
		actorApiKeyId: entry.actorApiKeyId ?? null,
		action: entry.action,
		subjectType: entry.subjectType,
		subjectId: entry.subjectId,
		before: entry.before ?? null,
		after: entry.after ?? null,
	})
}

export type AuditFilter = {
	action?: string
	actorUserId?: string
	/** Inclusive calendar dates (YYYY-MM-DD) in the organisation's time zone. */
	from?: string
	to?: string
}

/**
 * The org's audit events matching `filter`, newest first, with the actor's
 * name, keyset-paged on (created_at, id): `beforeId` names the last event
 * shown, and the next page is what sorts after it, read down the
 * audit_events_org_created_idx index from there (docs/performance.md ›
 * Indexes): no offset, no scan of the whole log. Several events of one
 * transaction share their time; the id orders them. Dates are read in the
 * org's time zone, so "from 3 March" means 3 March where the auditor is.
 */
export async function searchAuditEvents(
	orgId: string,
	timeZone: string,
	filter: AuditFilter,
	{ limit = 50, beforeId }: { limit?: number; beforeId?: number } = {},
) {
	const rows = await db
		.select({
			id: auditEvents.id,
			action: auditEvents.action,
			subjectType: auditEvents.subjectType,
			subjectId: auditEvents.subjectId,
			before: auditEvents.before,
			after: auditEvents.after,
			createdAt: auditEvents.createdAt,
			actorUserId: auditEvents.actorUserId,
			actorName: users.name,
			actorEmail: users.email,
			actorApiKeyId: auditEvents.actorApiKeyId,
			actorKeyName: apiKeys.name,
			actorKeyPrefix: apiKeys.prefix,
		})
		.from(auditEvents)
		.leftJoin(users, eq(users.id, auditEvents.actorUserId))
		.leftJoin(apiKeys, and(eq(apiKeys.id, auditEvents.actorApiKeyId), eq(apiKeys.orgId, orgId)))
		.where(
			and(
				eq(auditEvents.orgId, orgId),
				filter.action ? like(auditEvents.action, `${filter.action.replace(/[\\%_]/g, '\\$&')}%`) : undefined,
				filter.actorUserId ? eq(auditEvents.actorUserId, filter.actorUserId) : undefined,
				filter.from
					? sql`${auditEvents.createdAt} >= (${filter.from}::date)::timestamp at time zone ${timeZone}`
					: undefined,
				filter.to
					? sql`${auditEvents.createdAt} < (${filter.to}::date + 1)::timestamp at time zone ${timeZone}`
					: undefined,
				beforeId
					? sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (select e.created_at, e.id from audit_events e where e.id = ${beforeId} and e.org_id = ${orgId})`
					: undefined,
			),
		)
		.orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
		.limit(limit + 1)
	return { events: rows.slice(0, limit), nextBeforeId: rows.length > limit ? rows[limit - 1]!.id : null }
}

/** Distinct actions and actors of the org, for the filter's pick lists. */
export async function auditFilterOptions(orgId: string) {
	const [actions, actorIds] = await Promise.all([distinctInOrg(orgId, 'action'), distinctInOrg(orgId, 'actor_user_id')])
	const actors =
		actorIds.length === 0
			? []
			: await db
					.select({ id: users.id, name: users.name })
					.from(users)
					.where(inArray(users.id, actorIds))
					.orderBy(asc(users.name), asc(users.id))
	// Sorted here, not by the database, so the order is the same on both drivers (collations differ).
	return {
		actions: actions.sort(),
		actors,
	}
}

/**
 * The distinct non-null values of one column in the organisation's events, by a loose index scan
 * (audit_events_org_action_idx, audit_events_org_actor_idx): each step jumps to the next distinct value, so
 * the cost follows the number of distinct values, not of events.
 */
async function distinctInOrg(orgId: string, column: 'action' | 'actor_user_id'): Promise<string[]> {
	const value = sql.identifier(column)
	const result = await db.execute(sql`
		with recursive distinct_values(value) as (
			(select ${value} from audit_events where org_id = ${orgId} and ${value} is not null order by ${value} limit 1)
			union all
			select (select ${value} from audit_events
				where org_id = ${orgId} and ${value} > distinct_values.value order by ${value} limit 1)
			from distinct_values where distinct_values.value is not null
		)
		select value from distinct_values where value is not null`)
	return rowsOf<{ value: string }>(result).map((row) => row.value)
}

// ── Saves: the fields that changed (docs/rules.md › Audit trail) ─────────

/** The request's content as the audit log compares it, read inside the caller's transaction. */
export async function requestAuditStateOf(tx: Tx, requestId: string) {
	const [request] = await tx.select().from(accessRequests).where(eq(accessRequests.id, requestId))
	if (!request) return null
	const useCases = await tx
		.select({ code: requestUseCases.code, description: requestUseCases.description })
		.from(requestUseCases)
		.where(eq(requestUseCases.requestId, requestId))
		.orderBy(asc(requestUseCases.position))
	return requestAuditState({ ...request, useCases })
}

/**
 * Records a request save: the version it went from and to, whether the
 * checklist verdict changed, and each content field that changed with its
 * old and new value, email addresses removed. `before` is
 * `requestAuditStateOf` read before the save wrote anything.
 */
export async function recordRequestSave(
	tx: Tx,
	entry: {
		orgId: string
		actorUserId: string
		requestId: string
		before: Record<string, unknown> | null
		version: { from: number; to: number }
		checklistReady: { from: boolean; to: boolean }
	},
) {
	const after = await requestAuditStateOf(tx, entry.requestId)
	const changes = entry.before && after ? auditChanges(entry.before, after, REQUEST_AUDIT_FIELDS) : null
	const verdict = entry.checklistReady.from !== entry.checklistReady.to
	await recordAudit(tx, {
		orgId: entry.orgId,
		actorUserId: entry.actorUserId,
		action: 'request.saved',
		subjectType: 'access_request',
		subjectId: entry.requestId,
		before: {
			version: entry.version.from,
			...(verdict ? { checklistReady: entry.checklistReady.from } : {}),
			...changes?.before,
		},
		after: {
			version: entry.version.to,
			...(verdict ? { checklistReady: entry.checklistReady.to } : {}),
			...changes?.after,
		},
	})
}

// ── Refusals ────────────────────────────────────────────────────────────

export type Refusal = {
	orgId: string
	actorUserId: string
	/** `request.decide_refused`, `request.action_refused`, `permission.denied`… */
	action: string
	subjectType: string
	subjectId: string
	/** What was attempted (`{ attempted: 'complete_review' }`), recorded with the reason. */
	attempted: Record<string, unknown>
	reason: string
	roles?: readonly Role[]
}

/**
 * Records a refused attempt in its own transaction: the refused work has
 * rolled back by then, and the record of the refusal must not go with it.
 * A use case named by id is recorded with its code and description, which
 * stay readable after a later save replaces the row.
 */
export async function recordRefusal(refusal: Refusal) {
	const useCaseId = refusal.attempted.useCaseId
	const [useCase] =
		refusal.subjectType === 'access_request' && typeof useCaseId === 'string' && isUuid(useCaseId)
			? await db
					.select({ code: requestUseCases.code, description: requestUseCases.description })
					.from(requestUseCases)
					.where(and(eq(requestUseCases.id, useCaseId), eq(requestUseCases.requestId, refusal.subjectId)))
			: []
	await db.transaction((tx) =>
		recordAudit(tx, {
			orgId: refusal.orgId,
			actorUserId: refusal.actorUserId,
			action: refusal.action,
			subjectType: refusal.subjectType,
			subjectId: refusal.subjectId,
			before: refusal.roles ? { roles: [...refusal.roles] } : null,
			after: redactEmails({ ...refusal.attempted, ...useCase, reason: refusal.reason }),
		}),
	)
}

/**
 * Runs `work`; when it is refused for who is asking (a 403: four eyes, a
 * missing role), records the refusal after the work rolled back, then
 * passes the refusal on unchanged.
 */
export async function auditRefusals<T>(refusal: Omit<Refusal, 'reason'>, work: () => Promise<T>): Promise<T> {
	try {
		return await work()
	} catch (error) {
		if (error instanceof UserFacingError && error.status === 403) {
			await recordRefusal({ ...refusal, reason: error.message })
		}
		throw error
	}
}

/**
 * A member asked for a page or action of the organisation that their roles
 * do not allow. The subject is the app or request the page is about, else
 * the organisation.
 */
export async function recordPermissionDenied(input: {
	orgId: string
	actorUserId: string
	roles: readonly Role[]
	permission: Permission
	method: string
	path: string
}) {
	const subject = subjectOfPath(input.path) ?? { subjectType: 'organization', subjectId: input.orgId }
	await recordRefusal({
		orgId: input.orgId,
		actorUserId: input.actorUserId,
		action: 'permission.denied',
		...subject,
		attempted: { permission: input.permission, method: input.method, path: input.path },
		reason: permissionRefusalReason(input.permission, input.roles),
		roles: input.roles,
	})
}

// ── Subjects by name ────────────────────────────────────────────────────

const subjectKey = (subjectType: string, subjectId: string) => `${subjectType}:${subjectId}`

/**
 * The name of each event's subject (and, for reporting records, its app),
 * keyed `type:id`; a subject no longer in this organisation is missing.
 * One query per kind of subject on the page, each scoped to the organisation.
 */
export async function resolveAuditSubjects(
	orgId: string,
	events: readonly { subjectType: string; subjectId: string }[],
): Promise<Map<string, ResolvedSubject>> {
	const ids = (type: string) => [
		...new Set(
			events.filter((event) => event.subjectType === type && isUuid(event.subjectId)).map((event) => event.subjectId),
		),
	]
	const found = new Map<string, ResolvedSubject>()
	const add = (type: string, rows: { id: string; name: string; appId?: string | null }[]) => {
		for (const row of rows) found.set(subjectKey(type, row.id), { name: row.name, appId: row.appId ?? null })
	}
	const requestIds = ids('access_request')
	const appIds = ids('app')
	const userIds = ids('user')
	const inviteIds = ids('invite')
	const runIds = ids('report_run')
	const taskIds = ids('account_action')
	const keyIds = ids('api_key')
	const webhookIds = ids('webhook')
	await Promise.all([
		requestIds.length &&
			db
				.select({ id: accessRequests.id, name: apps.name, appId: apps.id })
				.from(accessRequests)
				.innerJoin(apps, eq(apps.id, accessRequests.appId))
				.where(and(eq(accessRequests.orgId, orgId), inArray(accessRequests.id, requestIds)))
				.then((rows) => add('access_request', rows)),
		appIds.length &&
			db
				.select({ id: apps.id, name: apps.name })
				.from(apps)
				.where(and(eq(apps.orgId, orgId), inArray(apps.id, appIds)))
				.then((rows) => add('app', rows)),
		// People keep their name in the log after they leave the organisation:
		// only ids this organisation's own events name are looked up.
		userIds.length &&
			db
				.select({ id: users.id, name: users.name })
				.from(users)
				.where(inArray(users.id, userIds))
				.then((rows) => add('user', rows)),
		inviteIds.length &&
			db
				.select({ id: invites.id, name: invites.email })
				.from(invites)
				.where(and(eq(invites.orgId, orgId), inArray(invites.id, inviteIds)))
				.then((rows) => add('invite', rows)),
		runIds.length &&
			db
				.select({ id: reportRuns.id, name: apps.name, appId: apps.id })
				.from(reportRuns)
				.innerJoin(apps, eq(apps.id, reportRuns.appId))
				.where(and(eq(reportRuns.orgId, orgId), inArray(reportRuns.id, runIds)))
				.then((rows) => add('report_run', rows)),
		taskIds.length &&
			db
				.select({ id: accountActions.id, name: apps.name, appId: apps.id })
				.from(accountActions)
				.innerJoin(apps, eq(apps.id, accountActions.appId))
				.where(and(eq(accountActions.orgId, orgId), inArray(accountActions.id, taskIds)))
				.then((rows) => add('account_action', rows)),
		keyIds.length &&
			db
				.select({ id: apiKeys.id, name: apiKeys.name })
				.from(apiKeys)
				.where(and(eq(apiKeys.orgId, orgId), inArray(apiKeys.id, keyIds)))
				.then((rows) => add('api_key', rows)),
		webhookIds.length &&
			db
				.select({ id: webhooks.id, name: webhooks.name })
				.from(webhooks)
				.where(and(eq(webhooks.orgId, orgId), inArray(webhooks.id, webhookIds)))
				.then((rows) => add('webhook', rows)),
		events.some((event) => event.subjectType === 'organization' && event.subjectId === orgId) &&
			db
				.select({ id: organizations.id, name: organizations.name })
				.from(organizations)
				.where(eq(organizations.id, orgId))
				.then((rows) => add('organization', rows)),
	])
	return found
}

export function resolvedSubject(
	subjects: Map<string, ResolvedSubject>,
	event: { subjectType: string; subjectId: string },
) {
	return subjects.get(subjectKey(event.subjectType, event.subjectId))
}
