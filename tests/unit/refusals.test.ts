import { describe, expect, it } from 'vitest'
import { UserFacingError } from '~/utils/errors'
import { formRefusal, throwRefusal } from '~/utils/refusals.server'

type Result = { intent?: string; errors?: Record<string, string>; formError?: string | null; values?: unknown }

async function thrown(work: () => unknown) {
	try {
		work()
	} catch (error) {
		return error
	}
	throw new Error('nothing was thrown')
}

describe('formRefusal: a service refusal becomes the form answer', () => {
	const named = new UserFacingError('Already a member.', 409, 'email')
	const unnamed = new UserFacingError('Someone else saved first.', 409)

	it('puts a message under the field the service named, and at the top when it named none, with its status', () => {
		const field = formRefusal<Result>(named, { intent: 'invite', values: { email: 'a@b.test' } })
		expect(field.init?.status).toBe(409)
		expect(field.data).toEqual({
			intent: 'invite',
			values: { email: 'a@b.test' },
			errors: { email: 'Already a member.' },
			formError: null,
		})
		const top = formRefusal<Result>(unnamed, { intent: 'invite' })
		expect(top.data).toMatchObject({ errors: undefined, formError: 'Someone else saved first.' })
	})

	it('"top" keeps the message at the top only; "both" says it in both places', () => {
		expect(formRefusal<Result>(named, {}, { place: 'top' }).data).toEqual({
			errors: undefined,
			formError: 'Already a member.',
		})
		expect(formRefusal<Result>(named, {}, { place: 'both' }).data).toEqual({
			errors: { email: 'Already a member.' },
			formError: 'Already a member.',
		})
	})

	it('a 404 can be the page’s own 404 (a thrown JSON Response), not a form message', async () => {
		const gone = new UserFacingError('No such request in this organisation.', 404)
		const response = await thrown(() => formRefusal<Result>(gone, {}, { notFoundAsPage: true }))
		expect(response).toBeInstanceOf(Response)
		expect((response as Response).status).toBe(404)
		expect(await (response as Response).json()).toEqual({ error: 'No such request in this organisation.' })
		expect(formRefusal<Result>(gone, {}).init?.status).toBe(404)
	})

	it('anything else is a bug: thrown on, untouched', async () => {
		const bug = new TypeError('x is undefined')
		expect(await thrown(() => formRefusal<Result>(bug, {}))).toBe(bug)
		expect(await thrown(() => throwRefusal(bug))).toBe(bug)
	})
})

describe('throwRefusal: a refusal as a JSON Response', () => {
	it('throws { error } with the refusal’s status', async () => {
		const response = await thrown(() => throwRefusal(new UserFacingError('This app is archived.', 409)))
		expect(response).toBeInstanceOf(Response)
		expect((response as Response).status).toBe(409)
		expect(await (response as Response).json()).toEqual({ error: 'This app is archived.' })
	})
})
