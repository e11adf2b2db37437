import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// No module of app/ reaches itself through its imports, type-only ones included
// (docs/architecture.md › Layers): a cycle makes the load order matter and the layers blur.

const ROOT = join(import.meta.dirname, '..', '..')
const APP = join(ROOT, 'app')
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name)
		if (entry.isDirectory()) return sourceFiles(path)
		return /\.tsx?$/.test(entry.name) ? [path] : []
	})
}

function resolve(from: string, specifier: string): string | null {
	const base = specifier.startsWith('~/')
		? join(APP, specifier.slice(2))
		: specifier.startsWith('.')
			? normalize(join(dirname(from), specifier))
			: null
	if (base === null) return null
	return (
		[base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find(
			(path) => existsSync(path) && /\.tsx?$/.test(path),
		) ?? null
	)
}

/** Each cycle once, as the files on it, from the first file the walk met. */
function importCycles(files: string[]): string[][] {
	const imports = new Map(
		files.map((file) => [
			file,
			[...readFileSync(file, 'utf8').matchAll(IMPORT)].flatMap((match) => resolve(file, match[1]!) ?? []),
		]),
	)
	const cycles: string[][] = []
	const done = new Set<string>()
	const visit = (file: string, path: string[]) => {
		const at = path.indexOf(file)
		if (at !== -1) return void cycles.push(path.slice(at))
		if (done.has(file)) return
		for (const next of imports.get(file) ?? []) visit(next, [...path, file])
		done.add(file)
	}
	for (const file of files) visit(file, [])
	return cycles
}

describe('import cycles', () => {
	it('app/ has none', () => {
		const cycles = importCycles(sourceFiles(APP)).map((cycle) => cycle.map((file) => relative(ROOT, file)).join(' → '))
		expect(cycles).toEqual([])
	})
})
