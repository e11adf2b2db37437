// Starts the production build on a fresh database for the e2e suite:
// a new PGlite folder, or a new `clearance_e2e` database on the server in
// DATABASE_URL. The demo organisation is seeded so tests can use it.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import postgres from 'postgres'
import { hasBuild } from './build-freshness'
import { serverCommand } from './server-bundle'

const root = path.resolve(import.meta.dirname, '..')
const env: NodeJS.ProcessEnv = {
	...process.env,
	NODE_ENV: 'production',
	PORT: process.env.E2E_PORT ?? '3100',
	SEED_DEMO: 'true',
	// Every browser of the suite is one client (127.0.0.1): room for all its sign-ups and invites.
	SIGNUP_PER_CLIENT: process.env.SIGNUP_PER_CLIENT ?? '200',
	INVITE_ACCEPT_PER_CLIENT: process.env.INVITE_ACCEPT_PER_CLIENT ?? '200',
	// No reminders on a timer during the suite (a test that wants them sets CLEARANCE_SCHEDULER=on).
	CLEARANCE_SCHEDULER: process.env.CLEARANCE_SCHEDULER ?? 'off',
	// Webhook receivers in the tests listen on 127.0.0.1, which Clearance refuses to post to otherwise.
	OUTBOUND_ALLOW_PRIVATE: 'true',
	// The cheapest password hash the app accepts (2^14; production's default is 2^17, 128 MB a hash): the suite signs
	// up a new organisation in most tests, and a busy 2-core machine should spend its time on what they test.
	PASSWORD_SCRYPT_LOG2_N: process.env.PASSWORD_SCRYPT_LOG2_N ?? '14',
}

if (process.env.DATABASE_URL) {
	const name = 'clearance_e2e'
	const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} })
	await admin.unsafe(`drop database if exists ${name} with (force)`)
	await admin.unsafe(`create database ${name}`)
	await admin.end()
	const url = new URL(process.env.DATABASE_URL)
	url.pathname = `/${name}`
	env.DATABASE_URL = url.toString()
} else {
	const dataDir = path.join(root, `.data/e2e-${env.PORT}`)
	rmSync(dataDir, { recursive: true, force: true })
	env.DATA_DIR = dataDir
}

// Where the suite finds this process (to ask for the email scan) and the scan's findings: e2ePidFile in tests/e2e/utils.ts.
const pidFile = path.join(root, `.data/e2e-${env.PORT}.pid`)
mkdirSync(path.dirname(pidFile), { recursive: true })
rmSync(`${pidFile}.email-scan.json`, { force: true })

const buildDir = process.env.BUILD_DIR ?? 'build'
if (!hasBuild(path.join(root, buildDir))) {
	const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', env })
	if (build.status !== 0) process.exit(build.status ?? 1)
}

const setup = spawnSync('npx', ['tsx', 'scripts/db-setup.ts'], { cwd: root, stdio: 'inherit', env })
if (setup.status !== 0) process.exit(setup.status ?? 1)

// The build's server entry in plain node, as npm start serves it; SIGTERM reaches it, so it drains and exits.
const server = spawn(...serverCommand(buildDir), {
	cwd: root,
	stdio: 'inherit',
	env: { ...env, BUILD_DIR: buildDir },
})
let scanTo: string | null = null
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.on(signal, () =>
		server.exitCode === null && server.signalCode === null ? server.kill(signal) : process.exit(0),
	)
}
// The email scan after the suite (tests/e2e/stored-emails.teardown.ts sends SIGUSR2): the server stops first, since
// PGlite allows one process on its folder, then scripts/e2e-email-scan.ts writes its findings next to the pid file.
writeFileSync(pidFile, String(process.pid))
process.on('SIGUSR2', () => {
	scanTo = `${pidFile}.email-scan.json`
	server.kill('SIGTERM')
})
server.on('exit', (code) => {
	if (!scanTo) process.exit(code ?? 0)
	const scan = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['scripts/e2e-email-scan.ts', `${scanTo}.part`], {
		cwd: root,
		stdio: 'inherit',
		env,
	})
	if (scan.status === 0) renameSync(`${scanTo}.part`, scanTo)
	else writeFileSync(scanTo, JSON.stringify({ error: `the scan exited with code ${scan.status}` }))
	// Playwright stops this process when the suite ends.
})
