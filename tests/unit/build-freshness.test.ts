import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildFreshness, inputFiles, runBuild, sourceHash, STAMP_FILE, writeStamp } from '../../scripts/build-freshness'

// npm start builds only when the sources changed since the last build (issue 17, point 7).
let root: string

function write(relative: string, content: string) {
	mkdirSync(path.dirname(path.join(root, relative)), { recursive: true })
	writeFileSync(path.join(root, relative), content)
}

/** A build folder as the build leaves it (Remix's halves, the server's entry and its import thread's), stamped with the sources' hash now. */
function stampedBuild(buildDir = 'build') {
	write(`${buildDir}/server.mjs`, 'export {}')
	write(`${buildDir}/import-thread.mjs`, 'export {}')
	write(`${buildDir}/server/index.js`, 'export {}')
	mkdirSync(path.join(root, buildDir, 'client'), { recursive: true })
	writeStamp(path.join(root, buildDir), sourceHash(root))
}

beforeEach(() => {
	root = mkdtempSync(path.join(tmpdir(), 'clearance-freshness-'))
	write('app/root.tsx', 'export default function Root() {}')
	write('app/routes/home.tsx', 'export default function Home() {}')
	write('db/schema.ts', 'export const users = {}')
	write('public/favicon.svg', '<svg/>')
	write('vite.config.ts', 'export default {}')
	write('package-lock.json', '{}')
	write('README.md', 'not an input')
	// The server's entry, which the build bundles, and what it imports; other scripts are not inputs.
	write('scripts/server.ts', "import { greeting } from './server-app'\nconsole.log(greeting)\n")
	write('scripts/server-app.ts', "export const greeting = 'served from the bundle'\n")
	write('scripts/import-thread.ts', "console.log('the import thread')\n")
	write('scripts/remind.ts', 'not an input')
})

afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('build freshness', () => {
	it("lists the inputs (app, db, public, the server's entry, settings, lock file) and nothing else", () => {
		expect(inputFiles(root)).toEqual([
			'app/root.tsx',
			'app/routes/home.tsx',
			'db/schema.ts',
			'package-lock.json',
			'public/favicon.svg',
			'scripts/import-thread.ts',
			'scripts/server-app.ts',
			'scripts/server.ts',
			'vite.config.ts',
		])
	})

	it('is fresh when nothing changed since the stamped build, even if a file was only touched', () => {
		stampedBuild()
		const later = new Date(Date.now() + 60_000)
		utimesSync(path.join(root, 'app/root.tsx'), later, later)
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: true })
	})

	it('is stale when a source file changed, was added or was removed', () => {
		stampedBuild()
		write('app/routes/home.tsx', 'export default function Home() { return 1 }')
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'changed' })

		stampedBuild()
		write('app/routes/new.tsx', 'export default function New() {}')
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'changed' })

		stampedBuild()
		rmSync(path.join(root, 'public/favicon.svg'))
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'changed' })

		stampedBuild()
		write('package-lock.json', '{"lockfileVersion": 3}')
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'changed' })

		stampedBuild()
		write('scripts/server-app.ts', "export const greeting = 'changed'\n")
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'changed' })
	})

	it('ignores files that are not inputs of the build', () => {
		stampedBuild()
		write('README.md', 'changed')
		write('tests/unit/x.test.ts', 'new')
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: true })
	})

	it('is stale without a build, or with a build that has no stamp', () => {
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'no-build' })
		stampedBuild()
		rmSync(path.join(root, 'build', STAMP_FILE))
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'no-stamp' })
		rmSync(path.join(root, 'build/server'), { recursive: true })
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'no-build' })
		// A build made before the server's entry was part of it is no build to serve.
		stampedBuild()
		rmSync(path.join(root, 'build/server.mjs'))
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'no-build' })
		// Nor one without the import thread's entry (the server would run its imports in its own thread).
		stampedBuild()
		rmSync(path.join(root, 'build/import-thread.mjs'))
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'no-build' })
	})

	it('keeps one stamp per build folder (BUILD_DIR)', () => {
		stampedBuild('build-a')
		write('app/root.tsx', 'changed')
		stampedBuild('build-b')
		expect(buildFreshness(root, 'build-a')).toMatchObject({ fresh: false, reason: 'changed' })
		expect(buildFreshness(root, 'build-b')).toMatchObject({ fresh: true })
	})
})

describe('runBuild', () => {
	/** Stands in for Remix's CLI: makes the build folder, or fails. */
	function fakeRemix(script: string) {
		write('node_modules/.bin/remix', `#!/bin/sh\n${script}\n`)
		chmodSync(path.join(root, 'node_modules/.bin/remix'), 0o755)
	}

	const remixBuilds = 'mkdir -p "$BUILD_DIR/server" "$BUILD_DIR/client" && echo "export {}" > "$BUILD_DIR/server/index.js"'

	it("bundles the server's entry and stamps a successful build, so the next start finds it fresh", async () => {
		fakeRemix(remixBuilds)
		expect(await runBuild(root, 'build')).toBe(0)
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: true })
		// One file that plain node runs: what scripts/server.ts imports from the project is inside it.
		const run = spawnSync(process.execPath, [path.join(root, 'build/server.mjs')], { encoding: 'utf8' })
		expect(run.stdout).toBe('served from the bundle\n')
		// And the import thread's entry beside it.
		const thread = spawnSync(process.execPath, [path.join(root, 'build/import-thread.mjs')], { encoding: 'utf8' })
		expect(thread.stdout).toBe('the import thread\n')
	})

	it("leaves no stamp, and not the previous server entry, when the server's entry does not bundle", async () => {
		fakeRemix(remixBuilds)
		expect(await runBuild(root, 'build')).toBe(0)
		write('scripts/server.ts', "import { missing } from './nowhere'\nconsole.log(missing)\n")
		expect(await runBuild(root, 'build')).toBe(1)
		expect(existsSync(path.join(root, 'build', STAMP_FILE))).toBe(false)
		expect(existsSync(path.join(root, 'build/server.mjs'))).toBe(false)
		expect(existsSync(path.join(root, 'build/import-thread.mjs'))).toBe(false)
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'no-build' })
	})

	it('leaves no stamp when the build fails, so the next start builds again', async () => {
		stampedBuild()
		write('app/root.tsx', 'changed')
		fakeRemix('exit 2')
		expect(await runBuild(root, 'build')).toBe(2)
		expect(existsSync(path.join(root, 'build', STAMP_FILE))).toBe(false)
		// Nor a server entry from before, to be served beside whatever the failed build left.
		expect(buildFreshness(root, 'build')).toMatchObject({ fresh: false, reason: 'no-build' })
	})
})
