// npm start and npm run serve, after scripts/start.ts has checked the port, built when the sources changed and
// migrated: the server itself, the build's bundled entry (BUILD_DIR/server.mjs, scripts/server-bundle.ts) in this
// plain `node` process. The npm script `exec`s it, so signals (Ctrl+C, SIGTERM) reach the server directly.
// Plain JavaScript on purpose: no TypeScript loader in the serving process (docs/decisions/028-precompiled-server-entry.md).
import { existsSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import v8 from 'node:v8'

const buildDir = process.env.BUILD_DIR ?? 'build'
const entry = path.resolve(buildDir, 'server.mjs')
if (!existsSync(entry)) {
	console.error(`There is no server in ${buildDir}/ to serve. Run npm start: it builds first, then serves.`)
	process.exit(1)
}
process.env.BUILD_DIR = buildDir
// What scripts/server.ts sets first, set here too: the bundle's package imports are evaluated before its own
// code, and these must hold while they load (the heap's growth, decision 021; production unless told otherwise).
const heapGrowingPercent = process.env.HEAP_GROWING_PERCENT ?? '50'
if (/^\d{1,3}$/.test(heapGrowingPercent)) v8.setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`)
process.env.NODE_ENV ??= 'production'
await import(pathToFileURL(entry).href)
