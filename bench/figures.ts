// The benchmark's pure parts: percentiles, ratios, the targets of issue 16
// and how one run's figures merge into bench/results.json and read in
// docs/performance.md. No I/O here (tests/unit/bench-figures.test.ts).

export type Driver = 'postgres' | 'pglite'

/** The ratios every run reports, in this order (issue 16, point 3). */
export const RATIO_KEYS = [
	'dashboard_1k_vs_login',
	'dashboard_10k_vs_1k',
	'reporting_1m_vs_empty',
	'import_1m_vs_copy',
	'healthz_p99_import_vs_idle',
	'evaluate_vs_healthz',
	'evaluate_64kb_ms',
	'batches_1m_peak_rss_mb',
	'reminders_10k_apps_s',
	'report_1m_s',
] as const

export type RatioKey = (typeof RATIO_KEYS)[number]

export type Target = { op: '>=' | '<=' | '<'; value: number } | { op: 'reported' }

/** Targets per database; PGlite's queries share the server's thread, so its healthz target is looser. */
export function targetsFor(driver: Driver): Record<RatioKey, Target> {
	return {
		dashboard_1k_vs_login: { op: '>=', value: 0.5 },
		dashboard_10k_vs_1k: { op: '>=', value: 0.8 },
		reporting_1m_vs_empty: { op: '>=', value: 0.8 },
		import_1m_vs_copy: { op: '<=', value: 2 },
		healthz_p99_import_vs_idle: { op: '<=', value: driver === 'postgres' ? 5 : 50 },
		evaluate_vs_healthz: { op: '>=', value: 0.8 },
		evaluate_64kb_ms: { op: '<=', value: 20 },
		batches_1m_peak_rss_mb: { op: '<', value: 300 },
		reminders_10k_apps_s: { op: 'reported' },
		report_1m_s: { op: 'reported' },
	}
}

export function describeTarget(target: Target): string {
	return target.op === 'reported'
		? 'reported'
		: `${target.op === '>=' ? '≥' : target.op === '<=' ? '≤' : '<'} ${target.value}`
}

/** Whether a figure meets its target (null when there is no figure or nothing to meet). */
export function meets(target: Target, value: number | null | undefined): boolean | null {
	if (value === null || value === undefined || !Number.isFinite(value) || target.op === 'reported') return null
	if (target.op === '>=') return value >= target.value
	if (target.op === '<=') return value <= target.value
	return value < target.value
}

/** The p-th percentile (0–100) by nearest rank of unsorted numbers; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return Number.NaN
	if (p < 0 || p > 100) throw new RangeError('percentile: p is between 0 and 100')
	const sorted = [...values].sort((a, b) => a - b)
	const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
	return sorted[rank - 1]!
}

export const median = (values: readonly number[]) => percentile(values, 50)

/** a / b, or null when either is missing, b is zero or the result is not a finite number. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
	if (a === null || a === undefined || b === null || b === undefined || b === 0) return null
	const value = a / b
	return Number.isFinite(value) ? value : null
}

/** Rounded for reading: 3 significant digits below 100, whole numbers above. */
export function round(value: number | null | undefined): number | null {
	if (value === null || value === undefined || !Number.isFinite(value)) return null
	if (Math.abs(value) >= 100) return Math.round(value)
	return Number(value.toPrecision(3))
}

export type DatabaseResults = {
	ratios: Partial<Record<RatioKey, number | null>>
	raw: Record<string, number | string | null>
	targets: Record<RatioKey, string>
	measuredAt: string
	/** quick or full, the sizes, the machine and its load. */
	run: Record<string, string | number | boolean>
	/** Keys without a figure, and why. */
	missing?: Partial<Record<RatioKey, string>>
	/** Figures kept from an earlier run (their phase was left out of this one with --phases): when each was measured. */
	earlier?: Partial<Record<RatioKey, string>>
}

export type ResultsFile = Partial<Record<Driver, DatabaseResults>>

/**
 * One database's new block over the file as it was: the other database's block is kept. `carried` are the keys of
 * the phases this run left out (--phases): their figures, and the raw figures this run did not measure, are kept
 * from the block on disk, each marked with when it was measured, instead of being lost.
 */
export function mergeResults(
	previous: unknown,
	driver: Driver,
	block: DatabaseResults,
	carried: readonly RatioKey[] = [],
): ResultsFile {
	const kept: ResultsFile = {}
	if (previous && typeof previous === 'object' && !Array.isArray(previous)) {
		for (const other of ['postgres', 'pglite'] as const) {
			const value = (previous as Record<string, unknown>)[other]
			if (value && typeof value === 'object') kept[other] = value as DatabaseResults
		}
	}
	// postgres first, as the issue writes the file.
	const merged: ResultsFile = {}
	for (const name of ['postgres', 'pglite'] as const) {
		const value = name === driver ? carryForward(kept[name], block, carried) : kept[name]
		if (value) merged[name] = value
	}
	return merged
}

function carryForward(before: DatabaseResults | undefined, block: DatabaseResults, carried: readonly RatioKey[]) {
	// A quick run's figures are not a full run's: only the same kind of run is carried (a run's block is saved
	// after each phase as "full (partial)" until it ends).
	const kind = (run: DatabaseResults['run'] | undefined) => String(run?.mode ?? '').split(' ')[0]
	if (!before?.ratios || carried.length === 0 || kind(before.run) !== kind(block.run)) return block
	const next: DatabaseResults = { ...block, ratios: { ...block.ratios }, raw: { ...block.raw } }
	const missing = { ...block.missing }
	const earlier: Partial<Record<RatioKey, string>> = {}
	for (const key of carried) {
		const figure = before.ratios[key]
		if (figure === undefined || figure === null) continue
		next.ratios[key] = figure
		earlier[key] = before.earlier?.[key] ?? before.measuredAt
		delete missing[key]
	}
	for (const [key, value] of Object.entries(before.raw ?? {})) {
		if (!(key in next.raw) && value !== null) next.raw[key] = value
	}
	next.missing = Object.keys(missing).length > 0 ? missing : undefined
	if (Object.keys(earlier).length > 0) next.earlier = earlier
	return next
}

const START = '<!-- bench:start -->'
const END = '<!-- bench:end -->'

/** `document` with the text between the bench markers replaced; the markers are added at the end when absent. */
export function replaceBetweenMarkers(document: string, section: string): string {
	const start = document.indexOf(START)
	const end = document.indexOf(END)
	const body = `${START}\n${section.trim()}\n${END}`
	if (start === -1 || end === -1 || end < start) return `${document.trimEnd()}\n\n${body}\n`
	return document.slice(0, start) + body + document.slice(end + END.length)
}

const LABELS: Record<RatioKey, string> = {
	dashboard_1k_vs_login: 'Dashboard of 1,000 apps, requests/s over /login',
	dashboard_10k_vs_1k: 'Dashboard of 10,000 apps over 1,000',
	reporting_1m_vs_empty: 'Reporting page, 1,000,000 accounts over an empty app',
	import_1m_vs_copy: 'Import of 1,000,000 ids, time over a raw COPY',
	healthz_p99_import_vs_idle: '/healthz p99 during that import over idle',
	evaluate_vs_healthz: 'Checklist evaluate requests/s over /healthz',
	evaluate_64kb_ms: 'Evaluate, body near 64 KB: median ms',
	batches_1m_peak_rss_mb: 'Peak server RSS streaming 1,000,000 accounts’ batches (MB)',
	reminders_10k_apps_s: 'One reminders pass over 10,000 apps (s)',
	report_1m_s: 'Reporter, 1,000,000 accounts to the local stand-in (s)',
}

function cell(value: number | null | undefined) {
	const rounded = round(value)
	return rounded === null ? '—' : String(rounded)
}

/** The table printed at the end of a run and written into docs/performance.md. */
export function ratioTable(file: ResultsFile): string {
	const drivers = (['postgres', 'pglite'] as const).filter((driver) => file[driver])
	const header = `| Figure | Key | ${drivers.map((d) => `Target (${d === 'postgres' ? 'PostgreSQL' : 'PGlite'})`).join(' | ')} | ${drivers.map((d) => (d === 'postgres' ? 'PostgreSQL' : 'PGlite')).join(' | ')} |`
	const rule = `|${' --- |'.repeat(2 + drivers.length * 2)}`
	const rows = RATIO_KEYS.map((key) => {
		const targets = drivers.map((driver) => file[driver]!.targets[key] ?? describeTarget(targetsFor(driver)[key]))
		const values = drivers.map((driver) => {
			const value = file[driver]!.ratios[key]
			const verdict = meets(targetsFor(driver)[key], value)
			return `${cell(value)}${verdict === null ? '' : verdict ? ' ✓' : ' ✗'}`
		})
		return `| ${LABELS[key]} | \`${key}\` | ${targets.join(' | ')} | ${values.join(' | ')} |`
	})
	return [header, rule, ...rows].join('\n')
}

/** The whole bench section of docs/performance.md, from the results file. */
export function performanceSection(file: ResultsFile): string {
	const lines = [
		'## Benchmark figures',
		'',
		'Written by `npm run bench` (bench/run.ts) from `bench/results.json`; do not edit by hand. Each figure is a',
		'ratio to a baseline measured in the same run (absolute numbers move with the machine and its load), except',
		'the ones in milliseconds, megabytes and seconds. ✓ meets the target, ✗ does not, — not measured. A quick run',
		'(`--quick`) reports the same keys at its smaller sizes (each run says its sizes): a smoke test, not the',
		'measure the targets are set for. The machine is shared, so its load average is given with each run.',
		'',
		ratioTable(file),
	]
	for (const driver of ['postgres', 'pglite'] as const) {
		const block = file[driver]
		if (!block) continue
		lines.push(
			'',
			`### ${driver === 'postgres' ? 'PostgreSQL' : 'PGlite'} (${block.measuredAt.slice(0, 16).replace('T', ' ')} UTC)`,
			'',
		)
		const run = Object.entries(block.run)
			.map(([key, value]) => `${key} ${value}`)
			.join('; ')
		lines.push(`Run: ${run}.`, '')
		const earlier = Object.entries(block.earlier ?? {})
		if (earlier.length > 0) {
			lines.push(
				'Kept from an earlier run (their phase was left out of this one), with the raw figures behind them:',
				'',
			)
			for (const [key, when] of earlier) lines.push(`- \`${key}\`: measured ${when.slice(0, 16).replace('T', ' ')} UTC`)
			lines.push('')
		}
		const missing = Object.entries(block.missing ?? {})
		if (missing.length > 0) {
			lines.push('Not measured:', '')
			for (const [key, why] of missing) lines.push(`- \`${key}\`: ${why}`)
			lines.push('')
		}
		lines.push('Raw figures:', '', '| Measure | Value |', '| --- | --- |')
		for (const [key, value] of Object.entries(block.raw)) {
			lines.push(`| \`${key}\` | ${typeof value === 'number' ? cell(value) : (value ?? '—')} |`)
		}
	}
	return lines.join('\n')
}
