// npm start: checks that PORT is free, builds only when the sources changed
// since the last build (scripts/build-freshness.ts), migrates (and seeds the
// demo on a new embedded database) and exits; the npm script then `exec`s
// scripts/serve.mjs, which serves the build from a plain `node` process.
// npm run serve (`--no-build`): the same without building; it serves the build
// there is, and says what to run when there is none.
// The port comes first: a port in use is said in one line before a minute of building.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { buildFreshness, hasBuild, runBuild } from './build-freshness'
import { checkPort, portFromEnv, startCommand } from './port'

const root = path.resolve(import.meta.dirname, '..')
const buildDir = process.env.BUILD_DIR ?? 'build'
const build = !process.argv.includes('--no-build')
const command = startCommand(build ? 'start' : 'serve')

const parsed = portFromEnv()
if ('problem' in parsed) {
	console.error(parsed.problem)
	process.exit(1)
}
const problem = await checkPort(parsed.port, process.env.HOST || undefined, command)
if (problem) {
	console.error(problem)
	process.exit(1)
}

const freshness = buildFreshness(root, buildDir)
if (build) {
	if (freshness.fresh) {
		console.log(
			`Nothing changed since the last build (${freshness.builtAt.slice(0, 16).replace('T', ' ')} UTC): starting it.`,
		)
	} else {
		const why = {
			'no-build': 'first build',
			'no-stamp': 'the last build has no record of its sources',
			changed: 'the sources changed since the last build',
		}[freshness.reason]
		console.log(`Building Clearance (${why}); this takes a minute or two…`)
		const code = await runBuild(root, buildDir)
		if (code !== 0) {
			console.error('The build failed (see above); nothing was started.')
			process.exit(code)
		}
	}
} else if (!hasBuild(path.resolve(root, buildDir))) {
	console.error(`There is no build in ${buildDir}/ to serve. Run npm start instead: it builds first, then serves.`)
	process.exit(1)
} else if (!freshness.fresh) {
	console.log('Serving the existing build; the sources changed since it was made (npm start rebuilds them).')
}

// Migrations and the demo in their own process: it opens and closes the database before the server opens it.
const setup = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/db-setup.ts'], { cwd: root, stdio: 'inherit' })
if (setup.status !== 0) process.exit(setup.status ?? 1)
// Serving is the npm script's next command (scripts/serve.mjs): this process and its TypeScript loader end here.
