import { describe, expect, it } from 'vitest'
import {
	actionLabel,
	actorLabel,
	auditChangeViews,
	describeAuditAction,
	formatAuditValue,
	permissionRefusalReason,
	presentAuditEvent,
	subjectOfPath,
	subjectView,
} from '~/domain/audit-labels'
import { CONNECTION_KIND_LABELS } from '~/domain/reporting-connection'

const REQUEST_ID = '0b9f3c9e-5a7d-4c1e-9d55-3f7a1e2b4c6d'
const APP_ID = '7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5'

describe('actions in words', () => {
	it('says what a decision was about, by the use case’s name', () => {
		expect(
			describeAuditAction('request.use_case_decided', {}, { decision: 'approved', code: 'send_error_reports' }),
		).toBe('Approved use case “send error reports”')
		expect(
			describeAuditAction(
				'request.use_case_decided',
				{},
				{ decision: 'rejected', code: 'other', description: 'Weekly digest' },
			),
		).toBe('Rejected use case “Weekly digest”')
	})

	it('says what a refused person tried to do', () => {
		expect(
			describeAuditAction('request.decide_refused', null, { attempted: 'approve', code: 'send_security_alerts' }),
		).toBe('Was refused: approve use case “send security alerts”')
		expect(describeAuditAction('request.action_refused', null, { attempted: 'complete_review' })).toBe(
			'Was refused: complete the review',
		)
		expect(describeAuditAction('permission.denied', null, { permission: 'audit:read' })).toBe(
			'Was refused: read the audit log',
		)
	})

	it('tells a save that changed content from one that did not', () => {
		expect(describeAuditAction('request.saved', { version: 2, appName: 'A' }, { version: 3, appName: 'B' })).toBe(
			'Saved the request',
		)
		expect(describeAuditAction('request.saved', { version: 2 }, { version: 3 })).toBe(
			'Saved the request without changing its content',
		)
	})

	it('names every lifecycle step and falls back to words for an action it does not know', () => {
		expect(actionLabel('request.submit_for_review')).toBe('Submitted the request for review')
		expect(actionLabel('request.atlassian_approved')).toBe('Recorded Atlassian’s approval')
		expect(actionLabel('login.failed')).toBe('Failed to log in')
		expect(actionLabel('prepared_report.recorded')).toBe('Prepared report recorded')
	})

	it('names who acted, or who it must have been', () => {
		expect(actorLabel('request.saved', 'Vera Vendor')).toBe('Vera Vendor')
		expect(actorLabel('login.failed', null)).toBe('Someone not signed in')
		expect(actorLabel('app.cycle_changed', null)).toBe('Clearance')
	})
})

describe('refusal reasons', () => {
	it('names the role needed and the roles held', () => {
		expect(permissionRefusalReason('audit:read', ['reviewer'])).toBe(
			'Needs the Admin role; they had Compliance reviewer.',
		)
		expect(permissionRefusalReason('org:view', [])).toBe(
			'Needs the Vendor, Compliance reviewer or Admin role; they had no role.',
		)
	})

	it('reads the app or request a page is about from its path', () => {
		expect(subjectOfPath(`/o/acme/requests/${REQUEST_ID}`)).toEqual({
			subjectType: 'access_request',
			subjectId: REQUEST_ID,
		})
		expect(subjectOfPath(`/o/acme/apps/${APP_ID}/reporting`)).toEqual({ subjectType: 'app', subjectId: APP_ID })
		expect(subjectOfPath(`/o/acme/requests/${REQUEST_ID}/text`)).toEqual({
			subjectType: 'access_request',
			subjectId: REQUEST_ID,
		})
		expect(subjectOfPath('/o/acme/audit')).toBeNull()
		expect(subjectOfPath('/o/acme/apps/new')).toBeNull()
	})
})

describe('values in words', () => {
	it('uses the labels people see elsewhere', () => {
		expect(formatAuditValue('state', 'in_review')).toBe('In review')
		expect(formatAuditValue('storesPersonalData', 'undecided')).toBe('Not decided')
		expect(formatAuditValue('storesPersonalData', true)).toBe('Yes')
		expect(formatAuditValue('appType', 'forge')).toBe('Forge app')
		expect(formatAuditValue('products', ['jira', 'confluence'])).toBe('Jira, Confluence')
		expect(formatAuditValue('roles', ['admin', 'member'])).toBe('Admin, Vendor')
		expect(formatAuditValue('useCases', { code: 'other', description: 'Weekly digest' })).toBe('Custom: Weekly digest')
		expect(formatAuditValue('privacyPolicyUrl', null)).toBe('(empty)')
		expect(formatAuditValue('checklistReady', false)).toBe('No')
		expect(formatAuditValue('cycleSource', 'cycle_period_header')).toBe('Atlassian’s Cycle-Period header')
		expect(formatAuditValue('approvedOn', '2026-03-09')).toBe('Mon 9 Mar 2026')
	})

	it('shows an instant in the organisation’s time zone', () => {
		expect(formatAuditValue('openedAt', '2026-03-01T23:30:00.000Z', 'Europe/Berlin')).toBe('2 Mar 2026, 00:30 CET')
	})
})

describe('auditChangeViews', () => {
	it('shows each changed field as label: old → new', () => {
		expect(auditChangeViews('org.settings_changed', { followUpDays: 7 }, { followUpDays: 10 })).toEqual([
			{ kind: 'value', label: 'Ticket follow-up period (days)', from: '7', to: '10' },
		])
		expect(
			auditChangeViews('request.reopen', { state: 'ready_to_submit', version: 4 }, { state: 'draft', version: 5 }),
		).toEqual([
			{ kind: 'value', label: 'State', from: 'Ready to submit', to: 'Draft' },
			{ kind: 'value', label: 'Version', from: '4', to: '5' },
		])
	})

	it('shows a changed list as what was added and removed', () => {
		const views = auditChangeViews(
			'request.saved',
			{ useCases: [{ code: 'send_error_reports' }], products: ['jira'] },
			{ useCases: [{ code: 'send_security_alerts' }], products: ['jira', 'confluence'] },
		)
		expect(views).toEqual([
			{ kind: 'list', label: 'Use cases', added: ['send security alerts'], removed: ['send error reports'] },
			{ kind: 'list', label: 'Products', added: ['Confluence'], removed: [] },
		])
	})

	it('shows a long text as a word diff, with both versions kept in full', () => {
		const before = 'The app sends security alerts to the administrators of a Jira site when a suspicious login happens.'
		const after = 'The app sends security alerts to the administrators of a Jira site when a suspicious export happens.'
		const [view] = auditChangeViews(
			'request.saved',
			{ functionalityDescription: before },
			{ functionalityDescription: after },
		)
		expect(view).toMatchObject({ kind: 'text', label: 'Functionality description', from: before, to: after })
		if (view?.kind !== 'text') throw new Error('expected a text change')
		expect(view.parts.filter((part) => part.op !== 'same')).toEqual([
			{ op: 'removed', text: 'login' },
			{ op: 'added', text: 'export' },
		])
	})

	it('lists what is on one side only as details, and hides ids and what the action already says', () => {
		expect(
			auditChangeViews(
				'request.use_case_decided',
				{ decision: null },
				{ useCaseId: APP_ID, code: 'x', decision: 'approved', reason: 'Fine' },
			),
		).toEqual([
			{ kind: 'value', label: 'Decision', from: '(empty)', to: 'Approved' },
			{ kind: 'detail', label: 'Reason', value: 'Fine', long: false },
		])
	})

	it('reads a recorded report run and a prepared report in words, without the prepared report’s row id', () => {
		const run = auditChangeViews('report_run.recorded', null, {
			appId: APP_ID,
			sentAt: '2026-11-16T23:13:00.000Z',
			sentByClearance: true,
			preparedReportId: REQUEST_ID,
			preparedSha256: 'a0f3',
			accountCount: 240,
			batchCount: 3,
			answeredBatches: 1,
			closedCount: 1,
			updatedCount: 0,
			cyclePeriodRaw: null,
			cyclePeriodOutcome: 'pending',
			recordedLater: true,
			skippedUnknown: 0,
			cycleDaysBefore: 15,
			cycleDaysAfter: 7,
		})
		const labels = run.map((view) => view.label)
		expect(labels).toEqual([
			'Sent',
			'Sent by Clearance',
			'Prepared report’s SHA-256',
			'Accounts',
			'Batches',
			'Batches answered',
			'Closed accounts',
			'Updated accounts',
			'Atlassian’s Cycle-Period header',
			'Reporting cycle after the answer',
			'Recorded later',
			'Answers about accounts not in the ledger',
			'Reporting cycle before (days)',
			'Reporting cycle after (days)',
		])
		expect(run.find((view) => view.label === 'Reporting cycle after the answer')).toMatchObject({
			value: 'Waiting for a person to confirm Atlassian’s cycle',
		})
		expect(auditChangeViews('report.prepared', null, { preparedReportId: REQUEST_ID, sha256: 'a0f3' })).toEqual([
			{ kind: 'detail', label: 'Batches’ SHA-256', value: 'a0f3', long: false },
		])
		expect(actionLabel('org.seeded')).toBe('Created the demo organisation')
	})

	it('names an account task by what it asks, not by its stored kind', () => {
		const views = auditChangeViews(
			'account_task.reopened',
			{ completedAt: '2026-03-01T10:00:00.000Z' },
			{ appId: REQUEST_ID, kind: 'erase', completedAt: null, ledgerRestored: true, tasksReopened: 1 },
		)
		expect(views).toContainEqual({ kind: 'detail', label: 'Task', value: 'Erase a closed account’s data', long: false })
		expect(JSON.stringify(views)).not.toMatch(/"erase"|Kind/)
		expect(auditChangeViews('account_task.refreshed', null, { kind: 'refresh' })).toEqual([
			{ kind: 'detail', label: 'Task', value: 'Refresh an updated account’s data', long: false },
		])
		// The same field on another event is read by that event: a failed automatic run's connection.
		expect(auditChangeViews('reporter_run.failed', null, { kind: 'oauth2' })).toEqual([
			{ kind: 'detail', label: 'Connection', value: CONNECTION_KIND_LABELS.oauth2, long: false },
		])
	})

	it('says who set the storing-since date in words, not by its stored code', () => {
		expect(formatAuditValue('storingSinceSource', 'ledger')).toBe(
			'The ledger (the oldest last-updated time first stored)',
		)
		expect(formatAuditValue('storingSinceSource', 'person')).toBe('A person')
		expect(auditChangeViews('app.storing_since_set', null, { storingSinceSource: 'person' })[0]).toMatchObject({
			label: 'Storing since set by',
		})
	})

	it('says when only an email address changed, without showing either', () => {
		expect(
			auditChangeViews('request.saved', { appName: 'Ask [email address]' }, { appName: 'Ask [email address]' }),
		).toEqual([
			{ kind: 'detail', label: 'App name', value: 'An email address changed (addresses are not kept).', long: false },
		])
	})
})

describe('subjects by name', () => {
	it('names each kind of subject and links to its page', () => {
		expect(subjectView('acme', 'access_request', REQUEST_ID, { name: 'Mail Bridge' })).toEqual({
			label: 'Request for Mail Bridge',
			href: `/o/acme/requests/${REQUEST_ID}`,
		})
		expect(subjectView('acme', 'app', APP_ID, { name: 'Mail Bridge' })).toEqual({
			label: 'Mail Bridge',
			href: `/o/acme/apps/${APP_ID}`,
		})
		expect(subjectView('acme', 'user', APP_ID, { name: 'Rita Reviewer' })).toEqual({
			label: 'Rita Reviewer',
			href: '/o/acme/members',
		})
		expect(subjectView('acme', 'report_run', REQUEST_ID, { name: 'Mail Bridge', appId: APP_ID })).toEqual({
			label: 'Report run for Mail Bridge',
			href: `/o/acme/apps/${APP_ID}/reporting`,
		})
	})

	it('says so when the subject is gone, and never shows a raw id', () => {
		expect(subjectView('acme', 'app', APP_ID)).toEqual({ label: 'An app no longer in this organisation', href: null })
		expect(subjectView('acme', 'prepared_report', APP_ID).label).toBe('Prepared report')
	})

	it('presents a whole event', () => {
		const view = presentAuditEvent(
			{
				id: 9,
				action: 'request.saved',
				subjectType: 'access_request',
				subjectId: REQUEST_ID,
				before: { version: 2, appName: 'Mail Bridge' },
				after: { version: 3, appName: 'Mail Bridge Cloud' },
				createdAt: new Date('2026-03-01T10:00:00Z'),
				actorName: 'Vera Vendor',
			},
			{ orgSlug: 'acme', timeZone: 'UTC', subject: { name: 'Mail Bridge Cloud' } },
		)
		expect(view).toEqual({
			id: 9,
			action: 'request.saved',
			at: '2026-03-01T10:00:00.000Z',
			who: 'Vera Vendor',
			summary: 'Saved the request',
			refused: false,
			subject: { label: 'Request for Mail Bridge Cloud', href: `/o/acme/requests/${REQUEST_ID}` },
			changes: [
				{ kind: 'value', label: 'Version', from: '2', to: '3' },
				{ kind: 'value', label: 'App name', from: 'Mail Bridge', to: 'Mail Bridge Cloud' },
			],
		})
	})
})
