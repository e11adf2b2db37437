import tsconfigPaths from 'vite-tsconfig-paths'
import { defineConfig } from 'vitest/config'

// Unit tests (pure domain code) and integration tests (services and routes on
// a real database: PGlite by default, PostgreSQL when DATABASE_URL is set).
const reportDir = process.env.TEST_REPORT_DIR

export default defineConfig({
	plugins: [tsconfigPaths()],
	test: {
		reporters: reportDir ? ['default', 'json'] : ['default'],
		outputFile: reportDir ? { json: `${reportDir}/vitest.json` } : undefined,
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['tests/unit/**/*.test.{ts,tsx}'],
					environment: 'node',
					sequence: { groupOrder: 0 },
					// Property-based tests run hundreds of cases; a busy 2-core machine needs headroom.
					testTimeout: 30_000,
				},
			},
			{
				extends: true,
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.{ts,tsx}'],
					environment: 'node',
					setupFiles: ['tests/setup/integration.ts'],
					// Cheaper password hashes than production's 2^17 (each costs ~0.7 s there), still
					// above the old 2^14 so a login rehashes an old hash in tests too.
					env: { PASSWORD_SCRYPT_LOG2_N: '15' },
					globalSetup: ['tests/setup/global.ts'],
					// One database per worker, shared by the files it runs and
					// reset before each test: opening PGlite costs ~1 s and ~0.8 GB.
					pool: 'forks',
					isolate: false,
					maxWorkers: 2,
					// Runs after the unit project (vitest needs distinct groups when worker limits differ).
					sequence: { groupOrder: 1 },
					testTimeout: 30_000,
					hookTimeout: 60_000,
				},
			},
		],
	},
})
