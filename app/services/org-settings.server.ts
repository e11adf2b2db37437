import { eq } from 'drizzle-orm'
import { db } from '#db/client.server'
import { organizations } from '#db/schema'
import { auditChanges } from '~/domain/audit-diff'
import { type OrgSettings } from '~/schemas/settings'
import { NO_SUCH_ORGANISATION, UserFacingError } from '~/utils/errors'
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
	if (!row) throw new UserFacingError(NO_SUCH_ORGANISATION, 404)
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
		if (!row) throw new UserFacingError(NO_SUCH_ORGANISATION, 404)
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

/**
 * Renames the organisation: one transaction, audited with the old and the new
 * name (docs/rules.md › Audit trail). The slug, and with it every web address
 * and bookmark of the organisation, stays as it is. Shares the settings'
 * version: a rename over a save someone else made after the page was opened
 * is refused, not silently applied. Returns whether the name changed.
 */
export async function renameOrg(orgId: string, actorId: string, name: string, expectedVersion?: number) {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select({ name: organizations.name, version: organizations.version })
			.from(organizations)
			.where(eq(organizations.id, orgId))
			.for('update')
		if (!row) throw new UserFacingError(NO_SUCH_ORGANISATION, 404)
		if (expectedVersion !== undefined && row.version !== expectedVersion) {
			throw new UserFacingError(
				'Someone else changed the organisation after you opened this page. Reload to see their change, then rename it again.',
				409,
			)
		}
		const changes = auditChanges({ name: row.name }, { name }, ['name'])
		if (!changes) return { changed: false }
		await tx
			.update(organizations)
			.set({ name, version: row.version + 1 })
			.where(eq(organizations.id, orgId))
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'org.renamed',
			subjectType: 'organization',
			subjectId: orgId,
			...changes,
		})
		return { changed: true }
	})
}
