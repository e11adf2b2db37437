import { type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { expect } from 'vitest'
import { type ApiScope } from '~/domain/api-keys'
import { openApiDocument } from '~/schemas/openapi'
import { createApiKey } from '~/services/api-keys.server'
import { createTestApp } from '../fixtures/requests'
import { createOrg, runRoute, type RouteOutcome } from '../fixtures/world'

/** Requests to the API routes as a client sends them, and checks that answers match the OpenAPI document. */

export const BASE = 'http://localhost/api/v1'
export const ALL_SCOPES: ApiScope[] = ['read', 'apps:write', 'accounts:write', 'reports:write']

type Handler = (args: LoaderFunctionArgs & ActionFunctionArgs) => unknown

export function apiRequest(
	path: string,
	{
		key,
		method = 'GET',
		body,
		headers = {},
	}: { key?: string | null; method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
	const all = new Headers(headers)
	if (key) all.set('Authorization', `Bearer ${key}`)
	let payload: BodyInit | undefined
	if (body !== undefined) {
		payload = typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body)
		if (!all.has('Content-Type')) all.set('Content-Type', 'application/json')
	}
	return new Request(`${BASE}${path}`, { method, headers: all, body: payload, duplex: 'half' } as RequestInit)
}

/** Runs the route's loader (GET) or action (anything else). */
export async function call(
	route: { loader?: Handler; action?: Handler },
	request: Request,
	params: Record<string, string> = {},
): Promise<RouteOutcome> {
	const handler = request.method === 'GET' || request.method === 'HEAD' ? route.loader : route.action
	if (!handler) throw new Error(`the route has no handler for ${request.method}`)
	return runRoute(handler, request, params)
}

/** An organisation with an admin, an app and a key holding `scopes` (all by default). */
export async function apiWorld(scopes: ApiScope[] = ALL_SCOPES, orgName = 'Acme Apps') {
	const { org, admin } = await createOrg(orgName)
	const app = await createTestApp(org.id, admin.id)
	const { key, apiKey } = await createApiKey(org.id, admin.id, { name: 'Release pipeline', scopes })
	return { org, admin, app, key, apiKey }
}

export async function keyFor(orgId: string, scopes: ApiScope[], name = 'Another job') {
	return (await createApiKey(orgId, null, { name, scopes })).key
}

// ── The OpenAPI document as a validator of real answers ─────────────────

const document = openApiDocument()
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats.default(ajv)
ajv.addSchema({ $id: 'openapi', components: document.components })

/** Fails unless `value` matches the document's component schema `name`. */
export function expectSchema(name: string, value: unknown) {
	const validate = ajv.getSchema(`openapi#/components/schemas/${name}`)
	if (!validate) throw new Error(`no schema ${name} in the document`)
	const ok = validate(value)
	expect(ok, `${name}: ${JSON.stringify(validate.errors?.slice(0, 5))}`).toBe(true)
}

/** The answer is the API's error shape with this status. */
export function expectError(outcome: RouteOutcome, status: number) {
	expect(outcome.status, JSON.stringify(outcome.data)).toBe(status)
	expectSchema('Error', outcome.data)
	expect(outcome.headers.get('Cache-Control')).toBe('no-store')
	return outcome.data as { error: string; issues?: { path: string; message: string }[] }
}
