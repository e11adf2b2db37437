/** A number as people read it here: 40,003, not 40003. */
export function formatNumber(n: number): string {
	return n.toLocaleString('en-GB')
}

/** "1 account", "40,003 accounts": a count with its noun, in the singular for one. */
export function counted(n: number, one: string, many = `${one}s`): string {
	return `${formatNumber(n)} ${n === 1 ? one : many}`
}
