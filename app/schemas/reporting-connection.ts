import { z } from 'zod'
import { CONNECTION_KINDS, CONNECTION_STATES, CONNECTION_KIND_LABELS } from '~/domain/reporting-connection'
import { textProblem } from '~/domain/text'
import { parseHttpUrl } from '~/domain/urls'

/**
 * A reporting connection as the API and the reporting page take it
 * (docs/rules.md › Reporting connections), and as
 * they show it: without its secrets. Shared by the browser and the server.
 */

export const CONNECTION_LIMITS = { clientId: 255, secret: 4096, url: 2048, minSharedSecret: 16 } as const

const kindOptions = CONNECTION_KINDS.map((kind) => `${kind} (${CONNECTION_KIND_LABELS[kind]})`).join(', ')

/** A secret: never echoed in a message (the refinement names no input). */
const secret = (what: string, min = 1) =>
	z
		.string(`Enter the ${what}.`)
		.trim()
		.min(1, `Enter the ${what}.`)
		.min(min, `The ${what} must be at least ${min} characters: use a long random value (openssl rand -hex 32).`)
		.max(CONNECTION_LIMITS.secret, `The ${what} is longer than ${CONNECTION_LIMITS.secret} characters: paste it again.`)
		.superRefine((value, ctx) => {
			const problem = textProblem(value, 'key')
			if (problem) ctx.addIssue({ code: 'custom', message: `The ${what}: ${problem}` })
		})

/** An http(s) address without a query or fragment; the trailing slash is dropped. */
const address = (what: string) =>
	z
		.string(`Enter the ${what}.`)
		.trim()
		.min(1, `Enter the ${what}.`)
		.max(CONNECTION_LIMITS.url, `Shorten the ${what} to at most ${CONNECTION_LIMITS.url} characters.`)
		.superRefine((value, ctx) => {
			const url = parseHttpUrl(value)
			if (!url) ctx.addIssue({ code: 'custom', message: `Enter the ${what} as a full URL starting with https://` })
			else if (url.username || url.password)
				ctx.addIssue({ code: 'custom', message: `Remove the user name and password from the ${what}.` })
			else if (url.hash) ctx.addIssue({ code: 'custom', message: `Remove the #… part from the ${what}.` })
		})
		.transform((value) => value.replace(/\/+$/, ''))

export const OAuth2ConnectionSchema = z.object({
	kind: z.literal('oauth2'),
	clientId: z
		.string('Enter the app’s client ID from the developer console.')
		.trim()
		.min(1, 'Enter the app’s client ID from the developer console.')
		.max(CONNECTION_LIMITS.clientId, `The client ID is longer than ${CONNECTION_LIMITS.clientId} characters.`)
		.superRefine((value, ctx) => {
			const problem = textProblem(value, 'key')
			if (problem) ctx.addIssue({ code: 'custom', message: problem })
		})
		.describe('The OAuth 2.0 (3LO) app’s client ID (developer console › Settings). Shown after saving.'),
	clientSecret: secret('client secret').describe('The app’s client secret. Never returned.'),
	refreshToken: secret('refresh token').describe(
		'A refresh token of the app (scopes report:personal-data and offline_access). Atlassian rotates it at each use: Clearance keeps the new one. Never returned.',
	),
})

export const ForgeWebtriggerConnectionSchema = z.object({
	kind: z.literal('forge_webtrigger'),
	url: address('web trigger URL').describe(
		'The companion module’s web trigger URL (`forge webtrigger`). Follows the outbound rules: a public address unless OUTBOUND_ALLOW_PRIVATE is set.',
	),
	secret: secret('web trigger secret', CONNECTION_LIMITS.minSharedSecret).describe(
		'The shared secret the companion checks in the X-Clearance-Secret header (its CLEARANCE_SECRET variable). At least 16 characters. Never returned.',
	),
})

export const ConnectConnectionSchema = z.object({
	kind: z.literal('connect'),
	baseUrl: address('site’s base URL').describe(
		'The installation’s baseUrl, such as https://your-site.atlassian.net (Confluence: …/wiki).',
	),
	sharedSecret: secret('shared secret').describe(
		'The installation’s sharedSecret (from the installed lifecycle event). Never returned.',
	),
})

export const ReportingConnectionInputSchema = z.discriminatedUnion(
	'kind',
	[OAuth2ConnectionSchema, ForgeWebtriggerConnectionSchema, ConnectConnectionSchema],
	{ error: `Choose how Clearance reaches Atlassian: ${kindOptions}.` },
)
export type ReportingConnectionInput = z.output<typeof ReportingConnectionInputSchema>

/** A saved connection as it may be shown: never its secrets. */
export const ReportingConnectionViewSchema = z.object({
	appId: z.uuid(),
	kind: z.enum(CONNECTION_KINDS),
	settings: z
		.object({
			clientId: z.string().optional(),
			url: z.string().optional(),
			baseUrl: z.string().optional(),
		})
		.describe('What is not secret: clientId (oauth2), url (forge_webtrigger) or baseUrl (connect).'),
	state: z
		.enum(CONNECTION_STATES)
		.describe('`broken` after Atlassian refused the credentials: `lastError` says what to fix.'),
	lastSuccessAt: z.string().nullable(),
	lastErrorAt: z.string().nullable(),
	lastError: z.string().nullable(),
	nextPlannedAt: z.string().nullable(),
	updatedAt: z.string(),
	version: z.number().int(),
})
export type ReportingConnectionView = z.output<typeof ReportingConnectionViewSchema>
