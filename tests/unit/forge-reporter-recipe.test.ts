import { beforeEach, describe, expect, it, vi } from 'vitest'

// The companion's only dependency, as Forge provides it at run time.
const reportPersonalData = vi.fn()
vi.mock('@forge/api', () => ({ privacy: { reportPersonalData } }))

// @ts-expect-error: the recipe is plain JavaScript for Forge's runtime, without types.
const { report } = (await import('../../docs/recipes/forge-reporter/src/index.js')) as {
	report: (request: unknown) => Promise<{ statusCode: number; headers: Record<string, string[]>; body: string }>
}

const SECRET = 'a-long-random-shared-secret-0123456789'
const batch = { accounts: [{ accountId: '5be24ba3f91c106033269289', updatedAt: '2026-01-05T10:00:00Z' }] }
const call = (body: unknown, secret: string | null = SECRET, method = 'POST') =>
	report({
		method,
		headers: secret === null ? {} : { 'x-clearance-secret': [secret] },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	})

describe('docs/recipes/forge-reporter: the companion web trigger', () => {
	beforeEach(() => {
		process.env.CLEARANCE_SECRET = SECRET
		reportPersonalData.mockReset()
	})

	it('reports the batch as the app and answers the accounts that need action, or 204', async () => {
		reportPersonalData.mockResolvedValueOnce([{ accountId: '5be24ba3f91c106033269289', status: 'closed' }])
		const answer = await call(batch)
		expect(reportPersonalData).toHaveBeenCalledWith(batch.accounts)
		expect(answer.statusCode).toBe(200)
		expect(JSON.parse(answer.body)).toEqual({ accounts: [{ accountId: '5be24ba3f91c106033269289', status: 'closed' }] })
		reportPersonalData.mockResolvedValueOnce([])
		expect((await call(batch)).statusCode).toBe(204)
	})

	it('refuses a missing or wrong secret without calling Atlassian, and an unset secret refuses everything', async () => {
		expect((await call(batch, null)).statusCode).toBe(401)
		expect((await call(batch, `${SECRET}x`)).statusCode).toBe(401)
		expect((await call(batch, SECRET.slice(0, -1))).statusCode).toBe(401)
		delete process.env.CLEARANCE_SECRET
		expect((await call(batch, '')).statusCode).toBe(401)
		expect(reportPersonalData).not.toHaveBeenCalled()
	})

	it('refuses what Clearance would never send: not JSON, no accounts, more than 90, a bad id', async () => {
		const many = Array.from({ length: 91 }, (_, i) => ({ accountId: `acc-${i}`, updatedAt: '2026-01-05T10:00:00Z' }))
		for (const body of [
			'{',
			{ accounts: [] },
			{ accounts: many },
			{ accounts: [{ accountId: 'unknown', updatedAt: 'x' }] },
		]) {
			expect((await call(body)).statusCode).toBe(400)
		}
		expect((await call(batch, SECRET, 'GET')).statusCode).toBe(405)
		expect(reportPersonalData).not.toHaveBeenCalled()
	})

	it('passes on the status of the error the helper threw, 502 when it names none', async () => {
		reportPersonalData.mockRejectedValueOnce(new Error('Failed to report personal data. Error code: 429'))
		const limited = await call(batch)
		expect(limited.statusCode).toBe(429)
		expect(JSON.parse(limited.body)).toMatchObject({ errorType: 'FORGE_REPORT_FAILED' })
		reportPersonalData.mockRejectedValueOnce(new Error('Unauthorized: 401'))
		const refused = await call(batch)
		expect(refused.statusCode).toBe(401)
		expect(JSON.parse(refused.body)).toMatchObject({ errorType: 'FORGE_NOT_AUTHORISED' })
		reportPersonalData.mockRejectedValueOnce(new Error('socket hang up'))
		expect((await call(batch)).statusCode).toBe(502)
	})
})
