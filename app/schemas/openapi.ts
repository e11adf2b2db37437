import { z } from 'zod'
import { API_SCOPE_LABELS, API_SCOPES, type ApiScope } from '~/domain/api-keys'
import { MAX_BATCH } from '~/domain/report-batches'
import { apiRegistry, MAX_PUSHED_ACCOUNTS } from './api'
import { ChecklistInputSchema } from './checklist'
import { ReportingConnectionInputSchema, ReportingConnectionViewSchema } from './reporting-connection'

/**
 * The OpenAPI 3.1 document of /api/v1, generated: every schema in it comes
 * from the zod schemas the routes parse and answer with (app/schemas/api.ts),
 * through zod's own JSON Schema output (OpenAPI 3.1 speaks JSON Schema
 * 2020-12). Written by hand here: the paths, parameters and examples. Served
 * at /api/v1/openapi.json and rendered for people at /docs/api.
 */

apiRegistry.add(ReportingConnectionInputSchema, {
	id: 'ReportingConnectionPut',
	description:
		'How Clearance reaches Atlassian’s personal-data reporting API for the app: one of three kinds. Secrets are sealed when saved and never returned.',
})
apiRegistry.add(ReportingConnectionViewSchema, {
	id: 'ReportingConnection',
	description: 'An app’s reporting connection, without its secrets.',
})
apiRegistry.add(ChecklistInputSchema, {
	id: 'ChecklistInput',
	description: 'A request as the checklist reads it; every field is optional.',
})

/** Schemas of request bodies, documented as clients send them (zod's input side). */
const REQUEST_SCHEMAS = new Set([
	'AppCreate',
	'AppUpdate',
	'AccountsPush',
	'ReportRun',
	'ReportResponse',
	'ChecklistInput',
	'ReportingConnectionPut',
])

type JsonSchema = Record<string, unknown>

function componentSchemas(): Record<string, JsonSchema> {
	const options = {
		target: 'draft-2020-12' as const,
		unrepresentable: 'any' as const,
		uri: (id: string) => `#/components/schemas/${id}`,
	}
	const input = z.toJSONSchema(apiRegistry, { ...options, io: 'input' }).schemas
	const output = z.toJSONSchema(apiRegistry, { ...options, io: 'output' }).schemas
	const schemas: Record<string, JsonSchema> = {}
	for (const id of Object.keys(output).sort()) {
		const { $schema: _dialect, $id: _id, ...schema } = (REQUEST_SCHEMAS.has(id) ? input[id] : output[id]) as JsonSchema
		schemas[id] = schema
	}
	return schemas
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const json = (schema: unknown, example?: unknown) => ({
	'application/json': { schema, ...(example === undefined ? {} : { example }) },
})

// ── Examples (checked against their schemas by Spectral in the tests) ────

const APP_ID = '3f1c2a9e-7b4d-4e21-9c55-0a8d6f2b1e47'
const TASK_ID = '9b2e4f61-3c8a-4d17-b5e2-6f0a1c7d8e93'
const SHA = '4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a'

const appExample = {
	id: APP_ID,
	name: 'Mail Bridge',
	appKey: 'com.acme.mail-bridge',
	appType: 'forge',
	products: ['jira'],
	marketplaceListingUrl: null,
	privacyPolicyUrl: 'https://acme.example/privacy',
	termsOfUseUrl: 'https://acme.example/terms',
	storesPersonalData: true,
	storingSince: '2026-03-01T09:30:00.000+01:00',
	version: 3,
	archived: false,
	reporting: {
		status: 'due_soon',
		headline: 'Next report due in 2 days, counted from the last report.',
		cycleDays: 7,
		cycleSource: 'api_default',
		nextDueAt: '2026-03-17T23:59:59.999+01:00',
		lastReportedAt: '2026-03-10T10:15:00.000+01:00',
		accounts: 1250,
		openTasks: 2,
	},
}

const connectionExample = {
	appId: APP_ID,
	kind: 'forge_webtrigger',
	settings: { url: 'https://4a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b.hello.atlassian-dev.net/x1/AbCdEf' },
	state: 'ok',
	lastSuccessAt: '2026-03-10T10:15:00.000+01:00',
	lastErrorAt: null,
	lastError: null,
	nextPlannedAt: '2026-03-17T04:37:00.000+01:00',
	updatedAt: '2026-03-01T09:30:00.000+01:00',
	version: 1,
}

const taskExample = {
	id: TASK_ID,
	appId: APP_ID,
	kind: 'erase',
	accountId: '5be24ba3f91c106033269289',
	dueAt: '2026-04-09T23:59:59.999+02:00',
	status: 'open',
	completedAt: null,
}

const CALENDAR_EXAMPLE = [
	'BEGIN:VCALENDAR',
	'VERSION:2.0',
	'PRODID:-//Clearance//Reporting deadlines//EN',
	'X-WR-CALNAME:Acme Apps deadlines (Clearance)',
	'BEGIN:VEVENT',
	`UID:report-${APP_ID}-20260317@clearance`,
	'DTSTAMP:20260310T080000Z',
	'DTSTART;VALUE=DATE:20260317',
	'DTEND;VALUE=DATE:20260318',
	'SUMMARY:Personal-data report due: Mail Bridge',
	'BEGIN:VALARM',
	'ACTION:DISPLAY',
	'TRIGGER:-P1D',
	'DESCRIPTION:Personal-data report due: Mail Bridge',
	'END:VALARM',
	'END:VEVENT',
	'END:VCALENDAR',
	'',
].join('\r\n')

// ── Shared parameters and responses ─────────────────────────────────────

const appIdParameter = {
	name: 'appId',
	in: 'path',
	required: true,
	description: 'The app’s id (from GET /apps).',
	schema: { type: 'string', format: 'uuid' },
}

const error = (description: string, example: string, headers?: Record<string, unknown>) => ({
	description,
	...(headers ? { headers } : {}),
	content: json(ref('Error'), { error: example }),
})

const RESPONSES = {
	BadRequest: {
		description: 'The body or query could not be accepted: `issues` says where and why.',
		content: json(ref('Error'), {
			error: 'Request body is invalid: see issues.',
			issues: [{ path: 'name', message: 'Enter the app’s name.' }],
		}),
	},
	Unauthorized: error(
		'No key, or a key that is not valid (mistyped or revoked: revoking takes effect at once).',
		'This API key is not valid: it may have been revoked, or mistyped.',
		{
			'WWW-Authenticate': { description: 'Bearer realm="Clearance API"', schema: { type: 'string' } },
		},
	),
	Forbidden: error(
		'The key lacks the scope this endpoint needs.',
		'This API key lacks the scope “apps:write”. An admin can create a key that has it.',
	),
	NotFound: error(
		'No such app or task in the key’s organisation (another organisation’s is not found either).',
		'No such app in this organisation.',
	),
	Conflict: error(
		'The change conflicts with what is stored: an app key another app already uses, a change since your `version`, an archived app, an empty ledger, a task whose account is gone.',
		'Another app in this organisation already uses this key.',
	),
	PayloadTooLarge: error('The body is larger than this endpoint takes.', 'Request body is larger than 64 KB.'),
	UnsupportedMediaType: error(
		'The body is not JSON.',
		'Send the request body as JSON (Content-Type: application/json).',
	),
	Unprocessable: {
		description: 'Well-formed, but cannot be recorded: `issues` says which part.',
		content: json(ref('Error'), {
			error:
				'Atlassian’s answers could not be recorded: response 2: Atlassian answered 429, so that batch was not processed; re-send it.',
			issues: [
				{
					path: 'responses.1',
					message: 'response 2: Atlassian answered 429, so that batch was not processed; re-send it',
				},
			],
		}),
	},
	TooManyRequests: error(
		'Too many requests with this key (600 a minute by default).',
		'Too many requests with this key: at most 600 per 60 seconds. Try again in 12 seconds.',
		{
			'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } },
		},
	),
}

const refResponse = (name: keyof typeof RESPONSES) => ({ $ref: `#/components/responses/${name}` })

/** The error answers every keyed endpoint may give, plus those listed. */
function keyedErrors(...extra: (keyof typeof RESPONSES)[]) {
	const names: (keyof typeof RESPONSES)[] = ['Unauthorized', 'Forbidden', 'TooManyRequests', ...extra]
	const codes: Record<keyof typeof RESPONSES, string> = {
		BadRequest: '400',
		Unauthorized: '401',
		Forbidden: '403',
		NotFound: '404',
		Conflict: '409',
		PayloadTooLarge: '413',
		UnsupportedMediaType: '415',
		Unprocessable: '422',
		TooManyRequests: '429',
	}
	return Object.fromEntries(names.map((name) => [codes[name], refResponse(name)]))
}

function keyed(scope: ApiScope, operation: Record<string, unknown> & { description: string }) {
	return {
		...operation,
		description: `${operation.description}\n\nNeeds a key with the scope \`${scope}\`.`,
		security: [{ apiKey: [] }],
		'x-clearance-scope': scope,
	}
}

// ── The document ────────────────────────────────────────────────────────

export type OpenApiDocument = ReturnType<typeof openApiDocument>

/** The document; `serverUrl` is where /api/v1 is served (the request's origin). */
export function openApiDocument(serverUrl = 'http://localhost:3000/api/v1') {
	return {
		openapi: '3.1.0',
		info: {
			title: 'Clearance API',
			version: '1.0.0',
			summary: 'Keep Clearance current from your own release pipeline, cron job or Forge app.',
			description: [
				'JSON over HTTPS under `/api/v1`. Authenticate with an organisation’s API key: `Authorization: Bearer clr_…`. Admins create keys on the organisation’s **API keys** page (or with `npm run api-key`); each key has scopes: ' +
					API_SCOPES.map((scope) => `\`${scope}\` (${API_SCOPE_LABELS[scope].toLowerCase()})`).join(', ') +
					'. A key is shown once; revoking it takes effect at once.',
				'Errors are `{ "error": string, "issues"?: [{ "path", "message" }] }` with a 4xx status and `Cache-Control: no-store`. A key may make 600 requests a minute by default (a setting); beyond that, 429 with `Retry-After` in seconds.',
				'Dates are RFC 3339 date-times with an offset: answers carry the organisation’s own offset. Clearance never stores an Atlassian user’s email address: an account id that looks like one is refused and never echoed.',
			].join('\n\n'),
			contact: { name: 'Clearance', url: serverUrl.replace(/\/api\/v1$/, '/docs/api') },
		},
		servers: [{ url: serverUrl, description: 'This Clearance server' }],
		tags: [
			{ name: 'Apps', description: 'Registered apps and their personal-data reporting status.' },
			{ name: 'Accounts', description: 'The account ids each app stores (the ledger): never an email address.' },
			{
				name: 'Reports',
				description: 'Report batches to send to Atlassian, and the runs that record what it answered.',
			},
			{ name: 'Tasks', description: 'Erase and refresh tasks from Atlassian’s answers.' },
			{ name: 'Calendar', description: 'Report and task due dates as an iCalendar feed.' },
			{ name: 'Checklist', description: 'The request checklist, public and key-less.' },
		],
		security: [{ apiKey: [] }],
		paths: {
			'/apps': {
				get: keyed('read', {
					tags: ['Apps'],
					operationId: 'listApps',
					summary: 'List apps with their reporting status',
					description:
						'The organisation’s active apps, most urgent first: overdue, answer needed, due soon, on track, not required.',
					responses: {
						'200': { description: 'The apps.', content: json(ref('AppList'), { apps: [appExample] }) },
						...keyedErrors(),
					},
				}),
				post: keyed('apps:write', {
					tags: ['Apps'],
					operationId: 'createApp',
					summary: 'Register an app',
					description:
						'Registers an app with the same rules as the form; `storingSince` and `cycleDays` are set in the same transaction. Body limit 64 KB.',
					requestBody: {
						required: true,
						content: json(ref('AppCreate'), {
							name: 'Mail Bridge',
							appKey: 'com.acme.mail-bridge',
							appType: 'forge',
							products: ['jira'],
							privacyPolicyUrl: 'https://acme.example/privacy',
							storesPersonalData: true,
							storingSince: '2026-03-01T09:30:00+01:00',
							cycleDays: 7,
						}),
					},
					responses: {
						'201': {
							description: 'Registered.',
							headers: { Location: { description: 'The app’s URL.', schema: { type: 'string' } } },
							content: json(ref('AppEnvelope'), { app: appExample }),
						},
						'400': refResponse('BadRequest'),
						...keyedErrors('Conflict', 'PayloadTooLarge', 'UnsupportedMediaType'),
					},
				}),
			},
			'/apps/{appId}': {
				parameters: [appIdParameter],
				get: keyed('read', {
					tags: ['Apps'],
					operationId: 'getApp',
					summary: 'Get an app',
					description: 'One app with its reporting status; archived apps too.',
					responses: {
						'200': { description: 'The app.', content: json(ref('AppEnvelope'), { app: appExample }) },
						...keyedErrors('NotFound'),
					},
				}),
				patch: keyed('apps:write', {
					tags: ['Apps'],
					operationId: 'updateApp',
					summary: 'Change an app',
					description:
						'Changes the fields sent, with the same rules as the form; absent fields stay. Send `version` to refuse the change (409) if someone changed the app since you read it.',
					requestBody: {
						required: true,
						content: json(ref('AppUpdate'), {
							storesPersonalData: true,
							storingSince: '2026-02-15T00:00:00Z',
							version: 3,
						}),
					},
					responses: {
						'200': { description: 'Changed (or already so).', content: json(ref('AppEnvelope'), { app: appExample }) },
						'400': refResponse('BadRequest'),
						...keyedErrors('NotFound', 'Conflict', 'PayloadTooLarge', 'UnsupportedMediaType'),
					},
				}),
			},
			'/apps/{appId}/accounts': {
				parameters: [appIdParameter],
				post: keyed('accounts:write', {
					tags: ['Accounts'],
					operationId: 'pushAccounts',
					summary: 'Push stored accounts',
					description: `Upserts up to ${MAX_PUSHED_ACCOUNTS.toLocaleString('en')} accounts by accountId with the same rules and the same write as the CSV import, and answers once they are written. Rejected entries are listed by their 0-based index; a value that looks like an email address is never echoed. The oldest updatedAt sets "storing since" when none is recorded. Body limit 4 MB.`,
					parameters: [
						{
							name: 'atomic',
							in: 'query',
							required: false,
							description: 'true: any rejected entry refuses the whole request (422) and nothing is written.',
							schema: { type: 'boolean', default: false },
						},
					],
					requestBody: {
						required: true,
						content: json(ref('AccountsPush'), {
							accounts: [
								{ accountId: '5be24ad8b1653240376955d2', updatedAt: '2026-03-01T09:30:00Z' },
								{ accountId: '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077', updatedAt: '2026-03-02T14:00:00+01:00' },
							],
						}),
					},
					responses: {
						'200': {
							description: 'Written.',
							content: json(ref('AccountsResult'), {
								upserted: 2,
								rejected: [
									{ index: 2, accountId: null, reason: 'this looks like an email address — store account ids only' },
								],
							}),
						},
						'400': refResponse('BadRequest'),
						'422': {
							description: 'atomic=true and some entries were refused: nothing was written.',
							content: json(ref('AccountsRefused'), {
								error: '1 of 3 accounts were refused, so none was written (atomic).',
								issues: [{ path: 'accounts.2', message: 'updatedAt is in the future' }],
								upserted: 0,
								rejected: [{ index: 2, accountId: '5be24ad8b1653240376955d3', reason: 'updatedAt is in the future' }],
							}),
						},
						...keyedErrors('NotFound', 'PayloadTooLarge', 'UnsupportedMediaType'),
					},
				}),
			},
			'/apps/{appId}/accounts/{accountId}': {
				parameters: [
					appIdParameter,
					{
						name: 'accountId',
						in: 'path',
						required: true,
						description: 'The Atlassian account id.',
						schema: { type: 'string', maxLength: 128 },
					},
				],
				delete: keyed('accounts:write', {
					tags: ['Accounts'],
					operationId: 'removeAccount',
					summary: 'Remove an account the app erased',
					description:
						'The app erased that person’s data on its own, so it need not report the account any more (Atlassian’s user privacy guide). The account leaves the ledger and its open tasks close.',
					responses: {
						'200': {
							description: 'Removed.',
							content: json(ref('AccountRemoved'), { accountId: '5be24ad8b1653240376955d2', tasksClosed: 0 }),
						},
						'400': refResponse('BadRequest'),
						...keyedErrors('NotFound'),
					},
				}),
			},
			'/apps/{appId}/report-batches': {
				parameters: [appIdParameter],
				get: keyed('read', {
					tags: ['Reports'],
					operationId: 'getReportBatches',
					summary: 'Get the report batches',
					description: `The bodies to send to Atlassian’s report-accounts call, at most ${MAX_BATCH} accounts each, from the ledger as it is now. A JSON array, or one body per line with \`Accept: application/x-ndjson\` (or \`?format=ndjson\`). The \`Clearance-Prepared-Report\` header is the batch set’s SHA-256: name it as \`preparedReportId\` when you record the run. Nothing is written. Should the ledger change while the batches stream, the answer breaks off: fetch it again.`,
					parameters: [
						{
							name: 'format',
							in: 'query',
							required: false,
							description: 'ndjson: one body per line.',
							schema: { type: 'string', enum: ['json', 'ndjson'] },
						},
					],
					responses: {
						'200': {
							description: 'The batches.',
							headers: {
								'Clearance-Prepared-Report': {
									description: 'SHA-256 of the batch set (the SHA-256 of each batch body, one per line, hashed again).',
									schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
								},
								'Clearance-Batch-Count': { description: 'Batches in the set.', schema: { type: 'integer' } },
								'Clearance-Account-Count': { description: 'Accounts in the set.', schema: { type: 'integer' } },
							},
							content: {
								'application/json': {
									schema: ref('ReportBatches'),
									example: [
										{ accounts: [{ accountId: '5be24ad8b1653240376955d2', updatedAt: '2026-03-01T08:30:00.000Z' }] },
									],
								},
								'application/x-ndjson': {
									schema: { type: 'string', description: 'One ReportBatch body per line.' },
									example:
										'{"accounts":[{"accountId":"5be24ad8b1653240376955d2","updatedAt":"2026-03-01T08:30:00.000Z"}]}\n',
								},
							},
						},
						...keyedErrors('NotFound'),
					},
				}),
			},
			'/apps/{appId}/report-runs': {
				parameters: [appIdParameter],
				post: keyed('reports:write', {
					tags: ['Reports'],
					operationId: 'recordReportRun',
					summary: 'Record a report run',
					description:
						'Records what was sent and what Atlassian answered, per batch, as evidence; creates an erase task per closed account and a refresh task per updated one; restarts the cycle from `sentAt`; applies a Cycle-Period header as the reporting page does (a shortening or unclear one waits for a person). Any answer other than 200 or 204 refuses the run: that batch was not processed. Body limit 16 MB.',
					parameters: [
						{
							name: 'Idempotency-Key',
							in: 'header',
							required: false,
							description:
								'A unique value per run (a UUID): a retry with the same key and body gets the first answer (with `Idempotent-Replayed: true`) instead of a second run.',
							schema: { type: 'string', maxLength: 255 },
						},
					],
					requestBody: {
						required: true,
						content: json(ref('ReportRun'), {
							sentAt: '2026-03-10T10:15:00+01:00',
							preparedReportId: SHA,
							responses: [
								{ status: 200, accounts: [{ accountId: '5be24ba3f91c106033269289', status: 'closed' }] },
								{ status: 204 },
							],
						}),
					},
					responses: {
						'201': {
							description: 'Recorded (or, for a retried Idempotency-Key, recorded before).',
							headers: {
								'Idempotent-Replayed': {
									description: 'true when this is the stored answer to an earlier request.',
									schema: { type: 'string' },
								},
							},
							content: json(ref('ReportRunResult'), {
								id: '0c7d2f4e-5a1b-4c3d-8e9f-1a2b3c4d5e6f',
								eraseTasks: 1,
								refreshTasks: 0,
								nextDueAt: '2026-03-17T23:59:59.999+01:00',
								preparedReportId: SHA,
								cyclePeriodOutcome: null,
							}),
						},
						'400': refResponse('BadRequest'),
						'422': refResponse('Unprocessable'),
						...keyedErrors('NotFound', 'Conflict', 'PayloadTooLarge', 'UnsupportedMediaType'),
					},
				}),
			},
			'/apps/{appId}/reporting-connection': {
				parameters: [appIdParameter],
				get: keyed('read', {
					tags: ['Reports'],
					operationId: 'getReportingConnection',
					summary: 'Show the app’s reporting connection',
					description:
						'How Clearance reaches Atlassian for the app, without its secrets: the kind, what is not secret (client id, web trigger URL or base URL), whether it works (`broken` after Atlassian refused the credentials, with what to fix in `lastError`), the last success and the next planned send.',
					responses: {
						'200': { description: 'The connection.', content: json(ref('ReportingConnection'), connectionExample) },
						...keyedErrors('NotFound'),
					},
				}),
				put: keyed('apps:write', {
					tags: ['Reports'],
					operationId: 'setReportingConnection',
					summary: 'Set or replace the app’s reporting connection',
					description:
						'One of `{"kind":"oauth2","clientId","clientSecret","refreshToken"}` (an OAuth 2.0 (3LO) app: Atlassian rotates the refresh token at each use and Clearance keeps the new one), `{"kind":"forge_webtrigger","url","secret"}` (the companion web trigger of docs/recipes/forge-reporter; Forge’s helper hides Cycle-Period, so Clearance cannot read it on this path) or `{"kind":"connect","baseUrl","sharedSecret"}` (legacy: Connect reaches end of support in December 2026; the JWT issuer is the app key registered on the app). Secrets are sealed with the server’s CLEARANCE_SECRET_KEY and never returned; without that key the answer is 409 with how to create one. A web trigger URL or base URL must be a public address (unless the server allows private ones). Replacing a connection sets it back to working.',
					requestBody: {
						required: true,
						content: json(ref('ReportingConnectionPut'), {
							kind: 'forge_webtrigger',
							url: 'https://4a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b.hello.atlassian-dev.net/x1/AbCdEf',
							secret: '3f9c…(at least 16 random characters)',
						}),
					},
					responses: {
						'200': {
							description: 'Saved (secrets sealed).',
							content: json(ref('ReportingConnection'), connectionExample),
						},
						'400': refResponse('BadRequest'),
						'422': refResponse('Unprocessable'),
						...keyedErrors('NotFound', 'Conflict', 'PayloadTooLarge', 'UnsupportedMediaType'),
					},
				}),
				delete: keyed('apps:write', {
					tags: ['Reports'],
					operationId: 'removeReportingConnection',
					summary: 'Remove the app’s reporting connection',
					description: 'Clearance stops sending reports for the app; its sealed secrets are deleted.',
					responses: {
						'204': { description: 'Removed.' },
						...keyedErrors('NotFound'),
					},
				}),
			},
			'/tasks': {
				get: keyed('read', {
					tags: ['Tasks'],
					operationId: 'listTasks',
					summary: 'List erase and refresh tasks',
					description: 'The organisation’s tasks by due date, then id, up to `limit` a page.',
					parameters: [
						{
							name: 'status',
							in: 'query',
							required: false,
							description: 'open (default), done or all.',
							schema: { type: 'string', enum: ['open', 'done', 'all'], default: 'open' },
						},
						{
							name: 'appId',
							in: 'query',
							required: false,
							description: 'Only this app’s tasks.',
							schema: { type: 'string', format: 'uuid' },
						},
						{
							name: 'limit',
							in: 'query',
							required: false,
							description: 'Tasks per page.',
							schema: { type: 'integer', minimum: 1, maximum: 1000, default: 1000 },
						},
						{
							name: 'cursor',
							in: 'query',
							required: false,
							description: 'nextCursor of the previous page.',
							schema: { type: 'string' },
						},
					],
					responses: {
						'200': {
							description: 'A page of tasks.',
							content: json(ref('TaskList'), { tasks: [taskExample], nextCursor: null }),
						},
						'400': refResponse('BadRequest'),
						...keyedErrors(),
					},
				}),
			},
			'/tasks/{taskId}/complete': {
				parameters: [
					{
						name: 'taskId',
						in: 'path',
						required: true,
						description: 'The task’s id.',
						schema: { type: 'string', format: 'uuid' },
					},
				],
				post: keyed('accounts:write', {
					tags: ['Tasks'],
					operationId: 'completeTask',
					summary: 'Complete a task',
					description:
						'Your job confirms it erased the account’s data (the account leaves the ledger, its other open tasks close) or refreshed it (its updatedAt becomes now). No body. A task already done is answered as it is.',
					responses: {
						'200': {
							description: 'Done.',
							content: json(ref('TaskEnvelope'), {
								task: { ...taskExample, status: 'done', completedAt: '2026-03-12T16:02:11.000+01:00' },
							}),
						},
						...keyedErrors('NotFound', 'Conflict'),
					},
				}),
			},
			'/calendar.ics': {
				get: keyed('read', {
					tags: ['Calendar'],
					operationId: 'getCalendar',
					summary: 'The organisation’s calendar feed',
					description:
						'Every active app’s personal-data report due dates and the days its open erase and refresh tasks fall due, as an iCalendar (RFC 5545) feed of all-day events in the organisation’s time zone, each with a reminder the day before. The same feed as the organisation’s secret calendar URL; event UIDs stay the same from one fetch to the next.',
					responses: {
						'200': {
							description: 'The feed.',
							content: {
								'text/calendar': {
									schema: { type: 'string' },
									example: CALENDAR_EXAMPLE,
								},
							},
						},
						...keyedErrors(),
					},
				}),
			},
			'/checklist/evaluate': {
				post: {
					tags: ['Checklist'],
					operationId: 'evaluateChecklist',
					summary: 'Evaluate a request',
					description:
						'The request checklist over HTTP: public and key-less, because it reads and stores nothing. Missing fields are failing checks, not errors. Body limit 64 KB; 60 requests a minute per client.',
					security: [],
					requestBody: {
						required: true,
						content: json(ref('ChecklistInput'), {
							companyName: 'Acme',
							appName: 'Acme Sync',
							appKey: 'com.acme.sync',
							appType: 'forge',
							products: ['jira'],
							storesPersonalData: true,
							useCases: [{ code: 'send_security_alerts' }],
						}),
					},
					responses: {
						'200': { description: 'The checklist’s verdict.', content: json(ref('ChecklistResult')) },
						'400': refResponse('BadRequest'),
						'413': refResponse('PayloadTooLarge'),
						'415': refResponse('UnsupportedMediaType'),
						'429': refResponse('TooManyRequests'),
					},
				},
			},
		},
		components: {
			securitySchemes: {
				apiKey: {
					type: 'http',
					scheme: 'bearer',
					bearerFormat: 'clr_…',
					description: 'An organisation’s API key: `Authorization: Bearer clr_…`.',
				},
			},
			schemas: componentSchemas(),
			responses: RESPONSES,
		},
	}
}

/** Every operation of the document: method, path (under the server URL) and its operation. */
export function listOperations(document: OpenApiDocument) {
	const methods = ['get', 'post', 'put', 'patch', 'delete'] as const
	return Object.entries(document.paths).flatMap(([path, item]) =>
		methods.flatMap((method) => {
			const operation = (item as Record<string, unknown>)[method] as Record<string, unknown> | undefined
			return operation ? [{ method, path, operation }] : []
		}),
	)
}
