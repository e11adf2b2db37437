import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { serverCommand, SERVER_NODE_FLAGS } from '../../scripts/server-bundle'

// npm start and npm run serve end in the build's server in plain node, with the flags the tests and the benchmark
// start it with (decision 028): one list, so what is measured is what runs.
const scripts = (
	JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {
		scripts: Record<string, string>
	}
).scripts

describe("the server's command", () => {
	it.each(['start', 'serve'])('npm run %s prepares with tsx, then execs plain node with the flags', (name) => {
		const [prepare, serve] = scripts[name]!.split(' && ')
		expect(prepare).toMatch(/^tsx scripts\/start\.ts\b/)
		expect(serve).toBe(`exec node ${SERVER_NODE_FLAGS.join(' ')} scripts/serve.mjs`)
	})

	it('serves the bundled entry of the build folder given, after the flags and any extra node arguments', () => {
		expect(serverCommand('build-x', ['--cpu-prof'])).toEqual([
			process.execPath,
			[...SERVER_NODE_FLAGS, '--cpu-prof', path.join('build-x', 'server.mjs')],
		])
	})
})
