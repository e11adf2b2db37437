import { eq } from 'drizzle-orm'
import { db } from '#db/client.server'
import { organizations } from '#db/schema'
import { auditChanges } from '~/domain/audit-diff'
import { type OrgSettings } from '~/schemas/settings'
import { UserFacingError } from '~/utils/errors'
import { recordAudit } from './audit.server'

export async function getOrgSettings(orgId: string): Promise<OrgSettings & { version: number }> {
	const [row] = await db
		.select({
			timeZone: organizations.timeZone,
			followUpDays: organizations.followUpDays,
			taskDueDays: organizations.taskDueDays,
			version: organizations.version,
		})
		.from(organizations)
		.where(eq(organizations.id, orgId))
	if (!row) throw new UserFacingError('No such organisation.', 404)
	return row
}

/** Time zone, ticket follow-up period and task due period; the audit event holds the settings that changed. */
export async function updateOrgSettings(
	orgId: string,
	actorId: string,
	settings: OrgSettings,
	expectedVersion?: number,
) {
	await db.transaction(async (tx) => {
		const [row] = await tx
			.select({
				timeZone: organizations.timeZone,
				followUpDays: organizations.followUpDays,
				taskDueDays: organizations.taskDueDays,
				version: organizations.version,
			})
			.from(organizations)
			.where(eq(organizations.id, orgId))
			.for('update')
		if (!row) throw new UserFacingError('No such organisation.', 404)
		const { version, ...before } = row
		if (expectedVersion !== undefined && version !== expectedVersion) {
			throw new UserFacingError(
				'Someone else saved the settings after you opened them. Your values are still in the form: reload to see theirs, then save yours again.',
				409,
			)
		}
		// Only what changed is written and audited, old and new (docs/rules.md › Audit trail).
		// Only the settings themselves, whatever else the caller's object carries.
		const next: OrgSettings = {
			timeZone: settings.timeZone,
			followUpDays: settings.followUpDays,
			taskDueDays: settings.taskDueDays,
		}
		const changes = auditChanges(before, next, Object.keys(next))
		if (!changes) return
		await tx
			.update(organizations)
			.set({ ...next, version: version + 1 })
			.where(eq(organizations.id, orgId))
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'org.settings_changed',
			subjectType: 'organization',
			subjectId: orgId,
			...changes,
		})
	})
}
