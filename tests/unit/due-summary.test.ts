import { describe, expect, it } from 'vitest'
import { summariseDue, type DueItem } from '~/components/reporting-chart'

const item = (name: string, status: DueItem['status'], daysLeft: number | null): DueItem => ({
	name,
	status,
	daysLeft,
	dueDate: daysLeft === null ? null : `2026-12-${String(1 + Math.max(0, daysLeft)).padStart(2, '0')}`,
})

describe('the dashboard chart’s summary', () => {
	it('counts every app per day and overdue, naming at most three per bar, in the given order', () => {
		const summary = summariseDue(
			[
				item('Late one', 'overdue', -4),
				item('Late, no date', 'overdue', null),
				...Array.from({ length: 5 }, (_, i) => item(`Today ${i}`, 'due_soon', 0)),
				item('Later', 'on_track', 30),
			],
			60,
		)
		expect(summary.overdue).toEqual({ count: 2, names: ['Late one', 'Late, no date'] })
		expect(summary.days).toEqual([
			{ daysLeft: 0, dueDate: '2026-12-01', count: 5, names: ['Today 0', 'Today 1', 'Today 2'] },
			{ daysLeft: 30, dueDate: '2026-12-31', count: 1, names: ['Later'] },
		])
	})

	it('leaves out what falls due after the horizon, apps that need an answer and apps with no report', () => {
		const summary = summariseDue(
			[
				item('Far', 'on_track', 61),
				item('Unanswered', 'answer_needed', null),
				item('Not storing', 'not_required', null),
				item('Edge', 'on_track', 60),
			],
			60,
		)
		expect(summary.overdue.count).toBe(0)
		expect(summary.days.map((day) => day.names)).toEqual([['Edge']])
	})

	it('stays bounded for ten thousand apps: 61 days at most, three names each', () => {
		const many = Array.from({ length: 10_000 }, (_, i) => item(`App ${i}`, 'on_track', i % 90))
		const summary = summariseDue(many, 60)
		expect(summary.days).toHaveLength(61)
		expect(summary.days.reduce((sum, day) => sum + day.count, 0)).toBe(many.filter((app) => app.daysLeft! <= 60).length)
		expect(Math.max(...summary.days.map((day) => day.names.length))).toBe(3)
		expect(JSON.stringify(summary).length).toBeLessThan(12_000)
	})
})
