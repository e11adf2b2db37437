// The suite's own rules (issue 15, e2e that survive a busy machine), checked on every spec, the ones added later too:
// each takes `test` from ./utils (so console errors and uncaught exceptions fail it), none waits on time, and none
// shortens the bound per test (playwright.config.ts): a test given less than the suite's bound fails by timeout on a busy machine.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test } from './utils'

const folder = import.meta.dirname
const specs = readdirSync(folder).filter((name) => /\.(spec|teardown)\.ts$/.test(name))

test('every e2e spec takes test from ./utils, waits on states, not on time, and keeps the suite’s bound per test', () => {
	const bound = test.info().project.timeout
	const problems: string[] = []
	for (const name of specs) {
		const source = readFileSync(path.join(folder, name), 'utf8')
		if (/import\s*\{[^}]*\btest\b[^}]*\}\s*from\s*'@playwright\/test'/.test(source))
			problems.push(`${name} takes test from @playwright/test instead of ./utils`)
		if (!/import\s*\{[^}]*\btest\b[^}]*\}\s*from\s*'\.\/utils'/.test(source))
			problems.push(`${name} does not take test from ./utils`)
		if (/\.waitForTimeout\(|setTimeout\(\s*resolve/.test(source)) problems.push(`${name} waits on time`)
		for (const [, value] of source.matchAll(/\btest\.setTimeout\(\s*([\d_]+)\s*\)/g))
			if (Number(value!.replace(/_/g, '')) < bound) problems.push(`${name} shortens the bound per test to ${value} ms`)
	}
	expect(specs.length).toBeGreaterThan(5)
	expect(problems).toEqual([])
})
