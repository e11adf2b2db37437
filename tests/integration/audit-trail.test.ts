// Issue 9, finding 11: the audit log answers "what changed between review rounds?",
// records refused attempts, and reads in words (docs/rules.md › Audit trail).
import { and, desc, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { auditEvents } from '#db/schema'
import { type AuditChangeView } from '~/domain/audit-labels'
import { loader as auditLoader } from '~/routes/o.$org.audit'
import { loader as csvLoader } from '~/routes/o.$org.audit.csv'
import { action as newRequestAction } from '~/routes/o.$org.requests.new'
import { AppSchema } from '~/schemas/apps'
import { updateApp } from '~/services/apps.server'
import { getOrgSettings, updateOrgSettings } from '~/services/org-settings.server'
import { appForm } from '../fixtures/requests'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'
import {
	COMPLETE,
	post,
	reviewWorld,
	submittedRequest,
	storedUseCasesOf,
	versionOf,
	type ReviewWorld,
} from './review-helpers'

type PageEvent = {
	action: string
	summary: string
	who: string
	refused: boolean
	subject: { label: string; href: string | null }
	changes: AuditChangeView[]
}
type Page = { events: PageEvent[]; options: { actions: { value: string; label: string }[] } }

async function lastEvent(action: string, subjectId?: string) {
	const [event] = await db
		.select()
		.from(auditEvents)
		.where(and(eq(auditEvents.action, action), subjectId ? eq(auditEvents.subjectId, subjectId) : undefined))
		.orderBy(desc(auditEvents.id))
		.limit(1)
	return event
}

async function draft(w: ReviewWorld) {
	const created = await runRoute(
		newRequestAction,
		makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.vendorCookie, form: { appId: w.app.id } }),
		{ org: w.org.slug },
	)
	return created.headers.get('Location')!.split('/').pop()!
}

const EDITED_DESCRIPTION =
	'Mail Bridge sends security alerts to the affected users when suspicious sign-ins happen. It also notifies watchers of incidents. Questions: privacy@acme.example.'

describe('saves record the fields that changed', () => {
	it('a request save holds only the changed fields, old and new, without email addresses', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		expect((await post(w, w.vendorCookie, id, { ...COMPLETE, version: '1' })).status).toBe(200)
		// Second round: one text edited (quoting the vendor's own address), a use case added,
		// products re-ordered only (not a change), everything else as it was.
		const second = await post(w, w.vendorCookie, id, {
			...COMPLETE,
			version: '2',
			useCaseCodes: ['send_error_reports', 'send_security_alerts'],
			functionalityDescription: EDITED_DESCRIPTION,
		})
		expect(second.status).toBe(200)

		const event = await lastEvent('request.saved', id)
		expect(event).toMatchObject({ actorUserId: w.admin.id, subjectType: 'access_request' })
		expect(Object.keys(event!.before as object).sort()).toEqual(['functionalityDescription', 'useCases', 'version'])
		expect(event!.before).toMatchObject({ version: 2, functionalityDescription: COMPLETE.functionalityDescription })
		expect(event!.after).toMatchObject({
			version: 3,
			functionalityDescription: expect.stringContaining('Questions: [email address].'),
			useCases: expect.arrayContaining([{ code: 'send_error_reports' }]),
		})
		expect(JSON.stringify([event!.before, event!.after])).not.toContain('@')
	})

	it('a save that changes nothing records the version only, and the page says the content did not change', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		await post(w, w.vendorCookie, id, { ...COMPLETE, version: '1' })
		await post(w, w.vendorCookie, id, { ...COMPLETE, version: '2', products: ['jira'] })
		const event = await lastEvent('request.saved', id)
		expect(event).toMatchObject({ before: { version: 2 }, after: { version: 3 } })
		const page = (
			await runRoute(auditLoader, makeRequest(`/o/${w.org.slug}/audit`, { cookie: w.vendorCookie }), {
				org: w.org.slug,
			})
		).data as Page
		expect(page.events[0]).toMatchObject({ summary: 'Saved the request without changing its content' })
	})

	it('an app edit records the changed fields with email addresses removed', async () => {
		const w = await reviewWorld()
		await updateApp(
			w.org.id,
			w.admin.id,
			w.app.id,
			AppSchema.parse(appForm({ privacyPolicyUrl: 'https://acme.example/privacy?contact=jane@customer.example' })),
		)
		const event = await lastEvent('app.updated', w.app.id)
		expect(event!.before).toEqual({ privacyPolicyUrl: 'https://acme.example/privacy' })
		expect(event!.after).toEqual({ privacyPolicyUrl: 'https://acme.example/privacy?contact=[email address]' })
	})

	it('a settings save records only the settings that changed; an unchanged save records nothing', async () => {
		const w = await reviewWorld()
		const settings = await getOrgSettings(w.org.id)
		await updateOrgSettings(w.org.id, w.admin.id, { ...settings, followUpDays: settings.followUpDays + 3 })
		const event = await lastEvent('org.settings_changed')
		expect(event).toMatchObject({
			subjectId: w.org.id,
			before: { followUpDays: settings.followUpDays },
			after: { followUpDays: settings.followUpDays + 3 },
		})
		expect(Object.keys(event!.before as object)).toEqual(['followUpDays'])
		await updateOrgSettings(w.org.id, w.admin.id, { ...settings, followUpDays: settings.followUpDays + 3 })
		expect(await db.select().from(auditEvents).where(eq(auditEvents.action, 'org.settings_changed'))).toHaveLength(1)
	})
})

describe('refused attempts are recorded', () => {
	it('a four-eyes refusal is recorded with who, what, on which request and why, although the attempt rolled back', async () => {
		const w = await reviewWorld()
		const both = await addMember(w.org.id, ['member', 'reviewer'], 'Bo Both')
		const bothCookie = (await cookieFor(both.id)).cookie
		const id = await submittedRequest(w)
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
		const complete = await post(w, bothCookie, id, { intent: 'complete_review', version: '6' })
		expect(complete.status).toBe(403)
		// The refused work itself left nothing behind.
		expect(await versionOf(id)).toMatchObject({ state: 'in_review', version: 6 })
		expect((await storedUseCasesOf(id)).every((u) => u.decision === null)).toBe(true)

		const refusedDecision = await lastEvent('request.decide_refused', id)
		expect(refusedDecision).toMatchObject({
			actorUserId: both.id,
			subjectType: 'access_request',
			before: { roles: ['member', 'reviewer'] },
			after: {
				attempted: 'approve',
				useCaseId: custom.id,
				code: 'other',
				description: custom.description,
				reason: (decide.data as { formError: string }).formError,
			},
		})
		expect(await lastEvent('request.action_refused', id)).toMatchObject({
			actorUserId: both.id,
			after: { attempted: 'complete_review', reason: (complete.data as { formError: string }).formError },
		})

		const page = (
			await runRoute(auditLoader, makeRequest(`/o/${w.org.slug}/audit`, { cookie: w.vendorCookie }), {
				org: w.org.slug,
			})
		).data as Page
		expect(page.events.find((e) => e.action === 'request.decide_refused')).toMatchObject({
			who: 'Bo Both',
			refused: true,
			summary: `Was refused: approve use case “${custom.description}”`,
			subject: { label: 'Request for Mail Bridge', href: `/o/${w.org.slug}/requests/${id}` },
		})
		expect(page.events.find((e) => e.action === 'request.action_refused')).toMatchObject({
			summary: 'Was refused: complete the review',
		})
	})

	it('a permission refusal (403) is recorded with the role it needs, on the request or the organisation', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		// A reviewer may not edit requests…
		const save = await post(w, w.reviewerCookie, id, { ...COMPLETE, version: '1' })
		expect(save.status).toBe(403)
		expect(await versionOf(id)).toMatchObject({ version: 1 })
		expect(await lastEvent('permission.denied', id)).toMatchObject({
			actorUserId: w.reviewer.id,
			subjectType: 'access_request',
			after: {
				permission: 'requests:edit',
				method: 'POST',
				path: `/o/${w.org.slug}/requests/${id}`,
				reason: 'Needs the Vendor role; they had Compliance reviewer.',
			},
		})
		// …nor read the audit log.
		const audit = await runRoute(auditLoader, makeRequest(`/o/${w.org.slug}/audit`, { cookie: w.reviewerCookie }), {
			org: w.org.slug,
		})
		expect(audit.status).toBe(403)
		expect(await lastEvent('permission.denied', w.org.id)).toMatchObject({
			actorUserId: w.reviewer.id,
			subjectType: 'organization',
			after: { permission: 'audit:read', method: 'GET', reason: 'Needs the Admin role; they had Compliance reviewer.' },
		})
		// Someone outside the organisation is told it does not exist, and nothing is written to its log.
		const outsider = await addMember((await createOrg('Elsewhere')).org.id, ['admin'], 'Out Sider')
		const before = (await db.select().from(auditEvents).where(eq(auditEvents.orgId, w.org.id))).length
		const foreign = await runRoute(
			auditLoader,
			makeRequest(`/o/${w.org.slug}/audit`, { cookie: (await cookieFor(outsider.id)).cookie }),
			{
				org: w.org.slug,
			},
		)
		expect(foreign.status).toBe(404)
		expect(await db.select().from(auditEvents).where(eq(auditEvents.orgId, w.org.id))).toHaveLength(before)

		const page = (
			await runRoute(auditLoader, makeRequest(`/o/${w.org.slug}/audit`, { cookie: w.vendorCookie }), {
				org: w.org.slug,
			})
		).data as Page
		const refusals = page.events.filter((e) => e.action === 'permission.denied')
		expect(refusals.map((e) => [e.summary, e.subject.label])).toEqual([
			['Was refused: read the audit log', 'Acme Apps'],
			['Was refused: edit a request', 'Request for Mail Bridge'],
		])
	})
})

describe('the audit page reads in words', () => {
	it('shows subjects by name with links, actions in words and changes as a readable diff', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		await post(w, w.vendorCookie, id, { ...COMPLETE, version: '1' })
		await post(w, w.vendorCookie, id, {
			...COMPLETE,
			version: '2',
			useCaseCodes: ['send_error_reports', 'send_security_alerts'],
			functionalityDescription: EDITED_DESCRIPTION,
		})
		await updateApp(w.org.id, w.admin.id, w.app.id, AppSchema.parse(appForm({ name: 'Mail Bridge Cloud' })))

		const result = await runRoute(auditLoader, makeRequest(`/o/${w.org.slug}/audit`, { cookie: w.vendorCookie }), {
			org: w.org.slug,
		})
		expect(result.status).toBe(200)
		const page = result.data as Page
		const appEdit = page.events.find((e) => e.action === 'app.updated')!
		expect(appEdit).toMatchObject({
			summary: 'Changed the app',
			who: 'Fay Founder',
			subject: { label: 'Mail Bridge Cloud', href: `/o/${w.org.slug}/apps/${w.app.id}` },
			changes: [{ kind: 'value', label: 'Name', from: 'Mail Bridge', to: 'Mail Bridge Cloud' }],
		})
		const save = page.events.find((e) => e.action === 'request.saved')!
		expect(save.summary).toBe('Saved the request')
		expect(save.subject).toEqual({ label: 'Request for Mail Bridge Cloud', href: `/o/${w.org.slug}/requests/${id}` })
		expect(save.changes).toContainEqual({ kind: 'value', label: 'Version', from: '2', to: '3' })
		expect(save.changes).toContainEqual({
			kind: 'list',
			label: 'Use cases',
			added: ['send error reports'],
			removed: [],
		})
		const text = save.changes.find((c) => c.label === 'Functionality description')
		expect(text).toMatchObject({ kind: 'text', from: COMPLETE.functionalityDescription })
		if (text?.kind !== 'text') throw new Error('expected a text change')
		expect(text.parts.filter((part) => part.op !== 'same')).toEqual([
			{ op: 'added', text: ' Questions: [email address].' },
		])

		// No raw ids or action codes on screen; the filter lists actions in words and still filters by code.
		expect(JSON.stringify(page.events.map((e) => [e.summary, e.subject.label, e.changes]))).not.toContain(id)
		expect(page.options.actions).toContainEqual({ value: 'request.saved', label: 'Saved the request' })
		const filtered = (
			await runRoute(
				auditLoader,
				makeRequest(`/o/${w.org.slug}/audit?action=app.updated`, { cookie: w.vendorCookie }),
				{ org: w.org.slug },
			)
		).data as Page
		expect(filtered.events.map((e) => e.action)).toEqual(['app.updated'])
	})

	it('the CSV export keeps raw values and adds the subject’s name', async () => {
		const w = await reviewWorld()
		const id = await submittedRequest(w)
		const result = await runRoute(
			csvLoader,
			makeRequest(`/o/${w.org.slug}/audit/csv?action=request.submit_for_review`, { cookie: w.vendorCookie }),
			{ org: w.org.slug },
		)
		const lines = String(result.data).trim().split('\r\n')
		expect(lines[0]).toBe(
			'"id","occurred_at_utc","actor_name","actor_email","action","subject_type","subject_id","subject_name","before","after"',
		)
		expect(lines[1]).toContain(`"request.submit_for_review","access_request","${id}","Request for Mail Bridge"`)
	})
})
