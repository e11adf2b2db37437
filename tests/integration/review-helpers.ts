// Shared by the review, tickets and audit integration tests (not a test file itself).
import { eq } from 'drizzle-orm'
import { expect } from 'vitest'
import { db } from '#db/client.server'
import { accessRequests, requestUseCases } from '#db/schema'
import { action as requestAction } from '~/routes/o.$org.requests.$requestId._index'
import { action as newRequestAction } from '~/routes/o.$org.requests.new'
import { COMPLETE, createTestApp } from '../fixtures/requests'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

export { COMPLETE }

export async function reviewWorld() {
	const { org, admin } = await createOrg('Acme Apps')
	const reviewer = await addMember(org.id, ['reviewer'], 'Rita Reviewer')
	const reviewer2 = await addMember(org.id, ['reviewer'], 'Rob Reviewer')
	const app = await createTestApp(org.id, admin.id)
	const vendorCookie = (await cookieFor(admin.id)).cookie
	const reviewerCookie = (await cookieFor(reviewer.id)).cookie
	const reviewer2Cookie = (await cookieFor(reviewer2.id)).cookie
	return { org, admin, reviewer, reviewer2, app, vendorCookie, reviewerCookie, reviewer2Cookie }
}
export type ReviewWorld = Awaited<ReturnType<typeof reviewWorld>>

export function post(w: ReviewWorld, cookie: string, requestId: string, form: Record<string, string | string[]>) {
	return runRoute(requestAction, makeRequest(`/o/${w.org.slug}/requests/${requestId}`, { cookie, form }), {
		org: w.org.slug,
		requestId,
	})
}

export async function versionOf(requestId: string) {
	const [row] = await db.select().from(accessRequests).where(eq(accessRequests.id, requestId))
	return row!
}

/** A saved draft that passes the checklist, submitted for review by the vendor. */
export async function submittedRequest(w: ReviewWorld, form: Record<string, string | string[]> = COMPLETE) {
	const created = await runRoute(
		newRequestAction,
		makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.vendorCookie, form: { appId: w.app.id } }),
		{ org: w.org.slug },
	)
	const id = created.headers.get('Location')!.split('/').pop()!
	expect((await post(w, w.vendorCookie, id, { ...form, version: '1' })).status).toBe(200)
	const submitted = await post(w, w.vendorCookie, id, { intent: 'submit_for_review', version: '2' })
	expect(submitted.status).toBe(200)
	return id
}

export async function storedUseCasesOf(requestId: string) {
	return db
		.select()
		.from(requestUseCases)
		.where(eq(requestUseCases.requestId, requestId))
		.orderBy(requestUseCases.position)
}

export async function approveAll(w: ReviewWorld, id: string, cookie = w.reviewerCookie) {
	for (const useCase of await storedUseCasesOf(id)) {
		if (useCase.engineOutcome !== 'needs_review') continue
		const { version } = await versionOf(id)
		expect(
			(
				await post(w, cookie, id, {
					intent: 'decide',
					version: String(version),
					useCaseId: useCase.id,
					decision: 'approve',
					reason: '',
				})
			).status,
		).toBe(200)
	}
	const { version } = await versionOf(id)
	const done = await post(w, cookie, id, { intent: 'complete_review', version: String(version) })
	expect(done.status).toBe(200)
}
