/**
 * Whether a parsed JSON value nests deeper than `limit` (a scalar is depth 0, `[]` and `{}` are 1), walked without
 * recursion: deeper JSON is refused before anything walks it recursively (JSON.stringify overflows the stack at some
 * 10,000 levels, which a 64 KB body already holds).
 */
export function deeperThan(root: unknown, limit: number): boolean {
	const stack: [unknown, number][] = [[root, 1]]
	while (stack.length > 0) {
		const [value, depth] = stack.pop()!
		if (typeof value !== 'object' || value === null) continue
		if (depth > limit) return true
		for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1])
	}
	return false
}
