import { and, asc, eq, isNull } from 'drizzle-orm'
import { db } from '#db/client.server'
import { apps } from '#db/schema'

/** The organisation's active (not archived) apps, by name. */
export async function listApps(orgId: string) {
	return db
		.select()
		.from(apps)
		.where(and(eq(apps.orgId, orgId), isNull(apps.archivedAt)))
		.orderBy(asc(apps.name))
}
