import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { build as esbuild } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sourceHash, writeStamp } from '../../scripts/build-freshness'
import { checkPort, listenProblem } from '../../scripts/port'
import { bundleServer, SERVER_NODE_FLAGS } from '../../scripts/server-bundle'
import { migratedDataDir } from './process-helpers'

// Starting (issue 17, point 7): a port in use is one plain line naming PORT and exit code 1 (also when the
// port is taken between npm start's check and the server's listen); npm run serve never builds; npm start
// serves a build made from the sources as they are without building again.
const root = path.resolve(import.meta.dirname, '../..')
const { DATABASE_URL: _postgres, ...inherited } = process.env
// A throwaway embedded database (DATA_DIR, set below), even when the tests run on PostgreSQL; no reminders; no demo users.
const quiet = { ...inherited, NODE_ENV: 'test', CLEARANCE_SCHEDULER: 'off', SEED_DEMO: 'false' }

function start(script: string, args: string[], env: Record<string, string>, until?: RegExp) {
	return run(process.execPath, ['--import', 'tsx', script, ...args], env, until)
}

/** `npm start`, as a person runs it (npm's script: scripts/start.ts, then the server in plain node). */
function npmStart(env: Record<string, string>, until?: RegExp) {
	return run('npm', ['start', '--silent'], env, until)
}

function run(command: string, args: string[], env: Record<string, string>, until?: RegExp) {
	const child = spawn(command, args, {
		cwd: root,
		env: { ...quiet, DATA_DIR: dataDir, ...env } as NodeJS.ProcessEnv,
		stdio: ['ignore', 'pipe', 'pipe'],
	})
	let stdout = ''
	let stderr = ''
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
	const output = () => ({ stdout, stderr })
	const seen = until
		? new Promise<void>((resolve, reject) => {
				const check = () => (until.test(stdout) ? resolve() : undefined)
				child.stdout.on('data', check)
				void exited.then(() => reject(new Error(`exited before ${until}:\n${stdout}\n${stderr}`)))
			})
		: Promise.resolve()
	return { child, exited, output, seen }
}

let busy: Server
let port: number
let dataDir: string

beforeAll(async () => {
	// A copy of a migrated database, not memory://: each process opening a new one spends seconds of CPU in initdb.
	dataDir = await migratedDataDir('clearance-start-data-')
	busy = createServer()
	await new Promise<void>((resolve) => busy.listen(0, resolve))
	port = (busy.address() as AddressInfo).port
})

afterAll(async () => {
	await new Promise<void>((resolve) => (busy ? busy.close(() => resolve()) : resolve()))
	if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

describe('the port check', () => {
	it('finds a port in use and says so in one line naming PORT and the command to run', async () => {
		expect(await checkPort(port, undefined, 'npm start')).toBe(
			`Port ${port} is in use. Stop the other server or start with PORT=${port + 1} npm start.`,
		)
		const free = createServer()
		await new Promise<void>((resolve) => free.listen(0, resolve))
		const freePort = (free.address() as AddressInfo).port
		await new Promise<void>((resolve) => free.close(() => resolve()))
		expect(await checkPort(freePort, undefined, 'npm start')).toBeNull()
	})

	it('says what to do for a privileged port, and leaves other errors alone', () => {
		expect(listenProblem({ code: 'EACCES' }, 80, undefined, 'npm run serve')).toBe(
			'Port 80 needs administrator rights. Start with PORT=3000 npm run serve.',
		)
		expect(listenProblem(new Error('boom'), 3000, undefined)).toBeNull()
	})
})

describe('scripts/server.ts when the port is taken after the check', () => {
	it('prints the one line, no stack trace, and exits with code 1', async () => {
		const server = start('scripts/server.ts', [], {
			PORT: String(port),
			SERVER_BUILD: 'tests/fixtures/slow-server-build.ts',
			npm_lifecycle_event: 'serve',
		})
		expect(await server.exited).toBe(1)
		const { stdout, stderr } = server.output()
		expect(stderr.trim()).toBe(
			`Port ${port} is in use. Stop the other server or start with PORT=${port + 1} npm run serve.`,
		)
		expect(stdout + stderr).not.toMatch(/EADDRINUSE|^\s+at /m)
	}, 150_000)
})

describe('npm run serve and npm start (scripts/start.ts)', () => {
	let buildDir: string
	beforeAll(() => {
		buildDir = mkdtempSync(path.join(tmpdir(), 'clearance-start-'))
	})
	afterAll(() => rmSync(buildDir, { recursive: true, force: true }))

	it('npm run serve without a build says to run npm start, and builds nothing', async () => {
		const missing = path.join(buildDir, 'none')
		const serve = start('scripts/start.ts', ['--no-build'], { PORT: '0', BUILD_DIR: missing })
		expect(await serve.exited).toBe(1)
		expect(serve.output().stderr.trim()).toBe(
			`There is no build in ${missing}/ to serve. Run npm start instead: it builds first, then serves.`,
		)
		expect(serve.output().stdout).not.toMatch(/Building/)
	}, 60_000)

	it('npm start serves a build made from the sources as they are, without building, from plain node', async () => {
		// A build folder stamped with the sources' hash now: the server's real entry, bundled as the build bundles it,
		// and the small test build as Remix's half (bundled too: nothing in the serving process compiles TypeScript).
		// Inside the project, where the bundles' packages resolve from node_modules, as the real build's do.
		mkdirSync(path.join(root, '.data'), { recursive: true })
		const projectBuild = mkdtempSync(path.join(root, '.data/start-test-build-'))
		try {
			mkdirSync(path.join(projectBuild, 'client'), { recursive: true })
			await bundleServer(root, projectBuild)
			await esbuild({
				absWorkingDir: root,
				entryPoints: ['tests/fixtures/slow-server-build.ts'],
				outfile: path.join(projectBuild, 'server/index.js'),
				bundle: true,
				platform: 'node',
				format: 'esm',
				packages: 'external',
				logLevel: 'warning',
			})
			writeStamp(projectBuild, sourceHash(root))

			// npm start itself: its script runs scripts/start.ts, then execs the server, so SIGTERM reaches the server.
			const server = npmStart({ PORT: '0', HOST: '127.0.0.1', BUILD_DIR: projectBuild }, /listening on/)
			try {
				await server.seen
				const { stdout } = server.output()
				expect(stdout).toMatch(/Nothing changed since the last build/)
				expect(stdout).not.toMatch(/Building/)
				// The process that listens is node running the bundle, with no TypeScript loader in it.
				const serving = execFileSync('ps', ['-o', 'args=', '--ppid', String(server.child.pid)], { encoding: 'utf8' })
				expect(serving.trim()).toBe(`node ${SERVER_NODE_FLAGS.join(' ')} scripts/serve.mjs`)
				server.child.kill('SIGTERM')
				expect(await server.exited).toBe(0)
				expect(server.output().stdout).toMatch(/SIGTERM: finishing the requests in flight/)
			} finally {
				server.child.kill('SIGKILL')
			}
		} finally {
			rmSync(projectBuild, { recursive: true, force: true })
		}
	}, 180_000)
})
