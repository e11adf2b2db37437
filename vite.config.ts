import { vitePlugin as remix } from '@remix-run/dev'
import { defineConfig } from 'vite'
import tsconfigPaths from 'vite-tsconfig-paths'

declare module '@remix-run/node' {
	interface Future {
		v3_singleFetch: true
	}
}

export default defineConfig({
	server: { port: 3000 },
	// PGlite ships WebAssembly and data files that must be loaded from
	// node_modules at run time, not bundled.
	ssr: { external: ['@electric-sql/pglite'] },
	optimizeDeps: { exclude: ['@electric-sql/pglite'] },
	build: {
		rollupOptions: {
			// Two notices that read like errors and are none, left out of the build's output; every other
			// warning is still printed. INVALID_ANNOTATION: a library's comment mentions `@__PURE__` where
			// Rollup cannot use it (it drops the comment, nothing else). EMPTY_BUNDLE: a route with only a
			// loader or an action has no browser code, so its browser chunk is empty, as it should be.
			onwarn(warning, warn) {
				if (warning.code === 'INVALID_ANNOTATION' || warning.code === 'EMPTY_BUNDLE') return
				warn(warning)
			},
		},
	},
	plugins: [
		remix({
			// BUILD_DIR lets two builds (e.g. parallel e2e runs) live side by side.
			buildDirectory: process.env.BUILD_DIR ?? 'build',
			future: {
				v3_fetcherPersist: true,
				v3_relativeSplatPath: true,
				v3_throwAbortReason: true,
				v3_singleFetch: true,
				v3_lazyRouteDiscovery: true,
				v3_routeConfig: true,
			},
		}),
		tsconfigPaths(),
	],
})
