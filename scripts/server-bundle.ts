// The server's own entry in the build: scripts/server.ts, with the app and database modules it imports, bundled
// by esbuild into BUILD_DIR/server.mjs beside Remix's build. `npm start` and `npm run serve` then serve it from a
// plain `node` process (scripts/serve.mjs), without tsx's loader thread and source maps: about 55 MB less
// resident memory (docs/decisions/028-precompiled-server-entry.md). Packages stay in node_modules, loaded by
// Node as the Remix build loads them, so the bundle holds only this project's code.
import path from 'node:path'
import { build } from 'esbuild'
import { IMPORT_THREAD_ENTRY } from '../app/services/import-thread.server'

export const SERVER_ENTRY = 'server.mjs'

/**
 * The flags `node` serves with, in package.json's start and serve scripts and wherever the tests and the benchmark
 * start the build's server (tests/unit/server-bundle.test.ts holds the scripts to this list). A young generation
 * of at most 2 × 4 MB instead of V8's 2 × 16 MB: under load it grows to its maximum and stays there, and the
 * server's resident memory with it (decision 028).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=4'] as const

/** The command that serves the build in `buildDir`: this node, its flags, the bundled entry. */
export function serverCommand(buildDir: string, nodeArgs: readonly string[] = []): [string, string[]] {
	return [process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, serverEntry(buildDir)]]
}

/** Where the bundled server entry of the build in `buildDir` is. */
export function serverEntry(buildDir: string): string {
	return path.join(buildDir, SERVER_ENTRY)
}

/** Where the bundled import thread's entry of the build in `buildDir` is (beside the server's). */
export function importThreadEntry(buildDir: string): string {
	return path.join(buildDir, IMPORT_THREAD_ENTRY)
}

/** Bundles scripts/server.ts, and the import thread's scripts/import-thread.ts, into `buildDir` (relative to `root` or absolute). */
export async function bundleServer(root: string, buildDir: string): Promise<void> {
	await build({
		absWorkingDir: root,
		entryPoints: {
			[path.parse(SERVER_ENTRY).name]: 'scripts/server.ts',
			[path.parse(IMPORT_THREAD_ENTRY).name]: 'scripts/import-thread.ts',
		},
		outdir: path.resolve(root, buildDir),
		outExtension: { '.js': '.mjs' },
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		// Every import that names a package stays an import; `#db/…` and `~/…` are this project's and are bundled.
		packages: 'external',
		logLevel: 'warning',
	})
}
