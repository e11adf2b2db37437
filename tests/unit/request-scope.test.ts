import { describe, expect, it } from 'vitest'
import { oncePerRequest, requestScope, runInScope } from '~/utils/request-scope.server'

function counter() {
	let calls = 0
	return {
		read: async () => ++calls,
		get calls() {
			return calls
		},
	}
}

describe('oncePerRequest', () => {
	it('reads once in a GET or HEAD: the layout and the page share the answer', async () => {
		for (const method of ['GET', 'HEAD']) {
			const session = counter()
			const answers = await runInScope(requestScope(method), () =>
				Promise.all([oncePerRequest('session', session.read), oncePerRequest('session', session.read)]),
			)
			expect(answers).toEqual([1, 1])
			expect(session.calls).toBe(1)
		}
	})

	it('reads every time in a POST, whose action may change what the loaders read after it', async () => {
		const membership = counter()
		await runInScope(requestScope('POST'), async () => {
			expect(await oncePerRequest('membership', membership.read)).toBe(1)
			expect(await oncePerRequest('membership', membership.read)).toBe(2)
		})
	})

	it('reads every time outside a request, and afresh in each request', async () => {
		const policy = counter()
		await oncePerRequest('policy', policy.read)
		await oncePerRequest('policy', policy.read)
		expect(policy.calls).toBe(2)
		await runInScope(requestScope('GET'), () => oncePerRequest('policy', policy.read))
		await runInScope(requestScope('GET'), () => oncePerRequest('policy', policy.read))
		expect(policy.calls).toBe(4)
	})

	it('keeps different keys apart', async () => {
		const a = counter()
		const b = counter()
		const answers = await runInScope(requestScope('GET'), () =>
			Promise.all([oncePerRequest('membership:u:one', a.read), oncePerRequest('membership:u:two', b.read)]),
		)
		expect(answers).toEqual([1, 1])
		expect([a.calls, b.calls]).toEqual([1, 1])
	})
})
