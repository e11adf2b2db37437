import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
	DEFAULT_TASK_DUE_DAYS,
	answersPreview,
	MAX_BATCH,
	batchAccounts,
	batchAccountsAsync,
	parseReportEvidence,
	parseReportResponses,
	tasksFromAnswers,
	type BatchAnswer,
	type ReportBody,
	type SkippedAccount,
	unansweredText,
	type StoredAccount,
} from '~/domain/report-batches'

const updatedAt = new Date('2026-03-01T09:30:00Z')

function accounts(count: number): StoredAccount[] {
	return Array.from({ length: count }, (_, i) => ({
		accountId: `5be24ad8b16532403769${String(i).padStart(4, '0')}`,
		updatedAt: new Date(updatedAt.getTime() + i * 1000),
	}))
}

function idsOf(bodies: ReportBody[]): string[] {
	return bodies.flatMap((body) => body.accounts.map((account) => account.accountId))
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
	const out: T[] = []
	for await (const item of source) out.push(item)
	return out
}

async function* asAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
	for (const item of items) yield item
}

describe('batchAccounts', () => {
	it('allows 90 accounts per request (docs/rules.md › Personal-data reporting)', () => {
		expect(MAX_BATCH).toBe(90)
	})

	it.each([
		[0, []],
		[1, [1]],
		[89, [89]],
		[90, [90]],
		[91, [90, 1]],
		[181, [90, 90, 1]],
	])('%i accounts → batches of %j, each account exactly once', (count, sizes) => {
		const input = accounts(count)
		const bodies = [...batchAccounts(input)]
		expect(bodies.map((body) => body.accounts.length)).toEqual(sizes)
		expect(idsOf(bodies)).toEqual(input.map((account) => account.accountId))
	})

	it('writes the body Atlassian takes, with RFC 3339 dates', () => {
		const [body] = [...batchAccounts([{ accountId: '5be24ad8b1653240376955d2', updatedAt }])]
		expect(body).toEqual({
			accounts: [{ accountId: '5be24ad8b1653240376955d2', updatedAt: '2026-03-01T09:30:00.000Z' }],
		})
		expect(JSON.parse(JSON.stringify(body))).toEqual(body)
	})

	it('never includes unknown, emails or broken entries, and says why', () => {
		const skipped: SkippedAccount[] = []
		const input: StoredAccount[] = [
			{ accountId: 'unknown', updatedAt },
			{ accountId: ' 5be24ad8b1653240376955d2 ', updatedAt },
			{ accountId: 'jane@example.com', updatedAt },
			{ accountId: '5be24ba3f91c106033269289', updatedAt: new Date(Number.NaN) },
		]
		const bodies = [...batchAccounts(input, { onSkipped: (s) => skipped.push(s) })]
		expect(idsOf(bodies)).toEqual(['5be24ad8b1653240376955d2'])
		expect(skipped.map((s) => s.reason)).toEqual([
			'Atlassian forbids reporting the placeholder account id unknown',
			'this looks like an email address — store account ids only',
			'updatedAt is not a valid date',
		])
		expect(skipped[0]?.account).toBe(input[0])
	})

	it('fills batches with the accounts that remain after skipping', () => {
		const input = [...accounts(90), { accountId: 'unknown', updatedAt }]
		input.splice(45, 0, { accountId: 'unknown', updatedAt })
		expect([...batchAccounts(input)].map((body) => body.accounts.length)).toEqual([90])
	})

	it('takes a smaller batch size but never a larger one', () => {
		expect([...batchAccounts(accounts(25), { size: 10 })].map((b) => b.accounts.length)).toEqual([10, 10, 5])
		expect(() => [...batchAccounts(accounts(1), { size: 91 })]).toThrow(RangeError)
		expect(() => [...batchAccounts(accounts(1), { size: 0 })]).toThrow(RangeError)
	})

	it('streams: the first batch is ready before the input is exhausted', () => {
		let pulled = 0
		function* source(): Generator<StoredAccount> {
			for (const account of accounts(1000)) {
				pulled++
				yield account
			}
		}
		const first = batchAccounts(source()).next()
		expect(first.done).toBe(false)
		expect(pulled).toBe(90)
	})
})

describe('batchAccountsAsync', () => {
	it.each([0, 1, 89, 90, 91, 181])('%i accounts from an async source', async (count) => {
		const input = accounts(count)
		const bodies = await collect(batchAccountsAsync(asAsync([...input, { accountId: 'unknown', updatedAt }])))
		expect(bodies.every((body) => body.accounts.length <= MAX_BATCH && body.accounts.length > 0)).toBe(true)
		expect(bodies).toHaveLength(Math.ceil(count / MAX_BATCH))
		expect(idsOf(bodies)).toEqual(input.map((account) => account.accountId))
	})

	it('also takes a plain iterable', async () => {
		const bodies = await collect(batchAccountsAsync(accounts(91)))
		expect(bodies.map((body) => body.accounts.length)).toEqual([90, 1])
	})
})

describe('batching properties', () => {
	const accountId = fc.oneof(
		fc.stringMatching(/^[0-9a-f]{24}$/),
		fc.uuid().map((uuid) => `557058:${uuid}`),
		fc.constant('unknown'),
	)
	const ledger = fc.uniqueArray(
		fc.record({
			accountId,
			updatedAt: fc.date({
				min: new Date('2018-01-01T00:00:00Z'),
				max: new Date('2030-01-01T00:00:00Z'),
				noInvalidDate: true,
			}),
		}),
		{ selector: (account) => account.accountId, maxLength: 400 },
	)

	it('batches are never empty or above 90 and cover every reportable input exactly once', () => {
		fc.assert(
			fc.property(ledger, fc.integer({ min: 1, max: MAX_BATCH }), (input, size) => {
				const bodies = [...batchAccounts(input, { size })]
				const reportable = input.filter((account) => account.accountId !== 'unknown')
				for (const body of bodies) {
					expect(body.accounts.length).toBeGreaterThan(0)
					expect(body.accounts.length).toBeLessThanOrEqual(Math.min(size, MAX_BATCH))
				}
				// Every batch but the last is full.
				for (const body of bodies.slice(0, -1)) expect(body.accounts.length).toBe(size)
				expect(idsOf(bodies)).toEqual(reportable.map((account) => account.accountId))
				expect(bodies.flatMap((body) => body.accounts.map((a) => a.updatedAt))).toEqual(
					reportable.map((account) => account.updatedAt.toISOString()),
				)
			}),
			{ numRuns: 200 },
		)
	})

	it('sync and async batching agree', async () => {
		await fc.assert(
			fc.asyncProperty(ledger, async (input) => {
				expect(await collect(batchAccountsAsync(asAsync(input)))).toEqual([...batchAccounts(input)])
			}),
			{ numRuns: 50 },
		)
	})
})

/** The accounts of each answer parseReportEvidence read (its status, raw body and Cycle-Period aside). */
function parseAnswers(text: string) {
	const parsed = parseReportEvidence(text)
	return parsed.ok ? { ok: true as const, answers: parsed.batches.map(({ accounts }) => ({ accounts })) } : parsed
}

describe('parseReportEvidence', () => {
	const closed = { accountId: '5be24ba3f91c106033269289', status: 'closed' }
	const updated = { accountId: '5be24ad8b1653240376955d2', status: 'updated' }

	it.each(['', '   ', '\n', '204', ' 204 No Content '])('%j means nothing to do', (text) => {
		expect(parseAnswers(text)).toEqual({ ok: true, answers: [{ accounts: [] }] })
	})

	it('reads a 200 body', () => {
		const text = JSON.stringify({ accounts: [closed, updated] }, null, 2)
		expect(parseAnswers(text)).toEqual({
			ok: true,
			answers: [{ accounts: [closed, updated] }],
		})
	})

	it('reads an empty accounts list as nothing to do and ignores unknown fields', () => {
		expect(parseAnswers('{"accounts":[],"extra":1}')).toEqual({
			ok: true,
			answers: [{ accounts: [] }],
		})
	})

	it('reads a JSON array of answers for a whole run', () => {
		const text = JSON.stringify([{ accounts: [closed] }, 204, { accounts: [updated] }, '204'])
		expect(parseAnswers(text)).toEqual({
			ok: true,
			answers: [{ accounts: [closed] }, { accounts: [] }, { accounts: [updated] }, { accounts: [] }],
		})
		expect(parseAnswers('[]')).toEqual({ ok: true, answers: [] })
	})

	it('reads NDJSON, one answer per line, skipping blank lines', () => {
		const text = [JSON.stringify({ accounts: [closed] }), '', '204', JSON.stringify({ accounts: [updated] })].join(
			'\r\n',
		)
		expect(parseAnswers(text)).toEqual({
			ok: true,
			answers: [{ accounts: [closed] }, { accounts: [] }, { accounts: [updated] }],
		})
	})

	it.each([
		['not json', /^not valid JSON/],
		['{"accounts":', /^not valid JSON/],
		['{}', /expected an "accounts" list/],
		['{"accounts":{}}', /expected an "accounts" list/],
		['"hello"', /expected an answer/],
		['null', /expected an answer/],
		['200', /expected an answer/],
		[
			'{"accounts":[{"accountId":"5be24ad8b1653240376955d2","status":"deleted"}]}',
			/accounts\[0\]\.status: expected "closed" or "updated", got "deleted"/,
		],
		['{"accounts":[{"accountId":"5be24ad8b1653240376955d2"}]}', /accounts\[0\]\.status/],
		[
			'{"accounts":[{"accountId":"jane@example.com","status":"closed"}]}',
			/accounts\[0\]\.accountId: this looks like an email address/,
		],
		['{"accounts":[{"accountId":"unknown","status":"closed"}]}', /accounts\[0\]\.accountId: Atlassian forbids/],
		['{"accounts":[{"accountId":7,"status":"closed"}]}', /accounts\[0\]\.accountId: account id must be text/],
		['{"accounts":["5be24ad8b1653240376955d2"]}', /accounts\[0\]: expected/],
		[
			'{"errorType":"INVALID_REQUEST","errorMessage":"Too many accounts"}',
			/Atlassian answered with an error \(INVALID_REQUEST: Too many accounts\); re-send that batch/,
		],
		['[{"accounts":[]},{"accounts":[{"accountId":"a","status":"gone"}]}]', /^answer 2: accounts\[0\]\.status/],
		['[{"accountId":"5be24ad8b1653240376955d2","status":"closed"}]', /^answer 1: expected an "accounts" list/],
		['{"accounts":[]}\n{"accounts":[{"accountId":"a","status":"x"}]}', /^line 2: accounts\[0\]\.status/],
		['{"accounts":[]}\n{oops', /^line 2: not valid JSON/],
		// An address is never kept: not in an extra field of the answer kept as evidence, nor in its header.
		['{"accounts":[],"note":"ask mary.major@customer.example"}', /^the answer holds an email address/],
		['{"accounts":[],"note":"mary\\u0040customer\\u002eexample"}', /^the answer holds an email address/],
		['{"accounts":[],"mary\\u0040customer.example":1}', /^the answer holds an email address/],
		[
			'{"status":200,"body":{"accounts":[]},"headers":{"cycle-period":"P7D mary.major@customer.example"}}',
			/the Cycle-Period header holds an email address/,
		],
	])('rejects %j', (text, reason) => {
		const result = parseAnswers(text)
		expect(result.ok).toBe(false)
		if (!result.ok) expect(result.reason).toMatch(reason)
	})
})

describe('parseReportEvidence against deep JSON', () => {
	it.each([
		['a deep extra field', (deep: string) => `[{"accounts":[],"x":${deep}}]`],
		['a deep envelope body', (deep: string) => `{"status":200,"body":${deep}}`],
		['a bare deep array', (deep: string) => deep],
	])('refuses %s as nested too deep, instead of overflowing the stack', (_name, wrap) => {
		const deep = '['.repeat(20_000) + ']'.repeat(20_000)
		const result = parseReportEvidence(wrap(deep))
		expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('nested more than 16 levels deep') })
	})

	it('reads an envelope around a body around accounts (4 deep) as before', () => {
		const text = '[{"status":200,"body":{"accounts":[{"accountId":"5be24ad8b1653240376955d2","status":"closed"}]}}]'
		expect(parseReportEvidence(text)).toMatchObject({ ok: true })
	})
})

describe('parseReportResponses', () => {
	it('refuses a cyclePeriod holding an email address', () => {
		expect(parseReportResponses([{ status: 204, cyclePeriod: 'P7D jane@customer.example' }])).toMatchObject({
			ok: false,
			index: 0,
			reason: expect.stringContaining('cyclePeriod holds an email address'),
		})
	})
})

describe('tasksFromAnswers', () => {
	const recordedAt = new Date('2026-03-01T09:30:00Z')

	it('turns closed into erase and updated into refresh, due 30 days later by default', () => {
		expect(DEFAULT_TASK_DUE_DAYS).toBe(30)
		const answers: BatchAnswer[] = [
			{ accounts: [{ accountId: 'a1', status: 'closed' }] },
			{ accounts: [] },
			{ accounts: [{ accountId: 'b2', status: 'updated' }] },
		]
		const tasks = tasksFromAnswers(answers, { recordedAt })
		expect(tasks.map(({ accountId, kind }) => ({ accountId, kind }))).toEqual([
			{ accountId: 'a1', kind: 'erase' },
			{ accountId: 'b2', kind: 'refresh' },
		])
		for (const task of tasks) {
			expect(task.dueDate).toBe('2026-03-31')
			expect(task.dueAt.toISOString()).toBe('2026-03-31T23:59:59.999Z')
			expect(task.reason).toMatch(task.kind === 'erase' ? /closed: erase/ : /refresh/)
		}
	})

	it('one task per account; closed wins over updated in either order', () => {
		const answers: BatchAnswer[] = [
			{
				accounts: [
					{ accountId: 'x', status: 'updated' },
					{ accountId: 'y', status: 'closed' },
				],
			},
			{
				accounts: [
					{ accountId: 'x', status: 'closed' },
					{ accountId: 'y', status: 'updated' },
				],
			},
			{
				accounts: [
					{ accountId: 'z', status: 'updated' },
					{ accountId: 'z', status: 'updated' },
				],
			},
		]
		const tasks = tasksFromAnswers(answers, { recordedAt, dueDays: 7 })
		expect(tasks.map(({ accountId, kind }) => [accountId, kind])).toEqual([
			['x', 'erase'],
			['y', 'erase'],
			['z', 'refresh'],
		])
		expect(tasks[0]?.dueDate).toBe('2026-03-08')
	})

	it('counts due days in the organisation’s time zone', () => {
		const [task] = tasksFromAnswers([{ accounts: [{ accountId: 'a', status: 'closed' }] }], {
			recordedAt: new Date('2026-03-01T12:00:00Z'), // 2 March 01:00 NZDT
			dueDays: 30,
			timeZone: 'Pacific/Auckland',
		})
		expect(task?.dueDate).toBe('2026-04-01')
		expect(task?.dueAt.toISOString()).toBe('2026-04-01T10:59:59.999Z')
	})

	it('is empty when nothing needs action, and refuses a bad due period', () => {
		expect(tasksFromAnswers([{ accounts: [] }], { recordedAt })).toEqual([])
		expect(() => tasksFromAnswers([], { recordedAt, dueDays: -1 })).toThrow(RangeError)
		expect(() => tasksFromAnswers([], { recordedAt, dueDays: 1.5 })).toThrow(RangeError)
	})

	it('works end to end from a parsed answer', () => {
		const parsed = parseReportEvidence('{"accounts":[{"accountId":"5be24ba3f91c106033269289","status":"closed"}]}')
		if (!parsed.ok) throw new Error(parsed.reason)
		expect(tasksFromAnswers(parsed.batches, { recordedAt })).toMatchObject([
			{ accountId: '5be24ba3f91c106033269289', kind: 'erase' },
		])
	})
})

describe('answersPreview: what recording these answers will do, said before', () => {
	const one = '{"accounts":[{"accountId":"5be24ad8b1653240376955d2","status":"closed"}]}'
	it('one 204 stands for every batch, said as what it records; an empty box says nothing (it is refused)', () => {
		expect(answersPreview('204', 445)).toEqual({
			tone: 'info',
			text: '204: the run records that Atlassian answered every one of the 445 batches with nothing to do.',
		})
		expect(answersPreview('204', 2)?.text).toContain('every one of the 2 batches')
		expect(answersPreview('204 No Content', 1)?.text).toBe(
			'204: the run records that Atlassian answered the batch with nothing to do.',
		)
		expect(answersPreview('', 445)).toBeNull()
		expect(answersPreview('  \n', 1)).toBeNull()
	})
	it('fewer answers than batches is a warning: the others get no answer and no task', () => {
		expect(answersPreview(one, 445)).toEqual({
			tone: 'warn',
			text: '1 answer for a report of 445 batches: the other 444 will have no answer recorded, so no erase or refresh task comes from them. Give one answer per batch, in batch order (204 for a batch Atlassian answered with nothing to do).',
		})
		expect(answersPreview(`${one}\n204`, 1_500)?.text).toMatch(
			/^2 answers for a report of 1,500 batches: the other 1,498 /,
		)
		expect(unansweredText(1, 'did')).toBe(
			'the other 1 has no answer recorded, so no erase or refresh task comes from it.',
		)
	})
	it('one answer per batch, too many, unreadable, or no batches at all', () => {
		expect(answersPreview(`[${one},204]`, 2)).toEqual({
			tone: 'info',
			text: '2 answers, one for each of the 2 batches.',
		})
		expect(answersPreview(one, 1)).toBeNull()
		expect(answersPreview(`[${one},${one}]`, 1)).toEqual({
			tone: 'warn',
			text: '2 answers for a report of 1 batch: recording will be refused.',
		})
		expect(answersPreview('hello this is not an answer', 3)).toEqual({
			tone: 'warn',
			text: 'These answers cannot be read (not valid JSON): recording will be refused.',
		})
		expect(answersPreview(`${one}\nhello`, 3)?.text).toBe(
			'These answers cannot be read (line 2: not valid JSON): recording will be refused.',
		)
		expect(answersPreview('{"accounts":[{"status":"closed"}]}', 3)?.text).toMatch(
			/^These answers cannot be read \(.+\)/,
		)
		expect(answersPreview(one, 0)).toBeNull()
	})
})
