import { defineConfig, devices } from '@playwright/test'

// e2e runs against the production build in the system's Chromium
// (Playwright cannot download its own browsers here; see README).
const port = Number(process.env.E2E_PORT ?? 3100)
const baseURL = `http://localhost:${port}`
const reportDir = process.env.TEST_REPORT_DIR
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

export default defineConfig({
	testDir: 'tests/e2e',
	// Each port its own folder: several suites may run at once on one machine, and each empties its folder first.
	outputDir: process.env.E2E_PORT ? `test-results/e2e-${port}` : 'test-results',
	// Upper bounds, not waits: every step waits on a state. A 2-core machine shared by a whole team (load 30 and more)
	// takes a minute for what an idle one does in seconds.
	timeout: 180_000,
	expect: { timeout: 30_000 },
	fullyParallel: true,
	workers: 2,
	retries: 0,
	forbidOnly: Boolean(process.env.CI),
	reporter: reportDir ? [['list'], ['json', { outputFile: `${reportDir}/playwright.json` }]] : [['list']],
	use: {
		baseURL,
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure',
		permissions: ['clipboard-read', 'clipboard-write'],
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: [
				...(isRoot ? ['--no-sandbox'] : []),
				'--disable-dev-shm-usage',
				'--disable-background-networking',
				'--disable-component-update',
				'--no-first-run',
			],
		},
	},
	projects: [
		{
			name: 'chromium',
			use: { ...devices['Desktop Chrome'], channel: undefined },
			// Once every test has run, passed or not: the scan for stored email addresses (stops the server).
			teardown: 'after the suite',
		},
		{ name: 'after the suite', testMatch: /\.teardown\.ts$/ },
	],
	webServer: {
		command: 'tsx scripts/e2e-server.ts',
		url: `${baseURL}/healthz`,
		env: { E2E_PORT: String(port) },
		reuseExistingServer: false,
		timeout: 180_000,
		stdout: 'pipe',
		stderr: 'pipe',
	},
})
