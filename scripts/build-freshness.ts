// Is the production build in BUILD_DIR made from the sources as they are now?
// `npm run build` writes a stamp into the build folder: a SHA-256 over every
// file the build reads (the app, the database code it bundles, the static
// files, the build and TypeScript settings, the locked dependencies), taken
// before building. `npm start` builds only when the stamp is missing or its
// hash differs from the sources' hash now. Content, not modification times:
// a checkout, a copy or an editor that only touches a file does not count as
// a change, and an edit that keeps the old time still does.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { bundleServer, importThreadEntry, serverEntry } from './server-bundle'

/** Folders and files (relative to the project) whose content goes into the build. */
export const BUILD_INPUTS = [
	'app',
	'db',
	'public',
	// The server's entry and what it imports from here (scripts/server-bundle.ts bundles them into the build).
	'scripts/server.ts',
	'scripts/server-settings.mjs',
	'scripts/server-app.ts',
	'scripts/port.ts',
	'scripts/server-bundle.ts',
	'scripts/import-thread.ts',
	'vite.config.ts',
	'tsconfig.json',
	'package.json',
	'package-lock.json',
] as const

export const STAMP_FILE = '.clearance-build.json'

type Stamp = { hash: string; builtAt: string }

export type Freshness =
	| { fresh: true; builtAt: string }
	| { fresh: false; reason: 'no-build' | 'no-stamp' | 'changed'; hash: string }

/** Every input file, as sorted paths relative to `root` (with `/` between folders). */
export function inputFiles(root: string, inputs: readonly string[] = BUILD_INPUTS): string[] {
	const files: string[] = []
	const walk = (relative: string) => {
		const absolute = path.join(root, relative)
		if (!existsSync(absolute)) return
		if (statSync(absolute).isDirectory()) {
			for (const entry of readdirSync(absolute)) {
				// Editor and system leftovers (.DS_Store, swap files) are not sources.
				if (entry === '.DS_Store' || entry.endsWith('.swp') || entry.endsWith('~')) continue
				walk(path.posix.join(relative, entry))
			}
		} else files.push(relative)
	}
	for (const input of inputs) walk(input)
	return files.sort()
}

/** The SHA-256 over the input files' paths and contents. */
export function sourceHash(root: string, inputs: readonly string[] = BUILD_INPUTS): string {
	const hash = createHash('sha256')
	for (const file of inputFiles(root, inputs)) {
		hash.update(file)
		hash.update('\0')
		hash.update(createHash('sha256').update(readFileSync(path.join(root, file))).digest())
	}
	return hash.digest('hex')
}

function readStamp(buildDir: string): Stamp | null {
	try {
		const stamp = JSON.parse(readFileSync(path.join(buildDir, STAMP_FILE), 'utf8')) as Partial<Stamp>
		return typeof stamp.hash === 'string' && typeof stamp.builtAt === 'string'
			? { hash: stamp.hash, builtAt: stamp.builtAt }
			: null
	} catch {
		return null
	}
}

/** Whether a build (the server's entry and its import thread's, Remix's server and browser halves) exists in `buildDir`. */
export function hasBuild(buildDir: string): boolean {
	return (
		existsSync(serverEntry(buildDir)) &&
		existsSync(importThreadEntry(buildDir)) &&
		existsSync(path.join(buildDir, 'server/index.js')) &&
		existsSync(path.join(buildDir, 'client'))
	)
}

/** Compares the build in `buildDir` (relative to `root` or absolute) with the sources in `root`. */
export function buildFreshness(root: string, buildDir: string, inputs: readonly string[] = BUILD_INPUTS): Freshness {
	const dir = path.resolve(root, buildDir)
	const hash = sourceHash(root, inputs)
	if (!hasBuild(dir)) return { fresh: false, reason: 'no-build', hash }
	const stamp = readStamp(dir)
	if (!stamp) return { fresh: false, reason: 'no-stamp', hash }
	return stamp.hash === hash ? { fresh: true, builtAt: stamp.builtAt } : { fresh: false, reason: 'changed', hash }
}

/** Records that the build in `buildDir` was made from sources with this hash (taken before building). */
export function writeStamp(buildDir: string, hash: string, builtAt = new Date()): void {
	const stamp: Stamp = { hash, builtAt: builtAt.toISOString() }
	writeFileSync(path.join(buildDir, STAMP_FILE), JSON.stringify(stamp, null, '\t') + '\n')
}

/**
 * Builds into `buildDir` (Remix's Vite build, then the server's entry bundled beside it) and stamps it with the sources'
 * hash taken before building, so an edit made while it builds still counts as
 * a change next time. Resolves to the build's exit code.
 */
export async function runBuild(root: string, buildDir: string): Promise<number> {
	const dir = path.resolve(root, buildDir)
	const hash = sourceHash(root)
	// A build that fails halfway must not keep an old stamp, nor an old server entry beside a new Remix build.
	rmSync(path.join(dir, STAMP_FILE), { force: true })
	rmSync(serverEntry(dir), { force: true })
	rmSync(importThreadEntry(dir), { force: true })
	const code = await new Promise<number>((resolve) => {
		const child = spawn(path.join(root, 'node_modules/.bin/remix'), ['vite:build'], {
			cwd: root,
			stdio: 'inherit',
			env: { ...process.env, BUILD_DIR: buildDir },
		})
		child.on('error', () => resolve(1))
		child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)))
	})
	if (code !== 0) return code
	try {
		await bundleServer(root, dir)
	} catch {
		// esbuild has printed what it could not bundle.
		return 1
	}
	mkdirSync(dir, { recursive: true })
	writeStamp(dir, hash)
	return 0
}
