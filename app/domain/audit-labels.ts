/**
 * The audit log in words (docs/rules.md › Audit trail): what each action
 * means, what each recorded field is called, how its values read, and what
 * an event's subject is called and where it lives. Pure: the audit page and
 * its CSV export use it; nothing here reads the database.
 */
import { compactTextDiff, listChanges, textDiff, type TextPart } from './audit-diff'
import { APP_TYPE_RULES, CUSTOM_USE_CASE_CODE, findUseCase, isAppType, isProduct, PRODUCT_LABELS } from './catalogue'
import { CONNECTION_KIND_LABELS } from './reporting-connection'
import { CYCLE_SOURCE_LABELS, CYCLE_SOURCES, type CycleSource } from './reporting-cycle'
import { REQUEST_STATES, STATE_LABELS, type RequestState } from './request-lifecycle'
import { PERMISSIONS, ROLE_LABELS, ROLES, type Permission, type Role } from './roles'
import { capitalise } from './text'
import { formatCalendarDate, formatInTimeZone } from './zoned-time'

// ── Refusals ────────────────────────────────────────────────────────────

/** What someone tried to do, for each permission: "Was refused: read the audit log". */
export const PERMISSION_ATTEMPTS: Record<Permission, string> = {
	'org:view': 'open the organisation',
	'apps:edit': 'register or change an app',
	'requests:edit': 'edit a request',
	'requests:review': 'review requests',
	'members:manage': 'manage members and settings',
	'audit:read': 'read the audit log',
	'api-keys:manage': 'manage API keys',
	'reporting-connections:manage': 'set how Clearance reaches Atlassian for an app',
	'webhooks:manage': 'manage webhooks',
}

function listInWords(items: readonly string[]) {
	if (items.length <= 1) return items.join('')
	return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`
}

/** Why a permission was refused, in words: the role it needs and the roles the person had. */
export function permissionRefusalReason(permission: Permission, roles: readonly Role[]): string {
	const needed = (PERMISSIONS[permission] as readonly Role[]).map((role) => ROLE_LABELS[role])
	const had = roles.length ? roles.map((role) => ROLE_LABELS[role]).join(', ') : 'no role'
	return `Needs the ${listInWords(needed)} role; they had ${had}.`
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'

/** The app or request a page of the organisation is about, read from its path; null for other pages. */
export function subjectOfPath(path: string): { subjectType: 'app' | 'access_request'; subjectId: string } | null {
	const match = new RegExp(`^/o/[^/]+/(apps|requests)/(${UUID})(?:[/.?]|$)`).exec(path)
	if (!match) return null
	return { subjectType: match[1] === 'apps' ? 'app' : 'access_request', subjectId: match[2]!.toLowerCase() }
}

// ── Actions ─────────────────────────────────────────────────────────────

/** Request lifecycle steps: what was done, and what was attempted when refused. */
const REQUEST_STEPS: Record<string, { done: string; attempt: string }> = {
	edit: { done: 'Edited the request', attempt: 'edit the request' },
	submit_for_review: { done: 'Submitted the request for review', attempt: 'submit the request for review' },
	reopen: { done: 'Reopened the request for editing', attempt: 'reopen the request for editing' },
	request_changes: { done: 'Sent the request back for changes', attempt: 'send the request back for changes' },
	complete_review: { done: 'Completed the review', attempt: 'complete the review' },
	record_ticket: { done: 'Recorded the Atlassian ticket', attempt: 'record the Atlassian ticket' },
	atlassian_requested_info: {
		done: 'Recorded that Atlassian asked for more information',
		attempt: 'record that Atlassian asked for more information',
	},
	record_reply: { done: 'Recorded the reply to Atlassian', attempt: 'record the reply to Atlassian' },
	atlassian_approved: { done: 'Recorded Atlassian’s approval', attempt: 'record Atlassian’s approval' },
	atlassian_declined: { done: 'Recorded Atlassian’s decline', attempt: 'record Atlassian’s decline' },
	atlassian_revoked: {
		done: 'Recorded that Atlassian revoked access',
		attempt: 'record that Atlassian revoked access',
	},
	withdraw: { done: 'Withdrew the request', attempt: 'withdraw the request' },
	ticket_note: { done: 'Recorded a ticket follow-up', attempt: 'record a ticket follow-up' },
	date_corrected: { done: 'Corrected a ticket date', attempt: 'correct a ticket date' },
}

/** Each recorded action in words, without the event's details (the filter's pick list). */
const ACTION_LABELS: Record<string, string> = {
	'org.created': 'Created the organisation',
	'org.seeded': 'Created the demo organisation',
	'org.settings_changed': 'Changed the organisation’s settings',
	'org.renamed': 'Renamed the organisation',
	'member.roles_changed': 'Changed a member’s roles',
	'member.removed': 'Removed a member',
	'member.joined': 'Joined the organisation',
	'invite.created': 'Invited someone',
	'invite.revoked': 'Revoked an invitation',
	'app.created': 'Registered the app',
	'app.updated': 'Changed the app',
	'app.archived': 'Archived the app',
	'app.restored': 'Restored the app',
	'app.cycle_changed': 'Changed the reporting cycle',
	'app.cycle_header_confirmed': 'Confirmed the reporting cycle Atlassian set',
	'app.cycle_header_dismissed': 'Dismissed a reporting cycle Atlassian sent',
	'app.personal_data_set_from_request': 'Took the personal-data answer from the approved request',
	'app.storing_since_set': 'Set since when the app stores personal data',
	'app.storing_since_proposed': 'Proposed an earlier storing-since date from an import',
	'app.storing_since_kept': 'Kept the storing-since date',
	'report.prepared': 'Prepared a personal-data report',
	'ticket.date_corrected': 'Corrected a ticket date',
	'ledger.imported': 'Imported stored accounts',
	'ledger.import_started': 'Uploaded stored accounts to import',
	'ledger.import_refused': 'Imported nothing: an all-or-nothing file had rejected rows',
	'ledger.import_cancel_requested': 'Asked to stop an import of stored accounts',
	'ledger.import_cancelled': 'Stopped an import of stored accounts',
	'report_run.recorded': 'Recorded a personal-data report',
	'account_task.erased': 'Erased a closed account’s data',
	'account_task.refreshed': 'Refreshed an updated account’s data',
	'account_task.reopened': 'Undid a task marked done',
	'request.created': 'Started a request',
	'request.saved': 'Saved the request',
	'request.amendment_created': 'Started an amendment',
	'request.use_case_decided': 'Decided a use case',
	'ticket.follow_up': 'Recorded a ticket follow-up',
	'request.decide_refused': 'Was refused a use-case decision',
	'request.action_refused': 'Was refused a request step',
	'permission.denied': 'Was refused: missing role',
	'login.succeeded': 'Logged in',
	'login.failed': 'Failed to log in',
	'login.rate_limited': 'Login blocked after too many attempts',
	'api_key.created': 'Created an API key',
	'api_key.revoked': 'Revoked an API key',
	'api_key.scope_refused': 'Was refused: the API key lacks the scope',
	'app.owners_changed': 'Changed the app’s owners',
	'org.reminder_settings_changed': 'Changed the reminder settings',
	'user.notification_preferences_changed': 'Changed their reminder settings',
	'webhook.created': 'Registered a webhook',
	'webhook.disabled': 'Turned a webhook off',
	'webhook.enabled': 'Turned a webhook on',
	'webhook.deleted': 'Deleted a webhook',
	'webhook.test_sent': 'Sent a test message to a webhook',
	'webhook.delivery_resent': 'Sent a webhook delivery again',
	'webhook.delivery_retried': 'Tried a webhook delivery again at once',
	'calendar_feed.created': 'Created a calendar URL',
	'calendar_feed.revoked': 'Stopped a calendar URL',
	'ledger.account_erased': 'Removed an account whose data the app erased',
	'reporting_connection.saved': 'Set how Clearance reaches Atlassian for the app',
	'reporting_connection.removed': 'Removed how Clearance reaches Atlassian for the app',
	'reporting_connection.broken': 'Atlassian refused the app’s reporting connection',
}
for (const [step, words] of Object.entries(REQUEST_STEPS)) ACTION_LABELS[`request.${step}`] ??= words.done

/** "report_run.recorded" → "Report run recorded": a last resort for actions added after this list. */
function humanise(code: string) {
	return capitalise(code.replace(/[._]+/g, ' ').trim())
}

/** The action in words, for the filter's pick list. */
export function actionLabel(action: string): string {
	return ACTION_LABELS[action] ?? humanise(action)
}

function text(value: unknown) {
	return typeof value === 'string' ? value : ''
}

export function wordsForUseCase(code: string, description?: string | null) {
	if (code === CUSTOM_USE_CASE_CODE) return description ? `“${description}”` : 'a custom use case'
	return `“${findUseCase(code)?.label ?? humanise(code)}”`
}

/** The event's action in words, with what it was about: "Approved use case “send error reports”". */
export function describeAuditAction(action: string, before: unknown, after: unknown): string {
	const detail = (after ?? {}) as Record<string, unknown>
	switch (action) {
		case 'request.use_case_decided': {
			const verb = detail.decision === 'rejected' ? 'Rejected' : detail.decision === 'approved' ? 'Approved' : 'Decided'
			return `${verb} use case ${wordsForUseCase(text(detail.code), text(detail.description))}`
		}
		case 'request.decide_refused': {
			const verb = detail.attempted === 'reject' ? 'reject' : 'approve'
			const what = detail.code ? wordsForUseCase(text(detail.code), text(detail.description)) : 'a use case'
			return `Was refused: ${verb} use case ${what}`
		}
		case 'request.action_refused': {
			const step = REQUEST_STEPS[text(detail.attempted)]
			return step ? `Was refused: ${step.attempt}` : actionLabel(action)
		}
		case 'permission.denied': {
			const attempt = PERMISSION_ATTEMPTS[text(detail.permission) as Permission]
			return attempt ? `Was refused: ${attempt}` : actionLabel(action)
		}
		case 'api_key.scope_refused':
			return `Was refused: ${text(detail.method)} ${text(detail.path)} needs the scope “${text(detail.scope)}”`
		case 'request.saved':
			return Object.keys((before ?? {}) as object).some((key) => key !== 'version' && key !== 'checklistReady')
				? 'Saved the request'
				: 'Saved the request without changing its content'
		default:
			return actionLabel(action)
	}
}

/** Who did it: a name, the organisation's API key, or who it must have been when nobody was signed in. */
export function actorLabel(
	action: string,
	actorName: string | null,
	apiKey?: { name: string | null; prefix: string | null } | null,
): string {
	if (actorName) return actorName
	if (apiKey?.name) return `API key “${apiKey.name}”${apiKey.prefix ? ` (${apiKey.prefix}…)` : ''}`
	return action.startsWith('login.') ? 'Someone not signed in' : 'Clearance'
}

// ── Fields and values ───────────────────────────────────────────────────

export const AUDIT_FIELD_LABELS: Record<string, string> = {
	companyName: 'Company name',
	appName: 'App name',
	name: 'Name',
	appKey: 'App key',
	appType: 'App type',
	products: 'Products',
	marketplaceListingUrl: 'Marketplace listing',
	privacyPolicyUrl: 'Privacy policy URL',
	termsOfUseUrl: 'Terms of use URL',
	storesPersonalData: 'Stores personal data',
	useCases: 'Use cases',
	functionalityDescription: 'Functionality description',
	privacyPolicyExcerpt: 'Privacy policy excerpt',
	version: 'Version',
	checklistReady: 'Checklist passes',
	failing: 'Failing checks',
	state: 'State',
	comment: 'Comment',
	reason: 'Reason',
	ticketKey: 'Ticket',
	url: 'Ticket link',
	openedAt: 'Ticket opened',
	question: 'Atlassian asked',
	reply: 'Reply',
	scopes: 'Approved scopes',
	approvedOn: 'Approved on',
	note: 'Note',
	decision: 'Decision',
	description: 'Use case',
	roles: 'Roles',
	email: 'Email',
	expiresAt: 'Expires',
	founder: 'Founder',
	slug: 'Web address',
	timeZone: 'Time zone',
	followUpDays: 'Ticket follow-up period (days)',
	taskDueDays: 'Task due period (days)',
	cycleDays: 'Reporting cycle (days)',
	cycleSource: 'Cycle set by',
	archivedAt: 'Archived',
	personalDataSince: 'Personal data answered yes on',
	storingSince: 'Storing personal data since',
	storingSinceSource: 'Storing since set by',
	sentAt: 'Sent',
	accountCount: 'Accounts',
	batchCount: 'Batches',
	closedCount: 'Closed accounts',
	updatedCount: 'Updated accounts',
	rows: 'Rows read',
	inserted: 'Accounts added',
	updated: 'Accounts updated',
	rejected: 'Rows refused',
	atomic: 'All or nothing',
	completedAt: 'Completed',
	ledgerRestored: 'Account’s ledger row put back as it was',
	tasksReopened: 'Tasks open again',
	path: 'Page',
	amendsRequestId: 'Amends',
	apiScopes: 'Scopes',
	prefix: 'Key starts with',
	revokedAt: 'Revoked',
	tasksClosed: 'Open tasks closed',
	madeWith: 'Made with',
	address: 'Address',
	disabledAt: 'Turned off',
	message: 'Message',
	connection: 'Connection',
	clientId: 'Client ID',
	webTriggerUrl: 'Web trigger URL',
	baseUrl: 'Site address',
	secretsReplaced: 'Secrets replaced (sealed, never shown)',
	// A prepared report and a recorded run (reporting.server.ts, prepared-reports.server.ts).
	sha256: 'Batches’ SHA-256',
	preparedSha256: 'Prepared report’s SHA-256',
	answeredBatches: 'Batches answered',
	cyclePeriodRaw: 'Atlassian’s Cycle-Period header',
	cyclePeriodOutcome: 'Reporting cycle after the answer',
	recordedLater: 'Recorded later',
	skippedUnknown: 'Answers about accounts not in the ledger',
	sentByClearance: 'Sent by Clearance',
	cycleDaysBefore: 'Reporting cycle before (days)',
	cycleDaysAfter: 'Reporting cycle after (days)',
	// The demo organisation's people.
	users: 'People',
}

/** Recorded for the machine or already said by the action's words: not listed as a change. */
const HIDDEN_FIELDS = new Set([
	'useCaseId',
	'inviteId',
	'appId',
	'attempted',
	'permission',
	'method',
	'amendsRequestId',
	// The prepared report is named by its SHA-256, which a person can compare; its row id says nothing more.
	'preparedReportId',
])
const HIDDEN_FOR: Record<string, readonly string[]> = {
	'request.use_case_decided': ['code', 'description'],
	// The reason already names the roles the person had.
	'request.decide_refused': ['code', 'description', 'decision', 'roles'],
	'request.action_refused': ['roles'],
	'permission.denied': ['roles'],
	// The summary names the endpoint and the scope.
	'api_key.scope_refused': ['scope', 'method', 'path'],
	// `connection` says the kind in words.
	'reporting_connection.saved': ['kind'],
	'reporting_connection.removed': ['kind'],
}

export function fieldLabel(key: string): string {
	return AUDIT_FIELD_LABELS[key] ?? humanise(key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase())
}

/** What a Cycle-Period value in Atlassian's answer did to the app's cycle (HeaderCycleOutcome). */
const CYCLE_OUTCOME_WORDS: Record<string, string> = {
	applied: 'Changed to the cycle Atlassian set',
	unchanged: 'Unchanged: Atlassian set the same cycle',
	pending: 'Waiting for a person to confirm Atlassian’s cycle',
	unreadable: 'Unchanged: the header could not be read',
}

const PERSONAL_DATA_WORDS: Record<string, string> = { yes: 'Yes', no: 'No', undecided: 'Not decided' }
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/

export const EMPTY_VALUE = '(empty)'

function formatInstant(value: string, timeZone: string) {
	return formatInTimeZone(new Date(value), timeZone)
}

/** One recorded value as a person reads it. */
export function formatAuditValue(key: string, value: unknown, timeZone = 'UTC'): string {
	if (value === null || value === undefined || value === '') return EMPTY_VALUE
	if (Array.isArray(value)) {
		if (value.length === 0) return EMPTY_VALUE
		return value.map((item) => formatAuditValue(key, item, timeZone)).join(', ')
	}
	if (key === 'storesPersonalData') {
		if (typeof value === 'boolean') return value ? 'Yes' : 'No'
		return PERSONAL_DATA_WORDS[String(value)] ?? String(value)
	}
	if (typeof value === 'boolean') return value ? 'Yes' : 'No'
	if (key === 'state' && (REQUEST_STATES as readonly string[]).includes(String(value)))
		return STATE_LABELS[value as RequestState]
	if (key === 'appType' && isAppType(value)) return APP_TYPE_RULES[value].label
	if (key === 'cycleSource' && (CYCLE_SOURCES as readonly string[]).includes(String(value)))
		return CYCLE_SOURCE_LABELS[value as CycleSource]
	if ((key === 'products' || key === 'product') && isProduct(value)) return PRODUCT_LABELS[value]
	if (key === 'roles' && (ROLES as readonly string[]).includes(String(value))) return ROLE_LABELS[value as Role]
	if (key === 'decision') return value === 'approved' ? 'Approved' : value === 'rejected' ? 'Rejected' : String(value)
	if (key === 'useCases' && typeof value === 'object' && 'code' in value) {
		const useCase = value as { code: string; description?: string }
		return useCase.code === CUSTOM_USE_CASE_CODE
			? `Custom: ${useCase.description ?? ''}`
			: (findUseCase(useCase.code)?.label ?? useCase.code)
	}
	if (key === 'failing' && typeof value === 'string') return humanise(value)
	if (key === 'cyclePeriodOutcome' && typeof value === 'string') return CYCLE_OUTCOME_WORDS[value] ?? value
	if (key === 'storingSinceSource' && typeof value === 'string') return STORING_SINCE_SOURCE_WORDS[value] ?? value
	if (typeof value === 'string' && ISO_DAY.test(value)) return formatCalendarDate(value)
	if (typeof value === 'string') return ISO_INSTANT.test(value) ? formatInstant(value, timeZone) : value
	if (typeof value === 'number') return value.toLocaleString('en-GB')
	return JSON.stringify(value)
}

/**
 * A field whose name says little on its own (`kind`), read by the event it is on: its label and its values in words.
 * On another event it is shown as recorded.
 */
const FIELD_BY_ACTION: Record<string, Record<string, { label: string; words: Record<string, string> }>> = {}
const TASK_KIND = {
	label: 'Task',
	words: { erase: 'Erase a closed account’s data', refresh: 'Refresh an updated account’s data' },
}
for (const action of ['account_task.erased', 'account_task.refreshed', 'account_task.reopened'])
	FIELD_BY_ACTION[action] = { kind: TASK_KIND }
FIELD_BY_ACTION['reporter_run.failed'] = { kind: { label: 'Connection', words: CONNECTION_KIND_LABELS } }

/** Who set an app's "storing since" date (apps.storing_since_source). */
const STORING_SINCE_SOURCE_WORDS: Record<string, string> = {
	person: 'A person',
	ledger: 'The ledger (the oldest last-updated time first stored)',
}

/** What `maskEmailAddresses` leaves where an address was. */
const EMAIL_MARK = '[email address]'

/** A text this long, or on several lines, is shown as a word diff rather than old → new. */
const LONG_TEXT = 80

export type AuditChangeView =
	/** A field that changed: old → new. */
	| { kind: 'value'; label: string; from: string; to: string }
	/** A long text that changed: a compact word diff, and both texts in full. */
	| { kind: 'text'; label: string; parts: TextPart[]; from: string; to: string }
	/** A list that changed: what was added and removed. */
	| { kind: 'list'; label: string; added: string[]; removed: string[] }
	/** A value recorded on one side only (what was created, a reason, a comment). */
	| { kind: 'detail'; label: string; value: string; long: boolean }

const isLong = (value: string) => value.length > LONG_TEXT || value.includes('\n')

/**
 * The event's before/after as a person reads it: for each field that is on
 * both sides and differs, old → new (a word diff for long texts, added and
 * removed items for lists); a field on one side only is a detail.
 */
export function auditChangeViews(action: string, before: unknown, after: unknown, timeZone = 'UTC'): AuditChangeView[] {
	const old = (before && typeof before === 'object' && !Array.isArray(before) ? before : {}) as Record<string, unknown>
	const now = (after && typeof after === 'object' && !Array.isArray(after) ? after : {}) as Record<string, unknown>
	const hidden = new Set([...HIDDEN_FIELDS, ...(HIDDEN_FOR[action] ?? [])])
	const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])].filter((key) => !hidden.has(key))
	const views: AuditChangeView[] = []
	const byAction = FIELD_BY_ACTION[action] ?? {}
	const format = (key: string, value: unknown) => {
		const reading = byAction[key]
		return reading && typeof value === 'string' && value in reading.words
			? reading.words[value]!
			: formatAuditValue(key, value, timeZone)
	}
	for (const key of keys) {
		const label = byAction[key]?.label ?? fieldLabel(key)
		const inOld = key in old
		const inNow = key in now
		if (inOld && inNow) {
			const from = old[key]
			const to = now[key]
			if (JSON.stringify(from) === JSON.stringify(to)) {
				// Only an email address changed: both sides read the same once addresses are removed.
				if (typeof from === 'string' && from.includes(EMAIL_MARK)) {
					views.push({
						kind: 'detail',
						label,
						value: 'An email address changed (addresses are not kept).',
						long: false,
					})
				}
				continue
			}
			if (
				(Array.isArray(from) || from == null) &&
				(Array.isArray(to) || to == null) &&
				(Array.isArray(from) || Array.isArray(to))
			) {
				const { added, removed } = listChanges((from ?? []) as unknown[], (to ?? []) as unknown[])
				views.push({
					kind: 'list',
					label,
					added: added.map((item) => format(key, item)),
					removed: removed.map((item) => format(key, item)),
				})
			} else if ((typeof from === 'string' || typeof to === 'string') && (isLong(text(from)) || isLong(text(to)))) {
				views.push({
					kind: 'text',
					label,
					parts: compactTextDiff(textDiff(text(from), text(to))),
					from: text(from),
					to: text(to),
				})
			} else {
				views.push({
					kind: 'value',
					label,
					from: format(key, from),
					to: format(key, to),
				})
			}
		} else {
			const value = format(key, inNow ? now[key] : old[key])
			views.push({ kind: 'detail', label, value, long: isLong(value) })
		}
	}
	return views
}

// ── Subjects ────────────────────────────────────────────────────────────

/** What the database knows about a subject: its name and, for reporting records, the app. */
export type ResolvedSubject = { name: string; appId?: string | null }

export type SubjectView = { label: string; href: string | null }

/** The kinds of subject the audit page looks up by name. */
const SUBJECT_WORDS: Record<string, string> = {
	access_request: 'A request',
	app: 'An app',
	user: 'A person',
	organization: 'The organisation',
	invite: 'An invitation',
	report_run: 'A report run',
	account_action: 'An account task',
	api_key: 'An API key',
	webhook: 'A webhook',
}

/** The subject by name, with a link to where it lives; an id the database no longer knows is said so. */
export function subjectView(
	orgSlug: string,
	subjectType: string,
	subjectId: string,
	resolved?: ResolvedSubject,
): SubjectView {
	const base = `/o/${orgSlug}`
	if (!resolved) {
		const known = SUBJECT_WORDS[subjectType]
		return { label: known ? `${known} no longer in this organisation` : humanise(subjectType), href: null }
	}
	const reporting = resolved.appId ? `${base}/apps/${resolved.appId}/reporting` : null
	switch (subjectType) {
		case 'access_request':
			return { label: `Request for ${resolved.name}`, href: `${base}/requests/${subjectId}` }
		case 'app':
			return { label: resolved.name, href: `${base}/apps/${subjectId}` }
		case 'user':
			return { label: resolved.name, href: `${base}/members` }
		case 'organization':
			return { label: resolved.name, href: `${base}/settings` }
		case 'invite':
			return { label: `Invitation for ${resolved.name}`, href: `${base}/members` }
		case 'report_run':
			return { label: `Report run for ${resolved.name}`, href: reporting }
		case 'account_action':
			return { label: `Account task for ${resolved.name}`, href: reporting }
		case 'api_key':
			return { label: `API key “${resolved.name}”`, href: `${base}/api-keys` }
		case 'webhook':
			return { label: `Webhook “${resolved.name}”`, href: `${base}/webhooks/${subjectId}` }
		default:
			return { label: resolved.name, href: reporting }
	}
}

// ── One event as the audit page shows it ────────────────────────────────

export type AuditEventRow = {
	id: number
	action: string
	subjectType: string
	subjectId: string
	before: unknown
	after: unknown
	createdAt: Date | string
	actorName: string | null
	/** The organisation's API key that acted, when no person did (issue 12). */
	actorKeyName?: string | null
	actorKeyPrefix?: string | null
}

export type AuditEventView = {
	id: number
	action: string
	at: string
	who: string
	summary: string
	/** A refused attempt (four eyes, a missing role, a failed or blocked login): shown as such. */
	refused: boolean
	subject: SubjectView
	changes: AuditChangeView[]
}

const REFUSALS = new Set([
	'request.decide_refused',
	'request.action_refused',
	'permission.denied',
	'login.failed',
	'login.rate_limited',
	'api_key.scope_refused',
])

export function presentAuditEvent(
	event: AuditEventRow,
	{ orgSlug, timeZone, subject }: { orgSlug: string; timeZone: string; subject?: ResolvedSubject },
): AuditEventView {
	return {
		id: event.id,
		action: event.action,
		at: new Date(event.createdAt).toISOString(),
		who: actorLabel(event.action, event.actorName, {
			name: event.actorKeyName ?? null,
			prefix: event.actorKeyPrefix ?? null,
		}),
		summary: describeAuditAction(event.action, event.before, event.after),
		refused: REFUSALS.has(event.action),
		subject: subjectView(orgSlug, event.subjectType, event.subjectId, subject),
		changes: auditChangeViews(event.action, event.before, event.after, timeZone),
	}
}
