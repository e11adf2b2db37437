// Process-level tests on PostgreSQL (tests/e2e/database-outage.spec.ts, scale-out.spec.ts): each
// starts its own servers of the production build (BUILD_DIR, as the suite's server) on a database of
// its own on the PostgreSQL in DATABASE_URL, and waits on what the processes say, never on time.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import path from 'node:path'
import postgres from 'postgres'
import { serverCommand } from '../../scripts/server-bundle'

export const root = path.resolve(import.meta.dirname, '../..')
const tsx = path.join(root, 'node_modules/.bin/tsx')
// The cheapest password hash the app accepts, as the suite's own server (scripts/e2e-server.ts): logins are not timed here.
const CHEAP_HASH = process.env.PASSWORD_SCRYPT_LOG2_N ?? '14'

/** DATABASE_URL with another database name. */
export function databaseUrl(name: string, base = process.env.DATABASE_URL!): string {
	const url = new URL(base)
	url.pathname = `/${name}`
	return url.toString()
}

/** A new, empty database `name` (dropped first if a previous run left it), migrated and seeded with the demo. */
export async function freshDatabase(name: string): Promise<string> {
	const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} })
	try {
		await admin.unsafe(`drop database if exists ${name} with (force)`)
		await admin.unsafe(`create database ${name}`)
	} finally {
		await admin.end()
	}
	const url = databaseUrl(name)
	const setup = await runScript('scripts/db-setup.ts', [], { DATABASE_URL: url, SEED_DEMO: 'true' })
	if (setup.code !== 0) throw new Error(`db-setup failed:\n${setup.stdout}\n${setup.stderr}`)
	return url
}

export async function dropDatabase(name: string) {
	const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} })
	try {
		await admin.unsafe(`drop database if exists ${name} with (force)`)
	} finally {
		await admin.end()
	}
}

/** Runs a script of scripts/ to its end. */
export function runScript(script: string, args: string[], env: Record<string, string>) {
	return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
		const child = spawn(tsx, [script, ...args], {
			cwd: root,
			env: { ...process.env, NODE_ENV: 'production', PASSWORD_SCRYPT_LOG2_N: CHEAP_HASH, ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
		})
		let stdout = ''
		let stderr = ''
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
		child.on('error', reject)
		child.on('exit', (code) => resolve({ code, stdout, stderr }))
	})
}

export type AppServer = {
	/** http://127.0.0.1:<port>, as the server said. */
	base: string
	child: ChildProcess
	output(): string
	/** Resolves when the output so far, or later, matches `pattern`; rejects if the server exits first. */
	says(pattern: RegExp): Promise<void>
	stop(): Promise<void>
}

/** Starts the build's server (as npm start serves it) on 127.0.0.1:`port` (0: a free port the system picks) and resolves once it listens. */
export async function startServer(port: number, env: Record<string, string>): Promise<AppServer> {
	const child = spawn(...serverCommand(process.env.BUILD_DIR ?? 'build'), {
		cwd: root,
		env: {
			...process.env,
			NODE_ENV: 'production',
			BUILD_DIR: process.env.BUILD_DIR ?? 'build',
			PORT: String(port),
			HOST: '127.0.0.1',
			CLEARANCE_SCHEDULER: 'off',
			OUTBOUND_ALLOW_PRIVATE: 'true',
			PASSWORD_SCRYPT_LOG2_N: CHEAP_HASH,
			...env,
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	})
	let output = ''
	const listeners = new Set<() => void>()
	const take = (chunk: Buffer) => {
		output += chunk.toString()
		for (const listener of listeners) listener()
	}
	child.stdout!.on('data', take)
	child.stderr!.on('data', take)
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
	const says = (pattern: RegExp) =>
		new Promise<void>((resolve, reject) => {
			const check = () => {
				if (pattern.test(output)) {
					listeners.delete(check)
					resolve()
				}
			}
			listeners.add(check)
			check()
			void exited.then((code) => reject(new Error(`server exited (${code}) before ${pattern}:\n${output}`)))
		})
	const server: AppServer = {
		base: '',
		child,
		output: () => output,
		says,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return
			child.kill('SIGTERM')
			await exited
		},
	}
	try {
		await says(/listening on http/)
		server.base = /listening on (http:\/\/\S+)/.exec(output)![1]!
	} catch (error) {
		await server.stop()
		throw error
	}
	return server
}

/** Logs in through the login form (no browser) and returns the session's Cookie header. */
export async function logInCookie(base: string, email: string, password: string): Promise<string> {
	const answer = await fetch(`${base}/login`, {
		method: 'POST',
		body: new URLSearchParams({ email, password, redirectTo: '' }),
		redirect: 'manual',
	})
	if (answer.status !== 302) throw new Error(`login answered ${answer.status}: ${await answer.text()}`)
	return answer.headers
		.getSetCookie()
		.map((cookie) => cookie.split(';')[0]!)
		.join('; ')
}

/**
 * A TCP proxy on 127.0.0.1 in front of PostgreSQL: the app connects to it, so a test can cut the
 * database off (every connection closed, new ones refused), make it a black hole (connections accepted,
 * never answered) and bring it back, without touching the PostgreSQL other tests share.
 */
export class DatabaseProxy {
	private server: Server | null = null
	private readonly sockets = new Set<Socket>()
	/** Chosen by the system when first opened, then kept: the app reconnects to the same address. */
	port = 0

	constructor(private readonly target: { host: string; port: number }) {}

	static inFrontOf(url: string) {
		const parsed = new URL(url)
		return new DatabaseProxy({ host: parsed.hostname, port: Number(parsed.port || 5432) })
	}

	/** `url` with its host and port replaced by the proxy's. */
	url(url: string) {
		const parsed = new URL(url)
		parsed.hostname = '127.0.0.1'
		parsed.port = String(this.port)
		return parsed.toString()
	}

	/** Listens: `forward` passes connections through; `black-hole` accepts them and never answers. */
	async open(mode: 'forward' | 'black-hole' = 'forward') {
		await this.cut()
		const server = createServer((client) => {
			this.track(client)
			if (mode === 'black-hole') return
			const upstream = connect(this.target)
			this.track(upstream)
			const end = () => {
				client.destroy()
				upstream.destroy()
			}
			client.on('error', end).on('close', end)
			upstream.on('error', end).on('close', end)
			client.pipe(upstream).pipe(client)
		})
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject)
			server.listen(this.port, '127.0.0.1', () => resolve())
		})
		this.port = (server.address() as AddressInfo).port
		this.server = server
	}

	/** The database gone: every connection closed at once, new ones refused. */
	async cut() {
		const server = this.server
		this.server = null
		const closed = server ? new Promise((resolve) => server.close(resolve)) : Promise.resolve()
		for (const socket of this.sockets) socket.destroy()
		this.sockets.clear()
		await closed
	}

	/** How many connections are open through the proxy now. */
	get connections() {
		return this.sockets.size
	}

	private track(socket: Socket) {
		this.sockets.add(socket)
		socket.on('close', () => this.sockets.delete(socket))
	}
}
