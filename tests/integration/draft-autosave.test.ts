import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { accessRequests } from '#db/schema'
import { statusOfAnswer, type SaveAnswer } from '~/domain/draft-autosave'
import EditorPage, { action as editorAction, loader as editorLoader } from '~/routes/o.$org.requests.$requestId._index'
import { action as newRequestAction } from '~/routes/o.$org.requests.new'
import { renderRoute } from '../fixtures/render'
import { COMPLETE, createTestApp } from '../fixtures/requests'
import { addMember, cookieFor, createOrg, makeRequest, runRoute } from '../fixtures/world'

/** Two vendors of one organisation, each with a session, and a fresh draft (version 1). */
async function world() {
	const { org, admin } = await createOrg('Acme Apps')
	const app = await createTestApp(org.id, admin.id)
	const other = await addMember(org.id, ['member'], 'Olga Other')
	const mine = (await cookieFor(admin.id)).cookie
	const theirs = (await cookieFor(other.id)).cookie
	const started = await runRoute(
		newRequestAction,
		makeRequest(`/o/${org.slug}/requests/new`, { cookie: mine, form: { appId: app.id } }),
		{ org: org.slug },
	)
	const requestId = started.headers.get('Location')!.split('/').pop()!
	const save = (cookie: string, form: Record<string, string | string[]>) =>
		runRoute(editorAction, makeRequest(`/o/${org.slug}/requests/${requestId}`, { cookie, form }), {
			org: org.slug,
			requestId,
		})
	const page = async (cookie: string) =>
		(await runRoute(editorLoader, makeRequest('/', { cookie }), { org: org.slug, requestId })).data
	return { mine, theirs, requestId, save, page }
}

const row = async (id: string) => (await db.select().from(accessRequests).where(eq(accessRequests.id, id)))[0]!

describe('autosave through the editor’s save action (issue 17, point 1)', () => {
	it('a save answers with the version it made and when, so the next autosave goes on from it', async () => {
		const w = await world()
		const first = await w.save(w.mine, { ...COMPLETE, version: '1', appName: 'Typed once' })
		expect(first.status).toBe(200)
		const answer = first.data as SaveAnswer
		expect(answer).toMatchObject({ version: 2, formError: null })
		expect(answer.conflict).toBeUndefined()
		expect(new Date(answer.savedAt!).toISOString()).toBe(answer.savedAt)
		expect(statusOfAnswer(answer).kind).toBe('saved')

		const second = await w.save(w.mine, { ...COMPLETE, version: String(answer.version), appName: 'Typed twice' })
		expect(second.status).toBe(200)
		expect(second.data).toMatchObject({ version: 3 })
		expect(await row(w.requestId)).toMatchObject({ version: 3, appName: 'Typed twice' })
	})

	it('someone else saved in between: the autosave is refused as a conflict and their version stays', async () => {
		const w = await world()
		expect((await w.save(w.theirs, { ...COMPLETE, version: '1', appName: 'Their edit' })).status).toBe(200)

		const mine = await w.save(w.mine, { ...COMPLETE, version: '1', appName: 'My autosaved edit' })
		expect(mine.status).toBe(409)
		const answer = mine.data as SaveAnswer
		expect(answer.conflict).toBe(true)
		expect(answer.version).toBeUndefined()
		expect(statusOfAnswer(answer)).toEqual({ kind: 'conflict' })
		expect(await row(w.requestId)).toMatchObject({ version: 2, appName: 'Their edit' })
	})

	it('a refusal that is not a conflict (an email address) is not said as one', async () => {
		const w = await world()
		const refused = await w.save(w.mine, {
			...COMPLETE,
			version: '1',
			functionalityDescription: `${COMPLETE.functionalityDescription as string} Write to jane@gmail.com.`,
		})
		expect(refused.status).toBeGreaterThanOrEqual(400)
		expect(refused.status).toBeLessThan(500)
		const answer = refused.data as SaveAnswer
		expect(answer.conflict).not.toBe(true)
		expect(statusOfAnswer(answer).kind).not.toBe('conflict')
		expect(await row(w.requestId)).toMatchObject({ version: 1 })
	})

	it('after a refused save the editor goes on from the version it posted, not from the other person’s', async () => {
		const w = await world()
		expect((await w.save(w.theirs, { ...COMPLETE, version: '1', appName: 'Their edit' })).status).toBe(200)
		const refused = await w.save(w.mine, { ...COMPLETE, version: '1', appName: 'My edit' })
		expect(refused.status).toBe(409)

		// The page as it renders after the refusal: the loader says version 2, the form keeps what was typed.
		const html = await renderRoute(EditorPage, await w.page(w.mine), refused.data)
		expect(html).toContain('value="My edit"')
		const editor = html.slice(html.indexOf('aria-label="Access request"'))
		expect(editor).toMatch(/^[^]*?<input type="hidden" name="version" value="1"\/>/)
		expect(editor).not.toMatch(/name="version" value="2"/)
		// The autosave status line is written by the browser only (without JavaScript nothing saves by itself).
		expect(html).not.toContain('data-testid="autosave-status"')
		// The leave question is in the page, closed.
		expect(html).toMatch(/<dialog[^>]*aria-labelledby="unsaved-changes-title"/)
		expect(html).not.toMatch(/<dialog[^>]* open/)
	})
})
