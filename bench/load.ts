// HTTP load for the benchmark: a fixed number of connections sending one
// request after another for a fixed time (as autocannon does), and a single
// client timing requests one at a time (for latency percentiles).
import { Agent, request as httpRequest } from 'node:http'
import { performance } from 'node:perf_hooks'
import { percentile } from './figures'

export type Probe = {
	method?: 'GET' | 'POST'
	path: string
	headers?: Record<string, string>
	body?: string | Buffer
}

export type Answer = { status: number; bytes: number; ms: number }

/** One request on `agent`, its body read to the end. */
export function send(baseUrl: string, probe: Probe, agent?: Agent): Promise<Answer> {
	const url = new URL(probe.path, baseUrl)
	const started = performance.now()
	return new Promise((resolve, reject) => {
		const req = httpRequest(
			url,
			{
				method: probe.method ?? 'GET',
				agent,
				headers: {
					...(probe.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(probe.body)) }),
					...probe.headers,
				},
			},
			(res) => {
				let bytes = 0
				res.on('data', (chunk: Buffer) => (bytes += chunk.length))
				res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started }))
				res.on('error', reject)
			},
		)
		req.on('error', reject)
		req.end(probe.body)
	})
}

export type LoadResult = {
	requests: number
	errors: number
	/** Answers that were not 2xx (the first status is kept to say which). */
	badStatus: number
	firstBadStatus: number | null
	seconds: number
	rps: number
	p50Ms: number
	p99Ms: number
}

/** `connections` clients each sending `probe` again as soon as it is answered, for `seconds`. */
export async function load(
	baseUrl: string,
	probe: Probe,
	{ connections = 10, seconds = 10 } = {},
): Promise<LoadResult> {
	const agent = new Agent({ keepAlive: true, maxSockets: connections })
	const latencies: number[] = []
	let errors = 0
	let badStatus = 0
	let firstBadStatus: number | null = null
	const started = performance.now()
	const until = started + seconds * 1000
	const worker = async () => {
		while (performance.now() < until) {
			try {
				const answer = await send(baseUrl, probe, agent)
				latencies.push(answer.ms)
				if (answer.status < 200 || answer.status >= 300) {
					badStatus++
					firstBadStatus ??= answer.status
				}
			} catch {
				errors++
			}
		}
	}
	await Promise.all(Array.from({ length: connections }, worker))
	const elapsed = (performance.now() - started) / 1000
	agent.destroy()
	return {
		requests: latencies.length,
		errors,
		badStatus,
		firstBadStatus,
		seconds: elapsed,
		rps: latencies.length / elapsed,
		p50Ms: percentile(latencies, 50),
		p99Ms: percentile(latencies, 99),
	}
}

/**
 * One client timing `probe` one request at a time until `stop()` resolves or
 * `count` requests were made; `pauseMs` between them (a health check's pace).
 */
export async function sample(
	baseUrl: string,
	probe: Probe,
	{ count = Infinity, pauseMs = 0, stop }: { count?: number; pauseMs?: number; stop?: Promise<unknown> } = {},
): Promise<{ latencies: number[]; failures: number }> {
	const agent = new Agent({ keepAlive: true, maxSockets: 1 })
	let stopped = false
	void stop?.finally(() => (stopped = true))
	const latencies: number[] = []
	let failures = 0
	while (!stopped && latencies.length + failures < count) {
		try {
			const answer = await send(baseUrl, probe, agent)
			// A 503 is timed too: a health check that answers late and badly is still late.
			latencies.push(answer.ms)
			if (answer.status < 200 || answer.status >= 300) failures++
		} catch {
			failures++
		}
		if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
	}
	agent.destroy()
	return { latencies, failures }
}
