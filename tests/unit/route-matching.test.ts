import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'

// The server matches each request against every route (patches/@remix-run+router+1.23.3.patch,
// docs/decisions/029-route-matching.md): the patched matcher keeps each routes array's ranked branches and each
// path's regular expression, where the library made them afresh at every match. It must answer exactly as the
// library does: compared here with the library's own unpatched build (its ES module, which only browsers load).
const require = createRequire(import.meta.url)
const root = path.resolve(import.meta.dirname, '../..')
type Route = { id: string; path?: string; index?: boolean; caseSensitive?: boolean; children?: Route[] }
type Match = { route: { id: string }; params: Record<string, string | undefined>; pathnameBase: string }
type MatchRoutes = (routes: Route[], location: string) => Match[] | null

const patchedFile = require.resolve('@remix-run/router')
const patched = require(patchedFile) as { matchRoutes: MatchRoutes }
const library = (await import(/* @vite-ignore */ path.join(path.dirname(patchedFile), 'router.js'))) as {
	matchRoutes: MatchRoutes
}

/** The app's own route tree, as Remix makes it from app/routes. */
function appRoutes(): Route[] {
	const { flatRoutes } = require('@remix-run/dev/dist/config/flat-routes') as {
		flatRoutes: (appDirectory: string) => Record<string, Route & { parentId?: string }>
	}
	const manifest: (Route & { parentId?: string })[] = [
		{ id: 'root', path: '' },
		...Object.values(flatRoutes(path.join(root, 'app'))),
	]
	const childrenOf = (parentId: string | undefined): Route[] =>
		manifest
			.filter((route) => route.parentId === parentId)
			.map(({ id, path, index, caseSensitive }) => ({ id, path, index, caseSensitive, children: childrenOf(id) }))
	return childrenOf(undefined)
}

const summary = (matches: Match[] | null) =>
	matches?.map(({ route, params, pathnameBase }) => ({ id: route.id, params, pathnameBase })) ?? null

const paths = [
	'/',
	'/login',
	'/healthz',
	'/o/acme',
	'/o/acme/',
	'/O/Acme/apps',
	'/o/acme/apps/3f1c/reporting',
	'/o/acme/apps/3f1c/reporting/import/9a',
	'/o/acme/requests/new',
	'/o/acme/requests/r1/review',
	'/o/acme/settings/api-keys',
	'/o/acme/audit?page=2',
	'/api/v1/apps/3f1c/report-batches',
	'/api/v1/checklist/evaluate',
	'/o/ac%20me/apps',
	'/o/%E0%A4%A/apps',
	'/no/such/page',
	'/o',
	'//o//acme',
]

describe('route matching (patched)', () => {
	it('is the patched build that the server loads', () => {
		expect(readFileSync(patchedFile, 'utf8')).toContain('function rankedBranches(routes)')
	})

	it("matches every path as the library does, the first time and every time after, on the app's routes", () => {
		const routes = appRoutes()
		expect(routes.length).toBeGreaterThan(0)
		// The library warns about the malformed path (and matches it undecoded); both builds do.
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
		for (let round = 0; round < 3; round++) {
			for (const at of paths)
				expect(summary(patched.matchRoutes(routes, at)), at).toEqual(summary(library.matchRoutes(routes, at)))
		}
		expect(warn).toHaveBeenCalledWith(expect.stringContaining('could not be decoded'))
		warn.mockRestore()
	})

	it('matches another routes array by its own routes, not by what was kept for the first', () => {
		const first: Route[] = [{ id: 'a', path: 'apps/:appId' }]
		const second: Route[] = [
			{ id: 'b', path: 'apps/new' },
			{ id: 'c', path: 'apps/:appId', caseSensitive: true },
		]
		expect(summary(patched.matchRoutes(first, '/apps/new'))).toEqual([
			{ id: 'a', params: { appId: 'new' }, pathnameBase: '/apps/new' },
		])
		expect(summary(patched.matchRoutes(second, '/apps/new'))).toEqual([
			{ id: 'b', params: {}, pathnameBase: '/apps/new' },
		])
		// The same path, case-sensitive here and not in the first array: each keeps its own expression.
		expect(patched.matchRoutes(second, '/APPS/x')).toBeNull()
		expect(summary(patched.matchRoutes(first, '/APPS/x'))).toEqual([
			{ id: 'a', params: { appId: 'x' }, pathnameBase: '/APPS/x' },
		])
	})
})
