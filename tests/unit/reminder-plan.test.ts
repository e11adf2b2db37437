import { describe, expect, it } from 'vitest'
import {
	formatOffsets,
	offsetToFire,
	parseOffsets,
	planReminders,
	type PlanApp,
	type PlannedReminder,
	type ReminderPolicy,
} from '~/domain/reminder-plan'
import { reportingStatus } from '~/domain/reporting-cycle'
import { localDateTimeToInstant } from '~/domain/zoned-time'

const BERLIN = 'Europe/Berlin'
const policy: ReminderPolicy = {
	reportingOffsetsDays: [7, 3, 1, 0],
	taskOffsetsDays: [3, 0],
	escalateAfterDays: 3,
	reviewWaitDays: 3,
	followUpDays: 10,
}

const at = (local: string, zone = BERLIN) => localDateTimeToInstant(local, zone)!

/** The app as the reporting rules see it at `now`: a 15-day cycle counted from the last report. */
function appAt(now: Date, lastReportAt: Date, zone = BERLIN): PlanApp {
	const status = reportingStatus({
		personalData: 'yes',
		cycleDays: 15,
		lastReportAt,
		now,
		timeZone: zone,
	})
	return {
		id: 'app-1',
		name: 'Acme Sync',
		status: status.status,
		dueDate: status.dueDate,
		daysLeft: status.daysLeft,
		registeredOn: '2026-01-01',
	}
}

/** Runs a pass just after midnight and just before midnight of every local day, keeping each reminder once (as the table's key does). */
function passesOver(days: string[], lastReportAt: Date, zone = BERLIN) {
	const once = new Map<string, PlannedReminder>()
	for (const day of days) {
		for (const time of ['00:05', '12:00', '23:55']) {
			const now = at(`${day}T${time}`, zone)
			for (const reminder of planReminders({ now, timeZone: zone, policy, apps: [appAt(now, lastReportAt, zone)] })) {
				const key = [reminder.subjectType, reminder.subjectId, reminder.kind, reminder.dueOn, reminder.offsetDays].join(
					'|',
				)
				if (!once.has(key)) once.set(key, reminder)
			}
		}
	}
	return [...once.values()]
}

function daysFrom(first: string, count: number) {
	const start = Date.parse(`${first}T00:00:00Z`)
	return Array.from({ length: count }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10))
}

describe('reminder plan: reporting deadlines (issue 13, point 2)', () => {
	it('fires 7, 3 and 1 days before and on the due day on the right local day across the spring DST change (Berlin, 29 March 2026)', () => {
		// Last report on 15 March, 10:00 CET: due by the end of 30 March; 29 March is 23 hours long.
		const reminders = passesOver(daysFrom('2026-03-20', 11), at('2026-03-15T10:00'))
		const due = reminders.filter((r) => r.kind === 'reporting_due')
		expect(due.map((r) => [r.offsetDays, r.firesOn, r.dueOn])).toEqual([
			[7, '2026-03-23', '2026-03-30'],
			[3, '2026-03-27', '2026-03-30'],
			[1, '2026-03-29', '2026-03-30'],
			[0, '2026-03-30', '2026-03-30'],
		])
		expect(due[0]!.message).toBe('Acme Sync: the personal-data report is due in 7 days, on Mon 30 Mar 2026.')
		expect(due[3]!.message).toBe('Acme Sync: the personal-data report is due today (Mon 30 Mar 2026).')
		expect(due.every((r) => r.audience === 'owners' && r.path === 'apps/app-1/reporting')).toBe(true)
	})

	it('fires on the right local day across the autumn DST change (Berlin, 25 October 2026, 25 hours long)', () => {
		// Last report on 11 October at 23:30 CEST (21:30 UTC): due by the end of 26 October.
		const reminders = passesOver(daysFrom('2026-10-17', 10), at('2026-10-11T23:30'))
		expect(reminders.filter((r) => r.kind === 'reporting_due').map((r) => [r.offsetDays, r.firesOn])).toEqual([
			[7, '2026-10-19'],
			[3, '2026-10-23'],
			[1, '2026-10-25'],
			[0, '2026-10-26'],
		])
	})

	it('counts local days, not UTC days: 00:30 in Auckland is still the previous day in UTC', () => {
		const zone = 'Pacific/Auckland'
		const reminders = passesOver(daysFrom('2026-04-01', 10), at('2026-03-25T09:00', zone), zone)
		// Due by the end of 9 April (Auckland); the 7-day reminder fires on 2 April Auckland time.
		expect(reminders.find((r) => r.offsetDays === 7)?.firesOn).toBe('2026-04-02')
		expect(reminders.find((r) => r.offsetDays === 0)?.dueOn).toBe('2026-04-09')
	})

	it('then daily while overdue, and once to the admins after the escalation days', () => {
		const reminders = passesOver(daysFrom('2026-03-31', 5), at('2026-03-15T10:00'))
		expect(reminders.filter((r) => r.kind === 'reporting_overdue').map((r) => [r.offsetDays, r.firesOn])).toEqual([
			[-1, '2026-03-31'],
			[-2, '2026-04-01'],
			[-3, '2026-04-02'],
			[-4, '2026-04-03'],
			[-5, '2026-04-04'],
		])
		const escalations = reminders.filter((r) => r.kind === 'escalation')
		expect(escalations).toHaveLength(1)
		expect(escalations[0]).toMatchObject({ audience: 'admins', firesOn: '2026-04-02', offsetDays: -3 })
		expect(escalations[0]!.message).toContain('overdue by 3 days')
	})

	it('a missed pass fires the nearest passed offset once, late, not every one it missed', () => {
		expect(offsetToFire([7, 3, 1, 0], 8)).toBeNull()
		expect(offsetToFire([7, 3, 1, 0], 7)).toBe(7)
		expect(offsetToFire([7, 3, 1, 0], 5)).toBe(7)
		expect(offsetToFire([7, 3, 1, 0], 2)).toBe(3)
		expect(offsetToFire([7, 3, 1, 0], 0)).toBe(0)
		expect(offsetToFire([7, 3, 1, 0], -1)).toBeNull()
		// First pass ever 5 days before: one reminder, saying the real days left.
		const now = at('2026-03-25T09:00')
		const [only, ...rest] = planReminders({ now, timeZone: BERLIN, policy, apps: [appAt(now, at('2026-03-15T10:00'))] })
		expect(rest).toEqual([])
		expect(only).toMatchObject({ offsetDays: 7, firesOn: '2026-03-25' })
		expect(only!.message).toContain('due in 5 days')
	})

	it('an explicit “no” is never reminded; a missing answer is, the day after registration and then weekly', () => {
		const base = { id: 'a', name: 'Undecided App', dueDate: null, daysLeft: null, registeredOn: '2026-05-04' }
		const plan = (day: string, status: PlanApp['status']) =>
			planReminders({ now: at(`${day}T09:00`), timeZone: BERLIN, policy, apps: [{ ...base, status }] })
		expect(plan('2026-05-20', 'not_required')).toEqual([])
		expect(plan('2026-05-04', 'answer_needed')).toEqual([])
		expect(plan('2026-05-05', 'answer_needed')).toMatchObject([
			{ kind: 'answer_needed', offsetDays: -1, path: 'apps/a' },
		])
		expect(plan('2026-05-11', 'answer_needed')[0]!.offsetDays).toBe(-1)
		expect(plan('2026-05-12', 'answer_needed')[0]!.offsetDays).toBe(-8)
		expect(plan('2026-05-05', 'answer_needed')[0]!.message).toContain('answer whether it stores')
		// An app that answered "no" while its ledger holds accounts is told that, not asked the question it answered.
		const [held] = planReminders({
			now: at('2026-05-05T09:00'),
			timeZone: BERLIN,
			policy,
			apps: [
				{
					...base,
					status: 'answer_needed',
					answerNeededBecause:
						'Answer needed: the app says it stores no personal data, but its ledger holds 2 accounts.',
				},
			],
		})
		expect(held!.message).toBe(
			'Undecided App: Answer needed: the app says it stores no personal data, but its ledger holds 2 accounts.',
		)
	})

	it('a report due now with nothing to count from is overdue from the day the app was registered', () => {
		const app: PlanApp = {
			id: 'b',
			name: 'No Anchor',
			status: 'overdue',
			dueDate: null,
			daysLeft: null,
			registeredOn: '2026-05-01',
		}
		const [first, second] = planReminders({ now: at('2026-05-04T09:00'), timeZone: BERLIN, policy, apps: [app] })
		expect(first).toMatchObject({ kind: 'reporting_overdue', dueOn: '2026-05-01', offsetDays: -3 })
		expect(first!.message).toContain('due now')
		expect(second).toMatchObject({ kind: 'escalation', audience: 'admins' })
	})
})

describe('reminder plan: tasks, tickets and reviews', () => {
	it('erase and refresh tasks sharing a due day are one reminder, before and after it, and escalate', () => {
		const group = { appId: 'app-1', appName: 'Acme Sync', dueOn: '2026-06-10', erase: 2, refresh: 1 }
		const plan = (day: string) =>
			planReminders({ now: at(`${day}T09:00`), timeZone: BERLIN, policy, apps: [], taskGroups: [group] })
		expect(plan('2026-06-06')).toEqual([])
		expect(plan('2026-06-07')).toMatchObject([{ kind: 'tasks_due', subjectType: 'task', offsetDays: 3 }])
		expect(plan('2026-06-07')[0]!.message).toBe(
			'Acme Sync: 2 erase tasks and 1 refresh task are due in 3 days, on Wed 10 Jun 2026 (your organisation’s policy).',
		)
		expect(plan('2026-06-10')[0]).toMatchObject({ kind: 'tasks_due', offsetDays: 0 })
		expect(plan('2026-06-12')).toMatchObject([{ kind: 'tasks_overdue', offsetDays: -2 }])
		expect(plan('2026-06-13').map((r) => [r.kind, r.audience])).toEqual([
			['tasks_overdue', 'owners'],
			['escalation', 'admins'],
		])
	})

	it('a ticket quiet for exactly the follow-up period prompts its owners, then again each period while quiet', () => {
		const ticket = {
			requestId: 'req-1',
			ticketKey: 'DEVHELP-5718',
			appId: 'app-1',
			appName: 'Acme Sync',
			lastActivityAt: at('2026-02-01T18:00'),
		}
		const plan = (day: string) =>
			planReminders({ now: at(`${day}T09:00`), timeZone: BERLIN, policy, apps: [], quietTickets: [ticket] })
		expect(plan('2026-02-10')).toEqual([])
		expect(plan('2026-02-11')).toMatchObject([
			{ kind: 'ticket_quiet', dueOn: '2026-02-11', offsetDays: 0, audience: 'owners', path: 'requests/req-1' },
		])
		expect(plan('2026-02-11')[0]!.message).toContain('quiet for 10 days')
		expect(plan('2026-02-20')[0]!.offsetDays).toBe(0)
		expect(plan('2026-02-21')[0]!.offsetDays).toBe(-10)
	})

	it('a request waiting for review longer than the wait goes to the reviewers', () => {
		const review = { requestId: 'req-2', appId: 'app-1', appName: 'Acme Sync', submittedAt: at('2026-02-02T16:00') }
		const plan = (day: string) =>
			planReminders({ now: at(`${day}T09:00`), timeZone: BERLIN, policy, apps: [], reviews: [review] })
		expect(plan('2026-02-04')).toEqual([])
		expect(plan('2026-02-05')).toMatchObject([{ kind: 'review_waiting', audience: 'reviewers', offsetDays: 0 }])
		expect(plan('2026-02-05')[0]!.message).toBe('The request for Acme Sync has waited 3 days for review.')
	})
})

describe('reminder offsets as typed (“7, 3, 1, 0”)', () => {
	it('reads whole days, drops duplicates, largest first', () => {
		expect(parseOffsets('7, 3, 1, 0')).toEqual({ ok: true, value: [7, 3, 1, 0] })
		expect(parseOffsets(' 0 1,14 1 ')).toEqual({ ok: true, value: [14, 1, 0] })
		expect(formatOffsets([0, 3, 7])).toBe('7, 3, 0')
	})

	it('refuses with a message a person can act on', () => {
		expect(parseOffsets('')).toMatchObject({ ok: false, message: expect.stringContaining('at least one') })
		expect(parseOffsets('7, -1')).toMatchObject({ ok: false, message: expect.stringContaining('“-1”') })
		expect(parseOffsets('7, 2.5')).toMatchObject({ ok: false, message: expect.stringContaining('whole number') })
		expect(parseOffsets('91')).toMatchObject({ ok: false, message: expect.stringContaining('at most 90') })
		expect(parseOffsets('1 2 3 4 5 6 7 8 9 10 11')).toMatchObject({ ok: false, message: 'At most 10 reminder days.' })
	})
})
