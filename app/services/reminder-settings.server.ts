import { and, eq, sql } from 'drizzle-orm'
import { db, type Database, type Tx } from '#db/client.server'
import { memberships, notificationPreferences, organizations, reminderSettings } from '#db/schema'
import { auditChanges } from '~/domain/audit-diff'
import {
	DEFAULT_ESCALATE_AFTER_DAYS,
	DEFAULT_REPORTING_OFFSETS,
	DEFAULT_REVIEW_WAIT_DAYS,
	DEFAULT_TASK_OFFSETS,
} from '~/domain/reminder-plan'
import { NO_SUCH_ORGANISATION, UserFacingError } from '~/utils/errors'
import { recordAudit } from './audit.server'

/**
 * The organisation's reminder policy (offsets, escalation, review wait) and
 * each person's channels (issue 13). No row means the defaults: reminders are
 * on for everyone until a person turns a channel off.
 */

export type OrgReminderSettings = {
	reportingOffsetsDays: number[]
	taskOffsetsDays: number[]
	escalateAfterDays: number
	reviewWaitDays: number
}

export const DEFAULT_REMINDER_SETTINGS: OrgReminderSettings = {
	reportingOffsetsDays: [...DEFAULT_REPORTING_OFFSETS],
	taskOffsetsDays: [...DEFAULT_TASK_OFFSETS],
	escalateAfterDays: DEFAULT_ESCALATE_AFTER_DAYS,
	reviewWaitDays: DEFAULT_REVIEW_WAIT_DAYS,
}

const SETTINGS_COLUMNS = {
	reportingOffsetsDays: reminderSettings.reportingOffsetsDays,
	taskOffsetsDays: reminderSettings.taskOffsetsDays,
	escalateAfterDays: reminderSettings.escalateAfterDays,
	reviewWaitDays: reminderSettings.reviewWaitDays,
	version: reminderSettings.version,
}

async function assertOrg(q: Tx | Database, orgId: string) {
	const [org] = await q.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId))
	if (!org) throw new UserFacingError(NO_SUCH_ORGANISATION, 404)
}

/** The policy in force, with the version a settings form must send back (1 before anyone saved one). */
export async function getReminderSettings(
	orgId: string,
	q: Tx | Database = db,
): Promise<OrgReminderSettings & { version: number }> {
	await assertOrg(q, orgId)
	const [row] = await q.select(SETTINGS_COLUMNS).from(reminderSettings).where(eq(reminderSettings.orgId, orgId))
	return row ?? { ...DEFAULT_REMINDER_SETTINGS, version: 1 }
}

const EDITED_MEANWHILE =
	'Someone else saved the reminder settings after you opened them. Your values are still in the form: reload to see theirs, then save yours again.'

/** Saves the policy; only what changed is written and audited. A save over someone else's is refused (409). */
export async function updateReminderSettings(
	orgId: string,
	actorId: string,
	settings: OrgReminderSettings,
	expectedVersion: number,
) {
	await db.transaction(async (tx) => {
		await assertOrg(tx, orgId)
		// The row exists from the first save on; creating it here lets the version check lock it.
		await tx.insert(reminderSettings).values({ orgId }).onConflictDoNothing()
		const [row] = await tx
			.select(SETTINGS_COLUMNS)
			.from(reminderSettings)
			.where(eq(reminderSettings.orgId, orgId))
			.for('update')
		const { version, ...before } = row!
		if (version !== expectedVersion) throw new UserFacingError(EDITED_MEANWHILE, 409)
		const next: OrgReminderSettings = {
			reportingOffsetsDays: [...settings.reportingOffsetsDays],
			taskOffsetsDays: [...settings.taskOffsetsDays],
			escalateAfterDays: settings.escalateAfterDays,
			reviewWaitDays: settings.reviewWaitDays,
		}
		const changes = auditChanges(before, next, Object.keys(next))
		if (!changes) return
		await tx
			.update(reminderSettings)
			.set({ ...next, version: version + 1, updatedAt: sql`now()` })
			.where(eq(reminderSettings.orgId, orgId))
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'org.reminder_settings_changed',
			subjectType: 'organization',
			subjectId: orgId,
			...changes,
		})
	})
}

// ── A person's channels ──────────────────────────────────────────────────

export const EMAIL_MODES = ['immediate', 'digest'] as const
export type EmailMode = (typeof EMAIL_MODES)[number]

export type NotificationPreferences = { inApp: boolean; email: boolean; emailMode: EmailMode; webhooks: boolean }

/** Everything on, email at once: a team that fears a missed deadline is reminded unless a person says otherwise. */
export const DEFAULT_PREFERENCES: NotificationPreferences = {
	inApp: true,
	email: true,
	emailMode: 'immediate',
	webhooks: true,
}

const PREFERENCE_COLUMNS = {
	userId: notificationPreferences.userId,
	inApp: notificationPreferences.inApp,
	email: notificationPreferences.email,
	emailMode: notificationPreferences.emailMode,
	webhooks: notificationPreferences.webhooks,
}

function toPreferences(row: { inApp: boolean; email: boolean; emailMode: string; webhooks: boolean } | undefined) {
	if (!row) return { ...DEFAULT_PREFERENCES }
	return {
		inApp: row.inApp,
		email: row.email,
		emailMode: (row.emailMode === 'digest' ? 'digest' : 'immediate') as EmailMode,
		webhooks: row.webhooks,
	}
}

async function assertMember(q: Tx | Database, orgId: string, userId: string) {
	const [member] = await q
		.select({ userId: memberships.userId })
		.from(memberships)
		.where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
	if (!member) throw new UserFacingError('That person is not a member of this organisation.', 404)
}

export async function getNotificationPreferences(orgId: string, userId: string): Promise<NotificationPreferences> {
	await assertMember(db, orgId, userId)
	const [row] = await db
		.select(PREFERENCE_COLUMNS)
		.from(notificationPreferences)
		.where(and(eq(notificationPreferences.orgId, orgId), eq(notificationPreferences.userId, userId)))
	return toPreferences(row)
}

/** Every member's channels in the organisation that chose something (the others have the defaults). */
export async function preferencesByUser(q: Tx | Database, orgId: string) {
	const rows = await q
		.select(PREFERENCE_COLUMNS)
		.from(notificationPreferences)
		.where(eq(notificationPreferences.orgId, orgId))
	const byUser = new Map(rows.map((row) => [row.userId, toPreferences(row)]))
	return (userId: string) => byUser.get(userId) ?? { ...DEFAULT_PREFERENCES }
}

/** A person sets their own channels (audited: who turned reminders off is worth knowing after a missed deadline). */
export async function saveNotificationPreferences(orgId: string, userId: string, input: NotificationPreferences) {
	await db.transaction(async (tx) => {
		await assertMember(tx, orgId, userId)
		const [row] = await tx
			.select(PREFERENCE_COLUMNS)
			.from(notificationPreferences)
			.where(and(eq(notificationPreferences.orgId, orgId), eq(notificationPreferences.userId, userId)))
			.for('update')
		const before = toPreferences(row)
		const next: NotificationPreferences = {
			inApp: input.inApp,
			email: input.email,
			emailMode: input.emailMode,
			webhooks: input.webhooks,
		}
		const changes = auditChanges(before, next, Object.keys(next))
		if (!changes) return
		await tx
			.insert(notificationPreferences)
			.values({ orgId, userId, ...next })
			.onConflictDoUpdate({
				target: [notificationPreferences.orgId, notificationPreferences.userId],
				set: { ...next, updatedAt: sql`now()` },
			})
		await recordAudit(tx, {
			orgId,
			actorUserId: userId,
			action: 'user.notification_preferences_changed',
			subjectType: 'user',
			subjectId: userId,
			...changes,
		})
	})
}
