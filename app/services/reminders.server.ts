import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import { db, type Database, type Tx } from '#db/client.server'
import {
	accessRequests,
	accountActions,
	appOwners,
	apps,
	memberships,
	notifications,
	organizations,
	reminders,
	tickets,
	webhooks,
} from '#db/schema'
import {
	planReminders,
	type Audience,
	type PlannedReminder,
	type PlanTaskGroup,
	type ReminderPolicy,
} from '~/domain/reminder-plan'
import { TICKET_OPEN_STATES } from '~/domain/request-lifecycle'
import { localDateOf } from '~/domain/zoned-time'
import { withAdvisoryLock } from '~/utils/advisory-lock.server'
import { NO_SUCH_ORGANISATION, UserFacingError } from '~/utils/errors'
import { adminsOf, reminderOwnersOf } from './app-owners.server'
import { queueEmail } from './email.server'
import { preferencesByUser, getReminderSettings } from './reminder-settings.server'
import { dashboardRows } from './reporting.server'
import { authorsOf, listReviewQueue } from './review.server'
import { queueWebhookEvent } from './webhooks.server'

/**
 * The reminder pass (issue 13): for each organisation, what the plan says
 * fires today (app/domain/reminder-plan.ts) is stored once — the unique key
 * (subject, kind, due day, offset) with ON CONFLICT DO NOTHING — and each
 * reminder that is new is fanned out in the same transaction: an in-app
 * notification, an email (immediate) and one webhook event, as each
 * recipient's preferences say. A second pass the same day, or a second
 * server, finds every key taken and sends nothing.
 */

export type ReminderChannels = {
	queueEmail: (
		tx: Tx,
		m: { orgId: string; userId: string; reminderId?: string; subject: string; text: string; link?: string },
	) => Promise<unknown>
	queueWebhookEvent: (
		tx: Tx,
		orgId: string,
		event: {
			type: string
			reminderId?: string
			text: string
			subject: { type: string; id: string; name?: string }
			dueOn?: string
			link?: string
			[k: string]: unknown
		},
	) => Promise<unknown>
}

const realChannels: ReminderChannels = { queueEmail, queueWebhookEvent }

export type PassResult = { created: number; skipped: number }

/**
 * One pass over every organisation, under the advisory lock `reminders`
 * (the in-server scheduler and `npm run remind` may overlap: the second finds
 * the lock taken and does nothing). `created`: reminders stored and sent now;
 * `skipped`: reminders due today that an earlier pass already sent.
 */
export async function runReminderPass({
	now = new Date(),
	channels = realChannels,
}: { now?: Date; channels?: ReminderChannels } = {}): Promise<PassResult & { ran: boolean }> {
	const outcome = await withAdvisoryLock('reminders', async () => {
		const orgs = await db.select({ id: organizations.id }).from(organizations)
		const total: PassResult = { created: 0, skipped: 0 }
		for (const org of orgs) {
			// One organisation's trouble (say, a time zone the runtime no longer knows) does not stop the others.
			try {
				const result = await runOrgReminders(org.id, { now, channels })
				total.created += result.created
				total.skipped += result.skipped
			} catch (error) {
				console.error(`Reminders for organisation ${org.id} failed:`, error)
			}
		}
		return total
	})
	return outcome.ran ? { ...outcome.value, ran: true } : { created: 0, skipped: 0, ran: false }
}

/** What fires today for one organisation (no writes). */
export async function planOrgReminders(orgId: string, now = new Date()): Promise<PlannedReminder[]> {
	const [org] = await db
		.select({ timeZone: organizations.timeZone, followUpDays: organizations.followUpDays })
		.from(organizations)
		.where(eq(organizations.id, orgId))
	if (!org) throw new UserFacingError(NO_SUCH_ORGANISATION, 404)
	const settings = await getReminderSettings(orgId)
	const policy: ReminderPolicy = { ...settings, followUpDays: org.followUpDays }
	const { timeZone } = org

	// Due days and statuses from the reporting rules (the dashboard's own computation).
	const { rows } = await dashboardRows(orgId, now)
	const registered = new Map(
		(
			await db
				.select({ id: apps.id, createdAt: apps.createdAt })
				.from(apps)
				.where(and(eq(apps.orgId, orgId), isNull(apps.archivedAt)))
		).map((app) => [app.id, localDateOf(app.createdAt, timeZone)]),
	)

	const [taskRows, ticketRows, queue] = await Promise.all([
		db
			.select({
				appId: accountActions.appId,
				appName: apps.name,
				dueAt: accountActions.dueAt,
				erase: sql<number>`count(*) filter (where ${accountActions.kind} = 'erase')`.mapWith(Number),
				refresh: sql<number>`count(*) filter (where ${accountActions.kind} = 'refresh')`.mapWith(Number),
			})
			.from(accountActions)
			.innerJoin(apps, eq(apps.id, accountActions.appId))
			.where(and(eq(accountActions.orgId, orgId), isNull(accountActions.completedAt), isNull(apps.archivedAt)))
			.groupBy(accountActions.appId, apps.name, accountActions.dueAt),
		db
			.select({
				requestId: tickets.requestId,
				ticketKey: tickets.key,
				appId: apps.id,
				appName: apps.name,
				lastActivityAt: tickets.lastActivityAt,
			})
			.from(tickets)
			.innerJoin(accessRequests, eq(accessRequests.id, tickets.requestId))
			.innerJoin(apps, eq(apps.id, accessRequests.appId))
			.where(and(eq(tickets.orgId, orgId), inArray(accessRequests.state, [...TICKET_OPEN_STATES]))),
		listReviewQueue(orgId, ''),
	])

	// Tasks due at the end of the same local day are one reminder.
	const groups = new Map<string, PlanTaskGroup>()
	for (const row of taskRows) {
		const dueOn = localDateOf(row.dueAt, timeZone)
		const key = `${row.appId}|${dueOn}`
		const group = groups.get(key) ?? { appId: row.appId, appName: row.appName, dueOn, erase: 0, refresh: 0 }
		group.erase += row.erase
		group.refresh += row.refresh
		groups.set(key, group)
	}

	return planReminders({
		now,
		timeZone,
		policy,
		apps: rows.map((row) => ({
			id: row.id,
			name: row.name,
			status: row.status,
			dueDate: row.dueDate,
			daysLeft: row.daysLeft,
			registeredOn: registered.get(row.id) ?? localDateOf(now, timeZone),
			// An app that answered "no" but holds accounts: the answer it gave is not what is missing.
			answerNeededBecause: row.status === 'answer_needed' && row.storesPersonalData === 'no' ? row.headline : null,
		})),
		taskGroups: [...groups.values()],
		quietTickets: ticketRows,
		reviews: queue.map((item) => ({
			requestId: item.id,
			appId: item.appId,
			appName: item.appName,
			submittedAt: item.submittedAt,
		})),
	})
}

/** One organisation's pass: store what fires today once, fan out what is new, all in one transaction. */
export async function runOrgReminders(
	orgId: string,
	{ now = new Date(), channels = realChannels }: { now?: Date; channels?: ReminderChannels } = {},
): Promise<PassResult> {
	const planned = await planOrgReminders(orgId, now)
	if (planned.length === 0) return { created: 0, skipped: 0 }
	const [org] = await db.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, orgId))
	const slug = org!.slug
	const linkOf = (reminder: PlannedReminder) => `/o/${slug}/${reminder.path}`

	return db.transaction(async (tx) => {
		// In statements of REMINDER_INSERT_CHUNK rows: one statement for a 10,000-app organisation's
		// reminders overflowed the query builder's stack (bench, issue 16).
		const inserted: InsertedReminder[] = []
		for (let start = 0; start < planned.length; start += REMINDER_INSERT_CHUNK) {
			const chunk = planned.slice(start, start + REMINDER_INSERT_CHUNK)
			inserted.push(...(await insertReminders(tx, orgId, chunk, linkOf)))
		}
		const keyOf = (r: { subjectType: string; subjectId: string; kind: string; dueOn: string; offsetDays: number }) =>
			`${r.subjectType}|${r.subjectId}|${r.kind}|${r.dueOn}|${r.offsetDays}`
		const created = new Map(inserted.map((row) => [keyOf(row), row.id]))
		const preferencesOf = await preferencesByUser(tx, orgId)
		const recipients = recipientFinder(tx, orgId, await ownersByApp(tx, orgId))
		// The in-app notifications of every new reminder, stored in statements of REMINDER_INSERT_CHUNK rows
		// (one insert per reminder cost a round trip each: thousands for a 10,000-app organisation).
		const notes: (typeof notifications.$inferInsert)[] = []
		// The real webhook channel reads the organisation's webhooks for every event: with none, it is not asked
		// (a query per reminder saved; it would have queued nothing).
		const webhookChannel =
			channels.queueWebhookEvent !== queueWebhookEvent ||
			(await tx
				.select({ id: webhooks.id })
				.from(webhooks)
				.where(and(eq(webhooks.orgId, orgId), isNull(webhooks.disabledAt)))
				.limit(1)
				.then((rows) => rows.length > 0))
		// Who this pass told of each app (its owners' reminders): an escalation to the admins leaves them out, so
		// a person who is both (a one-person organisation) is told once, not reminded and then escalated to.
		const toldOfApp = new Map<string, Set<string>>()
		for (const reminder of planned) {
			const id = created.get(keyOf(reminder))
			if (!id) continue
			let userIds = await recipients(reminder)
			if (reminder.audience === 'owners') {
				const told = toldOfApp.get(reminder.appId) ?? new Set<string>()
				for (const userId of userIds) told.add(userId)
				toldOfApp.set(reminder.appId, told)
			} else if (reminder.kind === 'escalation') {
				const told = toldOfApp.get(reminder.appId)
				if (told) userIds = userIds.filter((userId) => !told.has(userId))
			}
			await fanOut(tx, channels, notes, webhookChannel, {
				orgId,
				reminderId: id,
				reminder,
				link: linkOf(reminder),
				userIds,
				preferencesOf,
				now,
			})
		}
		for (let start = 0; start < notes.length; start += REMINDER_INSERT_CHUNK) {
			await tx.insert(notifications).values(notes.slice(start, start + REMINDER_INSERT_CHUNK))
		}
		return { created: created.size, skipped: planned.length - created.size }
	})
}

/** Rows per reminders insert. */
const REMINDER_INSERT_CHUNK = 500

type InsertedReminder = {
	id: string
	subjectType: string
	subjectId: string
	kind: string
	dueOn: string
	offsetDays: number
}

/** Stores planned reminders, skipping those stored before; returns the ones this call created. */
async function insertReminders(
	tx: Tx,
	orgId: string,
	planned: PlannedReminder[],
	linkOf: (reminder: PlannedReminder) => string,
): Promise<InsertedReminder[]> {
	return tx
		.insert(reminders)
		.values(
			planned.map((reminder) => ({
				orgId,
				subjectType: reminder.subjectType,
				subjectId: reminder.subjectId,
				kind: reminder.kind,
				dueOn: reminder.dueOn,
				offsetDays: reminder.offsetDays,
				firesOn: reminder.firesOn,
				message: reminder.message,
				link: linkOf(reminder),
			})),
		)
		.onConflictDoNothing()
		.returning({
			id: reminders.id,
			subjectType: reminders.subjectType,
			subjectId: reminders.subjectId,
			kind: reminders.kind,
			dueOn: reminders.dueOn,
			offsetDays: reminders.offsetDays,
		})
}

/**
 * Who receives each app's reminders, for every app of the organisation in three queries (not three per
 * app): as reminderOwnersOf says, its owners who are still members; else its creator if still a member;
 * else the admins (left out here: `recipientFinder` asks for them once).
 */
async function ownersByApp(q: Tx | Database, orgId: string): Promise<Map<string, string[] | 'admins'>> {
	const [appRows, ownerRows, memberRows] = await Promise.all([
		q.select({ id: apps.id, createdBy: apps.createdBy }).from(apps).where(eq(apps.orgId, orgId)),
		q
			.select({ appId: appOwners.appId, userId: appOwners.userId })
			.from(appOwners)
			.innerJoin(memberships, and(eq(memberships.orgId, appOwners.orgId), eq(memberships.userId, appOwners.userId)))
			.where(eq(appOwners.orgId, orgId)),
		q.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.orgId, orgId)),
	])
	const members = new Set(memberRows.map((row) => row.userId))
	const owners = new Map<string, string[]>()
	for (const row of ownerRows) owners.set(row.appId, [...(owners.get(row.appId) ?? []), row.userId])
	const found = new Map<string, string[] | 'admins'>()
	for (const app of appRows) {
		const own = owners.get(app.id)
		found.set(
			app.id,
			own && own.length > 0 ? own : app.createdBy && members.has(app.createdBy) ? [app.createdBy] : 'admins',
		)
	}
	return found
}

/** Who receives a reminder: the owners read beforehand (`known`), else per app, cached within one pass. */
function recipientFinder(q: Tx | Database, orgId: string, known: Map<string, string[] | 'admins'> = new Map()) {
	const owners = new Map<string, Promise<string[]>>()
	let admins: Promise<string[]> | undefined
	const adminsOnce = () => (admins ??= adminsOf(q, orgId))
	return async (reminder: Pick<PlannedReminder, 'audience' | 'appId' | 'requestId'>): Promise<string[]> => {
		return recipientsFor(q, orgId, reminder, {
			owners: (appId) => {
				const read = known.get(appId)
				if (read) return read === 'admins' ? adminsOnce() : Promise.resolve(read)
				let found = owners.get(appId)
				if (!found) {
					found = reminderOwnersOf(q, orgId, appId).then((result) => result.userIds)
					owners.set(appId, found)
				}
				return found
			},
			admins: adminsOnce,
		})
	}
}

async function recipientsFor(
	q: Tx | Database,
	orgId: string,
	reminder: { audience: Audience; appId: string; requestId?: string },
	lookup: { owners: (appId: string) => Promise<string[]>; admins: () => Promise<string[]> },
): Promise<string[]> {
	if (reminder.audience === 'admins') return lookup.admins()
	if (reminder.audience === 'owners') return lookup.owners(reminder.appId)
	// Reviewers who may decide it (four eyes: not its authors); none → the admins, who can grant the role.
	const [request] = reminder.requestId
		? await q
				.select({ id: accessRequests.id, createdBy: accessRequests.createdBy, updatedBy: accessRequests.updatedBy })
				.from(accessRequests)
				.where(and(eq(accessRequests.orgId, orgId), eq(accessRequests.id, reminder.requestId)))
		: []
	const reviewers = request ? await reviewersWhoMayDecide(q, orgId, request) : []
	return reviewers.length > 0 ? reviewers : lookup.admins()
}

/** The organisation's reviewers who did not write the request (four eyes), read in the caller's transaction. */
async function reviewersWhoMayDecide(
	q: Tx | Database,
	orgId: string,
	request: { id: string; createdBy: string; updatedBy: string },
) {
	const [reviewers, authors] = await Promise.all([
		q
			.select({ userId: memberships.userId })
			.from(memberships)
			.where(and(eq(memberships.orgId, orgId), sql`'reviewer' = any(${memberships.roles})`)),
		authorsOf(q, orgId, request),
	])
	return reviewers.map((row) => row.userId).filter((userId) => !authors.has(userId))
}

async function fanOut(
	tx: Tx,
	channels: ReminderChannels,
	notes: (typeof notifications.$inferInsert)[],
	webhookChannel: boolean,
	{
		orgId,
		reminderId,
		reminder,
		link,
		userIds,
		preferencesOf,
		now,
	}: {
		orgId: string
		reminderId: string
		reminder: PlannedReminder
		link: string
		userIds: readonly string[]
		preferencesOf: Awaited<ReturnType<typeof preferencesByUser>>
		now: Date
	},
) {
	const people = [...new Set(userIds)].map((userId) => ({ userId, ...preferencesOf(userId) }))
	const inApp = people.filter((person) => person.inApp).map((person) => person.userId)
	// A digest lists the day's reminder notifications: kept, already read, for someone whose in-app channel is off.
	const digestOnly = people
		.filter((person) => !person.inApp && person.email && person.emailMode === 'digest')
		.map((person) => person.userId)
	const base = {
		orgId,
		kind: 'reminder' as const,
		message: reminder.message,
		link,
		requestId: reminder.requestId ?? null,
	}
	for (const userId of inApp) notes.push({ ...base, userId, readAt: null })
	for (const userId of digestOnly) notes.push({ ...base, userId, readAt: now })
	for (const person of people) {
		if (!person.email || person.emailMode !== 'immediate') continue
		await channels.queueEmail(tx, {
			orgId,
			userId: person.userId,
			reminderId,
			subject: emailSubject(reminder),
			text: reminder.message,
			link,
		})
	}
	// The chat channel is the team's: posted once, unless every recipient turned webhooks off.
	if (webhookChannel && (people.length === 0 || people.some((person) => person.webhooks))) {
		await channels.queueWebhookEvent(tx, orgId, {
			type: `reminder.${reminder.kind}`,
			reminderId,
			text: reminder.message,
			subject: { type: reminder.subjectType, id: reminder.subjectId, name: reminder.subjectName },
			dueOn: reminder.dueOn,
			offsetDays: reminder.offsetDays,
			link,
		})
	}
}

const SUBJECTS: Record<PlannedReminder['kind'], string> = {
	reporting_due: 'Personal-data report due',
	reporting_overdue: 'Personal-data report overdue',
	answer_needed: 'Personal-data answer needed',
	tasks_due: 'Erase and refresh tasks due',
	tasks_overdue: 'Erase and refresh tasks overdue',
	ticket_quiet: 'Ticket quiet: follow up with Atlassian',
	review_waiting: 'Request waiting for review',
	escalation: 'Escalated: overdue',
}

function emailSubject(reminder: PlannedReminder): string {
	return `${SUBJECTS[reminder.kind]}: ${reminder.subjectName}`
}
