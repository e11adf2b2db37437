// Issue 9, findings 5, 6 and 7, and "the approved request drives the app".
import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { accessRequests, apps, auditEvents, requestEvents, tickets } from '#db/schema'
import { action as appAction, loader as appLoader } from '~/routes/o.$org.apps.$appId'
import { loader as requestLoader } from '~/routes/o.$org.requests.$requestId._index'
import { action as newRequestAction } from '~/routes/o.$org.requests.new'
import { loader as queueLoader } from '~/routes/o.$org.review'
import { AppSchema } from '~/schemas/apps'
import { getApp, updateApp } from '~/services/apps.server'
import { dashboardRows } from '~/services/reporting.server'
import { appForm } from '../fixtures/requests'
import { addMember, cookieFor, makeRequest, runRoute } from '../fixtures/world'
import {
	approveAll,
	COMPLETE,
	post,
	reviewWorld,
	submittedRequest,
	storedUseCasesOf,
	versionOf,
	type ReviewWorld,
} from './review-helpers'

const DAY = 86_400_000

/** The calendar day `n` days ago (UTC, the test organisation's time zone). */
function daysAgo(n: number) {
	return new Date(Date.now() - n * DAY).toISOString().slice(0, 10)
}

/** The UTC calendar day of a date as loaders return it (a Date, or a string once serialised). */
function dayOf(value: string | Date | null | undefined) {
	return value ? new Date(value).toISOString().slice(0, 10) : null
}

async function act(w: ReviewWorld, cookie: string, id: string, form: Record<string, string | string[]>) {
	const { version } = await versionOf(id)
	return post(w, cookie, id, { ...form, version: String(version) })
}

/** A request reviewed and sent to Atlassian: its ticket opened `openedOn`. */
async function sentRequest(w: ReviewWorld, openedOn: string, id?: string) {
	const requestId = id ?? (await submittedRequest(w))
	await approveAll(w, requestId)
	const ticket = await act(w, w.vendorCookie, requestId, {
		intent: 'record_ticket',
		ticketKey: 'DEVHELP-5718',
		ticketUrl: '',
		openedOn,
	})
	expect(ticket.status).toBe(200)
	return requestId
}

async function approved(w: ReviewWorld, id: string, approvedOn: string) {
	const result = await act(w, w.reviewerCookie, id, {
		intent: 'atlassian_approved',
		approvedOn,
		scopes: 'Jira: read:email-address:jira',
	})
	expect(result.status).toBe(200)
}

async function appPage(w: ReviewWorld) {
	return (await runRoute(appLoader, makeRequest('/', { cookie: w.vendorCookie }), { org: w.org.slug, appId: w.app.id }))
		.data as {
		approvedScope: { requestId: string; approvedAt: string } | null
		revocation: { requestId: string; revokedAt: string } | null
		personalDataConflict: string | null
		identityConflict: string | null
	}
}

async function requestPage(w: ReviewWorld, id: string, cookie = w.vendorCookie) {
	return (await runRoute(requestLoader, makeRequest('/', { cookie }), { org: w.org.slug, requestId: id }))
		.data as Record<string, unknown>
}

async function eventsOf(id: string) {
	return db.select().from(requestEvents).where(eq(requestEvents.requestId, id)).orderBy(requestEvents.id)
}

describe('finding 5: ticket dates', () => {
	it('refuses an answer dated before the ticket was opened or in the future, and writes nothing', async () => {
		const w = await reviewWorld()
		const id = await sentRequest(w, daysAgo(10))
		const before = await versionOf(id)
		const eventsBefore = (await eventsOf(id)).length

		const early = await act(w, w.reviewerCookie, id, {
			intent: 'atlassian_approved',
			approvedOn: daysAgo(12),
			scopes: 'Jira',
		})
		expect(early.status).toBe(400)
		expect(early.data).toMatchObject({
			errors: { approvedOn: expect.stringContaining('cannot be dated before the ticket was opened') },
		})
		// Tomorrow passes the form's coarse check but not the organisation's calendar.
		const tomorrow = new Date(Date.now() + DAY).toISOString().slice(0, 10)
		const future = await act(w, w.reviewerCookie, id, {
			intent: 'atlassian_approved',
			approvedOn: tomorrow,
			scopes: 'Jira',
		})
		expect(future.status).toBe(400)
		expect(future.data).toMatchObject({ errors: { approvedOn: expect.stringContaining('cannot be in the future') } })
		// Nor a question or a decline before the ticket.
		const question = await act(w, w.reviewerCookie, id, {
			intent: 'atlassian_requested_info',
			question: 'Which emails?',
			askedOn: daysAgo(11),
		})
		expect(question.status).toBe(400)
		expect(question.data).toMatchObject({
			errors: { askedOn: expect.stringContaining('before the ticket was opened') },
		})
		const decline = await act(w, w.reviewerCookie, id, {
			intent: 'atlassian_declined',
			reason: 'No',
			declinedOn: daysAgo(30),
		})
		expect(decline.status).toBe(400)

		expect(await versionOf(id)).toMatchObject({ state: 'submitted', version: before.version })
		expect(await eventsOf(id)).toHaveLength(eventsBefore)
		expect((await db.select().from(apps).where(eq(apps.id, w.app.id)))[0]!.storesPersonalData).toBe('yes')

		// The day the ticket was opened is fine.
		await approved(w, id, daysAgo(10))
		expect((await versionOf(id)).state).toBe('approved')
	})

	it('an opening date in the future is refused', async () => {
		const w = await reviewWorld()
		const id = await submittedRequest(w)
		await approveAll(w, id)
		const tomorrow = new Date(Date.now() + DAY).toISOString().slice(0, 10)
		const result = await act(w, w.vendorCookie, id, {
			intent: 'record_ticket',
			ticketKey: 'DEVHELP-1',
			ticketUrl: '',
			openedOn: tomorrow,
		})
		expect(result.status).toBe(400)
		expect(result.data).toMatchObject({ errors: { openedOn: expect.stringContaining('future') } })
		expect((await versionOf(id)).state).toBe('ready_to_submit')
		expect(await db.select().from(tickets).where(eq(tickets.requestId, id))).toHaveLength(0)
	})

	it('a recorded date is corrected by a correction event (who, why, old and new), checked like a new date', async () => {
		const w = await reviewWorld()
		const id = await sentRequest(w, daysAgo(10))
		await approved(w, id, daysAgo(4))
		const approval = (await eventsOf(id)).find((event) => event.kind === 'atlassian_approved')!
		const opening = (await eventsOf(id)).find((event) => event.kind === 'record_ticket')!
		const correct = (cookie: string, form: Record<string, string>) =>
			act(w, cookie, id, { intent: 'correct_date', ...form })

		// Only those who may record Atlassian's approval may correct its date.
		const vendor = await correct(w.vendorCookie, {
			eventId: String(approval.id),
			correctedOn: daysAgo(6),
			reason: 'Wrong day',
		})
		expect(vendor.status).toBe(403)
		expect(vendor.data).toMatchObject({ formError: expect.stringContaining('compliance reviewer') })
		// A reason is required; the corrected date is checked against the others.
		expect(
			(await correct(w.reviewerCookie, { eventId: String(approval.id), correctedOn: daysAgo(6), reason: ' ' })).status,
		).toBe(400)
		const beforeOpened = await correct(w.reviewerCookie, {
			eventId: String(approval.id),
			correctedOn: daysAgo(11),
			reason: 'Typo',
		})
		expect(beforeOpened.status).toBe(400)
		expect(beforeOpened.data).toMatchObject({
			errors: { correctedOn: expect.stringContaining('before the ticket was opened') },
		})
		const versionBefore = (await versionOf(id)).version

		const ok = await correct(w.reviewerCookie, {
			eventId: String(approval.id),
			correctedOn: daysAgo(6),
			reason: 'Atlassian’s email is dated two days earlier',
		})
		expect(ok.status).toBe(200)
		expect((await versionOf(id)).version).toBe(versionBefore + 1)
		const events = await eventsOf(id)
		const correction = events.at(-1)!
		expect(correction).toMatchObject({
			kind: 'date_corrected',
			actorUserId: w.reviewer.id,
			details: {
				eventId: approval.id,
				step: 'approved',
				from: approval.occurredAt.toISOString(),
				to: expect.stringContaining(daysAgo(6)),
				reason: 'Atlassian’s email is dated two days earlier',
			},
		})
		// History is not edited: the approval event keeps the date first recorded.
		expect(events.find((event) => event.id === approval.id)!.occurredAt).toEqual(approval.occurredAt)
		const [audit] = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.subjectId, id), eq(auditEvents.action, 'ticket.date_corrected')))
		expect(audit).toMatchObject({
			actorUserId: w.reviewer.id,
			after: { reason: 'Atlassian’s email is dated two days earlier' },
		})

		// The corrected date is the one in force: timeline, ticket and the app's approved scope.
		const page = await requestPage(w, id)
		const timeline = page.events as { id: number; step: { at: Date; correctedFrom: Date | null } | null }[]
		const shown = timeline.find((event) => event.id === approval.id)!
		expect(dayOf(shown.step!.at)).toBe(daysAgo(6))
		expect(shown.step!.correctedFrom).toEqual(approval.occurredAt)
		expect(
			dayOf(
				(page.ticket as { steps: { kind: string; at: Date }[] }).steps.find((step) => step.kind === 'approved')!.at,
			),
		).toBe(daysAgo(6))
		expect(dayOf((await appPage(w)).approvedScope!.approvedAt)).toBe(daysAgo(6))

		// The opening date: not after the approval now in force; earlier is fine and moves the counters.
		const late = await correct(w.vendorCookie, { eventId: String(opening.id), correctedOn: daysAgo(5), reason: 'Typo' })
		expect(late.status).toBe(400)
		expect(late.data).toMatchObject({
			errors: { correctedOn: expect.stringContaining('cannot be dated after Atlassian approved') },
		})
		expect(
			(
				await correct(w.vendorCookie, {
					eventId: String(opening.id),
					correctedOn: daysAgo(14),
					reason: 'Opened before the holiday',
				})
			).status,
		).toBe(200)
		const [ticket] = await db.select().from(tickets).where(eq(tickets.requestId, id))
		expect(ticket!.openedAt.toISOString()).toContain(daysAgo(14))
		expect(ticket!.lastActivityAt.toISOString()).toContain(daysAgo(6))
		expect((await requestPage(w, id)).ticket).toMatchObject({ open: false, daysWaiting: 8 })
		const recordedOpening = (await eventsOf(id)).find((event) => event.id === opening.id)!
		expect((recordedOpening.details as { openedAt: string }).openedAt).toContain(daysAgo(10))
	})
})

describe('finding 6: four eyes over the whole history', () => {
	it('someone who edited an earlier version cannot decide it, even after the vendor re-saved it', async () => {
		const w = await reviewWorld()
		const both = await addMember(w.org.id, ['member', 'reviewer'], 'Bo Both')
		const bothCookie = (await cookieFor(both.id)).cookie
		const created = await runRoute(
			newRequestAction,
			makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.vendorCookie, form: { appId: w.app.id } }),
			{ org: w.org.slug },
		)
		const id = created.headers.get('Location')!.split('/').pop()!
		// Bo writes the text; the vendor saves it again unchanged and submits it.
		const text = {
			...COMPLETE,
			'customUseCases.0.description': 'Email the watchers of an incident when it is resolved',
		}
		expect((await post(w, bothCookie, id, { ...text, version: '1' })).status).toBe(200)
		expect((await post(w, w.vendorCookie, id, { ...text, version: '2' })).status).toBe(200)
		expect((await post(w, w.vendorCookie, id, { intent: 'submit_for_review', version: '3' })).status).toBe(200)
		const row = await versionOf(id)
		expect(row).toMatchObject({ createdBy: w.admin.id, updatedBy: w.admin.id, state: 'in_review' })
		const custom = (await storedUseCasesOf(id)).find((useCase) => useCase.code === 'other')!

		const decide = await post(w, bothCookie, id, {
			intent: 'decide',
			version: '4',
			useCaseId: custom.id,
			decision: 'approve',
			reason: '',
		})
		expect(decide.status).toBe(403)
		expect(decide.data).toMatchObject({ formError: expect.stringContaining('You edited version 2 of this request') })
		expect((decide.data as { formError: string }).formError).toContain('any version since it was last approved')
		expect((await post(w, bothCookie, id, { intent: 'complete_review', version: '4' })).status).toBe(403)
		expect((await post(w, bothCookie, id, { intent: 'request_changes', version: '4', comment: 'x' })).status).toBe(403)
		expect(await versionOf(id)).toMatchObject({ state: 'in_review', version: 4 })
		expect((await storedUseCasesOf(id)).every((useCase) => useCase.decision === null)).toBe(true)

		// The page and the queue say so, and Bo is not counted as a possible reviewer.
		const page = await requestPage(w, id, bothCookie)
		expect(page).toMatchObject({
			isAuthor: true,
			otherReviewers: 2,
			fourEyes: expect.stringContaining('You edited version 2'),
		})
		const blocked = (page.actions as { action: string; blocked: { code: string } | null }[]).find(
			(a) => a.action === 'complete_review',
		)
		expect(blocked!.blocked).toMatchObject({ code: 'four_eyes' })
		const queue = await runRoute(queueLoader, makeRequest('/', { cookie: bothCookie }), { org: w.org.slug })
		expect(
			(queue.data as { queue: { id: string; isAuthor: boolean }[] }).queue.find((item) => item.id === id),
		).toMatchObject({ isAuthor: true })

		// A reviewer who wrote nothing decides it.
		expect(
			(
				await post(w, w.reviewerCookie, id, {
					intent: 'decide',
					version: '4',
					useCaseId: custom.id,
					decision: 'approve',
					reason: '',
				})
			).status,
		).toBe(200)
	})
})

describe('finding 7: revocation ends the app’s approved scope', () => {
	it('after an approved amendment is revoked the older approval does not come back; a new approval does', async () => {
		const w = await reviewWorld()
		const original = await sentRequest(w, daysAgo(20))
		await approved(w, original, daysAgo(18))
		expect((await appPage(w)).approvedScope).toMatchObject({ requestId: original })

		const started = await post(w, w.vendorCookie, original, { intent: 'amend' })
		const amendment = started.headers.get('Location')!.split('/').pop()!
		// An amendment carries a new email use (one that changes nothing is not sent for review).
		const withNewUse = { ...COMPLETE, useCaseCodes: ['send_security_alerts', 'invite_collaborators'] }
		expect((await act(w, w.vendorCookie, amendment, withNewUse)).status).toBe(200)
		expect((await act(w, w.vendorCookie, amendment, { intent: 'submit_for_review' })).status).toBe(200)
		await sentRequest(w, daysAgo(9), amendment)
		await approved(w, amendment, daysAgo(7))
		expect((await appPage(w)).approvedScope).toMatchObject({ requestId: amendment })
		expect(await requestPage(w, original)).toMatchObject({
			standing: { standing: 'superseded', byRequestId: amendment },
		})

		// A revocation cannot predate the approval it ends.
		const early = await act(w, w.reviewerCookie, amendment, {
			intent: 'atlassian_revoked',
			reason: 'Audit',
			revokedOn: daysAgo(8),
		})
		expect(early.status).toBe(400)
		expect(early.data).toMatchObject({ errors: { revokedOn: expect.stringContaining('before Atlassian approved') } })
		expect(
			(
				await act(w, w.reviewerCookie, amendment, {
					intent: 'atlassian_revoked',
					reason: 'Audit found marketing use',
					revokedOn: daysAgo(2),
				})
			).status,
		).toBe(200)

		// The original is still "approved" on its own row, but the app has no scope.
		expect((await versionOf(original)).state).toBe('approved')
		const page = await appPage(w)
		expect(page.approvedScope).toBeNull()
		expect(page.revocation).toMatchObject({ requestId: amendment })
		expect(dayOf(page.revocation!.revokedAt)).toBe(daysAgo(2))
		expect(await requestPage(w, original)).toMatchObject({ standing: { standing: 'revoked', byRequestId: amendment } })
		// The dashboard says the access is revoked, not the original's "approved".
		expect((await dashboardRows(w.org.id)).rows[0]).toMatchObject({ requestState: 'revoked', amendmentState: null })

		// A new request may be started (it is no longer an amendment of an approval in force) and, once approved, is the scope.
		const fresh = await runRoute(
			newRequestAction,
			makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.vendorCookie, form: { appId: w.app.id } }),
			{ org: w.org.slug },
		)
		expect(fresh.status).toBe(302)
		const renewed = fresh.headers.get('Location')!.split('/').pop()!
		expect((await act(w, w.vendorCookie, renewed, { ...COMPLETE })).status).toBe(200)
		expect((await act(w, w.vendorCookie, renewed, { intent: 'submit_for_review' })).status).toBe(200)
		await sentRequest(w, daysAgo(1), renewed)
		await approved(w, renewed, daysAgo(0))
		const after = await appPage(w)
		expect(after.approvedScope).toMatchObject({ requestId: renewed })
		expect(after.revocation).toBeNull()
		expect(await requestPage(w, renewed)).toMatchObject({ standing: { standing: 'in_force' } })
	})
})

describe('the approved request drives the app', () => {
	it('approval sets the app’s personal-data answer; a contradicting edit of the app is flagged on both pages until corrected', async () => {
		const w = await reviewWorld()
		// The app record has not decided; the request says it stores personal data.
		await updateApp(w.org.id, w.admin.id, w.app.id, AppSchema.parse(appForm({ storesPersonalData: 'undecided' })))
		await db.update(apps).set({ personalDataSince: null }).where(eq(apps.id, w.app.id))
		const id = await sentRequest(w, daysAgo(5))
		expect((await versionOf(id)).storesPersonalData).toBe(true)
		await approved(w, id, daysAgo(1))

		const [app] = await db.select().from(apps).where(eq(apps.id, w.app.id))
		expect(app).toMatchObject({ storesPersonalData: 'yes' })
		expect(app!.personalDataSince).toBeInstanceOf(Date)
		const [audit] = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.subjectId, w.app.id), eq(auditEvents.action, 'app.personal_data_set_from_request')))
		expect(audit).toMatchObject({
			actorUserId: w.reviewer.id,
			before: { storesPersonalData: 'undecided', personalDataSince: null },
			after: { storesPersonalData: 'yes', requestId: id },
		})
		expect((await appPage(w)).personalDataConflict).toBeNull()
		expect((await requestPage(w, id)).personalDataConflict).toBeNull()

		// Someone edits the app to say it stores none: both pages flag it.
		const edit = await runRoute(
			appAction,
			makeRequest('/', {
				cookie: w.vendorCookie,
				form: {
					intent: 'update',
					...appForm({ storesPersonalData: 'no', version: String((await getApp(w.org.id, w.app.id))!.version) }),
				},
			}),
			{ org: w.org.slug, appId: w.app.id },
		)
		expect(edit.status).toBe(200)
		const message =
			'The app record says it stores no personal data, but the approved request says it stores personal data: submit an amendment or correct the app.'
		expect((await appPage(w)).personalDataConflict).toBe(message)
		expect((await requestPage(w, id)).personalDataConflict).toBe(message)

		// Corrected: the flag goes.
		await runRoute(
			appAction,
			makeRequest('/', {
				cookie: w.vendorCookie,
				form: {
					intent: 'update',
					...appForm({ storesPersonalData: 'yes', version: String((await getApp(w.org.id, w.app.id))!.version) }),
				},
			}),
			{ org: w.org.slug, appId: w.app.id },
		)
		expect((await appPage(w)).personalDataConflict).toBeNull()
		expect((await requestPage(w, id)).personalDataConflict).toBeNull()

		// The app made into another type than the one approved: the app page flags that too, until corrected.
		expect((await appPage(w)).identityConflict).toBeNull()
		const retyped = async (appType: string) =>
			runRoute(
				appAction,
				makeRequest('/', {
					cookie: w.vendorCookie,
					form: {
						intent: 'update',
						...appForm({
							appType,
							storesPersonalData: 'yes',
							version: String((await getApp(w.org.id, w.app.id))!.version),
						}),
					},
				}),
				{ org: w.org.slug, appId: w.app.id },
			)
		expect((await retyped('connect')).status).toBe(200)
		expect((await appPage(w)).identityConflict).toContain('The app record says “Atlassian Connect app”')
		expect((await retyped('forge')).status).toBe(200)
		expect((await appPage(w)).identityConflict).toBeNull()
	})

	it('an approval that agrees with the app changes nothing and writes no app audit event', async () => {
		const w = await reviewWorld()
		const id = await sentRequest(w, daysAgo(5))
		const [before] = await db.select().from(apps).where(eq(apps.id, w.app.id))
		await approved(w, id, daysAgo(1))
		const [after] = await db.select().from(apps).where(eq(apps.id, w.app.id))
		expect(after).toEqual(before)
		const rows = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.subjectId, w.app.id), eq(auditEvents.action, 'app.personal_data_set_from_request')))
		expect(rows).toHaveLength(0)
		expect(await db.select().from(accessRequests).where(eq(accessRequests.id, id))).toHaveLength(1)
	})
})
