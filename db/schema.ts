import { sql } from 'drizzle-orm'
import {
	check,
	index,
	jsonb,
	pgEnum,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uniqueIndex,
	uuid,
	bigserial,
	boolean,
	doublePrecision,
	integer,
	bigint,
	customType,
	date,
	type AnyPgColumn,
} from 'drizzle-orm/pg-core'
// Enum values come from the pure domain, the one place they are defined.
// Relative imports: drizzle-kit loads this file without the app's aliases.
import { API_SCOPES } from '../app/domain/api-keys'
import { APP_TYPES } from '../app/domain/catalogue'
import { ENGINE_OUTCOMES } from '../app/domain/checklist'
import { PERSONAL_DATA_ANSWERS } from '../app/domain/reporting-cycle'
import { REQUEST_STATES } from '../app/domain/request-lifecycle'
import { ROLES } from '../app/domain/roles'

// Every timestamp is stored in UTC (`timestamptz`) and shown in the
// organisation's time zone.
const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow()

/** Text under the C collation: compared and ordered by its bytes, whatever the database's own collation. */
const bytewiseText = customType<{ data: string }>({ dataType: () => 'text collate "C"' })

export const roleEnum = pgEnum('role', ROLES)

export const organizations = pgTable('organizations', {
	id: uuid().primaryKey().defaultRandom(),
	slug: text().notNull().unique(),
	name: text().notNull(),
	timeZone: text().notNull().default('UTC'),
	/** Days without ticket activity before a follow-up prompt (docs/rules.md › Tickets). */
	followUpDays: integer().notNull().default(10),
	/** Internal policy for erase/refresh tasks, not Atlassian's (docs/rules.md › Personal-data reporting). */
	taskDueDays: integer().notNull().default(30),
	/** Bumped by every settings save and checked by it: two admins saving at once cannot silently revert each other. */
	version: integer().notNull().default(1),
	createdAt: createdAt(),
})

// Clearance's own users. Their email is their login — not Atlassian data
// (docs/rules.md › Emails are never stored).
export const users = pgTable(
	'users',
	{
		id: uuid().primaryKey().defaultRandom(),
		email: text().notNull(),
		name: text().notNull(),
		passwordHash: text().notNull(),
		createdAt: createdAt(),
	},
	(t) => [uniqueIndex('users_email_lower_idx').on(sql`lower(${t.email})`)],
)

export const memberships = pgTable(
	'memberships',
	{
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		userId: uuid()
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		roles: roleEnum().array().notNull(),
		createdAt: createdAt(),
	},
	(t) => [
		primaryKey({ columns: [t.orgId, t.userId] }),
		index('memberships_user_idx').on(t.userId),
		check('memberships_roles_not_empty', sql`cardinality(${t.roles}) > 0`),
	],
)

// The cookie carries a random token; only its SHA-256 lands here, so a
// database leak does not hand out live sessions.
export const sessions = pgTable(
	'sessions',
	{
		tokenHash: text().primaryKey(),
		userId: uuid()
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		expiresAt: timestamp({ withTimezone: true }).notNull(),
		createdAt: createdAt(),
	},
	(t) => [index('sessions_user_idx').on(t.userId)],
)

export const invites = pgTable(
	'invites',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		email: text().notNull(),
		roles: roleEnum().array().notNull(),
		tokenHash: text().notNull().unique(),
		createdBy: uuid()
			.notNull()
			.references(() => users.id),
		createdAt: createdAt(),
		expiresAt: timestamp({ withTimezone: true }).notNull(),
		acceptedAt: timestamp({ withTimezone: true }),
		acceptedBy: uuid().references(() => users.id),
		revokedAt: timestamp({ withTimezone: true }),
	},
	(t) => [index('invites_org_idx').on(t.orgId), check('invites_roles_not_empty', sql`cardinality(${t.roles}) > 0`)],
)

export const appTypeEnum = pgEnum('app_type', APP_TYPES)
export const personalDataEnum = pgEnum('stores_personal_data', PERSONAL_DATA_ANSWERS)

export const apps = pgTable(
	'apps',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		name: text().notNull(),
		appKey: text().notNull(),
		appType: appTypeEnum().notNull(),
		products: text()
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		marketplaceListingUrl: text(),
		privacyPolicyUrl: text(),
		termsOfUseUrl: text(),
		storesPersonalData: personalDataEnum().notNull().default('undecided'),
		/** When the personal-data answer last became `yes`: the reporting anchor of last resort. */
		personalDataSince: timestamp({ withTimezone: true }),
		/**
		 * Since when the app stores Atlassian users' personal data (docs/rules.md ›
		 * Personal-data reporting): the first report is due one cycle after it.
		 * Set by a person (`person`) or, when nobody has, from the oldest
		 * `updatedAt` of the first import (`ledger`).
		 */
		storingSince: timestamp({ withTimezone: true }),
		storingSinceSource: text(),
		storingSinceSetBy: uuid().references(() => users.id),
		storingSinceSetAt: timestamp({ withTimezone: true }),
		/** An import held accounts older than `storingSince`: proposed to a person, counted from until they answer. */
		storingSinceProposed: timestamp({ withTimezone: true }),
		/**
		 * Reporting cycle in days (docs/rules.md › Reporting cycle): 15 by
		 * default. Fractional when Atlassian's Cycle-Period header gives one
		 * (PT12H is half a day): its precision is kept, never rounded up.
		 */
		cycleDays: doublePrecision().notNull().default(15),
		cycleSource: text().notNull().default('guideline'),
		cycleSetAt: timestamp({ withTimezone: true }),
		/** Why the organisation chose a cycle longer than Atlassian's (required then). */
		cycleReason: text(),
		/** The last cycle Atlassian set by Cycle-Period header, once a person confirmed it. */
		atlassianCycleDays: doublePrecision(),
		/** A report run whose Cycle-Period header waits for a person to confirm it. */
		pendingCycleRunId: uuid().references((): AnyPgColumn => reportRuns.id, { onDelete: 'set null' }),
		archivedAt: timestamp({ withTimezone: true }),
		/** Bumped by every edit of the app's details and checked by it (optimistic locking, as requests do). */
		version: integer().notNull().default(1),
		createdBy: uuid().references(() => users.id),
		createdAt: createdAt(),
		updatedAt: createdAt(),
	},
	(t) => [
		uniqueIndex('apps_org_key_idx').on(t.orgId, t.appKey),
		// From one hour (the shortest Cycle-Period read) to 90 days.
		check('apps_cycle_days_range', sql`${t.cycleDays} * 86400 >= 3600 and ${t.cycleDays} <= 90`),
		check('apps_storing_since_source_known', sql`${t.storingSinceSource} in ('person', 'ledger')`),
		check(
			'apps_cycle_source_known',
			sql`${t.cycleSource} in ('guideline', 'api_default', 'cycle_period_header', 'custom')`,
		),
	],
)

export const requestStateEnum = pgEnum('request_state', REQUEST_STATES)

/**
 * An Email API access request. The app's details are copied in when the
 * request is made: what was sent to Atlassian is evidence and must not
 * change when the app record does. `version` is bumped by every write and
 * checked by every transition (optimistic locking, docs/architecture.md › Transactions and concurrency).
 */
export const accessRequests = pgTable(
	'access_requests',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		appId: uuid()
			.notNull()
			.references(() => apps.id),
		state: requestStateEnum().notNull().default('draft'),
		version: integer().notNull().default(1),
		amendsRequestId: uuid().references((): AnyPgColumn => accessRequests.id),
		companyName: text().notNull().default(''),
		appName: text().notNull().default(''),
		appKey: text().notNull().default(''),
		appType: appTypeEnum(),
		products: text()
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		marketplaceListingUrl: text().notNull().default(''),
		privacyPolicyUrl: text().notNull().default(''),
		termsOfUseUrl: text().notNull().default(''),
		storesPersonalData: boolean(),
		functionalityDescription: text().notNull().default(''),
		privacyPolicyExcerpt: text().notNull().default(''),
		/** Whether the checklist had no failing check at the last save. */
		checklistReady: boolean().notNull().default(false),
		createdBy: uuid()
			.notNull()
			.references(() => users.id),
		updatedBy: uuid()
			.notNull()
			.references(() => users.id),
		createdAt: createdAt(),
		updatedAt: createdAt(),
	},
	(t) => [
		index('access_requests_org_idx').on(t.orgId, t.updatedAt),
		index('access_requests_app_idx').on(t.appId),
		check('access_requests_version_positive', sql`${t.version} > 0`),
	],
)

export const reviewerDecisionEnum = pgEnum('reviewer_decision', ['approved', 'rejected'])
export const engineOutcomeEnum = pgEnum('engine_outcome', ENGINE_OUTCOMES)

/** One use case of a request: a catalogue code, or `other` with its description. */
export const requestUseCases = pgTable(
	'request_use_cases',
	{
		id: uuid().primaryKey().defaultRandom(),
		requestId: uuid()
			.notNull()
			.references(() => accessRequests.id, { onDelete: 'cascade' }),
		position: integer().notNull(),
		code: text().notNull(),
		description: text().notNull().default(''),
		engineOutcome: engineOutcomeEnum().notNull(),
		suggestedCode: text(),
		decision: reviewerDecisionEnum(),
		decisionReason: text(),
		decidedBy: uuid().references(() => users.id),
		decidedAt: timestamp({ withTimezone: true }),
	},
	(t) => [uniqueIndex('request_use_cases_position_idx').on(t.requestId, t.position)],
)

// ── Review and tickets (issue 5) ─────────────────────────────────────────

/** The Atlassian support ticket of a request (docs/rules.md › Tickets). */
export const tickets = pgTable(
	'tickets',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		requestId: uuid()
			.notNull()
			.references(() => accessRequests.id, { onDelete: 'cascade' }),
		key: text().notNull(),
		url: text(),
		openedAt: timestamp({ withTimezone: true }).notNull(),
		lastActivityAt: timestamp({ withTimezone: true }).notNull(),
		createdBy: uuid()
			.notNull()
			.references(() => users.id),
		createdAt: createdAt(),
	},
	(t) => [uniqueIndex('tickets_request_idx').on(t.requestId), index('tickets_org_idx').on(t.orgId)],
)

/**
 * The timeline of a request: transitions, review comments, what Atlassian
 * asked and answered. `details` holds the event's own fields (comment,
 * question, reply, products and scopes approved, decline reason…).
 */
export const requestEvents = pgTable(
	'request_events',
	{
		id: bigserial({ mode: 'number' }).primaryKey(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		requestId: uuid()
			.notNull()
			.references(() => accessRequests.id, { onDelete: 'cascade' }),
		kind: text().notNull(),
		fromState: requestStateEnum(),
		toState: requestStateEnum(),
		actorUserId: uuid().references(() => users.id),
		occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
		details: jsonb()
			.notNull()
			.default(sql`'{}'::jsonb`),
		createdAt: createdAt(),
	},
	(t) => [index('request_events_request_idx').on(t.requestId, t.id)],
)

export const notifications = pgTable(
	'notifications',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		userId: uuid()
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		kind: text().notNull(),
		message: text().notNull(),
		link: text(),
		requestId: uuid().references(() => accessRequests.id, { onDelete: 'cascade' }),
		createdAt: createdAt(),
		readAt: timestamp({ withTimezone: true }),
	},
	(t) => [index('notifications_user_idx').on(t.userId, t.orgId, t.readAt)],
)

// ── Personal-data reporting (issue 6) ────────────────────────────────────

/**
 * The account ids an app stores — never an email address. The only table
 * that grows with Atlassian's end users: keyed and always queried by app,
 * so it can be distributed by app_id (docs/architecture.md › Scaling out).
 */
export const storedAccounts = pgTable(
	'stored_accounts',
	{
		// An app of `apps`, deleted with it: kept by migration 0015's triggers once per statement, where a foreign
		// key checked (and planned) its app again for every row, most of a COPY's time (decision 031).
		appId: uuid().notNull(),
		// Compared byte by byte (migration 0017, decision 032): the key orders ids alike on every database and serves
		// the search by prefix (`LIKE 'abc%'`) as a range, so the ledger needs no second index of its ids.
		accountId: bytewiseText().notNull(),
		updatedAt: timestamp({ withTimezone: true }).notNull(),
		createdAt: createdAt(),
	},
	(t) => [
		primaryKey({ columns: [t.appId, t.accountId] }),
		// The oldest updatedAt of an app: one index probe, not a scan (docs/performance.md).
		index('stored_accounts_updated_idx').on(t.appId, t.updatedAt),
		// The length apart from the pattern: `{1,128}` in PostgreSQL's regular expressions cost some 60% of a COPY
		// into the ledger, where `+` and length() cost a few per cent (docs/performance.md › Imports).
		check(
			'stored_accounts_account_id_format',
			sql`${t.accountId} ~ '^[A-Za-z0-9:_-]+$' and length(${t.accountId}) <= 128 and ${t.accountId} <> 'unknown'`,
		),
	],
)

/**
 * A report as prepared for sending: the batch set is identified by the
 * SHA-256 of its batches' SHA-256s (docs/rules.md › Personal-data reporting),
 * so downloading batches stays free of side effects and a run can name
 * exactly what it answers.
 */
export const preparedReports = pgTable(
	'prepared_reports',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		appId: uuid()
			.notNull()
			.references(() => apps.id, { onDelete: 'cascade' }),
		sha256: text().notNull(),
		accountCount: integer().notNull(),
		batchCount: integer().notNull(),
		/** SHA-256 of each batch body, in order. */
		batchSha256: text().array().notNull(),
		preparedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
		/** Null when recorded by a run that named it (an API client). */
		preparedBy: uuid().references(() => users.id),
	},
	(t) => [
		uniqueIndex('prepared_reports_app_sha_idx').on(t.appId, t.sha256),
		index('prepared_reports_org_app_idx').on(t.orgId, t.appId, t.preparedAt),
		check('prepared_reports_sha_format', sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
	],
)

/** One personal-data report sent to Atlassian, with what came back: evidence. */
export const reportRuns = pgTable(
	'report_runs',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		appId: uuid()
			.notNull()
			.references(() => apps.id, { onDelete: 'cascade' }),
		sentAt: timestamp({ withTimezone: true }).notNull(),
		/** What was sent; null only for runs recorded before prepared reports existed. */
		preparedReportId: uuid().references(() => preparedReports.id),
		accountCount: integer().notNull(),
		batchCount: integer().notNull(),
		closedCount: integer().notNull().default(0),
		updatedCount: integer().notNull().default(0),
		/** The raw Cycle-Period header, kept as returned (docs/rules.md › Cycle-Period header). */
		cyclePeriodRaw: text(),
		cyclePeriodDays: doublePrecision(),
		/** What became of the header: applied, pending (a person must confirm), dismissed, unchanged or unreadable. */
		cyclePeriodOutcome: text(),
		answers: jsonb()
			.notNull()
			.default(sql`'[]'::jsonb`),
		/** Per batch: its index, the status code, the raw body and the raw Cycle-Period value. */
		batchAnswers: jsonb()
			.notNull()
			.default(sql`'[]'::jsonb`),
		/** The person who recorded the run, or (API, issue 12) the organisation's key that did: exactly one. */
		recordedBy: uuid().references(() => users.id),
		recordedByKeyId: uuid().references((): AnyPgColumn => apiKeys.id),
		/** Sent by Clearance's own reporter (issue 14): then neither a person nor a key recorded it. */
		sentByClearance: boolean().notNull().default(false),
		createdAt: createdAt(),
	},
	(t) => [
		index('report_runs_app_idx').on(t.appId, t.sentAt),
		check(
			'report_runs_recorded_by_one',
			sql`num_nonnulls(${t.recordedBy}, ${t.recordedByKeyId}) + (case when ${t.sentByClearance} then 1 else 0 end) = 1`,
		),
	],
)

export const accountActionKindEnum = pgEnum('account_action_kind', ['erase', 'refresh'])

/** Erase (closed account) and refresh (updated profile) tasks from a report run. */
export const accountActions = pgTable(
	'account_actions',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		appId: uuid()
			.notNull()
			.references(() => apps.id, { onDelete: 'cascade' }),
		runId: uuid()
			.notNull()
			.references(() => reportRuns.id, { onDelete: 'cascade' }),
		accountId: text().notNull(),
		kind: accountActionKindEnum().notNull(),
		dueAt: timestamp({ withTimezone: true }).notNull(),
		completedAt: timestamp({ withTimezone: true }),
		completedBy: uuid().references(() => users.id),
		/**
		 * The account's ledger row as it was before this task was done (its updatedAt and when it was first stored),
		 * so that a task marked done by mistake can be undone exactly (reopenTask); cleared when it is reopened.
		 */
		priorUpdatedAt: timestamp({ withTimezone: true }),
		priorCreatedAt: timestamp({ withTimezone: true }),
		createdAt: createdAt(),
	},
	(t) => [index('account_actions_app_open_idx').on(t.appId, t.completedAt, t.dueAt)],
)

/**
 * Fixed-window counters for rate limits, in the database so that every app
 * server sees the same count (docs/architecture.md › Scaling out).
 */
export const rateLimits = pgTable('rate_limits', {
	key: text().primaryKey(),
	windowStart: timestamp({ withTimezone: true }).notNull(),
	count: integer().notNull(),
})

// ── API keys and the REST API (issue 12) ─────────────────────────────────

/**
 * An organisation's key for the REST API under /api/v1 (docs/architecture.md ›
 * REST API). The key is shown once; only its SHA-256 is stored, with its
 * visible start (`clr_AbCd1234`) so people can tell keys apart. Revoking
 * stamps `revoked_at`: every request looks the key up, so it takes effect at
 * once. Keys are never deleted: the audit log names them.
 */
export const apiKeys = pgTable(
	'api_keys',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		name: text().notNull(),
		prefix: text().notNull(),
		keyHash: text().notNull(),
		scopes: text().array().notNull(),
		/** Null for a key made with `npm run api-key` (nobody signed in). */
		createdBy: uuid().references(() => users.id),
		createdAt: createdAt(),
		/** Updated at most once a minute, so a busy job does not write on every request. */
		lastUsedAt: timestamp({ withTimezone: true }),
		revokedAt: timestamp({ withTimezone: true }),
		revokedBy: uuid().references(() => users.id),
	},
	(t) => [
		uniqueIndex('api_keys_hash_idx').on(t.keyHash),
		index('api_keys_org_idx').on(t.orgId, t.createdAt),
		check('api_keys_hash_format', sql`${t.keyHash} ~ '^[0-9a-f]{64}$'`),
		check(
			'api_keys_scopes_known',
			sql`cardinality(${t.scopes}) > 0 and ${t.scopes} <@ ${sql.raw(`array[${API_SCOPES.map((scope) => `'${scope}'`).join(', ')}]::text[]`)}`,
		),
	],
)

/**
 * The first answer to a POST sent with an `Idempotency-Key` header, per API
 * key: a retry of the same request gets it again instead of a second run.
 * Written in the same transaction as the change it answers.
 */
export const apiIdempotencyKeys = pgTable(
	'api_idempotency_keys',
	{
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		apiKeyId: uuid()
			.notNull()
			.references(() => apiKeys.id, { onDelete: 'cascade' }),
		key: text().notNull(),
		/** SHA-256 of the method, path and body: the same key sent with another request is refused. */
		requestSha256: text().notNull(),
		status: integer().notNull(),
		body: jsonb().notNull(),
		createdAt: createdAt(),
	},
	(t) => [primaryKey({ columns: [t.apiKeyId, t.key] }), index('api_idempotency_keys_created_idx').on(t.createdAt)],
)

// Append-only: a trigger in the migrations refuses UPDATE, DELETE and
// TRUNCATE, so the log can be shown to an auditor.
export const auditEvents = pgTable(
	'audit_events',
	{
		id: bigserial({ mode: 'number' }).primaryKey(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id),
		actorUserId: uuid().references(() => users.id),
		/** The organisation's API key that made the change (issue 12); then no person is the actor. */
		actorApiKeyId: uuid().references((): AnyPgColumn => apiKeys.id),
		action: text().notNull(),
		subjectType: text().notNull(),
		subjectId: text().notNull(),
		before: jsonb(),
		after: jsonb(),
		createdAt: createdAt(),
	},
	(t) => [
		index('audit_events_org_created_idx').on(t.orgId, t.createdAt),
		// Four eyes reads a request's whole edit history; the audit page names subjects.
		index('audit_events_subject_idx').on(t.orgId, t.subjectType, t.subjectId),
		// The audit page's pick lists (the distinct actions and people of an organisation), read by a loose index scan.
		index('audit_events_org_action_idx').on(t.orgId, t.action),
		index('audit_events_org_actor_idx').on(t.orgId, t.actorUserId),
	],
)

export type Role = (typeof roleEnum.enumValues)[number]
export type AppType = (typeof appTypeEnum.enumValues)[number]
export type PersonalDataAnswer = (typeof personalDataEnum.enumValues)[number]
export type RequestStateValue = (typeof requestStateEnum.enumValues)[number]

// ── Reminders (issue 13) ─────────────────────────────────────────────────

/** Members responsible for an app: they receive its reminders; admins receive escalations. */
export const appOwners = pgTable(
	'app_owners',
	{
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		appId: uuid()
			.notNull()
			.references(() => apps.id, { onDelete: 'cascade' }),
		userId: uuid()
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		createdAt: createdAt(),
	},
	(t) => [primaryKey({ columns: [t.appId, t.userId] }), index('app_owners_org_user_idx').on(t.orgId, t.userId)],
)

/** The organisation's reminder policy (one row per organisation, created with defaults when first read). */
export const reminderSettings = pgTable(
	'reminder_settings',
	{
		orgId: uuid()
			.primaryKey()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		/** Days before a reporting due date on which to remind (0 = the due day); daily after it while overdue. */
		reportingOffsetsDays: integer()
			.array()
			.notNull()
			.default(sql`'{7,3,1,0}'::integer[]`),
		/** Days before an erase/refresh task's due date on which to remind. */
		taskOffsetsDays: integer()
			.array()
			.notNull()
			.default(sql`'{3,0}'::integer[]`),
		/** Days overdue after which admins are told too. */
		escalateAfterDays: integer().notNull().default(3),
		/** Days a request may wait for review before its reviewers are reminded. */
		reviewWaitDays: integer().notNull().default(3),
		version: integer().notNull().default(1),
		updatedAt: createdAt(),
	},
	(t) => [
		check('reminder_settings_escalate_range', sql`${t.escalateAfterDays} between 0 and 365`),
		check('reminder_settings_review_wait_range', sql`${t.reviewWaitDays} between 1 and 365`),
	],
)

/** A person's reminder channels in one organisation (defaults when no row: everything on, email immediate). */
export const notificationPreferences = pgTable(
	'notification_preferences',
	{
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		userId: uuid()
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		inApp: boolean().notNull().default(true),
		email: boolean().notNull().default(true),
		/** `immediate` or `digest` (one email a day). */
		emailMode: text().notNull().default('immediate'),
		webhooks: boolean().notNull().default(true),
		/** The last day (organisation's local date, YYYY-MM-DD) a digest was sent. */
		lastDigestOn: text(),
		updatedAt: createdAt(),
	},
	(t) => [
		primaryKey({ columns: [t.orgId, t.userId] }),
		check('notification_preferences_email_mode_known', sql`${t.emailMode} in ('immediate', 'digest')`),
	],
)

/**
 * One reminder, once: the unique key is (subject, kind, due date, offset), so
 * a second pass the same day, or a second server, creates nothing new.
 * `dueOn` and `firesOn` are local dates (YYYY-MM-DD) in the organisation's time zone.
 */
export const reminders = pgTable(
	'reminders',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		/** `app`, `task`, `ticket` or `request`. */
		subjectType: text().notNull(),
		subjectId: text().notNull(),
		/** e.g. `reporting_due`, `reporting_overdue`, `answer_needed`, `task_due`, `ticket_quiet`, `review_waiting`, `escalation`. */
		kind: text().notNull(),
		dueOn: text().notNull(),
		/** Days before the due date (negative: days overdue). */
		offsetDays: integer().notNull(),
		firesOn: text().notNull(),
		message: text().notNull(),
		link: text(),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex('reminders_once_idx').on(t.orgId, t.subjectType, t.subjectId, t.kind, t.dueOn, t.offsetDays),
		index('reminders_org_created_idx').on(t.orgId, t.createdAt),
	],
)

/**
 * Email to Clearance's own users (never to an Atlassian user). Written by the
 * pass that creates a reminder, in its transaction; sent after commit. Without
 * SMTP_URL rows stay `held` and an admin page shows what would have been sent.
 */
export const emailOutbox = pgTable(
	'email_outbox',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		userId: uuid().references(() => users.id, { onDelete: 'set null' }),
		reminderId: uuid().references(() => reminders.id, { onDelete: 'set null' }),
		toAddress: text().notNull(),
		subject: text().notNull(),
		textBody: text().notNull(),
		htmlBody: text().notNull(),
		/** `pending`, `sent`, `failed` or `held` (no SMTP configured). */
		status: text().notNull().default('pending'),
		attempts: integer().notNull().default(0),
		lastError: text(),
		nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
		lockedUntil: timestamp({ withTimezone: true }),
		sentAt: timestamp({ withTimezone: true }),
		createdAt: createdAt(),
	},
	(t) => [
		index('email_outbox_org_created_idx').on(t.orgId, t.createdAt),
		index('email_outbox_pending_idx').on(t.status, t.nextAttemptAt),
		check('email_outbox_status_known', sql`${t.status} in ('pending', 'sent', 'failed', 'held')`),
	],
)

/** An outgoing webhook an admin registered (Slack-compatible body plus a structured event). */
export const webhooks = pgTable(
	'webhooks',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		name: text().notNull(),
		url: text().notNull(),
		/** The HMAC-SHA256 signing secret, shown to the admin once when created. */
		secret: text().notNull(),
		createdBy: uuid().references(() => users.id),
		createdAt: createdAt(),
		disabledAt: timestamp({ withTimezone: true }),
	},
	(t) => [index('webhooks_org_idx').on(t.orgId, t.createdAt)],
)

/**
 * The durable outbox of webhook deliveries: a crash loses nothing; a row is
 * claimed (`lockedUntil`) before it is sent, so a retry never doubles.
 */
export const webhookDeliveries = pgTable(
	'webhook_deliveries',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		webhookId: uuid()
			.notNull()
			.references(() => webhooks.id, { onDelete: 'cascade' }),
		reminderId: uuid().references(() => reminders.id, { onDelete: 'set null' }),
		/** The exact body sent (signed as is). */
		body: text().notNull(),
		/** `pending`, `delivered` or `failed` (gave up after the last attempt). */
		status: text().notNull().default('pending'),
		attempts: integer().notNull().default(0),
		lastStatusCode: integer(),
		lastError: text(),
		nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
		lockedUntil: timestamp({ withTimezone: true }),
		deliveredAt: timestamp({ withTimezone: true }),
		createdAt: createdAt(),
	},
	(t) => [
		index('webhook_deliveries_org_created_idx').on(t.orgId, t.webhookId, t.createdAt),
		index('webhook_deliveries_pending_idx').on(t.status, t.nextAttemptAt),
		check('webhook_deliveries_status_known', sql`${t.status} in ('pending', 'delivered', 'failed')`),
	],
)

/**
 * A secret iCalendar feed URL (`/calendar/<token>.ics`): for the whole
 * organisation (`userId` null) or for one person's apps. Only the token's
 * SHA-256 is stored; revoking stamps `revokedAt`.
 */
export const calendarFeeds = pgTable(
	'calendar_feeds',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		userId: uuid().references(() => users.id, { onDelete: 'cascade' }),
		tokenHash: text().notNull(),
		createdBy: uuid().references(() => users.id),
		createdAt: createdAt(),
		revokedAt: timestamp({ withTimezone: true }),
	},
	(t) => [
		uniqueIndex('calendar_feeds_token_idx').on(t.tokenHash),
		index('calendar_feeds_org_idx').on(t.orgId, t.userId),
	],
)

// ── The reporter (issue 14) ──────────────────────────────────────────────

/**
 * How Clearance reaches Atlassian's personal-data reporting API for one app:
 * `oauth2`, `forge_webtrigger` or `connect`. Non-secret settings in `settings`;
 * secrets (client secret, refresh token, web-trigger secret, shared secret) only
 * in `secretsCiphertext`, AES-256-GCM with CLEARANCE_SECRET_KEY, never returned.
 */
export const reportingConnections = pgTable(
	'reporting_connections',
	{
		appId: uuid()
			.primaryKey()
			.references(() => apps.id, { onDelete: 'cascade' }),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		kind: text().notNull(),
		settings: jsonb()
			.notNull()
			.default(sql`'{}'::jsonb`),
		secretsCiphertext: text().notNull(),
		/** `ok` or `broken` (a 401/403: what to fix is in `lastError`). */
		state: text().notNull().default('ok'),
		lastSuccessAt: timestamp({ withTimezone: true }),
		lastErrorAt: timestamp({ withTimezone: true }),
		lastError: text(),
		nextPlannedAt: timestamp({ withTimezone: true }),
		createdBy: uuid().references(() => users.id),
		createdAt: createdAt(),
		updatedAt: createdAt(),
		version: integer().notNull().default(1),
	},
	(t) => [
		index('reporting_connections_org_idx').on(t.orgId),
		check('reporting_connections_kind_known', sql`${t.kind} in ('oauth2', 'forge_webtrigger', 'connect')`),
		check('reporting_connections_state_known', sql`${t.state} in ('ok', 'broken')`),
	],
)

/**
 * One automatic send in progress or done: progress is saved after every
 * acknowledged batch, so a crash or restart resumes at the next batch.
 */
export const reporterRuns = pgTable(
	'reporter_runs',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		appId: uuid()
			.notNull()
			.references(() => apps.id, { onDelete: 'cascade' }),
		preparedReportId: uuid()
			.notNull()
			.references(() => preparedReports.id),
		/** `running`, `waiting` (resume after `resumeAfter`), `sent`, `failed`. */
		status: text().notNull().default('running'),
		/** Accounts sent, in batch order (so a resumed run sends exactly the same batches). */
		accountIds: text().array().notNull(),
		batchCount: integer().notNull(),
		/** Index of the next batch to send; batches before it were acknowledged. */
		nextBatch: integer().notNull().default(0),
		/** Per acknowledged batch: index, status code, raw body, raw Cycle-Period. */
		batchAnswers: jsonb()
			.notNull()
			.default(sql`'[]'::jsonb`),
		attempts: integer().notNull().default(0),
		resumeAfter: timestamp({ withTimezone: true }),
		error: text(),
		/** The recorded run, once every batch was acknowledged. */
		reportRunId: uuid().references(() => reportRuns.id, { onDelete: 'set null' }),
		/** Who asked for it: a person's "Send now" (null when the scheduler did). */
		requestedBy: uuid().references(() => users.id),
		startedAt: createdAt(),
		finishedAt: timestamp({ withTimezone: true }),
	},
	(t) => [
		index('reporter_runs_app_idx').on(t.appId, t.startedAt),
		check('reporter_runs_status_known', sql`${t.status} in ('running', 'waiting', 'sent', 'failed')`),
	],
)

// ── Scale (issue 16) ──────────────────────────────────────────────────────

/**
 * Per-app figures of the ledger, so no page counts a million rows: kept by
 * statement-level triggers on stored_accounts in the same transaction as
 * every change (migration 0010, docs/performance.md). `firstStoredAt` is
 * when the app first held an account; it is never reset.
 */
export const appLedgerStats = pgTable('app_ledger_stats', {
	appId: uuid()
		.primaryKey()
		.references(() => apps.id, { onDelete: 'cascade' }),
	accountCount: bigint({ mode: 'number' }).notNull().default(0),
	oldestUpdatedAt: timestamp({ withTimezone: true }),
	firstStoredAt: timestamp({ withTimezone: true }),
	changedAt: createdAt(),
})

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' })

/**
 * An import of account ids running in the background (issue 16): accepted at
 * once, carried out by whichever app server claims it, in short transactions,
 * with progress a page can show and a cancel a person can ask for.
 * `source` says where the rows came from: a CSV upload, the API's push, or
 * Clearance's reporter.
 */
export const importJobs = pgTable(
	'import_jobs',
	{
		id: uuid().primaryKey().defaultRandom(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		appId: uuid()
			.notNull()
			.references(() => apps.id, { onDelete: 'cascade' }),
		source: text().notNull().default('upload'),
		/** queued → running → succeeded | failed | cancelled */
		status: text().notNull().default('queued'),
		/** Atomic: every row is staged, then committed in one step or not at all. */
		atomic: boolean().notNull().default(false),
		fileName: text(),
		totalBytes: bigint({ mode: 'number' }).notNull().default(0),
		processedBytes: bigint({ mode: 'number' }).notNull().default(0),
		rows: integer().notNull().default(0),
		inserted: integer().notNull().default(0),
		updated: integer().notNull().default(0),
		rejected: integer().notNull().default(0),
		/** Where to resume reading (a byte offset or a line), so a crashed worker's job is picked up, not redone. */
		cursor: jsonb(),
		/** A short, person-facing reason when the job failed. */
		error: text(),
		createdBy: uuid().references(() => users.id),
		createdByKeyId: uuid().references(() => apiKeys.id),
		cancelRequestedAt: timestamp({ withTimezone: true }),
		cancelRequestedBy: uuid().references(() => users.id),
		/** The server working on it and its last sign of life: a job whose heartbeat stops is claimed again. */
		claimedBy: text(),
		heartbeatAt: timestamp({ withTimezone: true }),
		startedAt: timestamp({ withTimezone: true }),
		finishedAt: timestamp({ withTimezone: true }),
		createdAt: createdAt(),
	},
	(t) => [
		index('import_jobs_app_idx').on(t.appId, t.createdAt),
		index('import_jobs_pending_idx').on(t.status, t.createdAt),
		check('import_jobs_status_known', sql`${t.status} in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`),
		check('import_jobs_source_known', sql`${t.source} in ('upload', 'api', 'reporter')`),
	],
)

/** The uploaded file of an import job, in pieces, so any app server can read it. Deleted when the job ends. */
export const importJobChunks = pgTable(
	'import_job_chunks',
	{
		jobId: uuid()
			.notNull()
			.references(() => importJobs.id, { onDelete: 'cascade' }),
		seq: integer().notNull(),
		data: bytea().notNull(),
	},
	(t) => [primaryKey({ columns: [t.jobId, t.seq] })],
)

/** Every refused row of an import job (not only the first 50), for the downloadable rejection report. */
export const importJobRejections = pgTable(
	'import_job_rejections',
	{
		jobId: uuid()
			.notNull()
			.references(() => importJobs.id, { onDelete: 'cascade' }),
		/** The CSV line, or the 0-based index of an API entry. */
		position: integer().notNull(),
		/** Clipped; a value that looks like an email address is never kept (docs/rules.md › Emails are never stored). */
		value: text().notNull(),
		/** The row's updatedAt as written in the file, clipped the same way (null for rows refused before migration 0018). */
		updatedAt: text(),
		reason: text().notNull(),
	},
	(t) => [primaryKey({ columns: [t.jobId, t.position] })],
)

/** Rows of an atomic import job, staged until the whole file is read, then committed in one step or dropped. */
export const importJobStaged = pgTable(
	'import_job_staged',
	{
		jobId: uuid()
			.notNull()
			.references(() => importJobs.id, { onDelete: 'cascade' }),
		accountId: text().notNull(),
		updatedAt: timestamp({ withTimezone: true }).notNull(),
	},
	(t) => [primaryKey({ columns: [t.jobId, t.accountId] })],
)

/**
 * Each app's reporting deadline as the dashboard counts it (issue 16): what the
 * status rests on (`basis`), the deadline and its calendar day in the
 * organisation's zone. Computed by the domain rules (reportingStatus) and kept
 * for the dashboard, which then counts, filters and pages thousands of apps in
 * SQL; the status itself is read against the clock at each view. A change to
 * anything the deadline rests on leaves a mark (app_deadline_marks, written by
 * triggers in the same transaction), and a marked app is computed again before
 * the dashboard reads it.
 */
export const appDeadlines = pgTable(
	'app_deadlines',
	{
		appId: uuid()
			.primaryKey()
			.references(() => apps.id, { onDelete: 'cascade' }),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		/** dated: due at dueAt; due_now: nothing to count from; answer_needed; not_required. */
		basis: text().notNull(),
		dueAt: timestamp({ withTimezone: true }),
		dueDay: date({ mode: 'string' }),
		computedAt: createdAt(),
	},
	(t) => [index('app_deadlines_org_idx').on(t.orgId, t.dueAt)],
)

/**
 * How many times an organisation's marks have been computed into its kept deadlines: moved in the same
 * transaction as the deadlines (refreshDeadlines), so a dashboard answer kept by a server under one version
 * is exactly what the kept deadlines give until the version moves (docs/performance.md › The dashboard at
 * thousands of apps).
 */
export const appDeadlineVersions = pgTable('app_deadline_versions', {
	orgId: uuid()
		.primaryKey()
		.references(() => organizations.id, { onDelete: 'cascade' }),
	version: bigint({ mode: 'number' }).notNull().default(0),
})

/** "Compute this app's deadline again": inserted by triggers (never updated, so writers never wait on each other). */
export const appDeadlineMarks = pgTable(
	'app_deadline_marks',
	{
		id: bigserial({ mode: 'number' }).primaryKey(),
		appId: uuid()
			.notNull()
			.references(() => apps.id, { onDelete: 'cascade' }),
		orgId: uuid().notNull(),
		createdAt: createdAt(),
	},
	(t) => [index('app_deadline_marks_org_idx').on(t.orgId, t.appId)],
)

/**
 * "Something a dashboard view shows changed in this organisation": inserted by triggers on the requests, tickets,
 * account tasks, notifications and the organisation itself (never updated, so writers never wait on each other).
 * A view that finds any computes them with the deadline marks and moves the organisation's version, under which
 * servers keep rendered dashboards (decision 034).
 */
export const orgViewMarks = pgTable(
	'org_view_marks',
	{
		id: bigserial({ mode: 'number' }).primaryKey(),
		orgId: uuid()
			.notNull()
			.references(() => organizations.id, { onDelete: 'cascade' }),
		createdAt: createdAt(),
	},
	(t) => [index('org_view_marks_org_idx').on(t.orgId, t.id)],
)
