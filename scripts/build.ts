// npm run build: the production build in BUILD_DIR (default build/), stamped
// with the hash of the sources it was made from, so that npm start knows it
// need not build again until they change (scripts/build-freshness.ts).
import path from 'node:path'
import { buildFreshness, runBuild } from './build-freshness'

const root = path.resolve(import.meta.dirname, '..')
const buildDir = process.env.BUILD_DIR ?? 'build'
// --if-stale: keep a build made from the same sources (the CI's PostgreSQL pass).
if (process.argv.includes('--if-stale') && buildFreshness(root, buildDir).fresh) {
	console.log(`The build in ${buildDir}/ matches the sources: not rebuilding.`)
	process.exit(0)
}
process.exit(await runBuild(root, buildDir))
