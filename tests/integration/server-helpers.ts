import { createRequestHandler, type ServerBuild } from '@remix-run/node'

type RouteModule = ServerBuild['routes'][string]['module']

/**
 * A Remix server build made of real route modules under a bare root, with an
 * entry that answers document requests with the status and headers Remix
 * worked out (no HTML). Requests go through Remix's own request handling:
 * `headers` exports, single fetch, thrown responses, as in production.
 */
export function testBuild(routes: Record<string, { path: string; module: RouteModule }>): ServerBuild {
	const root = { id: 'root', path: '', module: { default: () => null } as unknown as RouteModule }
	const all: ServerBuild['routes'] = {
		root: { ...root, parentId: undefined, index: undefined, caseSensitive: undefined },
	}
	const assetRoutes: Record<string, unknown> = {
		root: {
			id: 'root',
			path: '',
			module: '/root.js',
			hasAction: false,
			hasLoader: false,
			hasClientAction: false,
			hasClientLoader: false,
			hasErrorBoundary: false,
		},
	}
	for (const [id, route] of Object.entries(routes)) {
		all[id] = {
			id,
			parentId: 'root',
			path: route.path,
			index: undefined,
			caseSensitive: undefined,
			module: route.module,
		}
		assetRoutes[id] = {
			id,
			parentId: 'root',
			path: route.path,
			module: `/${id}.js`,
			hasAction: 'action' in route.module,
			hasLoader: 'loader' in route.module,
			hasClientAction: false,
			hasClientLoader: false,
			hasErrorBoundary: false,
		}
	}
	return {
		mode: 'production',
		entry: {
			module: {
				default: (_request: Request, status: number, headers: Headers) =>
					new Response(`document ${status}`, { status, headers }),
			},
		},
		routes: all,
		assets: {
			entry: { module: '/entry.js', imports: [] },
			routes: assetRoutes,
			url: '/manifest.js',
			version: 'test',
		} as unknown as ServerBuild['assets'],
		publicPath: '/assets/',
		assetsBuildDirectory: 'build/client',
		future: {
			v3_fetcherPersist: true,
			v3_relativeSplatPath: true,
			v3_throwAbortReason: true,
			v3_singleFetch: true,
			v3_lazyRouteDiscovery: true,
			v3_routeConfig: true,
		} as unknown as ServerBuild['future'],
		isSpaMode: false,
	}
}

/** Remix's request handler for `testBuild(routes)`, called with a load context as our server passes it. */
export function handlerFor(routes: Parameters<typeof testBuild>[0]) {
	const handle = createRequestHandler(testBuild(routes), 'production')
	return (request: Request, clientAddress?: string) => handle(request, clientAddress ? { clientAddress } : {})
}
