/**
 * A Map that keeps at most `limit` entries, dropping the one used longest ago when full. For answers a
 * server keeps in its own memory (the dashboard's, app/services/dashboard.server.ts): bounded whatever
 * the number of organisations and queries.
 */
export class BoundedMap<K, V> {
	readonly #entries = new Map<K, V>()
	constructor(readonly limit: number) {
		if (!(limit >= 1)) throw new RangeError('A bounded map keeps at least one entry.')
	}

	get size() {
		return this.#entries.size
	}

	get(key: K): V | undefined {
		const value = this.#entries.get(key)
		if (value === undefined) return undefined
		// A Map iterates in insertion order: moved to the end, this entry is now the last to be dropped.
		this.#entries.delete(key)
		this.#entries.set(key, value)
		return value
	}

	set(key: K, value: V) {
		this.#entries.delete(key)
		this.#entries.set(key, value)
		while (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value as K)
		return this
	}

	delete(key: K) {
		return this.#entries.delete(key)
	}
}
