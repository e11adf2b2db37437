import { useFetcher } from '@remix-run/react'
import { useEffect, useState } from 'react'
import { formatDateTime } from '~/components/reporting-status'
import { FieldError, FormAlert, TextField, errorId } from '~/components/ui/form'
import { Badge } from '~/components/ui/status'
import {
	CONNECTION_KIND_HINTS,
	CONNECTION_KIND_LABELS,
	CONNECTION_KINDS,
	connectConnectionWarning,
	type ConnectionKind,
} from '~/domain/reporting-connection'

/**
 * The app's reporting connection (docs/rules.md › Reporting connections): how
 * Clearance sends the app's reports to Atlassian
 * itself, whether it works, and — for admins — the form to set or remove it.
 * Secrets are typed into password fields that are never filled in: once
 * saved, a secret is sealed and no page shows it again.
 */

export const CONNECTION_FETCHER = 'reporting-connection'

export type ConnectionCardData = {
	summary: {
		kind: ConnectionKind
		settings: { clientId?: string; url?: string; baseUrl?: string }
		state: 'ok' | 'broken'
		lastSuccessAt: Date | string | null
		lastErrorAt: Date | string | null
		lastError: string | null
		nextPlannedAt: Date | string | null
		updatedAt: Date | string
		version: number
	} | null
	/** Why the server cannot keep secrets (CLEARANCE_SECRET_KEY), or null. */
	secretKeyProblem: string | null
	canManage: boolean
}

export type ConnectionResult = {
	intent?: 'save' | 'remove'
	notice?: string
	formError?: string | null
	errors?: Record<string, string>
	/** What was typed, never a secret. */
	values?: Record<string, unknown>
}

function text(values: Record<string, unknown> | undefined, key: string, fallback = '') {
	const value = values?.[key]
	return typeof value === 'string' ? value : fallback
}

function SecretField({ label, name, error, hint }: { label: string; name: string; error?: string; hint: string }) {
	// Never pre-filled, never remembered by the browser as a login.
	return (
		<TextField
			label={label}
			name={name}
			type="password"
			autoComplete="off"
			spellCheck={false}
			error={error}
			hint={hint}
		/>
	)
}

export function ConnectionCard({
	action,
	connection,
	appKey,
	timeZone,
	result: pageResult,
}: {
	/** The route the form posts to (…/reporting/connection). */
	action: string
	connection: ConnectionCardData
	/** The app key registered on the app: a Connect JWT's issuer. */
	appKey: string
	timeZone: string
	/** The answer when the form was posted without JavaScript. */
	result?: ConnectionResult
}) {
	const fetcher = useFetcher<ConnectionResult>({ key: CONNECTION_FETCHER })
	const result = fetcher.data ?? pageResult
	const { summary, secretKeyProblem, canManage } = connection
	const busy = fetcher.state !== 'idle'
	const [kind, setKind] = useState<ConnectionKind>(
		(text(result?.values, 'kind') as ConnectionKind) || summary?.kind || 'oauth2',
	)
	// Without JavaScript every kind's fields are shown; with it, only the chosen kind's.
	const [hydrated, setHydrated] = useState(false)
	useEffect(() => setHydrated(true), [])
	const shownKind = (option: ConnectionKind) => !hydrated || kind === option
	const errors = result?.errors ?? {}
	// After a refused save, what was typed (never a secret) is shown again.
	const refused = result?.intent === 'save' && (Boolean(result.formError) || Object.keys(errors).length > 0)
	const typed = refused ? result?.values : undefined
	const settingValue = (key: 'clientId' | 'url' | 'baseUrl') => text(typed, key, summary?.settings[key] ?? '')

	return (
		<section className="card stack-sm" aria-labelledby="connection-heading">
			<h2 id="connection-heading">Reporting connection</h2>
			<p>
				How Clearance sends this app’s personal-data reports to Atlassian itself: in batches of at most 90, one after
				another, waiting when Atlassian asks it to.
			</p>
			{summary ? (
				<dl className="dl" data-testid="connection-summary">
					<dt>Connection</dt>
					<dd>{CONNECTION_KIND_LABELS[summary.kind]}</dd>
					{summary.settings.clientId !== undefined ? (
						<>
							<dt>Client ID</dt>
							<dd className="mono">{summary.settings.clientId}</dd>
						</>
					) : null}
					{summary.settings.url !== undefined ? (
						<>
							<dt>Web trigger URL</dt>
							<dd className="mono">{summary.settings.url}</dd>
						</>
					) : null}
					{summary.settings.baseUrl !== undefined ? (
						<>
							<dt>Site address</dt>
							<dd className="mono">{summary.settings.baseUrl}</dd>
						</>
					) : null}
					<dt>Secrets</dt>
					<dd>Saved and sealed; they are never shown again.</dd>
					<dt>State</dt>
					<dd>
						{summary.state === 'ok' ? (
							<Badge tone="ok">Working</Badge>
						) : (
							<Badge tone="bad">Needs attention: Atlassian refused it</Badge>
						)}
					</dd>
					<dt>Last successful send</dt>
					<dd>{summary.lastSuccessAt ? formatDateTime(summary.lastSuccessAt, timeZone) : 'None yet'}</dd>
					{summary.lastError ? (
						<>
							<dt>Last error</dt>
							<dd>
								{summary.lastErrorAt ? `${formatDateTime(summary.lastErrorAt, timeZone)}: ` : null}
								{summary.lastError}
							</dd>
						</>
					) : null}
					<dt>Next planned send</dt>
					<dd>{summary.nextPlannedAt ? formatDateTime(summary.nextPlannedAt, timeZone) : 'Not planned yet'}</dd>
					<dt>Saved</dt>
					<dd>{formatDateTime(summary.updatedAt, timeZone)}</dd>
				</dl>
			) : (
				<p className="card-muted">
					Not set: Clearance does not send this app’s reports itself. Reports sent by your own job can still be recorded
					under “Record a report run”.
				</p>
			)}
			{summary?.state === 'broken' ? (
				<p className="alert alert-bad" role="status">
					Atlassian refused this connection: do what the last error says, then save the connection again.
				</p>
			) : null}
			{summary?.kind === 'forge_webtrigger' ? (
				<p className="card-muted">
					Forge’s own helper does not pass on Atlassian’s Cycle-Period header, so Clearance cannot read it on this path:
					the cycle set on this app applies.
				</p>
			) : null}
			{summary?.kind === 'connect' ? <p className="alert alert-warn">{connectConnectionWarning()}</p> : null}

			{result?.notice ? (
				<p className="alert alert-ok" role="status">
					{result.notice}
				</p>
			) : null}

			{!canManage ? (
				<p className="card-muted">Only an admin can set, change or remove the connection.</p>
			) : (
				<>
					<FormAlert message={result?.formError} />
					{secretKeyProblem ? (
						<p className="alert alert-warn" role="status">
							A connection cannot be saved yet. {secretKeyProblem}
						</p>
					) : null}
					<fetcher.Form
						method="post"
						action={action}
						className="stack-sm"
						// A fresh form after each save: nothing typed into a secret field stays on the page.
						key={`connection-form-${summary?.version ?? 0}`}
						aria-labelledby="connection-form-heading"
					>
						<h3 id="connection-form-heading">{summary ? 'Replace the connection' : 'Set the connection'}</h3>
						<input type="hidden" name="intent" value="save" />
						<fieldset className="fieldset" aria-describedby={errors.kind ? errorId('kind') : undefined}>
							<legend>How does this app reach Atlassian?</legend>
							{CONNECTION_KINDS.map((option) => (
								<label key={option} className="check" htmlFor={`connection-kind-${option}`}>
									<input
										id={`connection-kind-${option}`}
										type="radio"
										name="kind"
										value={option}
										checked={kind === option}
										onChange={() => setKind(option)}
									/>
									<span>
										{CONNECTION_KIND_LABELS[option]}
										{option === 'connect' ? ' — Connect is ending' : ''}
									</span>
								</label>
							))}
							<FieldError name="kind" message={errors.kind} />
						</fieldset>

						{/* .fieldset sets display: flex, which outranks the hidden attribute: a hidden one goes without the class. */}
						<fieldset className={shownKind('oauth2') ? 'fieldset' : undefined} hidden={!shownKind('oauth2')}>
							<legend>{CONNECTION_KIND_LABELS.oauth2}</legend>
							<p className="card-muted">{CONNECTION_KIND_HINTS.oauth2}</p>
							<TextField
								label="Client ID"
								name="clientId"
								defaultValue={settingValue('clientId')}
								autoComplete="off"
								spellCheck={false}
								error={errors.clientId}
							/>
							<SecretField
								label="Client secret"
								name="clientSecret"
								error={errors.clientSecret}
								hint="From the developer console › your app › Settings."
							/>
							<SecretField
								label="Refresh token"
								name="refreshToken"
								error={errors.refreshToken}
								hint="From authorising the app with the scopes report:personal-data and offline_access."
							/>
						</fieldset>

						<fieldset
							className={shownKind('forge_webtrigger') ? 'fieldset' : undefined}
							hidden={!shownKind('forge_webtrigger')}
						>
							<legend>{CONNECTION_KIND_LABELS.forge_webtrigger}</legend>
							<p className="card-muted">{CONNECTION_KIND_HINTS.forge_webtrigger}</p>
							<TextField
								label="Web trigger URL"
								name="url"
								type="url"
								defaultValue={settingValue('url')}
								autoComplete="off"
								spellCheck={false}
								error={errors.url}
								hint="Printed by the Forge CLI’s webtrigger command for the installation."
							/>
							<SecretField
								label="Web trigger secret"
								name="secret"
								error={errors.secret}
								hint="The value of CLEARANCE_SECRET in the app’s Forge variables; at least 16 characters (openssl rand -hex 32)."
							/>
						</fieldset>

						<fieldset className={shownKind('connect') ? 'fieldset' : undefined} hidden={!shownKind('connect')}>
							<legend>{CONNECTION_KIND_LABELS.connect}</legend>
							<p className="alert alert-warn">{connectConnectionWarning()}</p>
							<p className="card-muted">
								{CONNECTION_KIND_HINTS.connect} App key: <span className="mono">{appKey}</span>.
							</p>
							<TextField
								label="Site address"
								name="baseUrl"
								type="url"
								defaultValue={settingValue('baseUrl')}
								autoComplete="off"
								spellCheck={false}
								error={errors.baseUrl}
								hint="As in the installed event, such as https://your-site.atlassian.net."
							/>
							<SecretField
								label="Shared secret"
								name="sharedSecret"
								error={errors.sharedSecret}
								hint="The installation’s shared secret, from the installed event."
							/>
						</fieldset>

						<div className="row">
							<button type="submit" className="button" disabled={busy || secretKeyProblem !== null}>
								Save connection
							</button>
						</div>
					</fetcher.Form>
					{summary ? (
						<fetcher.Form method="post" action={action} className="row">
							<input type="hidden" name="intent" value="remove" />
							<button type="submit" className="button button-danger" disabled={busy}>
								Remove connection
							</button>
							<span className="card-muted">Clearance stops sending this app’s reports; its secrets are deleted.</span>
						</fetcher.Form>
					) : null}
				</>
			)}
		</section>
	)
}
