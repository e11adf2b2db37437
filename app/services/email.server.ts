import { and, asc, count, desc, eq, gt, inArray, isNull, like, lt, lte, or, sql } from 'drizzle-orm'
import nodemailer from 'nodemailer'
import { db, type Tx } from '#db/client.server'
import { emailOutbox, memberships, notificationPreferences, notifications, organizations, users } from '#db/schema'
import {
	absoluteLink,
	DIGEST_SUBJECT_PREFIX,
	digestWording,
	EMAIL_MAX_ATTEMPTS,
	emailRetryDelayMs,
	renderEmail,
	type EmailItem,
	type RenderedEmail,
} from '~/domain/email-message'
import { formatLocalDate, localDateOf } from '~/domain/zoned-time'
import { withAdvisoryLock } from '~/utils/advisory-lock.server'
import { parseEnv } from '~/utils/env.server'

/**
 * Email to Clearance's own users — the address is their login (`users.email`), never an Atlassian user's
 * (docs/rules.md › Emails are never stored). Written to a durable outbox in the caller's transaction and sent
 * after commit by `deliverPendingEmails` (docs/decisions/010-email.md).
 */

export type EmailSettings = { publicUrl: string; smtpUrl: string | undefined; from: string }

/** Read at each use (not cached at boot), so a test can point SMTP_URL at its own server. */
export function emailSettings(source: NodeJS.ProcessEnv = process.env): EmailSettings {
	const env = parseEnv(source)
	return { publicUrl: env.PUBLIC_URL, smtpUrl: env.SMTP_URL, from: env.SMTP_FROM }
}

/** Where a person changes their reminder channels, absolute. */
export function notificationSettingsUrl(publicUrl: string, orgSlug: string): string {
	return absoluteLink(publicUrl, `/o/${orgSlug}/notifications/settings`)!
}

export type QueuedEmail = {
	orgId: string
	userId: string
	reminderId?: string
	subject: string
	text: string
	/** A path in Clearance (`/o/<slug>/apps/…`) or a full http(s) URL; made absolute from PUBLIC_URL. */
	link?: string
}

type Recipient = { email: string; name: string; orgName: string; orgSlug: string }

/** The member's login address and names; none when the person is not (or no longer) a member of `orgId`. */
async function recipient(tx: Tx, orgId: string, userId: string): Promise<Recipient | undefined> {
	const [row] = await tx
		.select({ email: users.email, name: users.name, orgName: organizations.name, orgSlug: organizations.slug })
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.innerJoin(organizations, eq(organizations.id, memberships.orgId))
		.where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
	return row
}

async function insertEmail(
	tx: Tx,
	settings: EmailSettings,
	row: {
		orgId: string
		userId: string
		reminderId?: string | null
		toAddress: string
		rendered: RenderedEmail
		createdAt?: Date
	},
) {
	await tx.insert(emailOutbox).values({
		orgId: row.orgId,
		userId: row.userId,
		reminderId: row.reminderId ?? null,
		toAddress: row.toAddress,
		subject: row.rendered.subject,
		textBody: row.rendered.text,
		htmlBody: row.rendered.html,
		// Without a mail server nothing is ever sent: the outbox page shows what would have been.
		status: settings.smtpUrl ? 'pending' : 'held',
		...(row.createdAt ? { createdAt: row.createdAt, nextAttemptAt: row.createdAt } : {}),
	})
}

/**
 * Writes one email to the outbox in the caller's transaction (so it exists only if the change that caused it
 * commits): plain text and HTML, the item's link made absolute from PUBLIC_URL, and a link to the person's
 * notification settings. `pending` with SMTP_URL, `held` without. Whether the person wants email (and
 * immediately) is the caller's decision; a person who is not a member of `orgId` gets nothing.
 */
export async function queueEmail(tx: Tx, m: QueuedEmail): Promise<void> {
	const to = await recipient(tx, m.orgId, m.userId)
	if (!to) return
	const settings = emailSettings()
	const url = absoluteLink(settings.publicUrl, m.link)
	const rendered = renderEmail({
		recipientName: to.name,
		orgName: to.orgName,
		subject: m.subject,
		text: m.text,
		items: url ? [{ text: 'Open in Clearance', url }] : [],
		settingsUrl: notificationSettingsUrl(settings.publicUrl, to.orgSlug),
	})
	await insertEmail(tx, settings, {
		orgId: m.orgId,
		userId: m.userId,
		reminderId: m.reminderId,
		toAddress: to.email,
		rendered,
	})
}

// ── Delivery ────────────────────────────────────────────────────────────────

/** A claim lasts this long: a server that dies mid-send leaves rows that are tried again after it. */
const CLAIM_MS = 10 * 60_000
const BATCH_SIZE = 20
/** At most this many batches a pass; the rest waits for the next pass. */
const MAX_BATCHES = 50

export type DeliveryOutcome = { sent: number; failed: number; retrying: number }

/**
 * Sends what is due (`pending`, its next attempt reached, not claimed). Each batch is first claimed in one
 * statement (`locked_until`, `for update skip locked`), so two passes — two servers, the scheduler and
 * `npm run remind` — never send one email twice. A failed try is retried after 1, 5, 30, 120 minutes; after
 * EMAIL_MAX_ATTEMPTS tries the email is `failed`, its last error kept. Without SMTP_URL it does nothing.
 */
export async function deliverPendingEmails({ now }: { now?: Date } = {}): Promise<DeliveryOutcome> {
	const outcome: DeliveryOutcome = { sent: 0, failed: 0, retrying: 0 }
	const settings = emailSettings()
	if (!settings.smtpUrl) return outcome
	const transporter = nodemailer.createTransport({
		url: settings.smtpUrl,
		pool: true,
		maxConnections: 1,
		connectionTimeout: 30_000,
		greetingTimeout: 30_000,
		socketTimeout: 60_000,
	})
	try {
		for (let batch = 0; batch < MAX_BATCHES; batch++) {
			const at = now ?? new Date()
			const claimedUntil = new Date(at.getTime() + CLAIM_MS)
			const claimed = await claimDue(at, claimedUntil)
			for (const row of claimed) {
				const mine = and(eq(emailOutbox.id, row.id), eq(emailOutbox.lockedUntil, claimedUntil))
				try {
					await transporter.sendMail({
						from: settings.from,
						to: row.toAddress,
						subject: row.subject,
						text: row.textBody,
						html: row.htmlBody,
					})
				} catch (error) {
					const lastError = describeError(error)
					if (row.attempts >= EMAIL_MAX_ATTEMPTS) {
						await db.update(emailOutbox).set({ status: 'failed', lastError, lockedUntil: null }).where(mine)
						outcome.failed++
					} else {
						const nextAttemptAt = new Date((now ?? new Date()).getTime() + emailRetryDelayMs(row.attempts))
						await db.update(emailOutbox).set({ lastError, nextAttemptAt, lockedUntil: null }).where(mine)
						outcome.retrying++
					}
					continue
				}
				await db
					.update(emailOutbox)
					.set({ status: 'sent', sentAt: now ?? new Date(), lastError: null, lockedUntil: null })
					.where(mine)
				outcome.sent++
			}
			if (claimed.length < BATCH_SIZE) break
		}
	} finally {
		transporter.close()
	}
	return outcome
}

/** Claims up to BATCH_SIZE due rows for this pass, counting the try; rows another pass holds are skipped. */
async function claimDue(at: Date, claimedUntil: Date) {
	const due = db
		.select({ id: emailOutbox.id })
		.from(emailOutbox)
		.where(
			and(
				eq(emailOutbox.status, 'pending'),
				lte(emailOutbox.nextAttemptAt, at),
				or(isNull(emailOutbox.lockedUntil), lt(emailOutbox.lockedUntil, at)),
			),
		)
		.orderBy(asc(emailOutbox.nextAttemptAt))
		.limit(BATCH_SIZE)
		.for('update', { skipLocked: true })
	return db
		.update(emailOutbox)
		.set({ lockedUntil: claimedUntil, attempts: sql`${emailOutbox.attempts} + 1` })
		.where(inArray(emailOutbox.id, due))
		.returning({
			id: emailOutbox.id,
			toAddress: emailOutbox.toAddress,
			subject: emailOutbox.subject,
			textBody: emailOutbox.textBody,
			htmlBody: emailOutbox.htmlBody,
			attempts: emailOutbox.attempts,
		})
}

/** The server's answer in one line, for the outbox page (nodemailer puts the SMTP reply in the message). */
function describeError(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error)
	const line = message.replace(/\s+/g, ' ').trim() || 'Unknown error'
	return line.length > 500 ? `${line.slice(0, 499)}…` : line
}

// ── Daily digest ────────────────────────────────────────────────────────────

/** Notifications whose kind starts so are reminders, and go into a digest. */
export const REMINDER_NOTIFICATION_KIND_PREFIX = 'reminder'
/** A first digest looks back this far. */
const FIRST_DIGEST_LOOKBACK_MS = 24 * 60 * 60_000
/** At most this many reminders listed in one digest (the rest are on the notifications page). */
const DIGEST_MAX_ITEMS = 100

/**
 * For each person whose email preference is `digest`, once per local day (the organisation's time zone,
 * `last_digest_on`): one email listing their reminder notifications since their previous digest. Nothing to
 * tell, no email. Each person is handled in one transaction holding their preference row, so two passes send
 * one digest.
 */
export async function sendDigests({ now = new Date() }: { now?: Date } = {}): Promise<{ queued: number }> {
	const people = await db
		.select({
			orgId: notificationPreferences.orgId,
			userId: notificationPreferences.userId,
			lastDigestOn: notificationPreferences.lastDigestOn,
			timeZone: organizations.timeZone,
		})
		.from(notificationPreferences)
		.innerJoin(
			memberships,
			and(eq(memberships.orgId, notificationPreferences.orgId), eq(memberships.userId, notificationPreferences.userId)),
		)
		.innerJoin(organizations, eq(organizations.id, notificationPreferences.orgId))
		.where(and(eq(notificationPreferences.email, true), eq(notificationPreferences.emailMode, 'digest')))
	let queued = 0
	for (const person of people) {
		const today = localDateOf(now, person.timeZone)
		if (person.lastDigestOn === today) continue
		if (await queueDigest(person.orgId, person.userId, person.timeZone, today, now)) queued++
	}
	return { queued }
}

async function queueDigest(orgId: string, userId: string, timeZone: string, today: string, now: Date) {
	return db.transaction(async (tx) => {
		const [preference] = await tx
			.select({ lastDigestOn: notificationPreferences.lastDigestOn })
			.from(notificationPreferences)
			.where(
				and(
					eq(notificationPreferences.orgId, orgId),
					eq(notificationPreferences.userId, userId),
					eq(notificationPreferences.email, true),
					eq(notificationPreferences.emailMode, 'digest'),
				),
			)
			.for('update')
		if (!preference || preference.lastDigestOn === today) return false
		const to = await recipient(tx, orgId, userId)
		if (!to) return false

		const [previous] = await tx
			.select({ at: emailOutbox.createdAt })
			.from(emailOutbox)
			.where(
				and(
					eq(emailOutbox.orgId, orgId),
					eq(emailOutbox.userId, userId),
					isNull(emailOutbox.reminderId),
					like(emailOutbox.subject, `${DIGEST_SUBJECT_PREFIX}%`),
				),
			)
			.orderBy(desc(emailOutbox.createdAt))
			.limit(1)
		const since = previous?.at ?? new Date(now.getTime() - FIRST_DIGEST_LOOKBACK_MS)
		const items = await tx
			.select({ message: notifications.message, link: notifications.link })
			.from(notifications)
			.where(
				and(
					eq(notifications.orgId, orgId),
					eq(notifications.userId, userId),
					like(notifications.kind, `${REMINDER_NOTIFICATION_KIND_PREFIX}%`),
					gt(notifications.createdAt, since),
					lte(notifications.createdAt, now),
				),
			)
			.orderBy(asc(notifications.createdAt))
			.limit(DIGEST_MAX_ITEMS + 1)
		if (items.length === 0) return false

		const settings = emailSettings()
		const listed: EmailItem[] = items
			.slice(0, DIGEST_MAX_ITEMS)
			.map((item) => ({ text: item.message, url: absoluteLink(settings.publicUrl, item.link) }))
		const wording = digestWording(listed.length, to.orgName, formatLocalDate(now, timeZone))
		const more =
			items.length > DIGEST_MAX_ITEMS
				? `\n\nThere are more: see all of them on your notifications page, ${absoluteLink(settings.publicUrl, `/o/${to.orgSlug}/notifications`)}`
				: ''
		const rendered = renderEmail({
			recipientName: to.name,
			orgName: to.orgName,
			subject: wording.subject,
			text: wording.text + more,
			items: listed,
			settingsUrl: notificationSettingsUrl(settings.publicUrl, to.orgSlug),
		})
		// createdAt is `now`: the next digest starts from it.
		await insertEmail(tx, settings, { orgId, userId, toAddress: to.email, rendered, createdAt: now })
		await tx
			.update(notificationPreferences)
			.set({ lastDigestOn: today })
			.where(and(eq(notificationPreferences.orgId, orgId), eq(notificationPreferences.userId, userId)))
		return true
	})
}

/**
 * The `email` scheduled job: today's digests, then everything due. Digests are written holding the reminder
 * pass's lock (`reminders`): a pass still writing notifications on another server would otherwise commit some
 * just behind a digest's window, and they would never be listed. While a pass runs, digests wait for the next round.
 */
export async function runEmailJob({ now }: { now?: Date } = {}) {
	const digests = await withAdvisoryLock('reminders', () => sendDigests({ now }))
	const delivery = await deliverPendingEmails({ now })
	return { digests: digests.ran ? digests.value.queued : 0, ...delivery }
}

// ── Outbox page ─────────────────────────────────────────────────────────────

export const OUTBOX_STATUSES = ['pending', 'sent', 'failed', 'held'] as const
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number]

/** One organisation's emails, newest first, a page at a time; the recipient by the member's name and address. */
export async function listOutbox(
	orgId: string,
	{ page = 1, pageSize = 50, status }: { page?: number; pageSize?: number; status?: OutboxStatus } = {},
) {
	const where = and(eq(emailOutbox.orgId, orgId), status ? eq(emailOutbox.status, status) : undefined)
	const [rows, [total]] = await Promise.all([
		db
			.select({
				id: emailOutbox.id,
				subject: emailOutbox.subject,
				toAddress: emailOutbox.toAddress,
				recipientName: users.name,
				status: emailOutbox.status,
				attempts: emailOutbox.attempts,
				lastError: emailOutbox.lastError,
				nextAttemptAt: emailOutbox.nextAttemptAt,
				sentAt: emailOutbox.sentAt,
				createdAt: emailOutbox.createdAt,
				textBody: emailOutbox.textBody,
			})
			.from(emailOutbox)
			.leftJoin(users, eq(users.id, emailOutbox.userId))
			.where(where)
			.orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
			.limit(pageSize)
			.offset((page - 1) * pageSize),
		db.select({ count: count() }).from(emailOutbox).where(where),
	])
	return { rows, total: total?.count ?? 0, smtpConfigured: Boolean(emailSettings().smtpUrl) }
}
