import { type ServerBuild } from '@remix-run/node'
import { apiError } from './api.server'
import { databaseUnavailable } from './db-errors.server'

/**
 * A database outage is answered as one, everywhere (docs/decisions/018-database-outages.md):
 * a 503 with Retry-After instead of a 500. Pages show the error page's
 * "temporarily unavailable"; the API answers its JSON error shape; other
 * resource routes (CSV downloads, feeds) a line of text. Nothing else about
 * the error (driver codes, addresses, stack) reaches the client.
 */

export const DATABASE_UNAVAILABLE_MESSAGE =
	'Clearance cannot reach its database right now. Nothing already saved is lost; try again in a minute.'
export const OUTAGE_RETRY_AFTER_SECONDS = 30

type RouteModule = ServerBuild['routes'][string]['module']
type Handler = (args: { request: Request }) => unknown

const headers = { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS), 'Cache-Control': 'no-store' }

/** The API's 503, in its error shape `{ error }`. */
export function apiDatabaseUnavailable(): Response {
	return apiError(503, DATABASE_UNAVAILABLE_MESSAGE, undefined, headers)
}

/** The 503 for `request`: JSON under /api/, the error page's data for a page, plain text otherwise. */
export function databaseUnavailableResponse(request: Request, { page }: { page: boolean }): Response {
	if (new URL(request.url).pathname.startsWith('/api/')) return apiDatabaseUnavailable()
	if (page) return Response.json({ error: DATABASE_UNAVAILABLE_MESSAGE }, { status: 503, headers })
	return new Response(`${DATABASE_UNAVAILABLE_MESSAGE}\n`, {
		status: 503,
		headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' },
	})
}

function guarded(handler: Handler, page: boolean, log: (line: string) => void): Handler {
	return async (args) => {
		try {
			return await handler(args)
		} catch (error) {
			const code = databaseUnavailable(error)
			if (!code) throw error
			const { method, url } = args.request
			log(`Database unavailable (${code}) during ${method} ${new URL(url).pathname}: answered 503.`)
			// Thrown, so a page renders its error boundary with the status; a resource route delivers it as is.
			throw databaseUnavailableResponse(args.request, { page })
		}
	}
}

/**
 * The build with every loader and action guarded: an error saying the
 * database is unavailable (db-errors.server.ts › databaseUnavailable) becomes
 * the 503 above; any other error is left to Remix (a 500, logged).
 */
export function answerDatabaseOutages(
	build: ServerBuild,
	log: (line: string) => void = (line) => console.error(line),
): ServerBuild {
	const routes: ServerBuild['routes'] = {}
	for (const [id, route] of Object.entries(build.routes)) {
		const module = route.module as RouteModule & { loader?: Handler; action?: Handler }
		const page = module.default !== undefined
		const wrapped: Record<string, unknown> = { ...module }
		if (module.loader) wrapped.loader = guarded(module.loader, page, log)
		if (module.action) wrapped.action = guarded(module.action, page, log)
		routes[id] = { ...route, module: wrapped as unknown as RouteModule }
	}
	return { ...build, routes }
}
