import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { accessRequests, notifications, organizations, requestEvents, tickets } from '#db/schema'
import { loader as layoutLoader } from '~/routes/o.$org'
import { loader as appLoader } from '~/routes/o.$org.apps.$appId'
import { action as notificationsAction, loader as notificationsLoader } from '~/routes/o.$org.notifications'
import RequestPage, { loader as requestLoader } from '~/routes/o.$org.requests.$requestId._index'
import { action as settingsAction } from '~/routes/o.$org.settings'
import { dashboardRows } from '~/services/reporting.server'
import { renderRoute } from '../fixtures/render'
import { cookieFor, makeRequest, runRoute } from '../fixtures/world'
import {
	approveAll,
	COMPLETE,
	post,
	reviewWorld,
	submittedRequest,
	versionOf,
	type ReviewWorld,
} from './review-helpers'

async function readyRequest(w: ReviewWorld) {
	const id = await submittedRequest(w)
	await approveAll(w, id)
	return id
}

/** A request Atlassian approved (ticket DEVHELP-5718, approved on 20 January 2026). */
async function approvedRequest(w: ReviewWorld) {
	const id = await readyRequest(w)
	await act(w, w.vendorCookie, id, {
		intent: 'record_ticket',
		ticketKey: 'DEVHELP-5718',
		ticketUrl: '',
		openedOn: '2026-01-05',
	})
	await act(w, w.reviewerCookie, id, { intent: 'atlassian_approved', approvedOn: '2026-01-20', scopes: 'Jira' })
	return id
}

async function act(w: ReviewWorld, cookie: string, id: string, form: Record<string, string>) {
	const { version } = await versionOf(id)
	return post(w, cookie, id, { ...form, version: String(version) })
}

async function unread(w: ReviewWorld, cookie: string) {
	const layout = await runRoute(layoutLoader, makeRequest('/', { cookie }), { org: w.org.slug })
	return (layout.data as { unreadCount: number }).unreadCount
}

describe('tickets', () => {
	it('records DEVHELP-5718, counts days waiting, and follows Atlassian through info → reply → approved', async () => {
		const w = await reviewWorld()
		const id = await readyRequest(w)

		const bad = await act(w, w.vendorCookie, id, {
			intent: 'record_ticket',
			ticketKey: 'devhelp 5718',
			ticketUrl: '',
			openedOn: '2026-01-05',
		})
		expect(bad.status).toBe(400)
		expect(bad.data).toMatchObject({ errors: { ticketKey: expect.stringContaining('not a ticket key') } })
		const badUrl = await act(w, w.vendorCookie, id, {
			intent: 'record_ticket',
			ticketKey: 'DEVHELP-5718',
			ticketUrl: 'javascript:alert(1)',
			openedOn: '2026-01-05',
		})
		expect(badUrl.status).toBe(400)
		for (const openedOn of ['0000-01-01', '2026-02-30']) {
			const badDate = await act(w, w.vendorCookie, id, {
				intent: 'record_ticket',
				ticketKey: 'DEVHELP-5718',
				ticketUrl: '',
				openedOn,
			})
			expect(badDate.status).toBe(400)
			expect(badDate.data).toMatchObject({ errors: { openedOn: expect.stringContaining('real date') } })
		}
		expect((await versionOf(id)).state).toBe('ready_to_submit')

		const opened = new Date(Date.now() - 12 * 86_400_000).toISOString().slice(0, 10)
		const ok = await act(w, w.vendorCookie, id, {
			intent: 'record_ticket',
			ticketKey: 'devhelp-5718',
			ticketUrl: 'https://developer.atlassian.com/servicedesk/customer/portal/14/DEVHELP-5718',
			openedOn: opened,
		})
		expect(ok.status).toBe(200)
		expect((await versionOf(id)).state).toBe('submitted')
		const [ticket] = await db.select().from(tickets).where(eq(tickets.requestId, id))
		expect(ticket).toMatchObject({ key: 'DEVHELP-5718', orgId: w.org.id })

		// Quiet for 12 days, org default 10: the page prompts and the vendor's count includes it.
		const page = await runRoute(requestLoader, makeRequest('/', { cookie: w.vendorCookie }), {
			org: w.org.slug,
			requestId: id,
		})
		expect(page.data).toMatchObject({ ticket: { daysWaiting: 12, followUp: { due: true, daysQuiet: 12 } } })
		const before = await unread(w, w.vendorCookie)
		const list = await runRoute(notificationsLoader, makeRequest('/', { cookie: w.vendorCookie }), { org: w.org.slug })
		expect((list.data as { followUps: { key: string }[] }).followUps).toEqual([
			expect.objectContaining({ key: 'DEVHELP-5718' }),
		])
		// With a longer quiet period it is not due yet.
		await db.update(organizations).set({ followUpDays: 20 }).where(eq(organizations.id, w.org.id))
		expect(await unread(w, w.vendorCookie)).toBe(before - 1)
		await db.update(organizations).set({ followUpDays: 10 }).where(eq(organizations.id, w.org.id))

		// Atlassian asks; only once the vendor records a reply is it back to submitted.
		expect((await act(w, w.vendorCookie, id, { intent: 'atlassian_requested_info', question: '' })).status).toBe(400)
		expect(
			(await act(w, w.reviewerCookie, id, { intent: 'atlassian_requested_info', question: 'Which emails exactly?' }))
				.status,
		).toBe(200)
		expect((await versionOf(id)).state).toBe('info_requested')
		const asked = await db.select().from(notifications).where(eq(notifications.kind, 'atlassian_answered'))
		expect(asked.map((n) => n.userId)).toEqual([w.admin.id])
		// Activity restarts the quiet period.
		const afterQuestion = await runRoute(requestLoader, makeRequest('/', { cookie: w.vendorCookie }), {
			org: w.org.slug,
			requestId: id,
		})
		expect(afterQuestion.data).toMatchObject({ ticket: { followUp: { due: false, daysQuiet: 0 } } })

		expect((await act(w, w.vendorCookie, id, { intent: 'record_reply', reply: 'Only security alerts.' })).status).toBe(
			200,
		)
		expect((await versionOf(id)).state).toBe('submitted')

		// A vendor cannot record Atlassian's approval of their own request.
		expect(
			(await act(w, w.vendorCookie, id, { intent: 'atlassian_approved', approvedOn: opened, scopes: 'Jira' })).status,
		).toBe(403)
		expect(
			(await act(w, w.reviewerCookie, id, { intent: 'atlassian_approved', approvedOn: opened, scopes: '' })).status,
		).toBe(400)
		// Not dated before Atlassian's question, which was recorded today.
		const today = new Date().toISOString().slice(0, 10)
		expect(
			(
				await act(w, w.reviewerCookie, id, {
					intent: 'atlassian_approved',
					approvedOn: today,
					scopes: 'Jira: read:email-address:jira',
				})
			).status,
		).toBe(200)
		expect((await versionOf(id)).state).toBe('approved')
		// Once answered, the wait stops at Atlassian's answer as dated (opened 12 days ago, approved today), not at a
		// later activity, and no follow-up is prompted.
		await db
			.update(tickets)
			.set({ lastActivityAt: new Date(Date.now() + 5 * 86_400_000) })
			.where(eq(tickets.requestId, id))
		const answered = await runRoute(requestLoader, makeRequest('/', { cookie: w.vendorCookie }), {
			org: w.org.slug,
			requestId: id,
		})
		expect(answered.data).toMatchObject({ ticket: { open: false, daysWaiting: 12, followUp: null } })
		expect(await renderRoute(RequestPage, answered.data)).toMatch(/Answered after<\/dt><dd[^>]*>12 days/)

		const events = await db
			.select()
			.from(requestEvents)
			.where(eq(requestEvents.requestId, id))
			.orderBy(requestEvents.id)
		expect(events.slice(-4).map((e) => [e.kind, e.toState])).toEqual([
			['record_ticket', 'submitted'],
			['atlassian_requested_info', 'info_requested'],
			['record_reply', 'submitted'],
			['atlassian_approved', 'approved'],
		])
		expect(events.at(-1)!.details).toMatchObject({ scopes: 'Jira: read:email-address:jira' })

		// Later revoked, with a reason: the app no longer has an approved scope.
		expect(
			(await runRoute(appLoader, makeRequest('/', { cookie: w.vendorCookie }), { org: w.org.slug, appId: w.app.id }))
				.data,
		).toMatchObject({
			approvedScope: { requestId: id },
		})
		expect(
			(await act(w, w.reviewerCookie, id, { intent: 'atlassian_revoked', reason: 'Audit found marketing use' })).status,
		).toBe(200)
		expect((await versionOf(id)).state).toBe('revoked')
		expect(
			(await runRoute(appLoader, makeRequest('/', { cookie: w.vendorCookie }), { org: w.org.slug, appId: w.app.id }))
				.data,
		).toMatchObject({
			approvedScope: null,
		})
	})

	it('a declined request records the reason; notifications are marked read', async () => {
		const w = await reviewWorld()
		const id = await readyRequest(w)
		await act(w, w.vendorCookie, id, {
			intent: 'record_ticket',
			ticketKey: 'AMKTHELP-40168',
			ticketUrl: '',
			openedOn: '2026-01-05',
		})
		expect(
			(await act(w, w.reviewerCookie, id, { intent: 'atlassian_declined', reason: 'Missing privacy policy section' }))
				.status,
		).toBe(200)
		expect((await versionOf(id)).state).toBe('declined')

		const mine = await db.select().from(notifications).where(eq(notifications.userId, w.admin.id))
		expect(mine.length).toBeGreaterThanOrEqual(2)
		expect(await unread(w, w.vendorCookie)).toBe(mine.length)
		const one = await runRoute(
			notificationsAction,
			makeRequest('/', { cookie: w.vendorCookie, form: { intent: 'read', id: mine[0]!.id } }),
			{ org: w.org.slug },
		)
		expect(one.status).toBe(200)
		expect(await unread(w, w.vendorCookie)).toBe(mine.length - 1)
		// Someone else cannot mark my notification read.
		await runRoute(notificationsAction, makeRequest('/', { cookie: w.reviewerCookie, form: { intent: 'read-all' } }), {
			org: w.org.slug,
		})
		expect(await unread(w, w.vendorCookie)).toBe(mine.length - 1)
		await runRoute(notificationsAction, makeRequest('/', { cookie: w.vendorCookie, form: { intent: 'read-all' } }), {
			org: w.org.slug,
		})
		expect(await unread(w, w.vendorCookie)).toBe(0)
	})
})

describe('amendments', () => {
	it('an approved request is never edited; an amendment is a linked, prefilled draft with a diff of use cases', async () => {
		const w = await reviewWorld()
		const id = await approvedRequest(w)
		const approved = await versionOf(id)

		expect((await post(w, w.vendorCookie, id, { ...COMPLETE, version: String(approved.version) })).status).toBe(409)
		// A reviewer cannot start one.
		expect((await post(w, w.reviewerCookie, id, { intent: 'amend' })).status).toBe(403)
		const started = await post(w, w.vendorCookie, id, { intent: 'amend' })
		expect(started.status).toBe(302)
		const amendmentId = started.headers.get('Location')!.split('/').pop()!
		expect(amendmentId).not.toBe(id)
		// Starting again goes to the same open amendment.
		expect((await post(w, w.vendorCookie, id, { intent: 'amend' })).headers.get('Location')).toContain(amendmentId)

		const amendment = await versionOf(amendmentId)
		expect(amendment).toMatchObject({
			state: 'draft',
			amendsRequestId: id,
			appName: 'Mail Bridge',
			checklistReady: true,
		})
		let page = await runRoute(requestLoader, makeRequest('/', { cookie: w.vendorCookie }), {
			org: w.org.slug,
			requestId: amendmentId,
		})
		expect(page.data).toMatchObject({ diff: { added: [], removed: [] } })
		// The dashboard still says the app is approved, and that an amendment is under way.
		const [row] = (await dashboardRows(w.org.id)).rows
		expect(row).toMatchObject({ requestState: 'approved', amendmentState: 'draft', ticketKey: 'DEVHELP-5718' })
		// As started it is still the same as the approved request: it is not sent for review, and the page says why.
		const submit = (page.data as { actions: { action: string; blocked: { code: string } | null }[] }).actions.find(
			(offered) => offered.action === 'submit_for_review',
		)
		expect(submit?.blocked).toMatchObject({ code: 'nothing_amended' })
		const unchanged = await post(w, w.vendorCookie, amendmentId, {
			intent: 'submit_for_review',
			version: String(amendment.version),
		})
		expect(unchanged.status).toBe(409)
		expect(unchanged.data).toMatchObject({
			formError: expect.stringContaining('still the same as the approved request'),
		})
		expect((await versionOf(amendmentId)).state).toBe('draft')

		await post(w, w.vendorCookie, amendmentId, {
			...COMPLETE,
			version: String(amendment.version),
			useCaseCodes: ['send_security_alerts', 'invite_collaborators'],
			'customUseCases.0.description': '',
		})
		page = await runRoute(requestLoader, makeRequest('/', { cookie: w.vendorCookie }), {
			org: w.org.slug,
			requestId: amendmentId,
		})
		expect(page.data).toMatchObject({
			diff: {
				added: [expect.objectContaining({ code: 'invite_collaborators' })],
				removed: [expect.objectContaining({ code: 'other' })],
				unchanged: [expect.objectContaining({ code: 'send_security_alerts' })],
			},
		})
		// The approved request is untouched.
		expect(await versionOf(id)).toMatchObject({ state: 'approved', version: approved.version })
		// Touched again (its approval date corrected), it does not hide the amendment under way either.
		await db
			.update(accessRequests)
			.set({ updatedAt: new Date(Date.now() + 60_000) })
			.where(eq(accessRequests.id, id))
		expect((await dashboardRows(w.org.id)).rows[0]).toMatchObject({ requestState: 'approved', amendmentState: 'draft' })
		// And it goes through the same review.
		expect(
			(
				await post(w, w.vendorCookie, amendmentId, {
					intent: 'submit_for_review',
					version: String((await versionOf(amendmentId)).version),
				})
			).status,
		).toBe(200)
		expect((await versionOf(amendmentId)).state).toBe('in_review')
		await db.select().from(accessRequests)
	})
})

describe('an amendment of an approval no longer in force', () => {
	it('repeating its request word for word is asking again: it is submitted for review', async () => {
		const w = await reviewWorld()
		const id = await approvedRequest(w)
		const started = await post(w, w.vendorCookie, id, { intent: 'amend' })
		const amendmentId = started.headers.get('Location')!.split('/').pop()!
		// Atlassian revokes the app's access: the amendment, unchanged, is no longer "nothing new".
		expect(
			(await act(w, w.reviewerCookie, id, { intent: 'atlassian_revoked', reason: 'Audit', revokedOn: '2026-02-01' }))
				.status,
		).toBe(200)
		const page = await runRoute(requestLoader, makeRequest('/', { cookie: w.vendorCookie }), {
			org: w.org.slug,
			requestId: amendmentId,
		})
		expect(page.data).toMatchObject({ emptyAmendment: false, amends: null })
		expect((await act(w, w.vendorCookie, amendmentId, { intent: 'submit_for_review' })).status).toBe(200)
		expect((await versionOf(amendmentId)).state).toBe('in_review')
	})
})

describe('settings', () => {
	it('validates the time zone with Intl and the day ranges, and audits the change', async () => {
		const w = await reviewWorld()
		const bad = await runRoute(
			settingsAction,
			makeRequest('/', {
				cookie: w.vendorCookie,
				form: { timeZone: 'Mars/Olympus', followUpDays: '0', taskDueDays: '400', version: '1' },
			}),
			{ org: w.org.slug },
		)
		expect(bad.status).toBe(400)
		expect(bad.data).toMatchObject({
			errors: {
				timeZone: expect.stringContaining('Unknown time zone'),
				followUpDays: expect.any(String),
				taskDueDays: expect.any(String),
			},
		})
		const ok = await runRoute(
			settingsAction,
			makeRequest('/', {
				cookie: w.vendorCookie,
				form: { timeZone: 'Europe/Berlin', followUpDays: '14', taskDueDays: '45', version: '1' },
			}),
			{ org: w.org.slug },
		)
		expect(ok.status).toBe(200)
		const [org] = await db.select().from(organizations).where(eq(organizations.id, w.org.id))
		expect(org).toMatchObject({ timeZone: 'Europe/Berlin', followUpDays: 14, taskDueDays: 45 })
		const reviewerTry = await runRoute(
			settingsAction,
			makeRequest('/', {
				cookie: (await cookieFor(w.reviewer.id)).cookie,
				form: { timeZone: 'UTC', followUpDays: '10', taskDueDays: '30', version: '2' },
			}),
			{ org: w.org.slug },
		)
		expect(reviewerTry.status).toBe(403)
	})
})

describe('ticket follow-ups and reopening', () => {
	it('recording a follow-up restarts the quiet period; reopening clears the reviewer decisions', async () => {
		const w = await reviewWorld()
		const id = await readyRequest(w)
		const opened = new Date(Date.now() - 15 * 86_400_000).toISOString().slice(0, 10)
		await act(w, w.vendorCookie, id, {
			intent: 'record_ticket',
			ticketKey: 'DEVHELP-9',
			ticketUrl: '',
			openedOn: opened,
		})
		expect(await unread(w, w.vendorCookie)).toBeGreaterThanOrEqual(1)
		const before = await unread(w, w.vendorCookie)
		expect((await act(w, w.vendorCookie, id, { intent: 'ticket_note', note: '' })).status).toBe(400)
		expect(
			(await act(w, w.vendorCookie, id, { intent: 'ticket_note', note: 'Commented on the ticket asking for a status' }))
				.status,
		).toBe(200)
		expect(await unread(w, w.vendorCookie)).toBe(before - 1)
		const page = await runRoute(requestLoader, makeRequest('/', { cookie: w.vendorCookie }), {
			org: w.org.slug,
			requestId: id,
		})
		expect(page.data).toMatchObject({ ticket: { daysWaiting: 15, followUp: { due: false, daysQuiet: 0 } } })
		// Reopening only before Atlassian has it: a submitted request cannot be reopened.
		expect((await act(w, w.vendorCookie, id, { intent: 'reopen' })).status).toBe(409)

		const second = await readyRequest(w)
		const ready = (
			await runRoute(requestLoader, makeRequest('/', { cookie: w.vendorCookie }), {
				org: w.org.slug,
				requestId: second,
			})
		).data as { request: { useCases: { decision: string | null }[] } }
		expect(ready.request.useCases.some((u) => u.decision === 'approved')).toBe(true)
		expect((await act(w, w.vendorCookie, second, { intent: 'reopen' })).status).toBe(200)
		const [row] = await db.select().from(accessRequests).where(eq(accessRequests.id, second))
		expect(row!.state).toBe('draft')
		const decided = (
			await runRoute(requestLoader, makeRequest('/', { cookie: w.vendorCookie }), {
				org: w.org.slug,
				requestId: second,
			})
		).data as { request: { useCases: { decision: string | null }[] } }
		expect(decided.request.useCases.every((u) => u.decision === null)).toBe(true)
	})
})
