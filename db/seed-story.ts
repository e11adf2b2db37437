import { eq } from 'drizzle-orm'
import { isProduct } from '../app/domain/catalogue'
import { type RequestFields } from '../app/schemas/request'
import { prepareReport } from '../app/services/prepared-reports.server'
import { recordRun } from '../app/services/reporting.server'
import { createDraft, saveDraft } from '../app/services/requests.server'
import { applyTransition, decideUseCaseOf, type Actor } from '../app/services/review.server'
import { type Database } from './client.server'
import { accessRequests, apps, requestUseCases, storedAccounts } from './schema'

const DAY = 24 * 60 * 60 * 1000

const FUNCTIONALITY =
	'The app emails security alerts to the users affected when a sync fails or a token leaks. Users can switch the alerts off in their profile.'
const POLICY =
	'We process email addresses only to send the security alerts and notifications users subscribed to. We never sell or share them.'

function fieldsFor(app: typeof apps.$inferSelect, extra: Partial<RequestFields> = {}): RequestFields {
	return {
		companyName: 'Demo Vendor',
		appName: app.name,
		appKey: app.appKey,
		appType: app.appType,
		products: app.products.filter(isProduct),
		marketplaceListingUrl: app.marketplaceListingUrl ?? '',
		privacyPolicyUrl: app.privacyPolicyUrl ?? '',
		termsOfUseUrl: app.termsOfUseUrl ?? '',
		storesPersonalData: app.storesPersonalData,
		useCaseCodes: ['send_security_alerts'],
		customUseCases: [],
		functionalityDescription: FUNCTIONALITY,
		privacyPolicyExcerpt: POLICY,
		...extra,
	}
}

/**
 * The demo organisation's history, told through the same services the app
 * uses (so every step has its timeline and audit events): an approved
 * request with its ticket, one waiting for review, one draft, and
 * personal-data reports that put the apps at different deadlines.
 */
export async function seedDemoStory(
	db: Database,
	orgId: string,
	people: { admin: string; reviewer: string; vendor: string },
) {
	const vendor: Actor = { id: people.vendor, roles: ['member'] }
	const reviewer: Actor = { id: people.reviewer, roles: ['reviewer'] }
	const appRows = await db.select().from(apps).where(eq(apps.orgId, orgId))
	const byKey = (key: string) => appRows.find((app) => app.appKey === key)!
	const version = async (requestId: string) =>
		(
			await db.select({ version: accessRequests.version }).from(accessRequests).where(eq(accessRequests.id, requestId))
		)[0]!.version
	const now = Date.now()

	// Acme Sync for Jira: approved through ticket DEVHELP-5718.
	const acme = byKey('com.demo.acme-sync')
	const approved = await createDraft(orgId, vendor.id, acme.id)
	await saveDraft(orgId, vendor.id, approved.id, await version(approved.id), fieldsFor(acme))
	await applyTransition(orgId, vendor, approved.id, await version(approved.id), 'submit_for_review')
	for (const useCase of await db.select().from(requestUseCases).where(eq(requestUseCases.requestId, approved.id))) {
		await decideUseCaseOf(orgId, reviewer, approved.id, await version(approved.id), {
			useCaseId: useCase.id,
			decision: 'approve',
		})
	}
	await applyTransition(orgId, reviewer, approved.id, await version(approved.id), 'complete_review')
	await applyTransition(orgId, vendor, approved.id, await version(approved.id), 'record_ticket', {
		ticket: { key: 'DEVHELP-5718', url: null, openedAt: new Date(now - 40 * DAY) },
	})
	await applyTransition(orgId, reviewer, approved.id, await version(approved.id), 'atlassian_approved', {
		details: {
			scopes: 'Jira: ACCESS_EMAIL_ADDRESSES',
			approvedOn: new Date(now - 20 * DAY).toISOString().slice(0, 10),
		},
		occurredAt: new Date(now - 20 * DAY),
	})

	// Ticket Mailer: a custom use case waiting for the reviewer.
	const mailer = byKey('ari:cloud:ecosystem::app/0a1b2c3d-demo-ticket-mailer')
	const inReview = await createDraft(orgId, vendor.id, mailer.id)
	await saveDraft(
		orgId,
		vendor.id,
		inReview.id,
		await version(inReview.id),
		fieldsFor(mailer, { customUseCases: [{ description: 'Email the reporter when their ticket is resolved' }] }),
	)
	await applyTransition(orgId, vendor, inReview.id, await version(inReview.id), 'submit_for_review')

	// Status Board: a draft that does not pass yet.
	const board = byKey('ari:cloud:ecosystem::app/9f8e7d6c-demo-status-board')
	const draft = await createDraft(orgId, vendor.id, board.id)
	await saveDraft(
		orgId,
		vendor.id,
		draft.id,
		await version(draft.id),
		fieldsFor(board, { useCaseCodes: ['send_error_reports', 'marketing_emails'], privacyPolicyExcerpt: '' }),
	)

	// Reporting: Acme stores 240 accounts and reported 13 days ago on a
	// 15-day cycle (due soon, with one erase task); Ticket Mailer has stored
	// accounts for 20 days and never reported (overdue).
	const ledger = (appId: string, count: number, since: Date) =>
		Array.from({ length: count }, (_, i) => ({
			appId,
			// Atlassian's documented test ids first, then synthetic ones.
			accountId:
				i === 0
					? '5be24ad8b1653240376955d2'
					: i === 1
						? '5be24ba3f91c106033269289'
						: `712020:demo-${String(i).padStart(6, '0')}`,
			updatedAt: new Date(since.getTime() + (i % 7) * DAY),
			createdAt: since,
		}))
	await db
		.update(apps)
		.set({
			personalDataSince: new Date(now - 60 * DAY),
			storingSince: new Date(now - 50 * DAY),
			storingSinceSource: 'ledger',
		})
		.where(eq(apps.id, acme.id))
	await db
		.update(apps)
		.set({
			personalDataSince: new Date(now - 20 * DAY),
			storingSince: new Date(now - 20 * DAY),
			storingSinceSource: 'ledger',
		})
		.where(eq(apps.id, mailer.id))
	await db
		.insert(storedAccounts)
		.values(ledger(acme.id, 240, new Date(now - 50 * DAY)))
		.onConflictDoNothing()
	await db
		.insert(storedAccounts)
		.values(ledger(mailer.id, 35, new Date(now - 20 * DAY)))
		.onConflictDoNothing()
	// The run answers the report prepared from that ledger: the evidence chain a real cycle leaves.
	const prepared = await prepareReport(orgId, vendor.id, acme.id)
	await recordRun(orgId, vendor.id, acme.id, {
		sentAt: new Date(now - 13 * DAY),
		preparedReport: { id: prepared.id },
		cyclePeriod: null,
		answers: '{"accounts":[{"accountId":"5be24ba3f91c106033269289","status":"closed"}]}',
	})
}
