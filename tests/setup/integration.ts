import { afterEach, beforeAll, beforeEach, expect, vi, type MockInstance } from 'vitest'
import { prepareWorkerDatabase, resetDatabase } from './test-database'

const worker = globalThis as unknown as { __clearanceTestDb?: Promise<void> }
worker.__clearanceTestDb ??= prepareWorkerDatabase()

let consoleError: MockInstance<typeof console.error>

beforeAll(() => worker.__clearanceTestDb)

beforeEach(async () => {
	await resetDatabase()
	consoleError = vi.spyOn(console, 'error')
})

// An error the app logs is a bug unless the test expected it (docs/architecture.md › Tests).
afterEach(() => {
	const calls = consoleError.mock.calls
	consoleError.mockRestore()
	expect(calls, 'console.error was called').toEqual([])
})
