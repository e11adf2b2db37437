// npm run bench — prints figures; it asserts nothing. Compare the ratios
// within one run: absolute numbers move with the machine's load.
import { performance } from 'node:perf_hooks'
import { evaluateRequest } from '~/domain/checklist'
import { type ChecklistInput } from '~/domain/checklist-input'
import { action as evaluateApi } from '~/routes/api.v1.checklist.evaluate'

type Result = { name: string; opsPerSecond: number; medianMicros: number }

async function measure(name: string, fn: () => unknown | Promise<unknown>, { iterations = 2000, rounds = 5 } = {}) {
	for (let i = 0; i < Math.min(200, iterations); i++) await fn() // warm up the JIT
	const perOp: number[] = []
	for (let round = 0; round < rounds; round++) {
		const start = performance.now()
		for (let i = 0; i < iterations; i++) await fn()
		perOp.push((performance.now() - start) / iterations)
	}
	perOp.sort((a, b) => a - b)
	const median = perOp[Math.floor(perOp.length / 2)]!
	return { name, opsPerSecond: 1000 / median, medianMicros: median * 1000 } satisfies Result
}

const typical: ChecklistInput = {
	companyName: 'Acme',
	appName: 'Acme Sync',
	appKey: 'com.acme.sync',
	appType: 'forge',
	products: ['jira', 'confluence'],
	marketplaceListingUrl: 'https://marketplace.atlassian.com/apps/1/acme-sync',
	storesPersonalData: true,
	useCases: [{ code: 'send_security_alerts' }, { code: 'other', description: 'Weekly digest of watched pages' }],
	functionalityDescription:
		'Acme Sync emails security alerts to affected users when a sync fails. Users can turn them off.',
	privacyPolicyExcerpt: 'We use email addresses only to send security alerts and never share them.',
}

// Near the API's 64 KB body limit: 30 custom use cases of 2,000 characters.
const large: ChecklistInput = {
	...typical,
	useCases: Array.from({ length: 30 }, (_, i) => ({
		code: 'other',
		description: `Use case ${i}: `.padEnd(2000, 'notify watchers about changes to pages they follow '),
	})),
}

/**
 * The most expensive body the API accepts: just under its 64 KB limit, every
 * field at its schema cap and shaped against pattern matching — a run of
 * letters ending in `@`, dot-heavy text, runs of `@`, URLs full of slashes.
 * A backtracking email pattern once took 0.3 s on this body (and 85 s on
 * 200,000 characters); it must stay within a small multiple of a typical one.
 */
const adversarial: ChecklistInput = {
	companyName: `${'a'.repeat(199)}@`,
	appName: `${'a.'.repeat(99)}@`,
	appKey: '@'.repeat(200),
	appType: 'forge',
	products: ['jira'],
	privacyPolicyUrl: `https://vendor.example/${'/'.repeat(2000)}x`,
	termsOfUseUrl: `https://vendor.example/${'/'.repeat(2000)}x`,
	storesPersonalData: true,
	useCases: Array.from({ length: 19 }, (_, i) => ({ code: 'other', description: (i % 2 ? 'a@' : 'a.').repeat(1000) })),
	functionalityDescription: `${'a'.repeat(9999)}@`,
	privacyPolicyExcerpt: `email ${'a.'.repeat(4997)}`,
}

function apiRequest(body: ChecklistInput) {
	const text = JSON.stringify(body)
	return () =>
		evaluateApi({
			request: new Request('http://localhost/api/v1/checklist/evaluate', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: text,
			}),
			params: {},
			context: {},
		})
}

const results = [
	await measure('engine: typical request', () => evaluateRequest(typical)),
	await measure('engine: ~60 KB request', () => evaluateRequest(large), { iterations: 200 }),
	await measure('API route: typical request', apiRequest(typical)),
	await measure('API route: ~60 KB request', apiRequest(large), { iterations: 200 }),
	await measure('engine: 64 KB adversarial', () => evaluateRequest(adversarial), { iterations: 100 }),
	await measure('API route: 64 KB adversarial', apiRequest(adversarial), { iterations: 100 }),
]

const pad = (value: string, width: number) => value.padEnd(width)
console.log(`\nClearance benchmarks (Node ${process.version}, ${new Date().toISOString()})`)
console.log(
	`64 KB adversarial body: ${new TextEncoder().encode(JSON.stringify(adversarial)).length.toLocaleString('en')} bytes\n`,
)
console.log(`${pad('case', 30)} ${pad('ops/s', 12)} median µs/op`)
for (const result of results) {
	console.log(
		`${pad(result.name, 30)} ${pad(Math.round(result.opsPerSecond).toLocaleString('en'), 12)} ${result.medianMicros.toFixed(1)}`,
	)
}
const [engineTypical, engineLarge, apiTypical, apiLarge, engineAdversarial, apiAdversarial] = results as [
	Result,
	Result,
	Result,
	Result,
	Result,
	Result,
]
console.log('\nratios (same run):')
console.log(
	`  API overhead over the engine, typical: ×${(apiTypical.medianMicros / engineTypical.medianMicros).toFixed(2)}`,
)
console.log(
	`  API overhead over the engine, ~60 KB:  ×${(apiLarge.medianMicros / engineLarge.medianMicros).toFixed(2)}`,
)
console.log(
	`  ~60 KB vs typical request, engine:     ×${(engineLarge.medianMicros / engineTypical.medianMicros).toFixed(2)}`,
)
console.log(
	`  64 KB adversarial vs typical, engine:  ×${(engineAdversarial.medianMicros / engineTypical.medianMicros).toFixed(2)}`,
)
console.log(
	`  64 KB adversarial vs typical, API:     ×${(apiAdversarial.medianMicros / apiTypical.medianMicros).toFixed(2)}`,
)
console.log(`  largest evaluate body (64 KB adversarial), API: ${(apiAdversarial.medianMicros / 1000).toFixed(2)} ms`)
