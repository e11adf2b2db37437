import postgres from 'postgres'
import { describe, expect, it, vi } from 'vitest'
import { runScheduledJobs } from '~/services/scheduled-jobs.server'
import { withAdvisoryLock, withSessionLock } from '~/utils/advisory-lock.server'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('one job at a time (issue 13, point 1: several servers or overlapping runs produce one set)', () => {
	it('two concurrent callers of the same lock: one runs, the other is told it did not', async () => {
		let runs = 0
		const work = async () => {
			runs += 1
			await pause(100)
			return 'done'
		}
		const results = await Promise.all([withAdvisoryLock('test:one', work), withAdvisoryLock('test:one', work)])
		expect(runs).toBe(1)
		expect(results.filter((result) => result.ran)).toEqual([{ ran: true, value: 'done' }])
		expect(results.filter((result) => !result.ran)).toEqual([{ ran: false }])
	})

	it('different names do not block each other; the lock is free again after the work, even when it failed', async () => {
		const both = await Promise.all([
			withAdvisoryLock('test:a', async () => 'a'),
			withAdvisoryLock('test:b', async () => 'b'),
		])
		expect(both).toEqual([
			{ ran: true, value: 'a' },
			{ ran: true, value: 'b' },
		])
		await expect(
			withAdvisoryLock('test:a', async () => {
				throw new Error('boom')
			}),
		).rejects.toThrow('boom')
		expect(await withAdvisoryLock('test:a', async () => 'again')).toEqual({ ran: true, value: 'again' })
	})

	it('on a real PostgreSQL (DATABASE_URL), a lock another server holds makes this one skip, not wait', async () => {
		const url = process.env.DATABASE_URL
		// PGlite: one process owns the data folder; the in-process lock above is the whole story.
		if (!url) return expect(url).toBeUndefined()
		const other = postgres(url, { max: 1, onnotice: () => {} })
		const mine = postgres(url, { max: 2, onnotice: () => {} })
		try {
			await other`select pg_advisory_lock(hashtext(${'job:reminders'}))`
			let ran = false
			expect(
				await withSessionLock(mine, 'job:reminders', async () => {
					ran = true
				}),
			).toEqual({ ran: false })
			expect(ran).toBe(false)
			await other`select pg_advisory_unlock(hashtext(${'job:reminders'}))`
			expect(await withSessionLock(mine, 'job:reminders', async () => 1)).toEqual({ ran: true, value: 1 })
			// Released: the other server can take it again.
			const [row] = await other<
				{ locked: boolean }[]
			>`select pg_try_advisory_lock(hashtext(${'job:reminders'})) as locked`
			expect(row?.locked).toBe(true)
		} finally {
			await other.end()
			await mine.end()
		}
	})

	it('scheduled jobs run in order; a failing job is logged and the next still runs; a job already running is skipped', async () => {
		const order: string[] = []
		const log = vi.fn()
		const outcomes = await runScheduledJobs(
			[
				{ name: 'first', run: async () => order.push('first') },
				{
					name: 'broken',
					run: async () => {
						throw new Error('SMTP down')
					},
				},
				{ name: 'last', run: async () => order.push('last') },
			],
			log,
		)
		expect(order).toEqual(['first', 'last'])
		expect(log).toHaveBeenCalledTimes(1)
		expect(String(log.mock.calls[0]?.[0])).toContain('broken')
		expect(outcomes.map((outcome) => [outcome.name, outcome.ran, outcome.error !== undefined])).toEqual([
			['first', true, false],
			['broken', true, true],
			['last', true, false],
		])

		// Held until released; on PostgreSQL the work starts once a connection is reserved, so wait for it.
		let release = () => {}
		let slow: Promise<unknown> = Promise.resolve()
		await new Promise<void>((started) => {
			slow = withAdvisoryLock(
				'job:slow',
				() =>
					new Promise<void>((resolve) => {
						release = resolve
						started()
					}),
			)
		})
		const skipped = await runScheduledJobs([{ name: 'slow', run: async () => order.push('slow') }], log)
		expect(skipped).toEqual([{ name: 'slow', ran: false }])
		release()
		await slow
		expect(order).not.toContain('slow')
	})
})
