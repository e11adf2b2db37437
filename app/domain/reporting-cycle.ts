/**
 * Personal-data reporting cycle arithmetic (docs/rules.md › Reporting cycle;
 * docs/rules.md › Personal-data reporting). Pure: values in, values
 * out; time zones through `Intl.DateTimeFormat` only.
 *
 * Due instant: a report is due by the END of the local calendar day that lies
 * `cycleDays` days after the anchor's local day, in the organisation's time
 * zone (`dueAt` is that day's last millisecond). Why end of day rather than
 * the anchor's wall-clock time:
 * - "overdue" and "daysLeft < 0" then mean the same thing, and "due today"
 *   (daysLeft 0) is never already overdue;
 * - local dates never run backwards, so a later report never moves the due
 *   date earlier (wall-clock times do run backwards in the autumn DST hour);
 * - a deadline of "Wed 9 Dec" is what a calendar feed and a person expect.
 * The cost: up to one day more slack than Atlassian's own clock may allow;
 * DUE_SOON_DAYS warns well before that matters.
 */

import { cycleName, describeCycle, MIN_CYCLE_SECONDS, type CyclePeriodReading } from './cycle-period'
import { WHOLE_NUMBER } from './text'
import {
	addLocalDays,
	assertDate,
	assertTimeZone,
	calendarDaysBetween,
	dateKey,
	formatInTimeZone,
	formatLocalDate,
	isValidDate,
	localDateOf,
	localDateTime,
	zonedToInstant,
} from './zoned-time'

// Zone arithmetic lives in ./zoned-time; these are re-exported for the callers of the cycle rules.
export { calendarDaysBetween, formatInTimeZone, formatLocalDate, isValidTimeZone, localDateOf } from './zoned-time'

/** "Report every 15 days": the Email API guideline and the product's default (docs/rules.md › Reporting cycle). */
export const DEFAULT_CYCLE_DAYS = 15
/** Atlassian's user-privacy guide gives a default cycle of 7 days: offered and recommended. */
export const ATLASSIAN_API_DEFAULT_CYCLE_DAYS = 7
export const MIN_CYCLE_DAYS = 1
/** Upper bound so a mistyped header or setting cannot silence reporting for months. */
export const MAX_CYCLE_DAYS = 90
/** Any cycle longer than this warns (docs/rules.md › Reporting cycle). */
export const LONGEST_ADVISED_CYCLE_DAYS = DEFAULT_CYCLE_DAYS
/** The dashboard's "due within 3 days" band. */
export const DUE_SOON_DAYS = 3

export const CYCLE_SOURCES = ['guideline', 'api_default', 'cycle_period_header', 'custom'] as const
export type CycleSource = (typeof CYCLE_SOURCES)[number]

/** Who set a cycle, in words (the audit log's "Cycle set by"). */
export const CYCLE_SOURCE_LABELS: Record<CycleSource, string> = {
	guideline: 'The Email API guideline',
	api_default: 'Atlassian’s reporting guide default',
	cycle_period_header: 'Atlassian’s Cycle-Period header',
	custom: 'Your organisation',
}

export const PERSONAL_DATA_ANSWERS = ['yes', 'no', 'undecided'] as const
export type PersonalDataAnswer = (typeof PERSONAL_DATA_ANSWERS)[number]

/**
 * One reporting status per app (docs/rules.md › Personal-data reporting).
 * `answer_needed`: the personal-data answer is not given, so nobody can tell
 * whether reports are due; never shown as "no report needed". `not_required`
 * only for an explicit "no".
 */
export const REPORTING_STATES = ['overdue', 'answer_needed', 'due_soon', 'on_track', 'not_required'] as const
export type ReportingState = (typeof REPORTING_STATES)[number]
/** Most urgent first; `answer_needed` stands with the urgent ones. */
export const REPORTING_URGENCY: Record<ReportingState, number> = {
	overdue: 0,
	answer_needed: 1,
	due_soon: 2,
	on_track: 3,
	not_required: 4,
}

export type AnchorKind = 'last_report' | 'storing_since' | 'first_account' | 'flag_set'
export type StoringSinceSource = 'person' | 'ledger' | 'proposed'
export type ReportingAnchor = { kind: AnchorKind; at: Date; source?: StoringSinceSource }

export type ReportingStatusInput = {
	personalData: PersonalDataAnswer
	/** May be fractional when Atlassian's header set it (PT12H = 0.5). */
	cycleDays: number
	/** Why this cycle applies; inferred from `cycleDays` (15, 7, else custom) when absent. */
	cycleSource?: CycleSource
	/** When the cycle was last changed (shown for `cycle_period_header`). */
	cycleSetAt?: Date | null
	/**
	 * A shorter cycle Atlassian's Cycle-Period header asked for, waiting for a
	 * person to confirm it. Until then the deadline is counted with it: the
	 * cycle in force is not changed, but no status may be greener than
	 * Atlassian's own clock (docs/rules.md › Cycle-Period header).
	 */
	pendingCycleDays?: number | null
	lastReportAt?: Date | null
	/** "Storing personal data since", as a person set it or as the ledger proposed it. */
	storingSince?: { at: Date; source: StoringSinceSource } | null
	/** Oldest `updatedAt` in the ledger: the default when nobody gave a storing-since date. */
	firstStoredAccountAt?: Date | null
	flagSetAt?: Date | null
	/**
	 * Accounts in the app's ledger (account ids of Atlassian users: personal data the app keeps). An app that says it
	 * stores none while its ledger holds some is not "no report needed" (docs/rules.md › Reporting status).
	 */
	storedAccounts?: number
	now: Date
	/** IANA zone of the organisation, e.g. `Pacific/Auckland`. */
	timeZone: string
}

export type ReportingStatus = {
	status: ReportingState
	/** The due instant: the last millisecond of the due day in the organisation's zone (whole-day cycles). */
	dueAt: Date | null
	/** The due day as `YYYY-MM-DD` in the organisation's time zone (for all-day calendar events). */
	dueDate: string | null
	/** Calendar days from today to the due day (0 = due today, negative = overdue). */
	daysLeft: number | null
	anchor: ReportingAnchor | null
	/** One sentence a person can act on: why this status. */
	headline: string
	explanation: string
}

/** A cycle a person sets: whole days from 1 to 90. */
export function validateCycleDays(raw: unknown): { ok: true; value: number } | { ok: false; reason: string } {
	// Digits only: Number() would read "0x10" as 16, "1e1" as 10 and "+5" as 5.
	const value = typeof raw === 'string' && WHOLE_NUMBER.test(raw) ? Number(raw) : raw
	if (typeof value !== 'number' || !Number.isInteger(value)) {
		return { ok: false, reason: 'the cycle must be a whole number of days' }
	}
	if (value < MIN_CYCLE_DAYS || value > MAX_CYCLE_DAYS) {
		return {
			ok: false,
			reason: `the cycle must be between ${MIN_CYCLE_DAYS} and ${MAX_CYCLE_DAYS} days`,
		}
	}
	return { ok: true, value }
}

/** Any stored cycle: from one hour (a header may set one) to 90 days. */
function isValidCycleLength(days: number): boolean {
	return (
		typeof days === 'number' && Number.isFinite(days) && days * 86_400 >= MIN_CYCLE_SECONDS && days <= MAX_CYCLE_DAYS
	)
}

export type CycleSettings = {
	cycleDays: number
	cycleSource?: CycleSource
	cycleSetAt?: Date | null
	/** Atlassian's last confirmed cycle (Cycle-Period header), if any. */
	atlassianCycleDays?: number | null
	cycleReason?: string | null
}

/** Says which cycle applies and why (docs/rules.md › Reporting cycle: the screen always says so). */
export function cycleLabel(
	cycleDays: number,
	source: CycleSource = inferCycleSource(cycleDays),
	setAt: Date | null = null,
	timeZone = 'UTC',
): string {
	const days = cycleName(cycleDays)
	// A source that contradicts the number would put a false reason on screen.
	if (source === 'guideline' && cycleDays === DEFAULT_CYCLE_DAYS) {
		return `${days} (Email API guideline)`
	}
	if (source === 'api_default' && cycleDays === ATLASSIAN_API_DEFAULT_CYCLE_DAYS) {
		return `${days} (Atlassian’s reporting guide default)`
	}
	if (source === 'cycle_period_header') {
		return setAt && isValidDate(setAt)
			? `${days} set by Atlassian’s Cycle-Period header on ${formatLocalDate(setAt, timeZone)}`
			: `${days} set by Atlassian’s Cycle-Period header`
	}
	return `${days} (set by your organisation)`
}

/**
 * What a person must know about the cycle in force: a cycle longer than the
 * guideline's 15 days, and one longer than the cycle Atlassian set (with the
 * organisation's reason). Empty when there is nothing to say.
 */
export function cycleWarnings(settings: CycleSettings): string[] {
	const warnings: string[] = []
	const { cycleDays, atlassianCycleDays } = settings
	if (atlassianCycleDays != null && cycleDays > atlassianCycleDays) {
		warnings.push(
			`Longer than the ${cycleName(atlassianCycleDays)} Atlassian set by Cycle-Period header: your organisation chose it${
				settings.cycleReason ? ` (“${settings.cycleReason}”)` : ''
			}. Atlassian says an app must follow its header.`,
		)
	}
	if (cycleDays > LONGEST_ADVISED_CYCLE_DAYS) {
		warnings.push(
			`A ${cycleName(cycleDays)} is longer than the ${LONGEST_ADVISED_CYCLE_DAYS} days the Email API guideline asks for, and Atlassian’s reporting guide defaults to ${ATLASSIAN_API_DEFAULT_CYCLE_DAYS}.`,
		)
	}
	return warnings
}

/**
 * A cycle a person chooses. Longer than the cycle Atlassian set needs an
 * explicit confirmation and a reason (docs/rules.md › Reporting cycle);
 * returns the refusal, or null when the change may go ahead.
 */
export function manualCycleRefusal(input: {
	cycleDays: number
	atlassianCycleDays: number | null
	confirmLonger: boolean
	reason: string
}): string | null {
	const { cycleDays, atlassianCycleDays } = input
	if (atlassianCycleDays == null || cycleDays <= atlassianCycleDays) return null
	if (!input.confirmLonger || input.reason.trim() === '') {
		return `Atlassian set a ${cycleName(atlassianCycleDays)} by Cycle-Period header. A longer cycle needs your confirmation and a reason.`
	}
	return null
}

export type HeaderCycleOutcome = 'applied' | 'pending' | 'unchanged' | 'unreadable'

/**
 * What a Cycle-Period value read from a run does to the cycle in force
 * (docs/rules.md › Cycle-Period header): a clear value that does not shorten
 * the cycle is applied; an unclear one, or one that shortens the cycle, waits
 * for a person; an unreadable one is kept on the run and nothing else.
 */
export function headerCycleOutcome(
	reading: CyclePeriodReading,
	currentDays: number,
	currentSource: CycleSource,
): HeaderCycleOutcome {
	if (reading.kind === 'unreadable') return 'unreadable'
	if (reading.kind === 'unclear') return 'pending'
	if (sameLength(reading.days, currentDays) && currentSource === 'cycle_period_header') return 'unchanged'
	return reading.days < currentDays && !sameLength(reading.days, currentDays) ? 'pending' : 'applied'
}

function sameLength(a: number, b: number) {
	return Math.round(a * 86_400) === Math.round(b * 86_400)
}

/** 15 is the guideline's figure and 7 Atlassian's guide default; any other number is the organisation's choice. */
export function inferCycleSource(cycleDays: number): CycleSource {
	if (cycleDays === DEFAULT_CYCLE_DAYS) return 'guideline'
	if (cycleDays === ATLASSIAN_API_DEFAULT_CYCLE_DAYS) return 'api_default'
	return 'custom'
}

const ANSWER_NEEDED =
	'Until you answer whether this app stores Atlassian users’ personal data, Clearance cannot tell whether reports are due.'

/**
 * Throws RangeError on an invalid cycle, time zone or date: those are
 * programming or storage errors, and a silently wrong deadline is worse.
 */
export function reportingStatus(input: ReportingStatusInput): ReportingStatus {
	const { cycleDays, now, timeZone } = input
	if (!isValidCycleLength(cycleDays)) throw new RangeError(`Invalid cycleDays ${cycleDays}`)
	assertTimeZone(timeZone)
	assertDate(now, 'now')

	if (input.personalData === 'no' && (input.storedAccounts ?? 0) > 0) {
		const held = plural(input.storedAccounts ?? 0, 'account')
		return undated(
			'answer_needed',
			`Answer needed: the app says it stores no personal data, but its ledger holds ${held}.`,
			`The app is marked as storing no personal data of Atlassian users, but its ledger still holds ${held}: account ids the app keeps, which Atlassian asks to be reported every cycle. If the app stores them, answer yes and report them; if it erased them, remove them from the ledger.`,
		)
	}
	if (input.personalData === 'no') {
		const text = 'No report due: the app says it does not store personal data of Atlassian users.'
		return undated('not_required', text, text)
	}
	if (input.personalData !== 'yes')
		return undated('answer_needed', 'Answer needed: does this app store personal data?', ANSWER_NEEDED)

	const cycle = countedCycleDays(cycleDays, input.pendingCycleDays)
	// Counted with a shorter cycle than the one set: Atlassian's, waiting for a person to confirm it.
	const label =
		cycle !== cycleDays
			? `${cycleName(cycle)} asked for by Atlassian’s Cycle-Period header: deadlines are counted with it until you confirm it (the ${cycleName(cycleDays)} is still set)`
			: cycleLabel(cycleDays, input.cycleSource, input.cycleSetAt ?? null, timeZone)
	const anchor = pickAnchor(input)
	if (!anchor) {
		// Nothing to count from: the conservative reading is "report now".
		return {
			status: 'overdue',
			dueAt: null,
			dueDate: null,
			daysLeft: null,
			anchor: null,
			headline: 'Report due now: nothing recorded to count from.',
			explanation: `${label}. No report, storing-since date or stored account is recorded to count from, so a report is due now.`,
		}
	}

	const { dueAt, dueDate } = cycleDue(anchor.at, cycle, timeZone)
	const daysLeft = calendarDaysBetween(now, dueAt, timeZone)
	const status: ReportingState =
		now.getTime() > dueAt.getTime() ? 'overdue' : daysLeft <= DUE_SOON_DAYS ? 'due_soon' : 'on_track'

	const since = `${anchorPhrase(anchor)} on ${formatInTimeZone(anchor.at, timeZone)}`
	const wholeDays = Number.isInteger(cycle)
	const when = wholeDays
		? `by the end of ${formatLocalDate(dueAt, timeZone)} (${timeZone})`
		: `by ${formatInTimeZone(dueAt, timeZone)}`
	const explanation = [
		`${label}.`,
		`${anchor.kind === 'last_report' ? 'Next report' : 'First report'} due ${when},`,
		`${describeCycle(cycle)} after ${since}.`,
		statusPhrase(daysLeft, status),
	].join(' ')
	return { status, dueAt, dueDate, daysLeft, anchor, headline: headlineOf(status, daysLeft, anchor), explanation }
}

/**
 * The cycle deadlines are counted with: the one set, or a shorter one Atlassian's Cycle-Period header asked for while it
 * waits for a person to confirm it (no status may be greener than Atlassian's own clock).
 */
export function countedCycleDays(cycleDays: number, pendingCycleDays: number | null | undefined): number {
	return pendingCycleDays != null && isValidCycleLength(pendingCycleDays) && pendingCycleDays < cycleDays
		? pendingCycleDays
		: cycleDays
}

/** A status without a deadline: no report due, or none Clearance can count until a person answers. */
function undated(status: 'answer_needed' | 'not_required', headline: string, explanation: string): ReportingStatus {
	return { status, dueAt: null, dueDate: null, daysLeft: null, anchor: null, headline, explanation }
}

function headlineOf(status: ReportingState, daysLeft: number, anchor: ReportingAnchor): string {
	const what = anchor.kind === 'last_report' ? 'Next report' : 'First report'
	const from = ANCHOR_SHORT[anchor.kind === 'storing_since' ? (anchor.source ?? 'ledger') : anchor.kind]
	if (status === 'overdue') return `${what} ${overdueBy(daysLeft)}, counted from ${from}.`
	if (daysLeft === 0) return `${what} due today, counted from ${from}.`
	return `${what} due in ${plural(daysLeft, 'day')}, counted from ${from}.`
}

/** The anchor in a few words, for one-line headlines. */
const ANCHOR_SHORT: Record<Exclude<AnchorKind, 'storing_since'> | StoringSinceSource, string> = {
	last_report: 'the last report',
	person: 'the storing-since date you gave',
	ledger: 'when the oldest stored data was retrieved',
	proposed: 'an earlier date found at import (confirm it)',
	first_account: 'when the oldest stored data was retrieved',
	flag_set: 'the day the app was marked as storing personal data',
}

/** The anchor as a noun phrase, for the full explanation ("15 days after …"). */
function anchorPhrase(anchor: ReportingAnchor): string {
	switch (anchor.kind) {
		case 'last_report':
			return 'the last report'
		case 'storing_since':
			return anchor.source === 'person'
				? 'the date your organisation gave for storing personal data'
				: anchor.source === 'proposed'
					? 'the retrieval of the oldest data in an import, earlier than the storing-since date (confirm it or keep the date)'
					: 'the retrieval of the oldest stored data (the oldest last-updated time in the first import)'
		case 'first_account':
			return 'the retrieval of the oldest stored data (the oldest last-updated time in the ledger; no report recorded yet)'
		case 'flag_set':
			return 'the day the app was marked as storing personal data (no report or stored account yet)'
	}
}

function statusPhrase(daysLeft: number, status: ReportingState): string {
	if (status === 'overdue') return `${overdueBy(daysLeft).replace('o', 'O')}.`
	if (daysLeft === 0) return 'Due today.'
	return `Due in ${plural(daysLeft, 'day')}.`
}

/** A cycle with hours in it can run out earlier the same day. */
function overdueBy(daysLeft: number): string {
	return daysLeft < 0 ? `overdue by ${plural(-daysLeft, 'day')}` : 'overdue since earlier today'
}

function plural(n: number, word: string): string {
	return `${n} ${n === 1 ? word : `${word}s`}`
}

/**
 * Last report; before the first one, the storing-since date (a person's, or
 * the ledger's oldest updatedAt, or the earlier one an import proposed), else
 * the oldest stored account, else the day the app was marked as storing.
 */
function pickAnchor(input: ReportingStatusInput): ReportingAnchor | null {
	if (input.lastReportAt != null) {
		assertDate(input.lastReportAt, 'lastReportAt')
		return { kind: 'last_report', at: input.lastReportAt }
	}
	if (input.storingSince) {
		assertDate(input.storingSince.at, 'storingSince')
		return { kind: 'storing_since', at: input.storingSince.at, source: input.storingSince.source }
	}
	const candidates: [AnchorKind, Date | null | undefined][] = [
		['first_account', input.firstStoredAccountAt],
		['flag_set', input.flagSetAt],
	]
	for (const [kind, at] of candidates) {
		if (at == null) continue
		assertDate(at, kind)
		return { kind, at }
	}
	return null
}

/**
 * The deadline one cycle after `from`. A whole-day cycle ends with the local
 * day `cycleDays` days after `from`'s (see dueAfter); a cycle with hours in it
 * (a header such as PT12H) keeps that precision: `from` plus the exact length.
 */
export function cycleDue(from: Date, cycleDays: number, timeZone: string): { dueAt: Date; dueDate: string } {
	if (Number.isInteger(cycleDays)) return dueAfter(from, cycleDays, timeZone)
	assertDate(from, 'from')
	const dueAt = new Date(from.getTime() + Math.round(cycleDays * 86_400) * 1000)
	return { dueAt, dueDate: localDateOf(dueAt, timeZone) }
}

/**
 * The deadline `days` calendar days after `from`'s local day, in `timeZone`:
 * the last millisecond of that local day. Also used for erase/refresh tasks so
 * every deadline in the app means the same thing.
 */
export function dueAfter(from: Date, days: number, timeZone: string): { dueAt: Date; dueDate: string } {
	assertDate(from, 'from')
	assertTimeZone(timeZone)
	const local = localDateTime(from, timeZone)
	const dueDay = addLocalDays({ ...local, hour: 0, minute: 0, second: 0, millisecond: 0 }, days)
	const nextDayStart = zonedToInstant(addLocalDays(dueDay, 1), timeZone)
	return { dueAt: new Date(nextDayStart - 1), dueDate: dateKey(dueDay) }
}
