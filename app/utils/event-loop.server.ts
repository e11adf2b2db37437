/**
 * Long synchronous work split into short stretches: the server's requests (pages, /healthz) run on the same
 * event loop, and wait for the whole of any stretch that is running when they arrive. The import job reads,
 * checks and writes a million rows with these (docs/decisions/020-import-jobs.md).
 */

/** Hands the event loop to whatever is waiting (requests, timers, I/O) before going on. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** `bytes` in slices of at most `size` bytes (views, not copies), with a turn of the event loop between two slices. */
export async function* slicesOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array, void, undefined> {
	if (!(size > 0)) throw new RangeError('A slice holds at least one byte.')
	for (let at = 0; at < bytes.length; at += size) {
		if (at > 0) await yieldToEventLoop()
		yield bytes.subarray(at, at + size)
	}
}

/**
 * Counts units of synchronous work (rows, lines) and says when to hand the event loop over: `due()` counts one
 * and answers true once every `every` units. The caller then awaits yieldToEventLoop().
 */
export function pacer(every: number) {
	let counted = 0
	return {
		due() {
			if (++counted < every) return false
			counted = 0
			return true
		},
	}
}
