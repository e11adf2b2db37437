import { and, asc, eq, inArray } from 'drizzle-orm'
import { db, type Database, type Tx } from '#db/client.server'
import { accessRequests, apps, requestEvents, requestUseCases } from '#db/schema'
import {
	appAccess,
	approvalStanding,
	identityConflict,
	personalDataConflict,
	type AccessEvent,
	type AppAccess,
	type ApprovalStanding,
	type AppPersonalDataAnswer,
} from '~/domain/approved-scope'
import { correctedDates, DATE_CORRECTED, stepOf } from '~/domain/tickets'
import { isUuid } from '~/utils/ids'

export type ApprovedScope = {
	requestId: string
	/** When Atlassian approved it (the corrected date, if corrected). */
	approvedAt: Date
	products: string[]
	storesPersonalData: boolean | null
	/** The app as Atlassian approved it: its type and key in the request. */
	appType: string | null
	appKey: string
	useCases: { code: string; description: string }[]
}

export type AppScope = { access: AppAccess; scope: ApprovedScope | null }

const ACCESS_KINDS = ['atlassian_approved', 'atlassian_revoked']

/**
 * The app's access, derived from when Atlassian approved and revoked its
 * requests (see `appAccess`): a revocation ends every earlier approval, so
 * an older approved request never becomes the scope again by itself.
 */
export async function loadAppAccess(q: Tx | Database, orgId: string, appId: string): Promise<AppAccess> {
	if (!isUuid(appId)) return { status: 'none' }
	const requests = await q
		.select({ id: accessRequests.id, state: accessRequests.state, updatedAt: accessRequests.updatedAt })
		.from(accessRequests)
		.where(and(eq(accessRequests.orgId, orgId), eq(accessRequests.appId, appId)))
	if (requests.length === 0) return { status: 'none' }
	const rows = await q
		.select({
			id: requestEvents.id,
			requestId: requestEvents.requestId,
			kind: requestEvents.kind,
			occurredAt: requestEvents.occurredAt,
			details: requestEvents.details,
		})
		.from(requestEvents)
		.where(
			and(
				eq(requestEvents.orgId, orgId),
				inArray(
					requestEvents.requestId,
					requests.map((request) => request.id),
				),
				inArray(requestEvents.kind, [...ACCESS_KINDS, DATE_CORRECTED]),
			),
		)
		.orderBy(asc(requestEvents.id))
	const corrected = correctedDates(rows)
	const events: AccessEvent[] = rows.flatMap((row) => {
		const step = stepOf(row, corrected)
		if (!step || (step.kind !== 'approved' && step.kind !== 'revoked')) return []
		return [{ requestId: row.requestId, kind: step.kind, at: step.at, seq: row.id }]
	})
	// A request approved before approvals were on its timeline counts from when it last changed.
	for (const request of requests) {
		if (
			request.state === 'approved' &&
			!events.some((event) => event.kind === 'approved' && event.requestId === request.id)
		) {
			events.push({ requestId: request.id, kind: 'approved', at: request.updatedAt, seq: 0 })
		}
	}
	return appAccess(events)
}

/** The app's access and, while it has one, its approved scope: the use cases of the approval in force. */
export async function getAppScope(orgId: string, appId: string, q: Tx | Database = db): Promise<AppScope> {
	const access = await loadAppAccess(q, orgId, appId)
	if (access.status !== 'approved') return { access, scope: null }
	const [request] = await q
		.select({
			products: accessRequests.products,
			storesPersonalData: accessRequests.storesPersonalData,
			appType: accessRequests.appType,
			appKey: accessRequests.appKey,
		})
		.from(accessRequests)
		.where(and(eq(accessRequests.orgId, orgId), eq(accessRequests.id, access.requestId)))
	if (!request) return { access, scope: null }
	const useCases = await q
		.select({ code: requestUseCases.code, description: requestUseCases.description })
		.from(requestUseCases)
		.where(eq(requestUseCases.requestId, access.requestId))
		.orderBy(asc(requestUseCases.position))
	return {
		access,
		scope: {
			requestId: access.requestId,
			approvedAt: access.approvedAt,
			products: request.products,
			storesPersonalData: request.storesPersonalData,
			appType: request.appType,
			appKey: request.appKey,
			useCases,
		},
	}
}

/** The app's current approved scope, or null (never approved, or access revoked since). */
export async function getApprovedScope(orgId: string, appId: string) {
	return (await getAppScope(orgId, appId)).scope
}

/**
 * The app page's view of its access: the scope in force, the revocation
 * that ended it, and whether the app record contradicts the approved
 * request about personal data.
 */
export async function appScopeView(
	orgId: string,
	app: { id: string; storesPersonalData: AppPersonalDataAnswer; appType: string; appKey: string },
) {
	const { access, scope } = await getAppScope(orgId, app.id)
	return {
		scope,
		revocation: access.status === 'revoked' ? { requestId: access.requestId, revokedAt: access.revokedAt } : null,
		personalDataConflict: scope
			? (personalDataConflict(app.storesPersonalData, scope.storesPersonalData)?.message ?? null)
			: null,
		identityConflict: scope ? identityConflict(app, scope) : null,
	}
}

/**
 * A request page's notices about the app's access: whether this approval
 * is still in force (approved requests only), and the personal-data
 * contradiction on the approved request and its amendments.
 */
export async function requestScopeNotices(
	orgId: string,
	request: { id: string; appId: string; state: string; amendsRequestId: string | null },
): Promise<{ access: AppAccess; standing: ApprovalStanding | null; personalDataConflict: string | null }> {
	const [{ access, scope }, [app]] = await Promise.all([
		getAppScope(orgId, request.appId),
		db
			.select({ storesPersonalData: apps.storesPersonalData })
			.from(apps)
			.where(and(eq(apps.orgId, orgId), eq(apps.id, request.appId))),
	])
	const concerned = scope !== null && (scope.requestId === request.id || scope.requestId === request.amendsRequestId)
	return {
		// Read here for the page's other uses of it too (whether an amendment is compared with the approval in force).
		access,
		standing: request.state === 'approved' ? approvalStanding(access, request.id) : null,
		personalDataConflict:
			concerned && app
				? (personalDataConflict(app.storesPersonalData, scope.storesPersonalData)?.message ?? null)
				: null,
	}
}
