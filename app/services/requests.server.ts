import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm'
import { db, type Database, type Tx } from '#db/client.server'
import { accessRequests, apps, organizations, requestUseCases, users } from '#db/schema'
import { CUSTOM_USE_CASE_CODE, isProduct } from '~/domain/catalogue'
import { evaluateRequest, type ChecklistResult } from '~/domain/checklist'
import { emailAddressErrors, toChecklistInput } from '~/domain/request-fields'
import { IN_PROGRESS_STATES, isEditable, type RequestState } from '~/domain/request-lifecycle'
import { type RequestFields } from '~/schemas/request'
import { UserFacingError } from '~/utils/errors'
import { isUuid } from '~/utils/ids'
import { loadAppAccess } from './approved-scope.server'
import { recordAudit, recordRequestSave, requestAuditStateOf } from './audit.server'

export type RequestRow = typeof accessRequests.$inferSelect
export type UseCaseRow = typeof requestUseCases.$inferSelect

export type RequestDetail = RequestRow & {
	useCases: UseCaseRow[]
	app: { id: string; name: string }
}

const NOT_FOUND = 'No such request in this organisation.'

/** The request with its use cases, or null when it is not in this organisation. */
export async function getRequest(
	orgId: string,
	requestId: string,
	q: Database | Tx = db,
): Promise<RequestDetail | null> {
	if (!isUuid(requestId)) return null
	const [row] = await q
		.select({ request: accessRequests, app: { id: apps.id, name: apps.name } })
		.from(accessRequests)
		.innerJoin(apps, eq(apps.id, accessRequests.appId))
		.where(and(eq(accessRequests.id, requestId), eq(accessRequests.orgId, orgId)))
	if (!row) return null
	const useCases = await q
		.select()
		.from(requestUseCases)
		.where(eq(requestUseCases.requestId, requestId))
		.orderBy(asc(requestUseCases.position))
	return { ...row.request, useCases, app: row.app }
}

export async function listRequests(orgId: string, { appId }: { appId?: string } = {}) {
	return db
		.select({
			id: accessRequests.id,
			state: accessRequests.state,
			appId: accessRequests.appId,
			appName: apps.name,
			checklistReady: accessRequests.checklistReady,
			amendsRequestId: accessRequests.amendsRequestId,
			updatedAt: accessRequests.updatedAt,
			createdAt: accessRequests.createdAt,
			useCaseCount: sql<number>`(select count(*)::int from ${requestUseCases} where ${requestUseCases.requestId} = ${accessRequests.id})`,
		})
		.from(accessRequests)
		.innerJoin(apps, eq(apps.id, accessRequests.appId))
		.where(and(eq(accessRequests.orgId, orgId), appId ? eq(accessRequests.appId, appId) : undefined))
		.orderBy(desc(accessRequests.updatedAt))
}

/** The request as form values: what the editor shows and what was saved. */
export function requestToFields(request: RequestDetail): RequestFields {
	return {
		companyName: request.companyName,
		appName: request.appName,
		appKey: request.appKey,
		appType: request.appType ?? '',
		products: request.products.filter(isProduct),
		marketplaceListingUrl: request.marketplaceListingUrl,
		privacyPolicyUrl: request.privacyPolicyUrl,
		termsOfUseUrl: request.termsOfUseUrl,
		storesPersonalData:
			request.storesPersonalData === true ? 'yes' : request.storesPersonalData === false ? 'no' : 'undecided',
		useCaseCodes: request.useCases.filter((row) => row.code !== CUSTOM_USE_CASE_CODE).map((row) => row.code),
		customUseCases: request.useCases
			.filter((row) => row.code === CUSTOM_USE_CASE_CODE)
			.map((row) => ({ description: row.description })),
		functionalityDescription: request.functionalityDescription,
		privacyPolicyExcerpt: request.privacyPolicyExcerpt,
	}
}

export function evaluateSaved(request: RequestDetail): ChecklistResult {
	return evaluateRequest(toChecklistInput(requestToFields(request)))
}

function columnsOf(fields: RequestFields) {
	const input = toChecklistInput(fields)
	return {
		companyName: fields.companyName.trim(),
		appName: fields.appName.trim(),
		appKey: fields.appKey.trim(),
		appType: fields.appType || null,
		products: [...new Set(fields.products)],
		marketplaceListingUrl: fields.marketplaceListingUrl.trim(),
		privacyPolicyUrl: fields.privacyPolicyUrl.trim(),
		termsOfUseUrl: fields.termsOfUseUrl.trim(),
		storesPersonalData: input.storesPersonalData ?? null,
		functionalityDescription: fields.functionalityDescription,
		privacyPolicyExcerpt: fields.privacyPolicyExcerpt,
	}
}

/** Replaces the request's use cases with those of the form, each with the engine's outcome. */
async function writeUseCases(tx: Tx, requestId: string, fields: RequestFields) {
	// toChecklistInput lists catalogue codes (deduplicated) then custom rows;
	// the engine answers use cases in input order, so outcomes line up.
	const input = toChecklistInput(fields)
	const result = evaluateRequest(input)
	await tx.delete(requestUseCases).where(eq(requestUseCases.requestId, requestId))
	const rows = (input.useCases ?? []).map((useCase) => ({
		code: useCase.code,
		description: useCase.description ?? '',
	}))
	if (rows.length > 0) {
		await tx.insert(requestUseCases).values(
			rows.map((row, position) => {
				const outcome = result.useCases[position]
				return {
					requestId,
					position,
					code: row.code,
					description: row.description,
					engineOutcome: outcome?.outcome ?? 'needs_review',
					suggestedCode: outcome?.suggestedCode ?? null,
				}
			}),
		)
	}
	return result
}

/** A new draft for an app, prefilled from the app record and the organisation's name. */
export async function createDraft(orgId: string, actorId: string, appId: string) {
	if (!isUuid(appId)) throw new UserFacingError('No such app in this organisation.', 404)
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select({ app: apps, orgName: organizations.name })
			.from(apps)
			.innerJoin(organizations, eq(organizations.id, apps.orgId))
			.where(and(eq(apps.id, appId), eq(apps.orgId, orgId)))
		if (!row) throw new UserFacingError('No such app in this organisation.', 404)
		if (row.app.archivedAt) throw new UserFacingError('This app is archived. Restore it to start a request.', 409)
		// New email features of an approved app are amendments, linked to the
		// approved request (docs/rules.md › Appropriate use). An app
		// whose access Atlassian revoked starts afresh (docs/rules.md › Review and four eyes).
		const access = await loadAppAccess(tx, orgId, appId)
		if (access.status === 'approved') {
			throw new UserFacingError(
				'This app already has an approved request. Start an amendment from it instead, so the new use cases are reviewed against the approved scope.',
				409,
			)
		}
		const { app } = row
		const fields: RequestFields = {
			companyName: row.orgName,
			appName: app.name,
			appKey: app.appKey,
			appType: app.appType,
			products: app.products.filter(isProduct),
			marketplaceListingUrl: app.marketplaceListingUrl ?? '',
			privacyPolicyUrl: app.privacyPolicyUrl ?? '',
			termsOfUseUrl: app.termsOfUseUrl ?? '',
			storesPersonalData: app.storesPersonalData,
			useCaseCodes: [],
			customUseCases: [],
			functionalityDescription: '',
			privacyPolicyExcerpt: '',
		}
		const result = evaluateRequest(toChecklistInput(fields))
		const [request] = await tx
			.insert(accessRequests)
			.values({
				orgId,
				appId,
				...columnsOf(fields),
				checklistReady: result.ready,
				createdBy: actorId,
				updatedBy: actorId,
			})
			.returning()
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'request.created',
			subjectType: 'access_request',
			subjectId: request!.id,
			after: { appId, appName: app.name, state: request!.state },
		})
		return request!
	})
}

/**
 * Saves the editor's fields. Only drafts and requests sent back for changes
 * can be edited; `expectedVersion` must match, so two people saving at once
 * cannot overwrite each other silently (docs/architecture.md › Transactions and concurrency).
 */
export async function saveDraft(
	orgId: string,
	actorId: string,
	requestId: string,
	expectedVersion: number,
	fields: RequestFields,
) {
	if (!isUuid(requestId)) throw new UserFacingError(NOT_FOUND, 404)
	refuseEmailAddresses(fields)
	return db.transaction(async (tx) => {
		const [current] = await tx
			.select()
			.from(accessRequests)
			.where(and(eq(accessRequests.id, requestId), eq(accessRequests.orgId, orgId)))
			.for('update')
		if (!current) throw new UserFacingError(NOT_FOUND, 404)
		assertEditable(current.state)
		if (current.version !== expectedVersion) {
			throw new UserFacingError(
				'Someone else saved this request after you opened it. Your text is still in the form: copy what you need, reload, and apply it again.',
				409,
			)
		}
		const auditBefore = await requestAuditStateOf(tx, requestId)
		const result = await writeUseCases(tx, requestId, fields)
		const columns = columnsOf(fields)
		const [saved] = await tx
			.update(accessRequests)
			.set({
				...columns,
				checklistReady: result.ready,
				version: current.version + 1,
				updatedBy: actorId,
				updatedAt: sql`now()`,
			})
			.where(and(eq(accessRequests.id, requestId), eq(accessRequests.version, expectedVersion)))
			.returning()
		// The fields that changed, old and new, email addresses removed (docs/rules.md › Audit trail).
		await recordRequestSave(tx, {
			orgId,
			actorUserId: actorId,
			requestId,
			before: auditBefore,
			version: { from: current.version, to: saved!.version },
			checklistReady: { from: current.checklistReady, to: result.ready },
		})
		return { request: saved!, checklist: result }
	})
}

/**
 * Every field goes to Atlassian: an address other than the vendor's own is
 * refused, and nothing is saved (docs/rules.md › Emails are never stored).
 */
function refuseEmailAddresses(fields: RequestFields) {
	const [field] = Object.keys(emailAddressErrors(fields))
	if (field === undefined) return
	const check = evaluateRequest(toChecklistInput(fields)).checks.find((entry) => entry.id === 'no_email_addresses')
	throw new UserFacingError(`Nothing was saved. ${check?.message ?? 'Remove the email address.'}`, 422, field)
}

function assertEditable(state: RequestState) {
	if (!isEditable(state)) {
		throw new UserFacingError(
			'This request can no longer be edited here. Approved requests are never edited: start an amendment for new email features.',
			409,
		)
	}
}

// ── Amendments (issue 5) ─────────────────────────────────────────────────

/**
 * Starts an amendment of an approved request: a new draft linked to it and
 * prefilled from it, which goes through the same review. The approved
 * request itself is never edited (docs/rules.md › Appropriate use). An amendment
 * already in progress is returned instead.
 */
export async function createAmendment(orgId: string, actorId: string, approvedRequestId: string) {
	if (!isUuid(approvedRequestId)) throw new UserFacingError(NOT_FOUND, 404)
	return db.transaction(async (tx) => {
		const [source] = await tx
			.select()
			.from(accessRequests)
			.where(and(eq(accessRequests.id, approvedRequestId), eq(accessRequests.orgId, orgId)))
			.for('update')
		if (!source) throw new UserFacingError(NOT_FOUND, 404)
		if (source.state !== 'approved') {
			throw new UserFacingError(
				'Only an approved request can be amended. Edit this one directly while it is a draft.',
				409,
			)
		}
		const [open] = await tx
			.select({ id: accessRequests.id })
			.from(accessRequests)
			.where(
				and(
					eq(accessRequests.orgId, orgId),
					eq(accessRequests.amendsRequestId, source.id),
					inArray(accessRequests.state, [...IN_PROGRESS_STATES]),
				),
			)
		if (open) return { id: open.id, created: false }
		const useCases = await tx
			.select()
			.from(requestUseCases)
			.where(eq(requestUseCases.requestId, source.id))
			.orderBy(asc(requestUseCases.position))
		const fields = requestToFields({ ...source, useCases, app: { id: source.appId, name: source.appName } })
		const [draft] = await tx
			.insert(accessRequests)
			.values({
				orgId,
				appId: source.appId,
				amendsRequestId: source.id,
				...columnsOf(fields),
				createdBy: actorId,
				updatedBy: actorId,
			})
			.returning()
		const result = await writeUseCases(tx, draft!.id, fields)
		await tx.update(accessRequests).set({ checklistReady: result.ready }).where(eq(accessRequests.id, draft!.id))
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'request.amendment_created',
			subjectType: 'access_request',
			subjectId: draft!.id,
			after: { amendsRequestId: source.id, appId: source.appId, state: draft!.state },
		})
		return { id: draft!.id, created: true }
	})
}

/**
 * The app's current approved scope. Derived from Atlassian's approvals and
 * revocations in approved-scope.server.ts: a revocation ends it until a new
 * request is approved.
 */
export { getApprovedScope } from './approved-scope.server'

/**
 * The reviewers who decided the request's use cases, by name, with how many
 * each approved and rejected and when they last decided (the request text's
 * print view). Only this organisation's request is read.
 */
export async function decidersOfUseCases(orgId: string, request: Pick<RequestDetail, 'orgId' | 'useCases'>) {
	if (request.orgId !== orgId) return []
	const ids = [...new Set(request.useCases.flatMap((useCase) => (useCase.decidedBy ? [useCase.decidedBy] : [])))]
	if (ids.length === 0) return []
	const names = new Map(
		(await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids))).map((row) => [
			row.id,
			row.name,
		]),
	)
	return ids.map((id) => {
		const decided = request.useCases.filter((useCase) => useCase.decidedBy === id)
		const last = Math.max(...decided.map((useCase) => (useCase.decidedAt ? new Date(useCase.decidedAt).getTime() : 0)))
		return {
			name: names.get(id) ?? 'A former member',
			approved: decided.filter((useCase) => useCase.decision === 'approved').length,
			rejected: decided.filter((useCase) => useCase.decision === 'rejected').length,
			lastDecidedAt: last > 0 ? new Date(last) : null,
		}
	})
}
