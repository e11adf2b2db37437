import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Fragment, type ReactNode } from 'react'
import { listOperations, openApiDocument } from '~/schemas/openapi'

/**
 * /docs/api: the API reference for people, rendered on the server from the
 * same OpenAPI document /api/v1/openapi.json serves (no script, no CDN):
 * every endpoint with its scope, parameters, body, answers and examples, then
 * every schema field by field.
 */

export const meta: MetaFunction = () => [{ title: 'API reference · Clearance' }]

export function loader({ request }: LoaderFunctionArgs) {
	const origin = new URL(request.url).origin
	const document = openApiDocument(`${origin}/api/v1`)
	return { document, operations: listOperations(document) }
}

type Schema = Record<string, unknown>

/** `code` and **bold** in the document's descriptions. */
function Inline({ text }: { text: string }) {
	const parts = text.split(/(`[^`]+`|\*\*[^*]+\*\*)/g)
	return (
		<>
			{parts.map((part, i) =>
				part.startsWith('`') && part.endsWith('`') && part.length > 1 ? (
					<code key={i}>{part.slice(1, -1)}</code>
				) : part.startsWith('**') && part.endsWith('**') && part.length > 3 ? (
					<strong key={i}>{part.slice(2, -2)}</strong>
				) : (
					<Fragment key={i}>{part}</Fragment>
				),
			)}
		</>
	)
}

function Paragraphs({ text }: { text?: unknown }) {
	if (typeof text !== 'string' || text === '') return null
	return (
		<>
			{text.split('\n\n').map((paragraph, i) => (
				<p key={i}>
					<Inline text={paragraph} />
				</p>
			))}
		</>
	)
}

const refName = (ref: string) => ref.split('/').pop() ?? ref
const anchor = (name: string) => `schema-${name}`

/** A schema's type as people read it: `string (date-time) or null`, `Task[]`, `"open" | "done"`. */
function TypeOf({ schema }: { schema: Schema | undefined }): ReactNode {
	if (!schema) return 'any'
	if (typeof schema.$ref === 'string') {
		const name = refName(schema.$ref)
		return <a href={`#${anchor(name)}`}>{name}</a>
	}
	if (Array.isArray(schema.anyOf)) {
		return (schema.anyOf as Schema[]).map((option, i) => (
			<Fragment key={i}>
				{i > 0 ? ' or ' : ''}
				<TypeOf schema={option} />
			</Fragment>
		))
	}
	if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map((value) => JSON.stringify(value)).join(' | ')
	if ('const' in schema) return JSON.stringify(schema.const)
	const types = Array.isArray(schema.type)
		? (schema.type as string[])
		: typeof schema.type === 'string'
			? [schema.type]
			: []
	return types.map((type, i) => (
		<Fragment key={type}>
			{i > 0 ? ' or ' : ''}
			{type === 'array' ? (
				<>
					<TypeOf schema={schema.items as Schema | undefined} />
					[]
				</>
			) : type === 'string' && typeof schema.format === 'string' ? (
				`string (${schema.format})`
			) : (
				type
			)}
		</Fragment>
	))
}

/** Limits worth saying: length, range, item count, pattern (not the long date-time one). */
function limits(schema: Schema): string[] {
	const notes: string[] = []
	const pairs: [string, string][] = [
		['minLength', 'at least {} characters'],
		['maxLength', 'at most {} characters'],
		['minimum', 'from {}'],
		['maximum', 'up to {}'],
		['minItems', 'at least {} items'],
		['maxItems', 'at most {} items'],
	]
	for (const [key, words] of pairs) {
		if (typeof schema[key] === 'number') notes.push(words.replace('{}', (schema[key] as number).toLocaleString('en')))
	}
	if ('default' in schema) notes.push(`default ${JSON.stringify(schema.default)}`)
	return notes
}

function FieldsTable({ schema, caption }: { schema: Schema; caption: string }) {
	const properties = (schema.properties ?? {}) as Record<string, Schema>
	const required = new Set((schema.required ?? []) as string[])
	if (Object.keys(properties).length === 0) {
		return (
			<p>
				<TypeOf schema={schema} />
			</p>
		)
	}
	return (
		<div className="table-wrap">
			<table>
				<caption className="visually-hidden">{caption}</caption>
				<thead>
					<tr>
						<th scope="col">Field</th>
						<th scope="col">Type</th>
						<th scope="col">Required</th>
						<th scope="col">Meaning</th>
					</tr>
				</thead>
				<tbody>
					{Object.entries(properties).map(([name, field]) => (
						<tr key={name}>
							<td>
								<code>{name}</code>
							</td>
							<td>
								<TypeOf schema={field} />
							</td>
							<td>{required.has(name) ? 'yes' : 'no'}</td>
							<td>
								{typeof field.description === 'string' ? <Inline text={field.description} /> : null}
								{limits(field).length > 0 ? <span className="sub">{limits(field).join(', ')}</span> : null}
							</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	)
}

function Example({ value }: { value: unknown }) {
	if (value === undefined) return null
	return <pre className="code-block">{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>
}

type Media = Record<string, { schema?: Schema; example?: unknown }>
type Operation = {
	summary?: string
	description?: string
	operationId?: string
	parameters?: Schema[]
	requestBody?: { content?: Media }
	responses?: Record<string, Schema>
	'x-clearance-scope'?: string
}

export default function ApiReference() {
	const { document, operations } = useLoaderData<typeof loader>()
	const server = document.servers[0]!.url
	const componentResponses = document.components.responses as Record<string, Schema>
	const resolve = (response: Schema) =>
		typeof response.$ref === 'string' ? (componentResponses[refName(response.$ref)] ?? response) : response
	const pathParameters = (path: string) =>
		((document.paths as Record<string, { parameters?: Schema[] }>)[path]?.parameters ?? []) as Schema[]
	return (
		<main className="docs" id="main">
			<div className="stack">
				<header className="page-header">
					<div>
						<h1>{document.info.title}</h1>
						<p>{document.info.summary}</p>
					</div>
					<div className="row">
						<a className="button button-secondary" href="/api/v1/openapi.json">
							OpenAPI document
						</a>
						<Link className="button button-secondary" to="/">
							Clearance
						</Link>
					</div>
				</header>
				<section className="card stack-sm" aria-labelledby="overview-heading">
					<h2 id="overview-heading">Overview</h2>
					<p>
						Base URL: <code>{server}</code>. Version {document.info.version}.
					</p>
					<Paragraphs text={document.info.description} />
				</section>
				<nav aria-labelledby="endpoints-heading" className="card stack-sm">
					<h2 id="endpoints-heading">Endpoints</h2>
					<ul>
						{operations.map(({ method, path, operation }) => (
							<li key={`${method} ${path}`}>
								<a href={`#${String(operation.operationId)}`}>
									<code>
										{method.toUpperCase()} {path}
									</code>
								</a>{' '}
								— {String(operation.summary)}
							</li>
						))}
					</ul>
				</nav>
				{operations.map(({ method, path, operation: raw }) => {
					const operation = raw as Operation
					const parameters = [...pathParameters(path), ...(operation.parameters ?? [])]
					const body = operation.requestBody?.content?.['application/json']
					const scope = operation['x-clearance-scope']
					return (
						<section
							key={`${method} ${path}`}
							className="card stack-sm"
							id={operation.operationId}
							aria-labelledby={`${operation.operationId}-heading`}
						>
							<h2 id={`${operation.operationId}-heading`}>
								<code>
									{method.toUpperCase()} /api/v1{path}
								</code>
							</h2>
							<p>
								<strong>{operation.summary}</strong>
								{scope ? (
									<>
										{' '}
										— needs the scope <code>{scope}</code>
									</>
								) : (
									' — public, no key'
								)}
							</p>
							<Paragraphs text={operation.description?.split('\n\nNeeds a key')[0]} />
							{parameters.length > 0 ? (
								<>
									<h3>Parameters</h3>
									<div className="table-wrap">
										<table>
											<caption className="visually-hidden">Parameters</caption>
											<thead>
												<tr>
													<th scope="col">Name</th>
													<th scope="col">In</th>
													<th scope="col">Type</th>
													<th scope="col">Required</th>
													<th scope="col">Meaning</th>
												</tr>
											</thead>
											<tbody>
												{parameters.map((parameter) => (
													<tr key={`${String(parameter.in)}-${String(parameter.name)}`}>
														<td>
															<code>{String(parameter.name)}</code>
														</td>
														<td>{String(parameter.in)}</td>
														<td>
															<TypeOf schema={parameter.schema as Schema} />
														</td>
														<td>{parameter.required ? 'yes' : 'no'}</td>
														<td>
															{typeof parameter.description === 'string' ? (
																<Inline text={parameter.description} />
															) : null}
														</td>
													</tr>
												))}
											</tbody>
										</table>
									</div>
								</>
							) : null}
							{body ? (
								<>
									<h3>Body</h3>
									<p>
										JSON: <TypeOf schema={body.schema} />
									</p>
									<Example value={body.example} />
								</>
							) : null}
							<h3>Answers</h3>
							<dl className="stack-sm">
								{Object.entries(operation.responses ?? {}).map(([status, value]) => {
									const response = resolve(value) as {
										description?: string
										content?: Media
										headers?: Record<string, Schema>
									}
									const media = response.content ?? {}
									const first = Object.values(media)[0]
									return (
										<div key={status}>
											<dt>
												<strong>{status}</strong> <Inline text={response.description ?? ''} />
											</dt>
											<dd>
												{first?.schema ? (
													<p>
														{Object.keys(media).join(' or ')}: <TypeOf schema={first.schema} />
														{response.headers ? (
															<>
																; headers{' '}
																{Object.keys(response.headers).map((name, i) => (
																	<Fragment key={name}>
																		{i > 0 ? ', ' : ''}
																		<code>{name}</code>
																	</Fragment>
																))}
															</>
														) : null}
													</p>
												) : null}
												{Number(status) < 300 ? <Example value={first?.example} /> : null}
											</dd>
										</div>
									)
								})}
							</dl>
						</section>
					)
				})}
				<section className="stack-sm" aria-labelledby="schemas-heading">
					<h2 id="schemas-heading">Schemas</h2>
					{Object.entries(document.components.schemas).map(([name, schema]) => (
						<section key={name} className="card stack-sm" id={anchor(name)} aria-labelledby={`${anchor(name)}-heading`}>
							<h3 id={`${anchor(name)}-heading`}>{name}</h3>
							<Paragraphs text={(schema as Schema).description} />
							<FieldsTable schema={schema as Schema} caption={`Fields of ${name}`} />
						</section>
					))}
				</section>
			</div>
		</main>
	)
}
