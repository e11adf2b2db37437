import { describe, expect, it } from 'vitest'
import {
	describeTarget,
	meets,
	mergeResults,
	percentile,
	performanceSection,
	ratio,
	RATIO_KEYS,
	replaceBetweenMarkers,
	round,
	targetsFor,
	type DatabaseResults,
} from '../../bench/figures'

function block(measuredAt: string, dashboard: number | null = 0.7): DatabaseResults {
	return {
		ratios: { dashboard_1k_vs_login: dashboard },
		raw: { login_rps: 120 },
		targets: Object.fromEntries(
			RATIO_KEYS.map((key) => [key, describeTarget(targetsFor('pglite')[key])]),
		) as DatabaseResults['targets'],
		measuredAt,
		run: { mode: 'quick' },
	}
}

describe('bench figures', () => {
	it('takes percentiles by nearest rank, whatever the order', () => {
		const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]
		expect(percentile(values, 50)).toBe(5)
		expect(percentile(values, 99)).toBe(10)
		expect(percentile(values, 90)).toBe(9)
		expect(percentile(values, 0)).toBe(1)
		expect(percentile([42], 99)).toBe(42)
		expect(percentile([], 99)).toBeNaN()
		expect(() => percentile(values, 101)).toThrow(RangeError)
		// The input is left as it was.
		expect(values[0]).toBe(5)
	})

	it('gives a ratio only when both figures are there and the baseline is not zero', () => {
		expect(ratio(50, 100)).toBe(0.5)
		expect(ratio(50, 0)).toBeNull()
		expect(ratio(null, 3)).toBeNull()
		expect(ratio(3, undefined)).toBeNull()
		expect(round(0.123456)).toBe(0.123)
		expect(round(1234.56)).toBe(1235)
		expect(round(Number.NaN)).toBeNull()
	})

	it('checks a figure against its target per database (PGlite’s healthz target is looser)', () => {
		expect(meets(targetsFor('postgres').healthz_p99_import_vs_idle, 20)).toBe(false)
		expect(meets(targetsFor('pglite').healthz_p99_import_vs_idle, 20)).toBe(true)
		expect(meets(targetsFor('pglite').batches_1m_peak_rss_mb, 300)).toBe(false)
		expect(meets(targetsFor('pglite').dashboard_10k_vs_1k, 0.8)).toBe(true)
		expect(meets(targetsFor('pglite').report_1m_s, 12)).toBeNull()
		expect(meets(targetsFor('pglite').dashboard_10k_vs_1k, null)).toBeNull()
	})

	it('keeps the other database’s block when one database ran, and replaces its own', () => {
		const before = { postgres: block('2026-11-01T00:00:00Z'), pglite: block('2026-11-01T00:00:00Z', 0.1) }
		const merged = mergeResults(before, 'pglite', block('2026-11-29T00:00:00Z', 0.9))
		expect(merged.postgres).toEqual(before.postgres)
		expect(merged.pglite?.ratios.dashboard_1k_vs_login).toBe(0.9)
		expect(Object.keys(merged)).toEqual(['postgres', 'pglite'])
		// A file that is not an object of blocks is not kept.
		expect(Object.keys(mergeResults(['junk'], 'postgres', block('2026-11-29T00:00:00Z')))).toEqual(['postgres'])
		expect(Object.keys(mergeResults({ pglite: 'junk' }, 'postgres', block('2026-11-29T00:00:00Z')))).toEqual([
			'postgres',
		])
	})

	it('keeps the figures of the phases a --phases run left out, marked with when they were measured', () => {
		const before: DatabaseResults = {
			...block('2026-11-01T00:00:00Z', 0.4),
			ratios: { dashboard_1k_vs_login: 0.4, import_1m_vs_copy: 1.8, report_1m_s: 900 },
			raw: { login_rps: 100, import_app_s: 70 },
		}
		const now = { ...block('2026-11-29T00:00:00Z', 0.6), missing: { import_1m_vs_copy: 'not measured in this run' } }
		const merged = mergeResults({ pglite: before }, 'pglite', now, ['import_1m_vs_copy', 'healthz_p99_import_vs_idle'])
		// Measured now: this run's figure. Left out: the earlier figure, with its date, and no longer "missing".
		expect(merged.pglite?.ratios).toMatchObject({ dashboard_1k_vs_login: 0.6, import_1m_vs_copy: 1.8 })
		expect(merged.pglite?.ratios.report_1m_s).toBeUndefined()
		expect(merged.pglite?.earlier).toEqual({ import_1m_vs_copy: '2026-11-01T00:00:00Z' })
		expect(merged.pglite?.missing).toBeUndefined()
		expect(merged.pglite?.raw).toEqual({ login_rps: 120, import_app_s: 70 })
		expect(performanceSection(merged)).toContain('`import_1m_vs_copy`: measured 2026-11-01 00:00 UTC')
		// Carried again by a later run, through the blocks it saves after each phase: still the date it was measured.
		const partial = { ...block('2026-12-01T00:00:00Z', null), run: { mode: 'quick (partial)' } }
		const midway = mergeResults(merged, 'pglite', partial, ['import_1m_vs_copy'])
		expect(midway.pglite?.ratios.import_1m_vs_copy).toBe(1.8)
		const later = mergeResults(midway, 'pglite', block('2026-12-01T00:00:00Z', 0.7), ['import_1m_vs_copy'])
		expect(later.pglite?.earlier).toEqual({ import_1m_vs_copy: '2026-11-01T00:00:00Z' })
		expect(later.pglite?.ratios.import_1m_vs_copy).toBe(1.8)
		// A full run's figures are not carried into a quick run's block.
		const full = { ...before, run: { mode: 'full' } }
		expect(mergeResults({ pglite: full }, 'pglite', now, ['import_1m_vs_copy']).pglite?.ratios.import_1m_vs_copy).toBe(
			undefined,
		)
	})

	it('writes only between the bench markers of docs/performance.md', () => {
		const document =
			'# Performance\n\nIntro.\n\n<!-- bench:start -->\nold figures\n<!-- bench:end -->\n\n## Indexes\n\nKept.\n'
		const section = performanceSection({ pglite: block('2026-11-29T10:00:00Z') })
		const written = replaceBetweenMarkers(document, section)
		expect(written.startsWith('# Performance\n\nIntro.\n\n<!-- bench:start -->\n## Benchmark figures')).toBe(true)
		expect(written.endsWith('<!-- bench:end -->\n\n## Indexes\n\nKept.\n')).toBe(true)
		expect(written).not.toContain('old figures')
		expect(written).toContain('| `dashboard_1k_vs_login` | ≥ 0.5 | 0.7 ✓ |')
		expect(written).toContain('| `evaluate_64kb_ms` | ≤ 20 | — |')
		// Written twice, the same document.
		expect(replaceBetweenMarkers(written, section)).toBe(written)
	})
})
