import { and, asc, eq } from 'drizzle-orm'
import { DAY_MS } from '../app/domain/calendar-day'
import { isProduct } from '../app/domain/catalogue'
import { type RequestFields } from '../app/schemas/request'
import { prepareReport } from '../app/services/prepared-reports.server'
import { recordRun } from '../app/services/reporting.server'
import { createDraft, saveDraft } from '../app/services/requests.server'
import { applyTransition, decideUseCaseOf, type Actor } from '../app/services/review.server'
import { type Database } from './client.server'
import {
	accessRequests,
	apps,
	notifications,
	requestEvents,
	requestUseCases,
	storedAccounts,
	preparedReports,
	tickets,
} from './schema'

const DAY = DAY_MS

const HOUR = 60 * 60 * 1000

/** Each request tells its own app's story, in its own words. */
const TEXTS: Record<string, { functionality: string; policy: string }> = {
	'com.demo.acme-sync': {
		functionality:
			'Acme Sync for Jira emails a security alert to the users affected when a sync with their project fails or an access token leaks. Users can switch the alerts off in their profile.',
		policy:
			'We process email addresses only to send the sync and security alerts users subscribed to. We never sell or share them.',
	},
	'ari:cloud:ecosystem::app/0a1b2c3d-demo-ticket-mailer': {
		functionality:
			'Ticket Mailer emails the reporter of a Jira ticket or Confluence page comment when a security incident touches their content, and when their ticket is resolved.',
		policy:
			'Ticket Mailer uses an email address only to write to that person about their own tickets. Addresses are read at sending time and never kept.',
	},
	'ari:cloud:ecosystem::app/9f8e7d6c-demo-status-board': {
		functionality:
			'Status Board shows the health of a team’s services on a Confluence page and emails error reports to the page’s owners when a service goes down.',
		policy: '',
	},
}

function fieldsFor(app: typeof apps.$inferSelect, extra: Partial<RequestFields> = {}): RequestFields {
	const texts = TEXTS[app.appKey] ?? { functionality: '', policy: '' }
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
		functionalityDescription: texts.functionality,
		privacyPolicyExcerpt: texts.policy,
		...extra,
	}
}

/**
 * The services date what they record "now"; a story told in a second is
 * spread over the weeks it would take, so its timeline runs forward. Each
 * request event after `start` moves `step` later than the one before, or to
 * its anchor (a step Atlassian dated); the notifications and ticket of the
 * same transaction move with it. The audit log is append-only: it keeps the
 * time the seed ran.
 */
async function spreadOverTime(
	db: Database,
	orgId: string,
	requestId: string,
	{ start, step, anchors = {} }: { start: Date; step: number; anchors?: Record<string, Date> },
) {
	const events = await db
		.select()
		.from(requestEvents)
		.where(and(eq(requestEvents.orgId, orgId), eq(requestEvents.requestId, requestId)))
		.orderBy(asc(requestEvents.id))
	const moved: { was: number; now: Date }[] = []
	let clock = start.getTime()
	for (const event of events) {
		clock = anchors[event.kind]?.getTime() ?? clock + step
		const at = new Date(clock)
		moved.push({ was: event.createdAt.getTime(), now: at })
		await db.update(requestEvents).set({ occurredAt: at, createdAt: at }).where(eq(requestEvents.id, event.id))
	}
	// A row written in an event's transaction carries its time; earlier rows (the draft) take the start.
	const newTime = (was: Date) => moved.filter((entry) => entry.was <= was.getTime()).at(-1)?.now ?? start
	for (const note of await db.select().from(notifications).where(eq(notifications.requestId, requestId))) {
		await db
			.update(notifications)
			.set({ createdAt: newTime(note.createdAt) })
			.where(eq(notifications.id, note.id))
	}
	const last = moved.at(-1)?.now ?? start
	await db.update(accessRequests).set({ createdAt: start, updatedAt: last }).where(eq(accessRequests.id, requestId))
	await db
		.update(tickets)
		.set({ createdAt: anchors.record_ticket ?? last, lastActivityAt: last })
		.where(eq(tickets.requestId, requestId))
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
	// Written 48 days ago, reviewed over the next days, sent to Atlassian 40 days ago, approved 20 days ago.
	await spreadOverTime(db, orgId, approved.id, {
		start: new Date(now - 48 * DAY),
		step: 20 * HOUR,
		anchors: { record_ticket: new Date(now - 40 * DAY), atlassian_approved: new Date(now - 20 * DAY) },
	})
	// The reviewers read “waiting for your review” long ago: the request is approved.
	await db
		.update(notifications)
		.set({ readAt: new Date(now - 44 * DAY) })
		.where(and(eq(notifications.requestId, approved.id), eq(notifications.kind, 'request_submitted')))

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
	await spreadOverTime(db, orgId, inReview.id, { start: new Date(now - 3 * DAY), step: 2 * HOUR })

	// Status Board: a draft that does not pass yet.
	const board = byKey('ari:cloud:ecosystem::app/9f8e7d6c-demo-status-board')
	const draft = await createDraft(orgId, vendor.id, board.id)
	await saveDraft(
		orgId,
		vendor.id,
		draft.id,
		await version(draft.id),
		fieldsFor(board, { useCaseCodes: ['send_error_reports', 'marketing_emails'] }),
	)
	await spreadOverTime(db, orgId, draft.id, { start: new Date(now - DAY), step: HOUR })

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
	// Prepared the morning it was sent, not today.
	await db
		.update(preparedReports)
		.set({ preparedAt: new Date(now - 13 * DAY - 2 * HOUR) })
		.where(eq(preparedReports.id, prepared.id))
	await recordRun(orgId, vendor.id, acme.id, {
		sentAt: new Date(now - 13 * DAY),
		preparedReport: { id: prepared.id },
		cyclePeriod: null,
		answers: '{"accounts":[{"accountId":"5be24ba3f91c106033269289","status":"closed"}]}',
	})
}
