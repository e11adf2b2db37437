// The production build the benchmark measures: built into its own folder
// when missing or stale (the same content hash as `npm start`), served as
// `npm start` serves it (the build's bundled entry in plain node) as a child
// process on its own port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { openSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { buildFreshness, runBuild } from '../scripts/build-freshness'
import { serverCommand } from '../scripts/server-bundle'

export const root = path.resolve(import.meta.dirname, '..')

export async function ensureBuild(buildDir: string, log: (line: string) => void): Promise<void> {
	const freshness = buildFreshness(root, buildDir)
	if (freshness.fresh) {
		log(`Build in ${buildDir}/ is up to date (${freshness.builtAt.slice(0, 16).replace('T', ' ')} UTC).`)
		return
	}
	log(`Building into ${buildDir}/ (${freshness.reason}); this takes a few minutes on a busy machine…`)
	const code = await runBuild(root, buildDir)
	if (code !== 0) throw new Error(`The build failed (exit code ${code}).`)
}

/** Migrations through scripts/db-setup.ts, in its own process (no demo seed). */
export function migrate(env: NodeJS.ProcessEnv): void {
	const setup = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/db-setup.ts'], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'inherit'],
		env: { ...env, SEED_DEMO: 'false' },
	})
	if (setup.status !== 0) throw new Error('Migrating the benchmark database failed (see above).')
}

export type RunningServer = { pid: number; url: string; stop: () => Promise<void>; child: ChildProcess }

/**
 * Starts the server of the build in `env.BUILD_DIR` (plain node, so `pid` is the server's; `nodeArgs` before its
 * entry, e.g. --cpu-prof) and waits for /healthz.
 */
export async function startServer(
	env: NodeJS.ProcessEnv,
	port: number,
	logFile: string,
	nodeArgs: string[] = [],
): Promise<RunningServer> {
	const out = openSync(logFile, 'a')
	// BENCH_NODE_ARGS: more node flags for the server, after its own (e.g. another young generation size, to compare).
	const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []
	const child = spawn(...serverCommand(env.BUILD_DIR ?? 'build', [...extra, ...nodeArgs]), {
		cwd: root,
		stdio: ['ignore', out, out],
		env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
	})
	const url = `http://127.0.0.1:${port}`
	let exited: number | null | undefined
	child.on('exit', (code) => (exited = code))
	const deadline = Date.now() + 300_000
	for (;;) {
		if (exited !== undefined) throw new Error(`The server exited (code ${exited}) before answering; see ${logFile}.`)
		try {
			const response = await fetch(`${url}/healthz`)
			if (response.ok) break
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			child.kill('SIGTERM')
			throw new Error(`The server did not answer /healthz within 5 minutes; see ${logFile}.`)
		}
		await new Promise((resolve) => setTimeout(resolve, 250))
	}
	return {
		pid: child.pid!,
		url,
		child,
		stop: () =>
			new Promise<void>((resolve) => {
				if (exited !== undefined) return resolve()
				child.once('exit', () => resolve())
				child.kill('SIGTERM')
			}),
	}
}

/** Resets a process's VmHWM to its current RSS (Linux: clear_refs 5); nothing where that is not allowed. */
export function resetPeakMemory(pid: number) {
	try {
		writeFileSync(`/proc/${pid}/clear_refs`, '5')
	} catch {
		// Not Linux, or not permitted: VmHWM then stays the peak since the process started.
	}
}

/** VmRSS and VmHWM (peak) of a process, in MB, from /proc (Linux). */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } | null {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8')
		const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
		return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 }
	} catch {
		return null
	}
}

/** Samples a process's RSS every `everyMs` until stopped; the highest seen. */
export function rssSampler(pid: number, everyMs = 50) {
	let peak = 0
	const timer = setInterval(() => {
		const memory = memoryOf(pid)
		if (memory && memory.rssMb > peak) peak = memory.rssMb
	}, everyMs)
	return {
		stop: () => {
			clearInterval(timer)
			const memory = memoryOf(pid)
			if (memory && memory.rssMb > peak) peak = memory.rssMb
			return peak
		},
	}
}
