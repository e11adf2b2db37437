// Starting Clearance as a newcomer does (issue 17, point 7): `npm start` and
// `npm run serve` on a port that another program holds say so in one plain
// line naming PORT and exit with code 1, before building anything, without a
// stack trace. No browser: the person's screen here is the terminal.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import path from 'node:path'
import { expect, test } from './utils'

const root = path.resolve(import.meta.dirname, '../..')

function run(args: string[], env: Record<string, string>) {
	return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
		const child = spawn('npm', args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
		let stdout = ''
		let stderr = ''
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
		child.on('error', reject)
		child.on('exit', (code) => resolve({ code, stdout, stderr }))
	})
}

let busy: Server
let port: number

test.beforeAll(async () => {
	// Another program on the port, listening on every address as the server would.
	busy = createServer()
	await new Promise<void>((resolve) => busy.listen(0, resolve))
	port = (busy.address() as AddressInfo).port
})

test.afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())))

for (const [script, args, command] of [
	['npm start', ['start'], 'npm start'],
	['npm run serve', ['run', 'serve'], 'npm run serve'],
] as const) {
	test(`${script} on a port in use: one plain line naming PORT, exit code 1, nothing built`, async () => {
		// A build folder that does not exist: npm start would have to build it first.
		const buildDir = `build-e2e-port-${port}-${args.length}`
		const result = await run([...args], { PORT: String(port), BUILD_DIR: buildDir, HOST: '' })

		expect(result.code).toBe(1)
		expect(result.stderr.trim()).toBe(
			`Port ${port} is in use. Stop the other server or start with PORT=${port + 1} ${command}.`,
		)
		// npm's own header ("> clearance@… start") and nothing from Clearance: no building, no stack trace.
		const ours = result.stdout.split('\n').filter((line) => line.trim() && !line.startsWith('>'))
		expect(ours).toEqual([])
		expect(result.stdout + result.stderr).not.toMatch(/EADDRINUSE|^\s+at /m)
		expect(existsSync(path.join(root, buildDir))).toBe(false)
	})
}
