import { and, count, eq, inArray, isNull, or } from 'drizzle-orm'
import { db, type Tx } from '#db/client.server'
import { accountActions, apps, calendarFeeds, memberships, organizations, users } from '#db/schema'
import { writeCalendar, type CalendarEvent } from '~/domain/icalendar'
import { formatLocalDate } from '~/domain/reporting-cycle'
import { can } from '~/domain/roles'
import { localDateOf } from '~/domain/zoned-time'
import { NO_SUCH_ORGANISATION, UserFacingError } from '~/utils/errors'
import { hashToken, newToken } from '~/utils/tokens.server'
import { reminderOwnersOf } from './app-owners.server'
import { recordAudit } from './audit.server'
import { dashboardRows } from './reporting.server'

/**
 * Calendar feeds (issue 13, point 5; docs/rules.md › Personal-data reporting):
 * a secret iCalendar address per organisation (every app) and per person
 * (the apps they own), holding one all-day event per reporting due date and
 * per day erase/refresh tasks fall due. The token is the only credential, so
 * only its SHA-256 is stored, it is shown once when made, and making a new
 * one revokes the old. Due dates are the reporting rules' own
 * (`dashboardRows`), never computed a second time here.
 */

export type FeedKind = 'organisation' | 'person'

/** A calendar address path; the token is the secret. */
export function feedPath(token: string) {
	return `/calendar/${token}.ics`
}

/**
 * The base of links that leave the app (calendar clients, email): PUBLIC_URL
 * when set (the address people use, behind a proxy), else the request's origin.
 */
export function publicBaseUrl(request: Request): string {
	const configured = process.env.PUBLIC_URL?.trim()
	if (configured && /^https?:\/\//i.test(configured)) return configured.replace(/\/+$/, '')
	return new URL(request.url).origin
}

// ── Managing feeds ──────────────────────────────────────────────────────

export type FeedInfo = { id: string; createdAt: Date; createdByName: string | null }

/** The live feeds a person sees on the calendar page: their own, and the organisation's. */
export async function listFeeds(
	orgId: string,
	userId: string,
): Promise<{ person: FeedInfo | null; organisation: FeedInfo | null }> {
	const rows = await db
		.select({
			id: calendarFeeds.id,
			userId: calendarFeeds.userId,
			createdAt: calendarFeeds.createdAt,
			createdByName: users.name,
		})
		.from(calendarFeeds)
		.leftJoin(users, eq(users.id, calendarFeeds.createdBy))
		.where(
			and(
				eq(calendarFeeds.orgId, orgId),
				isNull(calendarFeeds.revokedAt),
				or(eq(calendarFeeds.userId, userId), isNull(calendarFeeds.userId)),
			),
		)
	const info = (row: (typeof rows)[number] | undefined): FeedInfo | null =>
		row ? { id: row.id, createdAt: row.createdAt, createdByName: row.createdByName } : null
	return {
		person: info(rows.find((row) => row.userId === userId)),
		organisation: info(rows.find((row) => row.userId === null)),
	}
}

/**
 * Checks who may manage the feed (a person their own; an admin the
 * organisation's) and locks the row it hangs on (the person's membership, or
 * the organisation) so two clicks at once leave one live feed. A person no
 * longer in the organisation has no feed to make.
 */
async function lockOwner(tx: Tx, orgId: string, actorId: string, userId: string | null) {
	if (userId && userId !== actorId)
		throw new UserFacingError('Only the person themselves manages their calendar URL.', 403)
	const [actor] = await tx
		.select({ roles: memberships.roles })
		.from(memberships)
		.where(and(eq(memberships.orgId, orgId), eq(memberships.userId, actorId)))
		.for('update')
	if (!actor) throw new UserFacingError('No such member of this organisation.', 404)
	if (!userId) {
		if (!can(actor.roles, 'members:manage')) {
			throw new UserFacingError('Only admins manage the organisation’s calendar URL.', 403)
		}
		await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId)).for('update')
	}
}

function revokeLive(tx: Tx, orgId: string, userId: string | null, now: Date) {
	return tx
		.update(calendarFeeds)
		.set({ revokedAt: now })
		.where(
			and(
				eq(calendarFeeds.orgId, orgId),
				userId ? eq(calendarFeeds.userId, userId) : isNull(calendarFeeds.userId),
				isNull(calendarFeeds.revokedAt),
			),
		)
		.returning({ id: calendarFeeds.id })
}

/**
 * A new secret address for the organisation's feed (`userId` null; the
 * caller checked the actor is an admin) or a person's own. The live one, if
 * any, is revoked in the same transaction. The token is returned this once.
 */
export async function createFeed(
	orgId: string,
	actorId: string,
	userId: string | null,
	now = new Date(),
): Promise<{ token: string; feed: FeedInfo; replaced: boolean }> {
	const token = newToken()
	return db.transaction(async (tx) => {
		await lockOwner(tx, orgId, actorId, userId)
		const revoked = await revokeLive(tx, orgId, userId, now)
		const [feed] = await tx
			.insert(calendarFeeds)
			.values({ orgId, userId, tokenHash: hashToken(token), createdBy: actorId, createdAt: now })
			.returning()
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'calendar_feed.created',
			subjectType: userId ? 'user' : 'organization',
			subjectId: userId ?? orgId,
			after: {
				feed: userId ? 'person' : 'organisation',
				...(revoked.length > 0 ? { replacedFeedIds: revoked.map((row) => row.id) } : {}),
			},
		})
		const [creator] = await tx.select({ name: users.name }).from(users).where(eq(users.id, actorId))
		return {
			token,
			feed: { id: feed!.id, createdAt: feed!.createdAt, createdByName: creator?.name ?? null },
			replaced: revoked.length > 0,
		}
	})
}

/** Stops the live feed (the organisation's when `userId` is null): its address answers 404 from now on. */
export async function revokeFeed(orgId: string, actorId: string, userId: string | null, now = new Date()) {
	return db.transaction(async (tx) => {
		await lockOwner(tx, orgId, actorId, userId)
		const revoked = await revokeLive(tx, orgId, userId, now)
		if (revoked.length === 0) throw new UserFacingError('There is no calendar address to stop.', 409)
		await recordAudit(tx, {
			orgId,
			actorUserId: actorId,
			action: 'calendar_feed.revoked',
			subjectType: userId ? 'user' : 'organization',
			subjectId: userId ?? orgId,
			after: { feed: userId ? 'person' : 'organisation', feedIds: revoked.map((row) => row.id) },
		})
		return { revoked: revoked.length }
	})
}

// ── Reading a feed ──────────────────────────────────────────────────────

export type FeedSubject = { orgId: string; userId: string | null }

/**
 * The live feed a token names, or null: unknown, revoked, or a person's feed
 * after they left the organisation (the address must stop with their access).
 */
export async function findFeedByToken(token: string): Promise<FeedSubject | null> {
	if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null
	const [feed] = await db
		.select({ orgId: calendarFeeds.orgId, userId: calendarFeeds.userId })
		.from(calendarFeeds)
		.where(and(eq(calendarFeeds.tokenHash, hashToken(token)), isNull(calendarFeeds.revokedAt)))
	if (!feed) return null
	if (feed.userId) {
		const [member] = await db
			.select({ userId: memberships.userId })
			.from(memberships)
			.where(and(eq(memberships.orgId, feed.orgId), eq(memberships.userId, feed.userId)))
		if (!member) return null
	}
	return feed
}

/**
 * The ids of the active apps a person answers for: the same rule as their
 * reminders (`reminderOwnersOf`): the app's owners; with none, its creator;
 * with no creator left in the organisation, its admins.
 */
export async function ownedAppIds(orgId: string, userId: string): Promise<Set<string>> {
	const rows = await db
		.select({ id: apps.id })
		.from(apps)
		.where(and(eq(apps.orgId, orgId), isNull(apps.archivedAt)))
	const owned = new Set<string>()
	// Apps per organisation are few; the rule is read per app rather than written twice.
	for (const app of rows) {
		if ((await reminderOwnersOf(db, orgId, app.id)).userIds.includes(userId)) owned.add(app.id)
	}
	return owned
}

const TASK_WORDS = {
	erase: {
		verb: 'erase',
		why: 'Atlassian reported these accounts as closed: erase the personal data the app stores for them',
	},
	refresh: {
		verb: 'refresh',
		why: 'Atlassian reported these accounts as updated: refresh the personal data the app stores for them',
	},
} as const

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/** `2026-03-17` → `20260317`, for UIDs. */
const compact = (date: string) => date.replace(/-/g, '')

/**
 * The events of a feed: one per app's reporting due date (from the
 * dashboard's own status), and one per app, task kind and local due day of
 * its open erase/refresh tasks. `userId` narrows to the apps the person owns.
 */
export async function feedEvents(
	subject: FeedSubject,
	baseUrl: string,
	now = new Date(),
): Promise<{ events: CalendarEvent[]; org: { name: string; slug: string; timeZone: string } }> {
	const [org] = await db
		.select({ name: organizations.name, slug: organizations.slug, timeZone: organizations.timeZone })
		.from(organizations)
		.where(eq(organizations.id, subject.orgId))
	if (!org) throw new UserFacingError(NO_SUCH_ORGANISATION, 404)
	const { rows, timeZone } = await dashboardRows(subject.orgId, now)
	const only = subject.userId ? await ownedAppIds(subject.orgId, subject.userId) : null
	const included = only ? rows.filter((row) => only.has(row.id)) : rows
	const link = (appId: string) => `${baseUrl}/o/${org.slug}/apps/${appId}/reporting`
	const events: CalendarEvent[] = []

	for (const row of included) {
		if (!row.dueDate || !row.dueAt || row.status === 'not_required') continue
		events.push({
			uid: `report-${row.id}-${compact(row.dueDate)}@clearance`,
			date: row.dueDate,
			summary: `Personal-data report due: ${row.name}`,
			description: [
				`Report the accounts ${row.name} stores to Atlassian’s personal-data reporting API by the end of ${formatLocalDate(row.dueAt, timeZone)} (${timeZone}).`,
				row.status === 'overdue' ? 'This report is overdue.' : null,
				`Reporting page: ${link(row.id)}`,
			]
				.filter(Boolean)
				.join('\n'),
			url: link(row.id),
			alarmDaysBefore: 1,
			categories: ['Personal-data report'],
		})
	}

	const appIds = included.map((row) => row.id)
	if (appIds.length > 0) {
		// Tasks of one run share a due instant, so this is a handful of rows however many accounts.
		const groups = await db
			.select({
				appId: accountActions.appId,
				kind: accountActions.kind,
				dueAt: accountActions.dueAt,
				n: count(),
			})
			.from(accountActions)
			.where(
				and(
					eq(accountActions.orgId, subject.orgId),
					inArray(accountActions.appId, appIds),
					isNull(accountActions.completedAt),
				),
			)
			.groupBy(accountActions.appId, accountActions.kind, accountActions.dueAt)
		const perDay = new Map<string, { appId: string; kind: 'erase' | 'refresh'; date: string; dueAt: Date; n: number }>()
		for (const group of groups) {
			const date = localDateOf(group.dueAt, timeZone)
			const key = `${group.kind}-${group.appId}-${compact(date)}`
			const seen = perDay.get(key)
			if (seen) seen.n += group.n
			else perDay.set(key, { appId: group.appId, kind: group.kind, date, dueAt: group.dueAt, n: group.n })
		}
		const names = new Map(included.map((row) => [row.id, row.name]))
		for (const [key, task] of [...perDay].sort(([a], [b]) => a.localeCompare(b))) {
			const name = names.get(task.appId)!
			const words = TASK_WORDS[task.kind]
			events.push({
				uid: `${key}@clearance`,
				date: task.date,
				summary: `${plural(task.n, 'account', 'accounts')} to ${words.verb} for ${name}`,
				description: [
					`${words.why} (${name}) by the end of ${formatLocalDate(task.dueAt, timeZone)} (${timeZone}).`,
					`Reporting page: ${link(task.appId)}`,
				].join('\n'),
				url: link(task.appId),
				alarmDaysBefore: 1,
				categories: ['Account task'],
			})
		}
	}
	events.sort((a, b) => a.date.localeCompare(b.date) || a.uid.localeCompare(b.uid))
	return { events, org }
}

/** The feed as iCalendar text. */
export async function calendarText(subject: FeedSubject, baseUrl: string, now = new Date()): Promise<string> {
	const { events, org } = await feedEvents(subject, baseUrl, now)
	let name = `${org.name} deadlines (Clearance)`
	if (subject.userId) {
		const [person] = await db.select({ name: users.name }).from(users).where(eq(users.id, subject.userId))
		name = `${person?.name ?? 'My'} apps in ${org.name} (Clearance)`
	}
	return writeCalendar(
		{
			prodId: '-//Clearance//Reporting deadlines//EN',
			name,
			description: subject.userId
				? 'Personal-data report and account task due dates of the apps you own.'
				: `Personal-data report and account task due dates of every app in ${org.name}.`,
			timeZone: org.timeZone,
			refreshMinutes: 60,
			events,
		},
		now,
	)
}

/** The answer for a calendar client: iCalendar, never cached by a shared cache, never indexed. */
export function calendarResponse(text: string, request: Request): Response {
	return new Response(request.method === 'HEAD' ? null : text, {
		headers: {
			'Content-Type': 'text/calendar; charset=utf-8',
			'Content-Disposition': 'inline; filename="clearance.ics"',
			'Cache-Control': 'private, no-cache',
			'X-Robots-Tag': 'noindex, nofollow',
			'Referrer-Policy': 'no-referrer',
		},
	})
}
