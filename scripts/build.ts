// npm run build: the production build in BUILD_DIR (default build/), stamped
// with the hash of the sources it was made from, so that npm start knows it
// need not build again until they change (scripts/build-freshness.ts).
import path from 'node:path'
import { runBuild } from './build-freshness'

const root = path.resolve(import.meta.dirname, '..')
process.exit(await runBuild(root, process.env.BUILD_DIR ?? 'build'))
