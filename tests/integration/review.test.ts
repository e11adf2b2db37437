import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents, notifications, requestEvents, requestUseCases } from '#db/schema'
import { action as requestAction, loader as requestLoader } from '~/routes/o.$org.requests.$requestId._index'
import { action as newRequestAction } from '~/routes/o.$org.requests.new'
import queueRoute, { loader as queueLoader } from '~/routes/o.$org.review'
import { AppSchema } from '~/schemas/apps'
import { createApp } from '~/services/apps.server'
import { decideUseCaseOf, STALE_MESSAGE } from '~/services/review.server'
import { renderRoute } from '../fixtures/render'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'
import {
	approveAll,
	COMPLETE,
	post,
	reviewWorld,
	submittedRequest,
	storedUseCasesOf,
	versionOf,
} from './review-helpers'

describe('review', () => {
	it('submitting needs a passing checklist; the queue lists it with the engine outcome per use case', async () => {
		const w = await reviewWorld()
		const created = await runRoute(
			newRequestAction,
			makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.vendorCookie, form: { appId: w.app.id } }),
			{ org: w.org.slug },
		)
		const id = created.headers.get('Location')!.split('/').pop()!
		const early = await post(w, w.vendorCookie, id, { intent: 'submit_for_review', version: '1' })
		expect(early.status).toBe(409)
		expect(early.data).toMatchObject({ formError: expect.stringContaining('failing checks') })
		expect((await versionOf(id)).state).toBe('draft')

		await post(w, w.vendorCookie, id, { ...COMPLETE, version: '1' })
		expect((await post(w, w.vendorCookie, id, { intent: 'submit_for_review', version: '2' })).status).toBe(200)
		expect(await versionOf(id)).toMatchObject({ state: 'in_review', version: 3 })

		const queue = await runRoute(queueLoader, makeRequest(`/o/${w.org.slug}/review`, { cookie: w.reviewerCookie }), {
			org: w.org.slug,
		})
		expect(queue.status).toBe(200)
		const items = (
			queue.data as {
				queue: { id: string; checklistReady: boolean; useCases: { code: string; engineOutcome: string }[] }[]
			}
		).queue
		expect(items).toHaveLength(1)
		expect(items[0]).toMatchObject({ id, checklistReady: true })
		expect(items[0]!.useCases.map((u) => [u.code, u.engineOutcome])).toEqual([
			['send_security_alerts', 'auto_approvable'],
			['other', 'needs_review'],
		])
		// A custom use case's suggestion is said in words, never as the catalogue's code.
		const html = await renderRoute(queueRoute, queue.data)
		expect(html).toContain('Reads like “')
		expect(html).not.toContain('subscribe_alerts_news_feeds')
		// Reviewers are told a request is waiting.
		const notes = await db.select().from(notifications).where(eq(notifications.kind, 'request_submitted'))
		expect(notes.map((n) => n.userId).sort()).toEqual([w.reviewer.id, w.reviewer2.id].sort())
		// The vendor cannot open the queue.
		expect(
			(await runRoute(queueLoader, makeRequest('/', { cookie: w.vendorCookie }), { org: w.org.slug })).status,
		).toBe(403)
	})

	it('four eyes: a reviewer who last edited the request gets 403 on a direct POST, and nothing is written', async () => {
		const w = await reviewWorld()
		// The vendor is also a reviewer: still not allowed on their own request.
		const both = await addMember(w.org.id, ['member', 'reviewer'], 'Bo Both')
		const bothCookie = (await cookieFor(both.id)).cookie
		const id = await submittedRequest(w)
		// Bo reopens, edits and resubmits: now Bo is the last editor.
		expect((await post(w, bothCookie, id, { intent: 'reopen', version: '3' })).status).toBe(200)
		expect((await post(w, bothCookie, id, { ...COMPLETE, version: '4', appName: 'Mail Bridge 2' })).status).toBe(200)
		expect((await post(w, bothCookie, id, { intent: 'submit_for_review', version: '5' })).status).toBe(200)
		const custom = (await storedUseCasesOf(id)).find((u) => u.code === 'other')!

		const decide = await post(w, bothCookie, id, {
			intent: 'decide',
			version: '6',
			useCaseId: custom.id,
			decision: 'approve',
			reason: '',
		})
		expect(decide.status).toBe(403)
		expect(decide.data).toMatchObject({ formError: expect.stringContaining('four eyes') })
		const complete = await post(w, bothCookie, id, { intent: 'complete_review', version: '6' })
		expect(complete.status).toBe(403)
		const sendBack = await post(w, bothCookie, id, { intent: 'request_changes', version: '6', comment: 'x' })
		expect(sendBack.status).toBe(403)
		expect(await versionOf(id)).toMatchObject({ state: 'in_review', version: 6 })
		expect((await storedUseCasesOf(id)).every((u) => u.decision === null)).toBe(true)

		// The creator (vendor) too, even without the reviewer role: 403, not a 500.
		expect(
			(
				await post(w, w.vendorCookie, id, {
					intent: 'decide',
					version: '6',
					useCaseId: custom.id,
					decision: 'approve',
					reason: '',
				})
			).status,
		).toBe(403)

		// The page explains it.
		const page = await runRoute(requestLoader, makeRequest('/', { cookie: bothCookie }), {
			org: w.org.slug,
			requestId: id,
		})
		expect(page.data).toMatchObject({ isAuthor: true, otherReviewers: 2 })
	})

	it('an organisation of one person shows why review cannot proceed', async () => {
		const { org, admin } = await createOrg('Solo')
		const app = await createApp(
			org.id,
			admin.id,
			AppSchema.parse({
				name: 'Solo',
				appKey: 'solo',
				appType: 'forge',
				products: ['jira'],
				marketplaceListingUrl: '',
				privacyPolicyUrl: '',
				termsOfUseUrl: '',
				storesPersonalData: 'no',
			}),
		)
		const { cookie } = await cookieFor(admin.id)
		const created = await runRoute(newRequestAction, makeRequest('/', { cookie, form: { appId: app.id } }), {
			org: org.slug,
		})
		const id = created.headers.get('Location')!.split('/').pop()!
		const page = await runRoute(requestLoader, makeRequest('/', { cookie }), { org: org.slug, requestId: id })
		expect(page.data).toMatchObject({ otherReviewers: 0 })
	})

	it('a rejected catalogue code can never be approved, and rejecting needs a reason', async () => {
		const w = await reviewWorld()
		// A rejected code blocks the checklist, so the request could not be
		// submitted; it is forced into review here to prove the service refuses anyway.
		const id = await submittedRequest(w)
		const [first] = await storedUseCasesOf(id)
		await db
			.update(requestUseCases)
			.set({ code: 'marketing_emails', engineOutcome: 'rejected' })
			.where(eq(requestUseCases.id, first!.id))

		const approve = await post(w, w.reviewerCookie, id, {
			intent: 'decide',
			version: '3',
			useCaseId: first!.id,
			decision: 'approve',
			reason: '',
		})
		expect(approve.status).toBe(409)
		expect(approve.data).toMatchObject({ formError: expect.stringContaining('cannot be approved') })
		// Also straight through the service.
		await expect(
			decideUseCaseOf(w.org.id, { id: w.reviewer.id, roles: ['reviewer'] }, id, 3, {
				useCaseId: first!.id,
				decision: 'approve',
			}),
		).rejects.toMatchObject({ status: 409 })

		const noReason = await post(w, w.reviewerCookie, id, {
			intent: 'decide',
			version: '3',
			useCaseId: first!.id,
			decision: 'reject',
			reason: '  ',
		})
		expect(noReason.status).toBe(400)
		expect(noReason.data).toMatchObject({ errors: { reason: expect.stringContaining('reason') } })
		await expect(
			decideUseCaseOf(w.org.id, { id: w.reviewer.id, roles: ['reviewer'] }, id, 3, {
				useCaseId: first!.id,
				decision: 'reject',
				reason: '',
			}),
		).rejects.toMatchObject({ status: 400 })
		expect((await storedUseCasesOf(id))[0]!.decision).toBeNull()

		const reject = await post(w, w.reviewerCookie, id, {
			intent: 'decide',
			version: '3',
			useCaseId: first!.id,
			decision: 'reject',
			reason: 'Marketing is not allowed',
		})
		expect(reject.status).toBe(200)
		expect((await storedUseCasesOf(id))[0]).toMatchObject({
			decision: 'rejected',
			decisionReason: 'Marketing is not allowed',
			decidedBy: w.reviewer.id,
		})
		// Completing is refused while a use case is rejected.
		expect((await post(w, w.reviewerCookie, id, { intent: 'complete_review', version: '4' })).status).toBe(409)
	})

	it('reject with a reason → send back with a comment → vendor fixes and resubmits → approve all → ready to submit', async () => {
		const w = await reviewWorld()
		const id = await submittedRequest(w)
		const custom = (await storedUseCasesOf(id)).find((u) => u.code === 'other')!
		await post(w, w.reviewerCookie, id, {
			intent: 'decide',
			version: '3',
			useCaseId: custom.id,
			decision: 'reject',
			reason: 'Too vague: say which emails are sent',
		})

		const noComment = await post(w, w.reviewerCookie, id, { intent: 'request_changes', version: '4', comment: '' })
		expect(noComment.status).toBe(400)
		expect(
			(
				await post(w, w.reviewerCookie, id, {
					intent: 'request_changes',
					version: '4',
					comment: 'Describe the incident emails',
				})
			).status,
		).toBe(200)
		expect(await versionOf(id)).toMatchObject({ state: 'changes_requested', version: 5 })
		const sentBack = await db.select().from(notifications).where(eq(notifications.kind, 'request_sent_back'))
		expect(sentBack).toHaveLength(1)
		expect(sentBack[0]).toMatchObject({
			userId: w.admin.id,
			message: expect.stringContaining('Describe the incident emails'),
		})

		expect(
			(
				await post(w, w.vendorCookie, id, {
					...COMPLETE,
					version: '5',
					'customUseCases.0.description': 'Email watchers a summary when a linked incident is resolved',
				})
			).status,
		).toBe(200)
		expect((await post(w, w.vendorCookie, id, { intent: 'submit_for_review', version: '6' })).status).toBe(200)
		await approveAll(w, id)
		expect((await versionOf(id)).state).toBe('ready_to_submit')
		const decided = await db
			.select()
			.from(notifications)
			.where(and(eq(notifications.kind, 'request_decided'), eq(notifications.userId, w.admin.id)))
		expect(decided).toHaveLength(1)

		const events = await db
			.select()
			.from(requestEvents)
			.where(eq(requestEvents.requestId, id))
			.orderBy(requestEvents.id)
		expect(events.map((e) => e.kind)).toEqual([
			'submit_for_review',
			'use_case_decided',
			'request_changes',
			'submit_for_review',
			'use_case_decided',
			'complete_review',
		])
		const audit = await db.select().from(auditEvents).where(eq(auditEvents.subjectId, id)).orderBy(auditEvents.id)
		expect(audit.map((a) => a.action)).toContain('request.complete_review')
		const last = audit.at(-1)!
		expect(last).toMatchObject({
			actorUserId: w.reviewer.id,
			before: { state: 'in_review' },
			after: { state: 'ready_to_submit' },
		})
	})

	it('a stale version is a 409 telling the person to reload, and nothing is written', async () => {
		const w = await reviewWorld()
		const id = await submittedRequest(w)
		const custom = (await storedUseCasesOf(id)).find((u) => u.code === 'other')!
		const auditBefore = (await db.select().from(auditEvents)).length
		const stale = await post(w, w.reviewerCookie, id, {
			intent: 'decide',
			version: '2',
			useCaseId: custom.id,
			decision: 'approve',
			reason: '',
		})
		expect(stale.status).toBe(409)
		expect(stale.data).toMatchObject({ formError: expect.stringMatching(/reload/i) })
		expect((stale.data as { formError: string }).formError).toBe(STALE_MESSAGE)
		expect((await storedUseCasesOf(id)).find((u) => u.id === custom.id)!.decision).toBeNull()
		expect((await db.select().from(auditEvents)).length).toBe(auditBefore)
		// An illegal transition is a 409 with the domain's message, never a 500.
		const illegal = await post(w, w.vendorCookie, id, {
			intent: 'record_ticket',
			version: '3',
			ticketKey: 'DEVHELP-1',
			ticketUrl: '',
			openedOn: '2026-01-05',
		})
		expect(illegal.status).toBe(409)
		expect(illegal.data).toMatchObject({ formError: expect.stringContaining('not possible') })
		// Another org's request is a 404.
		const other = await createOrg('Other')
		const otherReviewer = await addMember(other.org.id, ['reviewer'])
		const foreign = await runRoute(
			requestAction,
			makeRequest('/', {
				cookie: (await cookieFor(otherReviewer.id)).cookie,
				form: { intent: 'complete_review', version: '3' },
			}),
			{ org: other.org.slug, requestId: id },
		)
		expect(foreign.status).toBe(404)
	})

	it('two reviewers deciding at once with the same version: exactly one wins, the other gets the 409, one change and one audit event', async () => {
		const w = await reviewWorld()
		const id = await submittedRequest(w)
		const custom = (await storedUseCasesOf(id)).find((u) => u.code === 'other')!
		const auditBefore = await db.select().from(auditEvents).where(eq(auditEvents.subjectId, id))
		const results = await Promise.allSettled([
			decideUseCaseOf(w.org.id, { id: w.reviewer.id, roles: ['reviewer'] }, id, 3, {
				useCaseId: custom.id,
				decision: 'approve',
			}),
			decideUseCaseOf(w.org.id, { id: w.reviewer2.id, roles: ['reviewer'] }, id, 3, {
				useCaseId: custom.id,
				decision: 'reject',
				reason: 'No',
			}),
		])
		const won = results.filter((r) => r.status === 'fulfilled')
		const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
		expect(won).toHaveLength(1)
		expect(lost).toHaveLength(1)
		expect(lost[0]!.reason).toMatchObject({ status: 409, message: STALE_MESSAGE })
		expect(await versionOf(id)).toMatchObject({ version: 4, state: 'in_review' })
		const decided = (await storedUseCasesOf(id)).find((u) => u.id === custom.id)!
		const winner = won[0] === results[0] ? w.reviewer.id : w.reviewer2.id
		expect(decided.decidedBy).toBe(winner)
		const auditAfter = await db.select().from(auditEvents).where(eq(auditEvents.subjectId, id))
		expect(auditAfter.length - auditBefore.length).toBe(1)
		const events = await db
			.select()
			.from(requestEvents)
			.where(and(eq(requestEvents.requestId, id), eq(requestEvents.kind, 'use_case_decided')))
		expect(events).toHaveLength(1)
	})
})
