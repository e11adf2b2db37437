import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { accessRequests, auditEvents, requestUseCases } from '#db/schema'
import { evaluateRequest } from '~/domain/checklist'
import { toChecklistInput } from '~/domain/request-fields'
import { action as apiEvaluate } from '~/routes/api.v1.checklist.evaluate'
import { action as editorAction, loader as editorLoader } from '~/routes/o.$org.requests.$requestId._index'
import { loader as jsonLoader } from '~/routes/o.$org.requests.$requestId.json'
import { loader as textLoader } from '~/routes/o.$org.requests.$requestId.text'
import { action as newRequestAction } from '~/routes/o.$org.requests.new'
import { type RequestFields } from '~/schemas/request'
import { COMPLETE, createTestApp } from '../fixtures/requests'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

async function world() {
	const { org, admin } = await createOrg('Acme Apps')
	const app = await createTestApp(org.id, admin.id)
	const { cookie } = await cookieFor(admin.id)
	return { org, admin, app, cookie }
}

async function startDraft(w: Awaited<ReturnType<typeof world>>) {
	const result = await runRoute(
		newRequestAction,
		makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.cookie, form: { appId: w.app.id } }),
		{ org: w.org.slug },
	)
	expect(result.status).toBe(302)
	return result.headers.get('Location')!.split('/').pop()!
}

function save(w: Awaited<ReturnType<typeof world>>, requestId: string, form: Record<string, string | string[]>) {
	return runRoute(editorAction, makeRequest(`/o/${w.org.slug}/requests/${requestId}`, { cookie: w.cookie, form }), {
		org: w.org.slug,
		requestId,
	})
}

describe('request drafts', () => {
	it('a new draft is prefilled from the app and the organisation', async () => {
		const w = await world()
		const id = await startDraft(w)
		const page = await runRoute(editorLoader, makeRequest(`/o/${w.org.slug}/requests/${id}`, { cookie: w.cookie }), {
			org: w.org.slug,
			requestId: id,
		})
		expect(page.status).toBe(200)
		const data = page.data as { fields: RequestFields; editable: boolean; checklist: { ready: boolean } }
		expect(data.fields).toMatchObject({
			companyName: 'Acme Apps',
			appName: 'Mail Bridge',
			appKey: 'com.acme.mail-bridge',
			appType: 'forge',
			products: ['jira'],
			privacyPolicyUrl: 'https://acme.example/privacy',
			storesPersonalData: 'yes',
		})
		expect(data.editable).toBe(true)
		expect(data.checklist.ready).toBe(false)
	})

	it('saves every field and use case, with the engine outcome per use case, and audits it', async () => {
		const w = await world()
		const id = await startDraft(w)
		const result = await save(w, id, {
			...COMPLETE,
			version: '1',
			useCaseCodes: ['send_security_alerts', 'marketing_emails'],
		})
		expect(result.status).toBe(200)
		const [row] = await db.select().from(accessRequests).where(eq(accessRequests.id, id))
		expect(row).toMatchObject({
			version: 2,
			termsOfUseUrl: 'https://acme.example/terms',
			storesPersonalData: true,
			checklistReady: false,
		})
		const useCases = await db.select().from(requestUseCases).where(eq(requestUseCases.requestId, id))
		expect(useCases.map((u) => [u.code, u.engineOutcome]).sort()).toEqual([
			['marketing_emails', 'rejected'],
			['other', 'needs_review'],
			['send_security_alerts', 'auto_approvable'],
		])
		const events = await db.select().from(auditEvents).where(eq(auditEvents.subjectId, id))
		expect(events.map((e) => e.action)).toEqual(['request.created', 'request.saved'])
	})

	it('the browser’s live checklist, the saved request and the public API agree for the same input', async () => {
		const w = await world()
		const id = await startDraft(w)
		const { intent: _intent, 'customUseCases.0.description': custom, ...rest } = COMPLETE
		const formValues = { ...rest, customUseCases: [{ description: custom as string }] } as unknown as RequestFields
		// What the browser computes on every keystroke:
		const live = evaluateRequest(toChecklistInput(formValues))
		expect(live.ready).toBe(true)

		await save(w, id, { ...COMPLETE, version: '1' })
		const page = await runRoute(editorLoader, makeRequest(`/o/${w.org.slug}/requests/${id}`, { cookie: w.cookie }), {
			org: w.org.slug,
			requestId: id,
		})
		expect((page.data as { checklist: unknown }).checklist).toEqual(live)

		const api = await runRoute(
			apiEvaluate,
			new Request('http://localhost/api/v1/checklist/evaluate', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify(toChecklistInput(formValues)),
			}),
		)
		expect(api.status).toBe(200)
		expect(api.data).toEqual(live)
		const [row] = await db.select().from(accessRequests).where(eq(accessRequests.id, id))
		expect(row!.checklistReady).toBe(true)
	})

	it('a stale version is refused with 409 and keeps what was typed', async () => {
		const w = await world()
		const id = await startDraft(w)
		expect((await save(w, id, { ...COMPLETE, version: '1' })).status).toBe(200)
		const stale = await save(w, id, { ...COMPLETE, version: '1', appName: 'My unsaved edit' })
		expect(stale.status).toBe(409)
		expect(stale.data).toMatchObject({
			formError: expect.stringContaining('Someone else saved'),
			values: { appName: 'My unsaved edit' },
		})
		const [row] = await db.select().from(accessRequests).where(eq(accessRequests.id, id))
		expect(row).toMatchObject({ version: 2, appName: 'Mail Bridge' })
	})

	it('a body that is not a form is a 415 on form actions, not a 500', async () => {
		const w = await world()
		const id = await startDraft(w)
		const json = (path: string) =>
			new Request(new URL(path, 'http://localhost'), {
				method: 'POST',
				headers: { Cookie: w.cookie, 'Content-Type': 'application/json' },
				body: JSON.stringify({ intent: 'save' }),
			})
		expect(
			(await runRoute(editorAction, json(`/o/${w.org.slug}/requests/${id}`), { org: w.org.slug, requestId: id }))
				.status,
		).toBe(415)
		expect((await runRoute(newRequestAction, json(`/o/${w.org.slug}/requests/new`), { org: w.org.slug })).status).toBe(
			415,
		)
		// Without a session nothing is read at all: the login redirect comes first.
		const anonymous = new Request(new URL(`/o/${w.org.slug}/requests/${id}`, 'http://localhost'), {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: '{}',
		})
		expect((await runRoute(editorAction, anonymous, { org: w.org.slug, requestId: id })).status).toBe(302)
	})

	it('too-long text is a 400 with a field message and nothing is written', async () => {
		const w = await world()
		const id = await startDraft(w)
		const result = await save(w, id, { ...COMPLETE, version: '1', appName: 'x'.repeat(201) })
		expect(result.status).toBe(400)
		expect(result.data).toMatchObject({
			errors: { appName: 'Use at most 200 characters.' },
			values: { appName: 'x'.repeat(201) },
		})
		const [row] = await db.select().from(accessRequests).where(eq(accessRequests.id, id))
		expect(row!.version).toBe(1)
	})

	it('a request that is not a draft cannot be edited, and an approved app gets amendments, not fresh drafts', async () => {
		const w = await world()
		const id = await startDraft(w)
		await db.update(accessRequests).set({ state: 'approved' }).where(eq(accessRequests.id, id))
		const result = await save(w, id, { ...COMPLETE, version: '1' })
		expect(result.status).toBe(409)
		expect(result.data).toMatchObject({ formError: expect.stringContaining('amendment') })
		const fresh = await runRoute(
			newRequestAction,
			makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.cookie, form: { appId: w.app.id } }),
			{ org: w.org.slug },
		)
		expect(fresh.status).toBe(409)
		expect(fresh.data).toMatchObject({ error: expect.stringContaining('Start an amendment') })
		expect(await db.select().from(accessRequests)).toHaveLength(1)
	})

	it('another organisation’s request is a 404 everywhere, and reviewers cannot edit', async () => {
		const w = await world()
		const id = await startDraft(w)
		const other = await createOrg('Other Org')
		const { cookie } = await cookieFor(other.admin.id)
		const params = { org: other.org.slug, requestId: id }
		for (const loader of [editorLoader, textLoader, jsonLoader]) {
			expect(
				(await runRoute(loader, makeRequest(`/o/${other.org.slug}/requests/${id}`, { cookie }), params)).status,
			).toBe(404)
		}
		const write = await runRoute(
			editorAction,
			makeRequest(`/o/${other.org.slug}/requests/${id}`, { cookie, form: { ...COMPLETE, version: '1' } }),
			params,
		)
		expect(write.status).toBe(404)
		const draftForeignApp = await runRoute(
			newRequestAction,
			makeRequest(`/o/${other.org.slug}/requests/new`, { cookie, form: { appId: w.app.id } }),
			{ org: other.org.slug },
		)
		expect(draftForeignApp.status).toBe(404)

		const reviewer = await addMember(w.org.id, ['reviewer'])
		const reviewerCookie = (await cookieFor(reviewer.id)).cookie
		const denied = await runRoute(
			editorAction,
			makeRequest(`/o/${w.org.slug}/requests/${id}`, { cookie: reviewerCookie, form: { ...COMPLETE, version: '1' } }),
			{ org: w.org.slug, requestId: id },
		)
		expect(denied.status).toBe(403)
		expect(
			(
				await runRoute(editorLoader, makeRequest('/', { cookie: w.cookie }), {
					org: w.org.slug,
					requestId: 'not-a-uuid',
				})
			).status,
		).toBe(404)
	})

	it('the request text follows Atlassian’s form order and the JSON download carries the checklist', async () => {
		const w = await world()
		const id = await startDraft(w)
		await save(w, id, { ...COMPLETE, version: '1' })
		const text = await runRoute(textLoader, makeRequest('/', { cookie: w.cookie }), { org: w.org.slug, requestId: id })
		const body = (text.data as { text: string }).text
		const order = [
			'Acme Apps',
			'Mail Bridge',
			'com.acme.mail-bridge',
			'https://acme.example/privacy',
			'https://acme.example/terms',
		]
		const positions = order.map((needle) => body.indexOf(needle))
		expect(positions.every((position) => position >= 0)).toBe(true)
		expect([...positions].sort((a, b) => a - b)).toEqual(positions)
		expect(body.indexOf('- Send security alerts')).toBeGreaterThan(positions.at(-1)!)
		expect(body.indexOf('- Send security alerts')).toBeLessThan(
			body.indexOf('sends security alerts to the affected users'),
		)

		const download = await runRoute(jsonLoader, makeRequest('/', { cookie: w.cookie }), {
			org: w.org.slug,
			requestId: id,
		})
		expect(download.headers.get('Content-Disposition')).toMatch(
			/attachment; filename="email-api-request-mail-bridge.json"/,
		)
		expect(download.data).toMatchObject({
			state: 'draft',
			checklist: { ready: true },
			request: { appName: 'Mail Bridge' },
		})
	})
})
