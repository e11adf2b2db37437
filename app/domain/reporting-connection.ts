import { connectEndOfSupportText } from './catalogue'

/**
 * How Clearance reaches Atlassian's personal-data reporting API for an app
 * (docs/rules.md › Reporting connections): one
 * connection per app, of one of three kinds. What is secret is sealed at rest
 * and never shown or returned after saving; the rest are plain settings.
 */

export const CONNECTION_KINDS = ['oauth2', 'forge_webtrigger', 'connect'] as const
export type ConnectionKind = (typeof CONNECTION_KINDS)[number]

export const CONNECTION_STATES = ['ok', 'broken'] as const
export type ConnectionState = (typeof CONNECTION_STATES)[number]

/** The fields of each kind, as the API takes them, split into settings and secrets. */
export const CONNECTION_FIELDS = {
	oauth2: { settings: ['clientId'], secrets: ['clientSecret', 'refreshToken'] },
	forge_webtrigger: { settings: ['url'], secrets: ['secret'] },
	connect: { settings: ['baseUrl'], secrets: ['sharedSecret'] },
} as const satisfies Record<ConnectionKind, { settings: readonly string[]; secrets: readonly string[] }>

export type ConnectionInput =
	| { kind: 'oauth2'; clientId: string; clientSecret: string; refreshToken: string }
	| { kind: 'forge_webtrigger'; url: string; secret: string }
	| { kind: 'connect'; baseUrl: string; sharedSecret: string }

export type ConnectionSettings = { clientId?: string; url?: string; baseUrl?: string }
export type ConnectionSecrets = {
	clientSecret?: string
	refreshToken?: string
	secret?: string
	sharedSecret?: string
}

/** A connection as it is sent with: settings and secrets together. */
export type OpenConnection =
	| { kind: 'oauth2'; appId: string; clientId: string; clientSecret: string; refreshToken: string }
	| { kind: 'forge_webtrigger'; appId: string; url: string; secret: string }
	| { kind: 'connect'; appId: string; baseUrl: string; sharedSecret: string; appKey: string }

/** Splits what was typed into what may be shown (settings) and what is sealed (secrets). */
export function splitConnection(input: ConnectionInput): { settings: ConnectionSettings; secrets: ConnectionSecrets } {
	switch (input.kind) {
		case 'oauth2':
			return {
				settings: { clientId: input.clientId },
				secrets: { clientSecret: input.clientSecret, refreshToken: input.refreshToken },
			}
		case 'forge_webtrigger':
			return { settings: { url: input.url }, secrets: { secret: input.secret } }
		case 'connect':
			return { settings: { baseUrl: input.baseUrl }, secrets: { sharedSecret: input.sharedSecret } }
	}
}

export const CONNECTION_KIND_LABELS: Record<ConnectionKind, string> = {
	oauth2: 'OAuth 2.0 (3LO) app',
	forge_webtrigger: 'Forge app, through a companion web trigger',
	connect: 'Connect app (legacy)',
}

export const CONNECTION_KIND_HINTS: Record<ConnectionKind, string> = {
	oauth2:
		'Clearance trades the refresh token for an access token at Atlassian’s token endpoint and posts each batch to Atlassian’s report-accounts endpoint. The token needs the scope report:personal-data (and offline_access, for a refresh token). Atlassian replaces the refresh token at every use: Clearance keeps the new one, so do not use the same token elsewhere.',
	forge_webtrigger:
		'A Forge app can only be called from outside through a web trigger. Add the reporter module from the recipe to your app (scope report:personal-data), deploy it, and paste its web trigger URL and the secret you set. Forge’s own helper does not pass on Atlassian’s Cycle-Period header, so on this path Clearance cannot read it: the cycle set on the app applies.',
	connect:
		'Clearance posts each batch to your site’s report-accounts endpoint with a Connect JWT signed with the installation’s shared secret; the app key is the one registered on this app.',
}

/** Connect is ending: shown wherever the Connect kind is offered or in use. */
export function connectConnectionWarning(): string {
	return `Connect is ending: ${connectEndOfSupportText()} Plan to move the app to Forge and use a web trigger connection.`
}

/** What a person must do about a broken connection, by what Atlassian answered (docs/rules.md › Personal-data reporting). */
export function brokenConnectionAdvice(kind: ConnectionKind, status: number): string {
	if (kind === 'forge_webtrigger') {
		return status === 401 || status === 403
			? `The web trigger answered ${status}: check that the secret saved here matches CLEARANCE_SECRET in the app’s Forge variables, and that the app’s manifest has the scope report:personal-data (adding it is a major update an admin approves).`
			: `The web trigger answered ${status}.`
	}
	if (kind === 'connect') {
		return `Atlassian answered ${status}: the shared secret may be out of date (it changes when the app is reinstalled) or the app is no longer installed on that site. Save the connection again with the installation’s current shared secret.`
	}
	return status === 403
		? 'Atlassian answered 403: the grant was revoked or the app lacks access. Authorise the app again with the scopes report:personal-data and offline_access, and save the new refresh token here.'
		: `Atlassian answered ${status}: the access token was refused. Check that the app has the scope report:personal-data in the developer console, authorise it again, and save the new refresh token here.`
}
