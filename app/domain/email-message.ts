/**
 * The emails Clearance sends its own users (never an Atlassian user: docs/rules.md › Emails are never stored),
 * rendered once as plain text and as HTML with the same words and links. Pure: no I/O.
 */

/** Base URL when PUBLIC_URL is not set. */
export const DEFAULT_PUBLIC_URL = 'http://localhost:3000'

/** Sending tries at most this many times, then the email is `failed` with its last error kept. */
export const EMAIL_MAX_ATTEMPTS = 5

/** Minutes to wait before the next try, after `attempts` failed tries (1 → 1 min, then 5, 30, 120). */
const RETRY_MINUTES = [1, 5, 30, 120] as const

export function emailRetryDelayMs(attempts: number): number {
	const index = Math.min(Math.max(attempts, 1), RETRY_MINUTES.length) - 1
	return RETRY_MINUTES[index]! * 60_000
}

/** Subjects of daily digests start so; the outbox and the next digest recognise them by it. */
export const DIGEST_SUBJECT_PREFIX = 'Daily digest:'

const SUBJECT_MAX = 200

/** One line, no control characters, at most 200 characters: a subject header cannot be split or stuffed. */
export function cleanSubject(subject: string): string {
	const line = subject
		.replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
		.replace(/\s+/g, ' ')
		.trim()
	return line.length > SUBJECT_MAX ? `${line.slice(0, SUBJECT_MAX - 1)}…` : line
}

/**
 * `link` made absolute from `base`: a path of Clearance (`/o/…`) is joined to the base; a full `http(s)` URL is
 * kept; anything else (`javascript:`, `//other.example`, text) gives no link rather than a wrong one.
 */
export function absoluteLink(base: string, link: string | null | undefined): string | null {
	if (!link) return null
	if (/[\p{Cc}\p{Cf}\s]/u.test(link)) return null
	if (link.startsWith('/') && !link.startsWith('//') && !link.startsWith('/\\')) {
		const root = new URL(base)
		const prefix = root.pathname.replace(/\/+$/, '')
		return new URL(prefix + link, root.origin).toString()
	}
	try {
		const url = new URL(link)
		return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null
	} catch {
		return null
	}
}

export function escapeHtml(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;')
		.replaceAll("'", '&#39;')
}

export type EmailItem = { text: string; url: string | null }

export type EmailContent = {
	recipientName: string
	orgName: string
	subject: string
	/** Paragraphs are separated by blank lines. */
	text: string
	/**
	 * Links under the text. One link is a button (a reminder's "Open in Clearance"); several are a list, each with its
	 * sentence (a digest).
	 */
	items: readonly EmailItem[]
	/** The person's notification settings, absolute. */
	settingsUrl: string
}

export type RenderedEmail = { subject: string; text: string; html: string }

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"

/** Plain text and HTML with the same content; everything from outside is escaped in the HTML. */
export function renderEmail(content: EmailContent): RenderedEmail {
	const subject = cleanSubject(content.subject)
	const paragraphs = content.text
		.replace(/\r\n?/g, '\n')
		.split(/\n{2,}/)
		.map((paragraph) => paragraph.trim())
		.filter(Boolean)
	const footer = `You receive this as a member of ${content.orgName} in Clearance. To choose which reminders reach you, and how, change your notification settings:`

	const button = content.items.length === 1 && content.items[0]!.url ? content.items[0]! : null
	const itemsText = button
		? [`${button.text}:\n${button.url}`]
		: content.items.map((item) => (item.url ? `- ${item.text}\n  ${item.url}` : `- ${item.text}`))
	const text = [
		`Hello ${content.recipientName},`,
		...paragraphs,
		...itemsText,
		'--',
		`${footer}\n${content.settingsUrl}`,
	].join('\n\n')

	const itemsHtml = button
		? `<p style="margin:0 0 24px"><a href="${escapeHtml(button.url!)}" style="display:inline-block;background:#1d4ed8;color:#ffffff;text-decoration:none;padding:10px 16px;border-radius:6px;font-weight:600">${escapeHtml(button.text)}</a></p>`
		: content.items.length > 0
			? `<ul style="margin:0 0 24px;padding-left:20px">${content.items
					.map(
						(item) =>
							`<li style="margin:0 0 8px">${
								item.url
									? `<a href="${escapeHtml(item.url)}" style="color:#1d4ed8">${escapeHtml(item.text)}</a>`
									: escapeHtml(item.text)
							}</li>`,
					)
					.join('')}</ul>`
			: ''
	const html = [
		'<!doctype html>',
		`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>`,
		`<body style="margin:0;padding:0;background:#f4f5f7;${FONT};color:#172b4d">`,
		'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0"><tr><td align="center">',
		'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border:1px solid #dfe1e6;border-radius:8px">',
		`<tr><td style="padding:16px 24px;border-bottom:1px solid #dfe1e6;font-weight:700;font-size:16px">Clearance · ${escapeHtml(content.orgName)}</td></tr>`,
		'<tr><td style="padding:24px;font-size:15px;line-height:1.5">',
		`<p style="margin:0 0 16px">Hello ${escapeHtml(content.recipientName)},</p>`,
		...paragraphs.map(
			(paragraph) => `<p style="margin:0 0 16px">${escapeHtml(paragraph).replaceAll('\n', '<br>')}</p>`,
		),
		itemsHtml,
		'</td></tr>',
		`<tr><td style="padding:16px 24px;border-top:1px solid #dfe1e6;font-size:13px;color:#5e6c84">${escapeHtml(footer)} <a href="${escapeHtml(content.settingsUrl)}" style="color:#1d4ed8">Notification settings</a></td></tr>`,
		'</table></td></tr></table></body></html>',
	].join('\n')
	return { subject, text, html }
}

/** The daily digest's subject and opening sentence, plurals right; `day` is the local date in words. */
export function digestWording(count: number, orgName: string, day: string) {
	const reminders = count === 1 ? '1 reminder' : `${count} reminders`
	return {
		subject: `${DIGEST_SUBJECT_PREFIX} ${reminders} in ${orgName}`,
		text: `Your daily digest for ${day}: ${reminders} in ${orgName} since your last digest.`,
	}
}
