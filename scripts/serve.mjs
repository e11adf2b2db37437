// npm start and npm run serve, after scripts/start.ts has checked the port, built when the sources changed and
// migrated: the server itself, the build's bundled entry (BUILD_DIR/server.mjs, scripts/server-bundle.ts) in this
// plain `node` process. The npm script `exec`s it, so signals (Ctrl+C, SIGTERM) reach the server directly.
// Plain JavaScript on purpose: no TypeScript loader in the serving process (docs/decisions/028-precompiled-server-entry.md).
import { existsSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const buildDir = process.env.BUILD_DIR ?? 'build'
const entry = path.resolve(buildDir, 'server.mjs')
if (!existsSync(entry)) {
	console.error(`There is no server in ${buildDir}/ to serve. Run npm start: it builds first, then serves.`)
	process.exit(1)
}
process.env.BUILD_DIR = buildDir
// The heap's growth and NODE_ENV must hold while the bundle's packages load, which is before its own code runs.
await import('./server-settings.mjs')
await import(pathToFileURL(entry).href)
