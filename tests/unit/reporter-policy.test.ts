import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
	atlassianError,
	backoffMs,
	classifyAnswer,
	isDue,
	jitterFraction,
	plannedSendAt,
	refusedMessage,
	retryAfterSeconds,
} from '~/domain/reporter-policy'
import { localDateTime } from '~/domain/zoned-time'

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe('answers', () => {
	it('reads each documented status the way the guide says to act on it', () => {
		expect([200, 204, 429, 400, 401, 403, 500, 503, 404].map(classifyAnswer)).toEqual([
			'answered',
			'nothing',
			'rate_limited',
			'refused',
			'unauthorised',
			'unauthorised',
			'transient',
			'transient',
			'unexpected',
		])
	})

	it('reads Retry-After in seconds, or as an HTTP date, and nothing else', () => {
		const now = new Date('2026-03-02T10:00:00Z')
		expect(retryAfterSeconds('30', now)).toBe(30)
		expect(retryAfterSeconds(' 0 ', now)).toBe(0)
		expect(retryAfterSeconds('Mon, 02 Mar 2026 10:01:30 GMT', now)).toBe(90)
		expect(retryAfterSeconds('Mon, 02 Mar 2026 09:00:00 GMT', now)).toBe(0)
		expect(retryAfterSeconds('-5', now)).toBeNull()
		expect(retryAfterSeconds('1.5', now)).toBeNull()
		expect(retryAfterSeconds('soon', now)).toBeNull()
		expect(retryAfterSeconds(null, now)).toBeNull()
	})

	it('backs off exponentially, bounded', () => {
		const none = () => 0
		expect([0, 1, 2, 3, 10].map((attempt) => backoffMs(attempt, none))).toEqual([1000, 2000, 4000, 8000, 30_000])
		expect(backoffMs(0, () => 0.99)).toBeLessThanOrEqual(1250)
	})

	it('keeps Atlassian’s errorType and errorMessage for the person who reads the failure', () => {
		expect(atlassianError('{"errorType":"INVALID_ACCOUNT_ID","errorMessage":"bad"}')).toEqual({
			errorType: 'INVALID_ACCOUNT_ID',
			errorMessage: 'bad',
		})
		expect(atlassianError('Service Unavailable')).toBeNull()
		expect(refusedMessage(3, '{"errorType":"INVALID_REQUEST","errorMessage":"too many"}')).toContain(
			'batch 3 as a bad request (400): INVALID_REQUEST: too many',
		)
		expect(refusedMessage(1, '')).toContain('no reason given')
	})
})

describe('when to send', () => {
	const dueAt = new Date('2026-03-16T23:59:59.999Z')
	const base = { dueAt, lastReportAt: new Date('2026-03-01T09:00:00Z'), cycleDays: 15, leadHours: 20, timeZone: 'UTC' }

	it('plans inside the lead time before the due moment, fixed per app, spread across apps', () => {
		const ids = Array.from({ length: 200 }, () => randomUUID())
		const planned = ids.map((appId) => plannedSendAt({ ...base, appId })!)
		for (const at of planned) {
			expect(at.getTime()).toBeGreaterThanOrEqual(dueAt.getTime() - 20 * HOUR)
			expect(at.getTime()).toBeLessThan(dueAt.getTime())
		}
		expect(plannedSendAt({ ...base, appId: ids[0]! })).toEqual(planned[0])
		// Spread: not all in the same hour.
		expect(new Set(planned.map((at) => at.getUTCHours())).size).toBeGreaterThan(5)
		expect(jitterFraction(ids[0]!)).toBe(jitterFraction(ids[0]!))
	})

	it('is never within five minutes of a full hour (nor midnight) in the organisation’s zone', () => {
		for (const timeZone of ['UTC', 'Asia/Kolkata', 'Australia/Eucla', 'America/St_Johns']) {
			for (let i = 0; i < 300; i++) {
				const at = plannedSendAt({ ...base, timeZone, appId: randomUUID() })!
				const local = localDateTime(at, timeZone)
				const minute = local.minute + local.second / 60
				expect(minute, `${timeZone} ${at.toISOString()}`).toBeGreaterThanOrEqual(5)
				expect(minute, `${timeZone} ${at.toISOString()}`).toBeLessThanOrEqual(55)
			}
		}
	})

	it('never plans sooner than one cycle after the last report (late last report: a shorter window)', () => {
		const late = { ...base, lastReportAt: new Date('2026-03-01T22:00:00Z') }
		for (let i = 0; i < 100; i++) {
			const at = plannedSendAt({ ...late, appId: randomUUID() })!
			expect(at.getTime()).toBeGreaterThanOrEqual(late.lastReportAt.getTime() + 15 * DAY)
			expect(at.getTime()).toBeLessThanOrEqual(dueAt.getTime())
		}
	})

	it('sends now when no due date is known, or when the planned moment has passed', () => {
		expect(plannedSendAt({ ...base, dueAt: null, appId: 'a' })).toBeNull()
		expect(isDue(null, new Date())).toBe(true)
		expect(isDue(new Date(Date.now() - 1), new Date())).toBe(true)
		expect(isDue(new Date(Date.now() + HOUR), new Date())).toBe(false)
	})
})
