// The in-process part of the benchmark: the checklist engine and the evaluate
// route's action called directly (no HTTP, no database: without a client
// address the route's rate limit is not consulted).
import { performance } from 'node:perf_hooks'
import { evaluateRequest } from '~/domain/checklist'
import { type ChecklistInput } from '~/domain/checklist-input'
import { action as evaluateApi } from '~/routes/api.v1.checklist.evaluate'
import { adversarial, large, typical } from './bodies'

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

/** `scale` below 1 shortens every measure (the quick run). */
export async function runMicro(log: (line: string) => void = console.log, scale = 1) {
	const n = (iterations: number) => ({ iterations: Math.max(10, Math.round(iterations * scale)) })
	const results = [
		await measure('engine: typical request', () => evaluateRequest(typical), n(2000)),
		await measure('engine: ~60 KB request', () => evaluateRequest(large), n(200)),
		await measure('API route: typical request', apiRequest(typical), n(2000)),
		await measure('API route: ~60 KB request', apiRequest(large), n(200)),
		await measure('engine: 64 KB adversarial', () => evaluateRequest(adversarial), n(100)),
		await measure('API route: 64 KB adversarial', apiRequest(adversarial), n(100)),
	]

	const pad = (value: string, width: number) => value.padEnd(width)
	log(`\nClearance benchmarks (Node ${process.version}, ${new Date().toISOString()})`)
	log(
		`64 KB adversarial body: ${new TextEncoder().encode(JSON.stringify(adversarial)).length.toLocaleString('en')} bytes\n`,
	)
	log(`${pad('case', 30)} ${pad('ops/s', 12)} median µs/op`)
	for (const result of results) {
		log(
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
	log('\nratios (same run):')
	log(`  API overhead over the engine, typical: ×${(apiTypical.medianMicros / engineTypical.medianMicros).toFixed(2)}`)
	log(`  API overhead over the engine, ~60 KB:  ×${(apiLarge.medianMicros / engineLarge.medianMicros).toFixed(2)}`)
	log(`  ~60 KB vs typical request, engine:     ×${(engineLarge.medianMicros / engineTypical.medianMicros).toFixed(2)}`)
	log(
		`  64 KB adversarial vs typical, engine:  ×${(engineAdversarial.medianMicros / engineTypical.medianMicros).toFixed(2)}`,
	)
	log(`  64 KB adversarial vs typical, API:     ×${(apiAdversarial.medianMicros / apiTypical.medianMicros).toFixed(2)}`)
	log(`  largest evaluate body (64 KB adversarial), API: ${(apiAdversarial.medianMicros / 1000).toFixed(2)} ms`)
	return {
		inprocess_engine_typical_us: engineTypical.medianMicros,
		inprocess_api_typical_us: apiTypical.medianMicros,
		inprocess_engine_64kb_adversarial_us: engineAdversarial.medianMicros,
		inprocess_api_64kb_adversarial_ms: apiAdversarial.medianMicros / 1000,
	}
}
