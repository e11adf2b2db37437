#!/usr/bin/env node
// Adds up the test reports of one or more `npm test` runs (vitest and
// Playwright JSON) and prints one plain line: "N passed, N failed".
// Usage: node scripts/summarize-tests.mjs DIR:EXIT_CODE [DIR:EXIT_CODE …]
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

let passed = 0
let failed = 0
for (const arg of process.argv.slice(2)) {
	const [dir, code] = arg.split(':')
	let runFailed = 0
	const vitest = path.join(dir, 'vitest.json')
	if (existsSync(vitest)) {
		const report = JSON.parse(readFileSync(vitest, 'utf8'))
		passed += report.numPassedTests ?? 0
		runFailed += report.numFailedTests ?? 0
		// A file that failed to load has no tests to count, but is a failure.
		runFailed += (report.testResults ?? []).filter(
			(file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0,
		).length
	}
	const playwright = path.join(dir, 'playwright.json')
	if (existsSync(playwright)) {
		const stats = JSON.parse(readFileSync(playwright, 'utf8')).stats ?? {}
		passed += (stats.expected ?? 0) + (stats.flaky ?? 0)
		runFailed += stats.unexpected ?? 0
	}
	// A run that failed outside any test (typecheck, build, a suite that did
	// not start) still counts as one failure.
	if (Number(code) !== 0 && runFailed === 0) runFailed = 1
	failed += runFailed
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
