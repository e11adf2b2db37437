import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useEffect } from 'react'
import { CopyField } from '~/components/copy-field'
import { FieldError, FormAlert, TextField } from '~/components/ui/form'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { useValidatedForm } from '~/components/ui/use-validated-form'
import { API_SCOPE_LABELS, API_SCOPES } from '~/domain/api-keys'
import { formatInTimeZone } from '~/domain/reporting-cycle'
import { ApiKeyActionSchema, ApiKeyCreateSchema } from '~/schemas/api-keys'
import { createApiKey, listApiKeys, revokeApiKey } from '~/services/api-keys.server'
import { requirePermission } from '~/utils/auth.server'
import { parseForm, refusedIntentForm } from '~/utils/forms'
import { formRefusal } from '~/utils/refusals.server'

export const meta: MetaFunction = () => [{ title: 'API keys · Clearance' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'api-keys:manage')
	return { org, keys: await listApiKeys(org.id), apiBase: `${new URL(request.url).origin}/api/v1` }
}

type ActionResult = {
	intent?: string
	errors?: Record<string, string>
	values?: Record<string, unknown>
	formError?: string | null
	/** The new key: in this one answer only, never stored in the clear. */
	created?: { key: string; name: string }
	notice?: string
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'api-keys:manage')
	const form = await parseForm(request, ApiKeyActionSchema, { arrayKeys: ['scopes'] })
	if (!form.success) {
		return data<ActionResult>(refusedIntentForm(form), 400)
	}
	const input = form.data
	try {
		if (input.intent === 'create') {
			const { key, apiKey } = await createApiKey(org.id, user.id, input)
			return data<ActionResult>(
				{ intent: 'create', created: { key, name: apiKey.name } },
				{ headers: { 'Cache-Control': 'no-store' } },
			)
		}
		const revoked = await revokeApiKey(org.id, user.id, input.keyId)
		return data<ActionResult>({
			intent: 'revoke',
			notice: `The key “${revoked.name}” is revoked: requests with it are refused from now on.`,
		})
	} catch (error) {
		return formRefusal<ActionResult>(error, {
			intent: input.intent,
			values: input.intent === 'create' ? { name: input.name, scopes: input.scopes } : undefined,
		})
	}
}

function CreateKeyForm({ result, apiBase }: { result?: ActionResult; apiBase: string }) {
	const createResult = result?.intent === 'create' ? result : undefined
	const navigation = useNavigation()
	const values = createResult?.created ? undefined : createResult?.values
	const { form, formRef, onSubmit, errorOf, text, checkbox } = useValidatedForm(ApiKeyCreateSchema, {
		defaultValues: {
			intent: 'create',
			name: String(values?.name ?? ''),
			scopes: Array.isArray(values?.scopes) ? (values.scopes as (typeof API_SCOPES)[number][]) : ['read'],
		},
		serverErrors: createResult?.errors,
	})
	const createdKey = createResult?.created?.key
	// A key was made: the form starts afresh, so a second click makes no twin by mistake.
	useEffect(() => {
		if (createdKey) form.reset({ intent: 'create', name: '', scopes: ['read'] })
	}, [createdKey, form])
	return (
		<section className="card stack-sm" aria-labelledby="create-key-heading">
			<h2 id="create-key-heading">Create a key</h2>
			<p className="card-muted">
				Give each job its own key with only the scopes it needs, so you can revoke one without stopping the others.
			</p>
			{createResult?.created ? (
				<div className="alert alert-ok" role="status">
					<strong>Key “{createResult.created.name}” created.</strong> Copy it now: it is shown only once. Clearance
					keeps only a hash of it and cannot show it again.
					<div style={{ marginTop: 'var(--space-3)' }}>
						<CopyField id="new-api-key" label="New API key" value={createResult.created.key} />
					</div>
					<p className="hint">
						Try it:{' '}
						<code>
							curl -H &apos;Authorization: Bearer {createResult.created.key.slice(0, 8)}…&apos; {apiBase}/apps
						</code>
					</p>
				</div>
			) : null}
			<FormAlert message={createResult?.formError} />
			<Form ref={formRef} method="post" className="form" noValidate onSubmit={onSubmit}>
				<input type="hidden" {...text('intent')} />
				<TextField
					label="Name"
					autoComplete="off"
					hint="What uses the key, such as “Release pipeline” or “Forge reporter”."
					error={errorOf('name')}
					{...text('name')}
				/>
				<fieldset className="fieldset" aria-describedby={errorOf('scopes') ? 'scopes-error' : undefined}>
					<legend>Scopes</legend>
					{API_SCOPES.map((scope) => (
						<label key={scope} className="check" htmlFor={`scope-${scope}`}>
							<input id={`scope-${scope}`} type="checkbox" {...checkbox('scopes', scope)} />
							<span>
								<code>{scope}</code>
								<small>{API_SCOPE_LABELS[scope]}</small>
							</span>
						</label>
					))}
					<FieldError name="scopes" message={errorOf('scopes')} />
				</fieldset>
				<div>
					<button className="button" type="submit" disabled={navigation.state === 'submitting'}>
						Create key
					</button>
				</div>
			</Form>
		</section>
	)
}

export default function ApiKeysPage() {
	const { org, keys, apiBase } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	const rowError = result && result.intent === 'revoke' ? (result.formError ?? result.errors?.keyId) : undefined
	const when = (value: Date | string | null) => (value ? formatInTimeZone(new Date(value), org.timeZone) : null)
	return (
		<div className="stack">
			<PageHeader
				title="API keys"
				description={
					<>
						Keys let your release pipeline, a cron job or a Forge app read reporting status, push the accounts your apps
						store and record report runs, without a person in between. See the <Link to="/docs/api">API reference</Link>
						.
					</>
				}
			/>
			{rowError ? <FormAlert message={rowError} /> : null}
			{result?.notice ? (
				<div className="alert alert-ok" role="status">
					{result.notice}
				</div>
			) : null}
			<CreateKeyForm result={result} apiBase={apiBase} />
			<section className="stack-sm" aria-labelledby="keys-heading">
				<h2 id="keys-heading">Keys</h2>
				{keys.length === 0 ? (
					<EmptyState title="No API keys yet">Create one above; it is shown once, when you create it.</EmptyState>
				) : (
					<div className="table-wrap">
						<table>
							<caption className="visually-hidden">API keys of this organisation</caption>
							<thead>
								<tr>
									<th scope="col">Name</th>
									<th scope="col">Key</th>
									<th scope="col">Scopes</th>
									<th scope="col">Created</th>
									<th scope="col">Last used</th>
									<th scope="col">Status</th>
									<th scope="col">
										<span className="visually-hidden">Actions</span>
									</th>
								</tr>
							</thead>
							<tbody>
								{keys.map((key) => (
									<tr key={key.id}>
										<td>
											<strong>{key.name}</strong>
										</td>
										<td>
											<code>{key.prefix}…</code>
										</td>
										<td>{key.scopes.join(', ')}</td>
										<td>
											{when(key.createdAt)}
											<span className="sub">
												{key.createdByName ? `by ${key.createdByName}` : 'from the command line'}
											</span>
										</td>
										<td>{when(key.lastUsedAt) ?? 'Never'}</td>
										<td>
											{key.revokedAt ? (
												<>
													<Badge tone="neutral">Revoked</Badge>
													<span className="sub">
														{when(key.revokedAt)}
														{key.revokedByName ? ` by ${key.revokedByName}` : ''}
													</span>
												</>
											) : (
												<Badge tone="ok">Active</Badge>
											)}
										</td>
										<td>
											{key.revokedAt ? null : (
												<Form
													method="post"
													onSubmit={(event) => {
														if (!confirm(`Revoke the key “${key.name}”? Requests with it are refused at once.`))
															event.preventDefault()
													}}
												>
													<input type="hidden" name="intent" value="revoke" />
													<input type="hidden" name="keyId" value={key.id} />
													<button
														type="submit"
														className="button button-danger button-small"
														aria-label={`Revoke ${key.name}`}
													>
														Revoke
													</button>
												</Form>
											)}
										</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
				)}
			</section>
		</div>
	)
}
