import { and, eq, sql } from 'drizzle-orm'
import { hashPassword } from '../app/utils/password.server'
import { type Database } from './client.server'
import { accessRequests, apps, auditEvents, memberships, organizations, users } from './schema'
import { seedDemoStory } from './seed-story'

export const DEMO_PASSWORD = 'clearance-demo-2026'
export const DEMO_ORG = { slug: 'demo', name: 'Demo Vendor' } as const
export const DEMO_USERS = [
	{ email: 'admin@demo.test', name: 'Ada Admin', roles: ['admin'] as const },
	{ email: 'reviewer@demo.test', name: 'Rita Reviewer', roles: ['reviewer'] as const },
	{ email: 'vendor@demo.test', name: 'Victor Vendor', roles: ['member'] as const },
]

const DEMO_APPS = [
	{
		name: 'Acme Sync for Jira',
		appKey: 'com.demo.acme-sync',
		appType: 'connect',
		products: ['jira'],
		marketplaceListingUrl: 'https://marketplace.atlassian.com/apps/1000001/acme-sync',
		storesPersonalData: 'yes',
	},
	{
		name: 'Ticket Mailer',
		appKey: 'ari:cloud:ecosystem::app/0a1b2c3d-demo-ticket-mailer',
		appType: 'forge',
		products: ['jira', 'confluence'],
		privacyPolicyUrl: 'https://demo.test/legal/privacy',
		termsOfUseUrl: 'https://demo.test/legal/terms',
		storesPersonalData: 'yes',
	},
	{
		name: 'Status Board',
		appKey: 'ari:cloud:ecosystem::app/9f8e7d6c-demo-status-board',
		appType: 'forge',
		products: ['confluence'],
		privacyPolicyUrl: 'https://demo.test/legal/privacy',
		termsOfUseUrl: 'https://demo.test/legal/terms',
		storesPersonalData: 'no',
	},
	{
		name: 'Insight Exporter',
		appKey: 'demo-insight-exporter',
		appType: 'oauth2',
		products: ['jira'],
		storesPersonalData: 'undecided',
	},
] as const

export async function isEmpty(db: Database) {
	const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(organizations)
	return (row?.count ?? 0) === 0
}

export async function hasDemoOrg(db: Database) {
	const [row] = await db
		.select({ id: organizations.id })
		.from(organizations)
		.where(eq(organizations.slug, DEMO_ORG.slug))
	return Boolean(row)
}

/** Creates the demo organisation, its three users and apps. Safe to run again. */
export async function seedDemo(db: Database) {
	const passwordHash = await hashPassword(DEMO_PASSWORD)
	const seeded = await db.transaction(async (tx) => {
		let created = false
		let [org] = await tx.select().from(organizations).where(eq(organizations.slug, DEMO_ORG.slug))
		if (!org) {
			;[org] = await tx.insert(organizations).values(DEMO_ORG).returning()
			created = true
		}
		const orgId = org!.id
		const userIds: Record<string, string> = {}
		for (const demo of DEMO_USERS) {
			let [user] = await tx
				.select()
				.from(users)
				.where(eq(sql`lower(${users.email})`, demo.email))
			if (!user) {
				;[user] = await tx.insert(users).values({ email: demo.email, name: demo.name, passwordHash }).returning()
			}
			userIds[demo.email] = user!.id
			await tx
				.insert(memberships)
				.values({ orgId, userId: user!.id, roles: [...demo.roles] })
				.onConflictDoNothing()
		}
		const vendorId = userIds['vendor@demo.test']
		for (const app of DEMO_APPS) {
			const [existing] = await tx
				.select({ id: apps.id })
				.from(apps)
				.where(and(eq(apps.orgId, orgId), eq(apps.appKey, app.appKey)))
			if (!existing) {
				await tx.insert(apps).values({ ...app, products: [...app.products], orgId, createdBy: vendorId })
			}
		}
		if (created) {
			await tx.insert(auditEvents).values({
				orgId,
				actorUserId: null,
				action: 'org.seeded',
				subjectType: 'organization',
				subjectId: orgId,
				after: { name: DEMO_ORG.name, users: DEMO_USERS.map((user) => user.email) },
			})
		}
		return { created, orgId, userIds }
	})
	// The story (requests, ticket, reports) is told once: while the demo
	// organisation has no requests, so an interrupted seed is completed.
	const [anyRequest] = await db
		.select({ id: accessRequests.id })
		.from(accessRequests)
		.where(eq(accessRequests.orgId, seeded.orgId))
		.limit(1)
	if (!anyRequest) {
		await seedDemoStory(db, seeded.orgId, {
			admin: seeded.userIds['admin@demo.test']!,
			reviewer: seeded.userIds['reviewer@demo.test']!,
			vendor: seeded.userIds['vendor@demo.test']!,
		})
	}
	return { created: seeded.created, orgId: seeded.orgId }
}
