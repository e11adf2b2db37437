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
	integer,
	type AnyPgColumn,
} from 'drizzle-orm/pg-core'

// Every timestamp is stored in UTC (`timestamptz`) and shown in the
// organisation's time zone.
const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow()

export const roleEnum = pgEnum('role', ['member', 'reviewer', 'admin'])

export const organizations = pgTable('organizations', {
	id: uuid().primaryKey().defaultRandom(),
	slug: text().notNull().unique(),
	name: text().notNull(),
	timeZone: text().notNull().default('UTC'),
	createdAt: createdAt(),
})

// Clearance's own users. Their email is their login — not Atlassian data
// (see design.md, "Scaling out", last paragraph).
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
	(t) => [
		index('invites_org_idx').on(t.orgId),
		check('invites_roles_not_empty', sql`cardinality(${t.roles}) > 0`),
	],
)

export const appTypeEnum = pgEnum('app_type', [
	'connect',
	'forge',
	'oauth2',
	'api_token',
])
export const personalDataEnum = pgEnum('stores_personal_data', [
	'yes',
	'no',
	'undecided',
])

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
		products: text().array().notNull().default(sql`'{}'::text[]`),
		marketplaceListingUrl: text(),
		privacyPolicyUrl: text(),
		termsOfUseUrl: text(),
		storesPersonalData: personalDataEnum().notNull().default('undecided'),
		archivedAt: timestamp({ withTimezone: true }),
		createdBy: uuid().references(() => users.id),
		createdAt: createdAt(),
		updatedAt: createdAt(),
	},
	(t) => [uniqueIndex('apps_org_key_idx').on(t.orgId, t.appKey)],
)

export const requestStateEnum = pgEnum('request_state', [
	'draft',
	'in_review',
	'changes_requested',
	'ready_to_submit',
	'submitted',
	'info_requested',
	'approved',
	'declined',
	'revoked',
	'withdrawn',
])

/**
 * An Email API access request. The app's details are copied in when the
 * request is made: what was sent to Atlassian is evidence and must not
 * change when the app record does. `version` is bumped by every write and
 * checked by every transition (optimistic locking, design.md › lifecycle).
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
		products: text().array().notNull().default(sql`'{}'::text[]`),
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
export const engineOutcomeEnum = pgEnum('engine_outcome', ['auto_approvable', 'rejected', 'needs_review'])

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
		action: text().notNull(),
		subjectType: text().notNull(),
		subjectId: text().notNull(),
		before: jsonb(),
		after: jsonb(),
		createdAt: createdAt(),
	},
	(t) => [index('audit_events_org_created_idx').on(t.orgId, t.createdAt)],
)

export type Role = (typeof roleEnum.enumValues)[number]
export type AppType = (typeof appTypeEnum.enumValues)[number]
export type PersonalDataAnswer = (typeof personalDataEnum.enumValues)[number]
export type RequestStateValue = (typeof requestStateEnum.enumValues)[number]
