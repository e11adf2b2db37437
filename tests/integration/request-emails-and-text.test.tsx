import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '#db/client.server'
import { accessRequests, requestUseCases } from '#db/schema'
import { ReviewPanel, type ReviewUseCase } from '~/components/review-panel'
import { type ChecklistResult } from '~/domain/checklist'
import { formatLocalDate } from '~/domain/zoned-time'
import EditorPage, { loader as editorLoader } from '~/routes/o.$org.requests.$requestId._index'
import { loader as jsonLoader } from '~/routes/o.$org.requests.$requestId.json'
import TextPage, { loader as textLoader } from '~/routes/o.$org.requests.$requestId.text'
import { type RequestFields } from '~/schemas/request'
import { saveDraft } from '~/services/requests.server'
import { UserFacingError } from '~/utils/errors'
import { cpuMsAsync } from '../fixtures/growth'
import { renderRoute } from '../fixtures/render'
import { makeRequest, runRoute } from '../fixtures/world'
import { approveAll, COMPLETE, post, reviewWorld, submittedRequest, type ReviewWorld } from './review-helpers'

async function draft(w: ReviewWorld) {
	const { action: newRequestAction } = await import('~/routes/o.$org.requests.new')
	const created = await runRoute(
		newRequestAction,
		makeRequest(`/o/${w.org.slug}/requests/new`, { cookie: w.vendorCookie, form: { appId: w.app.id } }),
		{ org: w.org.slug },
	)
	return created.headers.get('Location')!.split('/').pop()!
}

async function row(id: string) {
	const [found] = await db.select().from(accessRequests).where(eq(accessRequests.id, id))
	return found!
}

function load(w: ReviewWorld, loader: typeof editorLoader | typeof textLoader | typeof jsonLoader, id: string) {
	return runRoute(loader, makeRequest('/', { cookie: w.vendorCookie }), { org: w.org.slug, requestId: id })
}

const renderPage = renderRoute

const WITH_ADDRESS = `${COMPLETE.functionalityDescription} For example jane.doe@customer.example gets every alert.`

describe('email addresses are refused on save (issue 9, finding 8)', () => {
	it('an address in the functionality description: 400 on the field, naming the vendor’s own domain as fine, nothing saved', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		const result = await post(w, w.vendorCookie, id, {
			...COMPLETE,
			version: '1',
			functionalityDescription: WITH_ADDRESS,
		})
		expect(result.status).toBe(400)
		const { errors, formError } = result.data as { errors: Record<string, string>; formError: string }
		expect(errors.functionalityDescription).toContain('Remove the email address')
		expect(errors.functionalityDescription).toContain('Addresses at your own domain acme.example are fine.')
		expect(`${formError} ${JSON.stringify(errors)}`).not.toContain('customer.example')
		expect(await row(id)).toMatchObject({ version: 1, functionalityDescription: '' })
		expect(await db.select().from(requestUseCases).where(eq(requestUseCases.requestId, id))).toHaveLength(0)
	})

	it('an address in a custom use case is refused on that row', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		const result = await post(w, w.vendorCookie, id, {
			...COMPLETE,
			version: '1',
			'customUseCases.0.description': 'Copy admin@site.example on every alert',
		})
		expect(result.status).toBe(400)
		expect(Object.keys((result.data as { errors: Record<string, string> }).errors)).toEqual([
			'customUseCases.0.description',
		])
		expect((await row(id)).version).toBe(1)
	})

	it('the vendor’s own address (policy on www.acme.example) is fine and the request is ready', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		const result = await post(w, w.vendorCookie, id, {
			...COMPLETE,
			version: '1',
			privacyPolicyUrl: 'https://www.acme.example/privacy',
			privacyPolicyExcerpt: `${COMPLETE.privacyPolicyExcerpt} Questions: privacy@acme.example or dpo@eu.acme.example.`,
		})
		expect(result.status).toBe(200)
		expect(await row(id)).toMatchObject({ version: 2, checklistReady: true })
	})

	it('the service refuses too, with a message that says where and never repeats the address', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		const { intent: _intent, 'customUseCases.0.description': custom, ...rest } = COMPLETE
		const fields = {
			...rest,
			customUseCases: [{ description: custom as string }],
			functionalityDescription: WITH_ADDRESS,
		} as unknown as RequestFields
		const refused = await saveDraft(w.org.id, w.admin.id, id, 1, fields).catch((error: unknown) => error)
		expect(refused).toBeInstanceOf(UserFacingError)
		expect(refused).toMatchObject({ status: 422, field: 'functionalityDescription' })
		expect((refused as Error).message).toContain(
			'Nothing was saved. The functionality description holds an email address.',
		)
		expect((refused as Error).message).not.toContain('customer.example')
		expect((await row(id)).version).toBe(1)
	})

	it('a request that already holds one (saved before this rule) is never "ready to send"', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		expect((await post(w, w.vendorCookie, id, { ...COMPLETE, version: '1' })).status).toBe(200)
		await db.update(accessRequests).set({ functionalityDescription: WITH_ADDRESS }).where(eq(accessRequests.id, id))
		const text = await load(w, textLoader, id)
		expect(text.data).toMatchObject({ ready: false, failing: 1 })
		expect(await renderPage(TextPage, text.data)).not.toContain('ready to send')
		const json = await load(w, jsonLoader, id)
		expect((json.data as { checklist: ChecklistResult }).checklist.ready).toBe(false)
	})
})

describe('the editor after a refused save (issue 10, finding 1)', () => {
	it('a 1,000,000-character description is refused and the page renders at once, without running the checklist on it', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		const huge = `${'a'.repeat(1_000_000)}@`
		let saved: Awaited<ReturnType<typeof post>> | undefined
		let html = ''
		// At once: CPU work, not wall-clock time (a busy machine stretches the wait, not the work).
		const work = await cpuMsAsync(async () => {
			saved = await post(w, w.vendorCookie, id, { ...COMPLETE, version: '1', functionalityDescription: huge })
			const page = await load(w, editorLoader, id)
			html = await renderPage(EditorPage, page.data, saved.data)
		})
		expect(saved!.status).toBe(400)
		expect(work).toBeLessThan(5000)
		expect(html).toContain('The checklist waits for the fields marked in the form')
		expect(html).toContain('Use at most 10,000 characters.')
	})
})

describe('custom use cases that read like a rejected one (issue 9, finding 9)', () => {
	const LOOK_ALIKE = { ...COMPLETE, 'customUseCases.0.description': 'Send our monthly newsletter to every user' }

	it('count as a warning in the checklist headline, and the use-case check says so', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		expect((await post(w, w.vendorCookie, id, { ...LOOK_ALIKE, version: '1' })).status).toBe(200)
		const page = await load(w, editorLoader, id)
		const checklist = (page.data as { checklist: ChecklistResult }).checklist
		expect(checklist.checks.find((c) => c.id === 'use_case_reads_like_rejected')).toMatchObject({ status: 'warn' })
		expect(checklist.checks.find((c) => c.id === 'use_cases')?.message).toContain(
			'reads like a use case Atlassian rejects',
		)
		const html = await renderPage(EditorPage, page.data)
		expect(html).toMatch(/with 1 warning: Reads like a rejected use case/)
		expect(html).not.toMatch(/Ready to send<\/strong>/)
	})

	it('stand first in the reviewer’s view, marked as such', async () => {
		const w = await reviewWorld()
		const id = await submittedRequest(w, LOOK_ALIKE)
		const page = await runRoute(editorLoader, makeRequest('/', { cookie: w.reviewerCookie }), {
			org: w.org.slug,
			requestId: id,
		})
		const useCases = (page.data as { request: { useCases: ReviewUseCase[] } }).request.useCases
		// Saved in form order: the catalogue code first, the custom one second.
		expect(useCases.map((useCase) => useCase.code)).toEqual(['send_security_alerts', 'other'])
		const html = await renderPage(
			() => (
				<ReviewPanel
					version={3}
					useCases={useCases}
					canReview
					isAuthor={false}
					otherReviewers={1}
					complete={undefined}
				/>
			),
			{},
		)
		const lookAlike = html.indexOf('Looks like a rejected use case: newsletters, campaigns, marketing')
		expect(lookAlike).toBeGreaterThan(-1)
		expect(lookAlike).toBeLessThan(html.indexOf('send security alerts'))
		expect(html.indexOf('Custom: Send our monthly newsletter')).toBeLessThan(html.indexOf('send security alerts'))
		// A use case on Atlassian's approved list needs no decision, so it offers none but a rejection.
		const approvedList = html.slice(html.indexOf('data-use-case-id="' + useCases[0]!.id))
		expect(approvedList).toContain('No decision needed')
		expect(approvedList).toContain('it passes with the review unless you reject it')
		expect(approvedList.slice(0, approvedList.indexOf('</li>'))).not.toContain('>Approve<')
		expect(html.match(/>Approve</g)).toHaveLength(1)
	})
})

describe('a passing checklist on a request past its draft', () => {
	it('says “ready to send” only while the request may go on to be sent', async () => {
		const w = await reviewWorld()
		const id = await submittedRequest(w)
		const inReview = await renderPage(EditorPage, (await load(w, editorLoader, id)).data)
		expect(inReview).toContain('The checklist passes')
		expect(inReview).not.toContain('Ready to send')
		await approveAll(w, id)
		const ready = await renderPage(EditorPage, (await load(w, editorLoader, id)).data)
		expect(ready).toContain('Ready to send')
	})
})

describe('the request text and its print view (issue 9, finding 10)', () => {
	it('the text, the JSON download and the page carry the app type in words and the products', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		await post(w, w.vendorCookie, id, { ...COMPLETE, version: '1', products: ['jira', 'confluence'] })
		const text = await load(w, textLoader, id)
		const body = (text.data as { text: string }).text
		expect(body).toContain('App type: Forge app\nProducts: Jira, Confluence')
		expect(body.indexOf('App type:')).toBeGreaterThan(body.indexOf('App ID (app key):'))
		const json = await load(w, jsonLoader, id)
		expect((json.data as { checklist: ChecklistResult }).checklist.submissionText).toContain('App type: Forge app')
		const html = await renderPage(TextPage, text.data)
		expect(html).toContain('Forge app')
		expect(html).toContain('Jira, Confluence')
	})

	it('the print view carries the state in words, the dates and the reviewers who decided', async () => {
		const w = await reviewWorld()
		const id = await submittedRequest(w)
		await approveAll(w, id)
		const text = await load(w, textLoader, id)
		const record = (text.data as { record: { state: string; milestones: { label: string }[]; deciders: unknown[] } })
			.record
		expect(record.state).toBe('ready_to_submit')
		expect(record.milestones.map((milestone) => milestone.label)).toEqual([
			'Created',
			'Submitted for review',
			'Review completed',
		])
		expect(record.deciders).toEqual([expect.objectContaining({ name: 'Rita Reviewer', approved: 1, rejected: 0 })])
		const html = await renderPage(TextPage, text.data)
		// The one date format (app/domain/zoned-time.ts), as every page writes a date.
		const today = formatLocalDate(new Date(), w.org.timeZone)
		for (const needle of [
			'Ready to submit',
			'Created',
			'Submitted for review',
			'Review completed',
			today,
			'Rita Reviewer',
			'approved 1 use case',
		])
			expect(html).toContain(needle)
	})

	it('a draft nobody decided says so', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		const html = await renderPage(TextPage, (await load(w, textLoader, id)).data)
		expect(html).toContain('Draft')
		expect(html).toContain('No reviewer has decided a use case yet.')
	})
})

describe('"ready to send" means the checklist and the review (found in a new-user walk)', () => {
	it('a passing draft still needs its review; a rejected use case is never ready; a reviewed request is', async () => {
		const w = await reviewWorld()
		const id = await draft(w)
		expect((await post(w, w.vendorCookie, id, { ...COMPLETE, version: '1' })).status).toBe(200)
		let html = await renderPage(TextPage, (await load(w, textLoader, id)).data)
		expect(html).toContain('still needs its review')
		expect(html).not.toContain('ready to send')

		const reviewed = await submittedRequest(w)
		await approveAll(w, reviewed)
		html = await renderPage(TextPage, (await load(w, textLoader, reviewed)).data)
		expect(html).toContain('This text is ready to send')

		await db
			.update(requestUseCases)
			.set({ decision: 'rejected', decisionReason: 'no' })
			.where(eq(requestUseCases.requestId, reviewed))
		html = await renderPage(TextPage, (await load(w, textLoader, reviewed)).data)
		expect(html).toContain('A reviewer rejected')
		expect(html).not.toContain('ready to send')
	})

	it('a note that keeps the state is no milestone: the approval date stays the approval’s', async () => {
		const { requestMilestones } = await import('~/domain/request-text')
		const milestones = requestMilestones('2026-01-01T00:00:00Z', [
			{ fromState: 'submitted', toState: 'approved', at: '2026-01-10T12:00:00Z' },
			{ fromState: 'approved', toState: 'approved', at: '2026-02-01T12:00:00Z' },
		])
		expect(milestones.find((m) => m.label === 'Approved by Atlassian')!.at.toISOString()).toBe(
			'2026-01-10T12:00:00.000Z',
		)
	})
})
