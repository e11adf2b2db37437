/**
 * Which reminders fire today (issue 13; docs/rules.md › Reminders, docs/rules.md › Reporting cycle,
 * docs/rules.md › Personal-data reporting, docs/rules.md › Tickets,
 * docs/rules.md › Review and four eyes). Pure: values in, values out.
 *
 * Every day here is a local calendar day in the organisation's time zone
 * (`YYYY-MM-DD`), so a reminder "3 days before" fires on the right day across
 * a DST change. Due dates and statuses come from the reporting rules
 * (reporting-cycle.ts `reportingStatus`), never computed a second time.
 *
 * A reminder is identified by (subject, kind, due day, offset): the service
 * stores it once, so planning the same day again creates nothing new. When a
 * pass was missed (a server down for a few days), the nearest passed offset
 * fires once, late, rather than none or all of them.
 */

import { type ReportingState } from './reporting-cycle'
import { formatLocalDate, localDateOf, DAY_MS } from './zoned-time'

export const DEFAULT_REPORTING_OFFSETS = [7, 3, 1, 0] as const
export const DEFAULT_TASK_OFFSETS = [3, 0] as const
export const DEFAULT_ESCALATE_AFTER_DAYS = 3
export const DEFAULT_REVIEW_WAIT_DAYS = 3
/** An app whose personal-data answer is missing is reminded the day after it was registered, then weekly. */
export const ANSWER_NEEDED_EVERY_DAYS = 7
/** Offsets before a due day: at most this many, each 0–90 days. */
export const MAX_OFFSETS = 10
export const MAX_OFFSET_DAYS = 90

export type ReminderPolicy = {
	reportingOffsetsDays: readonly number[]
	taskOffsetsDays: readonly number[]
	escalateAfterDays: number
	reviewWaitDays: number
	/** The organisation's ticket follow-up period (docs/rules.md › Tickets). */
	followUpDays: number
}

export const REMINDER_KINDS = [
	'reporting_due',
	'reporting_overdue',
	'answer_needed',
	'tasks_due',
	'tasks_overdue',
	'ticket_quiet',
	'review_waiting',
	'escalation',
] as const
export type ReminderKind = (typeof REMINDER_KINDS)[number]

/** Who receives it: the app's owners, the organisation's admins, or the reviewers who may decide the request. */
export type Audience = 'owners' | 'admins' | 'reviewers'

export type PlanApp = {
	id: string
	name: string
	/** From reportingStatus: the status, the due day and the calendar days left (null when nothing to count from). */
	status: ReportingState
	dueDate: string | null
	daysLeft: number | null
	/** The local day the app was registered: the due day of "report due now" (nothing to count from) and of answer_needed. */
	registeredOn: string
	/** The app says it stores no personal data while its ledger holds accounts: why an answer is needed, in words. */
	answerNeededBecause?: string | null
}

/** Open erase/refresh tasks of one app that share a due day. */
export type PlanTaskGroup = { appId: string; appName: string; dueOn: string; erase: number; refresh: number }

export type PlanTicket = { requestId: string; ticketKey: string; appId: string; appName: string; lastActivityAt: Date }

export type PlanReview = { requestId: string; appId: string; appName: string; submittedAt: Date }

export type ReminderPlanInput = {
	now: Date
	timeZone: string
	policy: ReminderPolicy
	apps: readonly PlanApp[]
	taskGroups?: readonly PlanTaskGroup[]
	quietTickets?: readonly PlanTicket[]
	reviews?: readonly PlanReview[]
}

export type PlannedReminder = {
	/** `task`: the open erase/refresh tasks of one app (subjectId) that share a due day, reminded together. */
	subjectType: 'app' | 'task' | 'ticket' | 'request'
	subjectId: string
	kind: ReminderKind
	dueOn: string
	/** Days before the due day (negative: days after it). */
	offsetDays: number
	firesOn: string
	audience: Audience
	/** The app the reminder is about (its owners are the recipients). */
	appId: string
	/** The app's name (a ticket's key and app), for subject lines. */
	subjectName: string
	/** The request, for reminders about one. */
	requestId?: string
	/** One sentence a person can act on. */
	message: string
	/** Path inside the organisation, e.g. `apps/<id>/reporting` (the service prefixes `/o/<slug>/`). */
	path: string
}

/** The local day number of a `YYYY-MM-DD` key (days since 1970-01-01). */
export function dayNumberOfKey(key: string): number {
	const [y, m, d] = key.split('-').map(Number)
	return Math.round(Date.UTC(y!, m! - 1, d!) / DAY_MS)
}

export function keyOfDayNumber(day: number): string {
	return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** Calendar days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetweenKeys(from: string, to: string): number {
	return dayNumberOfKey(to) - dayNumberOfKey(from)
}

function plural(n: number, word: string): string {
	return `${n} ${n === 1 ? word : `${word}s`}`
}

/** "Wed 9 Dec 2026" for a local day key. */
export function formatDayKey(key: string): string {
	return formatLocalDate(new Date(`${key}T12:00:00Z`), 'UTC')
}

/**
 * The offset to fire today for a due day `daysLeft` days ahead: the nearest
 * offset already reached (`offset >= daysLeft`), so a missed pass fires one
 * reminder late instead of none. Null before the first offset, or once the
 * due day has passed (overdue reminders take over).
 */
export function offsetToFire(offsets: readonly number[], daysLeft: number): number | null {
	if (daysLeft < 0) return null
	const reached = offsets.filter((offset) => offset >= daysLeft)
	return reached.length === 0 ? null : Math.min(...reached)
}

/**
 * For something repeated every `every` days from `startOn` (its first day):
 * the latest repetition reached by `today`, as days since `startOn`, or null
 * before `startOn`.
 */
export function repetitionReached(startOn: string, today: string, every: number): number | null {
	const since = daysBetweenKeys(startOn, today)
	if (since < 0) return null
	return Math.floor(since / every) * every
}

export function planReminders(input: ReminderPlanInput): PlannedReminder[] {
	const { policy } = input
	const today = localDateOf(input.now, input.timeZone)
	const out: PlannedReminder[] = []

	for (const app of input.apps) {
		const reporting = `apps/${app.id}/reporting`
		if (app.status === 'answer_needed') {
			// The day after it was registered, then weekly, while nobody answers.
			const firstOn = keyOfDayNumber(dayNumberOfKey(app.registeredOn) + 1)
			const reached = repetitionReached(firstOn, today, ANSWER_NEEDED_EVERY_DAYS)
			if (reached === null) continue
			out.push({
				subjectType: 'app',
				subjectId: app.id,
				kind: 'answer_needed',
				dueOn: app.registeredOn,
				offsetDays: -(reached + 1),
				firesOn: today,
				audience: 'owners',
				appId: app.id,
				subjectName: app.name,
				message: app.answerNeededBecause
					? `${app.name}: ${app.answerNeededBecause}`
					: `${app.name}: answer whether it stores Atlassian users’ personal data. Until you do, Clearance cannot tell whether reports are due.`,
				path: `apps/${app.id}`,
			})
			continue
		}
		if (app.status === 'not_required') continue
		// "Due now, nothing to count from" is overdue since the day the app was registered.
		const dueOn = app.dueDate ?? app.registeredOn
		const daysLeft = app.dueDate
			? (app.daysLeft ?? daysBetweenKeys(today, app.dueDate))
			: -daysBetweenKeys(dueOn, today)
		if (app.status === 'overdue') {
			const overdueDays = Math.max(0, -daysLeft)
			out.push({
				subjectType: 'app',
				subjectId: app.id,
				kind: 'reporting_overdue',
				dueOn,
				offsetDays: 0 - overdueDays,
				firesOn: today,
				audience: 'owners',
				appId: app.id,
				subjectName: app.name,
				message: app.dueDate
					? `${app.name}: the personal-data report is overdue${overdueDays > 0 ? ` by ${plural(overdueDays, 'day')}` : ''} (it was due ${formatDayKey(dueOn)}). Send it and record the run.`
					: `${app.name}: a personal-data report is due now (nothing is recorded to count from). Send it and record the run.`,
				path: reporting,
			})
			if (overdueDays >= policy.escalateAfterDays) {
				out.push(escalation(app.id, app.name, dueOn, policy.escalateAfterDays, overdueDays, today, 'report', reporting))
			}
			continue
		}
		const offset = offsetToFire(policy.reportingOffsetsDays, daysLeft)
		if (offset === null) continue
		out.push({
			subjectType: 'app',
			subjectId: app.id,
			kind: 'reporting_due',
			dueOn,
			offsetDays: offset,
			firesOn: today,
			audience: 'owners',
			appId: app.id,
			subjectName: app.name,
			message:
				daysLeft === 0
					? `${app.name}: the personal-data report is due today (${formatDayKey(dueOn)}).`
					: `${app.name}: the personal-data report is due in ${plural(daysLeft, 'day')}, on ${formatDayKey(dueOn)}.`,
			path: reporting,
		})
	}

	for (const group of input.taskGroups ?? []) {
		const daysLeft = daysBetweenKeys(today, group.dueOn)
		const what = taskWords(group)
		const path = `apps/${group.appId}/reporting`
		if (daysLeft < 0) {
			const overdueDays = -daysLeft
			out.push({
				subjectType: 'task',
				subjectId: group.appId,
				kind: 'tasks_overdue',
				dueOn: group.dueOn,
				offsetDays: daysLeft,
				firesOn: today,
				audience: 'owners',
				appId: group.appId,
				subjectName: group.appName,
				message: `${group.appName}: ${what} ${group.erase + group.refresh === 1 ? 'is' : 'are'} overdue by ${plural(overdueDays, 'day')} (due ${formatDayKey(group.dueOn)}, your organisation’s policy).`,
				path,
			})
			if (overdueDays >= policy.escalateAfterDays) {
				out.push(
					escalation(
						group.appId,
						group.appName,
						group.dueOn,
						policy.escalateAfterDays,
						overdueDays,
						today,
						what,
						path,
						'tasks',
					),
				)
			}
			continue
		}
		const offset = offsetToFire(policy.taskOffsetsDays, daysLeft)
		if (offset === null) continue
		out.push({
			subjectType: 'task',
			subjectId: group.appId,
			kind: 'tasks_due',
			dueOn: group.dueOn,
			offsetDays: offset,
			firesOn: today,
			audience: 'owners',
			appId: group.appId,
			subjectName: group.appName,
			message:
				daysLeft === 0
					? `${group.appName}: ${what} ${group.erase + group.refresh === 1 ? 'is' : 'are'} due today (your organisation’s policy).`
					: `${group.appName}: ${what} ${group.erase + group.refresh === 1 ? 'is' : 'are'} due in ${plural(daysLeft, 'day')}, on ${formatDayKey(group.dueOn)} (your organisation’s policy).`,
			path,
		})
	}

	for (const ticket of input.quietTickets ?? []) {
		// Exactly followUpDays quiet days prompts (docs/rules.md › Tickets), then again every period while still quiet.
		const lastActive = localDateOf(ticket.lastActivityAt, input.timeZone)
		const dueOn = keyOfDayNumber(dayNumberOfKey(lastActive) + policy.followUpDays)
		const reached = repetitionReached(dueOn, today, policy.followUpDays)
		if (reached === null) continue
		const quiet = daysBetweenKeys(lastActive, today)
		out.push({
			subjectType: 'ticket',
			subjectId: ticket.requestId,
			kind: 'ticket_quiet',
			dueOn,
			offsetDays: 0 - reached,
			firesOn: today,
			audience: 'owners',
			appId: ticket.appId,
			subjectName: `${ticket.ticketKey} · ${ticket.appName}`,
			requestId: ticket.requestId,
			message: `${ticket.ticketKey} (${ticket.appName}) has been quiet for ${plural(quiet, 'day')}: ask Atlassian for a status, then record the follow-up.`,
			path: `requests/${ticket.requestId}`,
		})
	}

	for (const review of input.reviews ?? []) {
		const submittedOn = localDateOf(review.submittedAt, input.timeZone)
		const dueOn = keyOfDayNumber(dayNumberOfKey(submittedOn) + policy.reviewWaitDays)
		const reached = repetitionReached(dueOn, today, policy.reviewWaitDays)
		if (reached === null) continue
		const waiting = daysBetweenKeys(submittedOn, today)
		out.push({
			subjectType: 'request',
			subjectId: review.requestId,
			kind: 'review_waiting',
			dueOn,
			offsetDays: 0 - reached,
			firesOn: today,
			audience: 'reviewers',
			appId: review.appId,
			subjectName: review.appName,
			requestId: review.requestId,
			message: `The request for ${review.appName} has waited ${plural(waiting, 'day')} for review.`,
			path: `requests/${review.requestId}`,
		})
	}
	return out
}

function taskWords(group: Pick<PlanTaskGroup, 'erase' | 'refresh'>): string {
	const parts = [
		group.erase > 0 ? plural(group.erase, 'erase task') : null,
		group.refresh > 0 ? plural(group.refresh, 'refresh task') : null,
	].filter(Boolean)
	return parts.join(' and ')
}

/** Once per due day, when it is `after` days overdue (later if a pass was missed): to the admins. */
function escalation(
	appId: string,
	appName: string,
	dueOn: string,
	after: number,
	overdueDays: number,
	today: string,
	what: string,
	path: string,
	subject: 'report' | 'tasks' = 'report',
): PlannedReminder {
	return {
		subjectType: subject === 'report' ? 'app' : 'task',
		subjectId: appId,
		kind: 'escalation',
		dueOn,
		offsetDays: 0 - after,
		firesOn: today,
		audience: 'admins',
		appId,
		subjectName: appName,
		message:
			subject === 'report'
				? `Escalated: ${appName}’s personal-data report is overdue by ${plural(overdueDays, 'day')} (due ${formatDayKey(dueOn)}). Its owners have been reminded.`
				: `Escalated: ${appName} has ${what} overdue by ${plural(overdueDays, 'day')} (due ${formatDayKey(dueOn)}). Its owners have been reminded.`,
		path,
	}
}

/**
 * Offsets typed as "7, 3, 1, 0": whole days from 0 to 90, at most ten,
 * returned distinct and largest first. A refusal says what is wrong.
 */
export function parseOffsets(text: string): { ok: true; value: number[] } | { ok: false; message: string } {
	const parts = text
		.split(/[,\s]+/)
		.map((part) => part.trim())
		.filter(Boolean)
	if (parts.length === 0) return { ok: false, message: 'Enter at least one number of days, for example 7, 3, 1, 0.' }
	const values: number[] = []
	for (const part of parts) {
		if (!/^\d+$/.test(part)) {
			return { ok: false, message: `“${part.slice(0, 20)}” is not a whole number of days. Write them like 7, 3, 1, 0.` }
		}
		const value = Number(part)
		if (value > MAX_OFFSET_DAYS)
			return { ok: false, message: `Reminders start at most ${MAX_OFFSET_DAYS} days before.` }
		values.push(value)
	}
	const distinct = [...new Set(values)].sort((a, b) => b - a)
	if (distinct.length > MAX_OFFSETS) return { ok: false, message: `At most ${MAX_OFFSETS} reminder days.` }
	return { ok: true, value: distinct }
}

export function formatOffsets(offsets: readonly number[]): string {
	return [...offsets].sort((a, b) => b - a).join(', ')
}
