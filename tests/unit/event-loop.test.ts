import { describe, expect, it } from 'vitest'
import { pacer, slicesOf } from '~/utils/event-loop.server'

// The import job's reading in short synchronous stretches (app/utils/event-loop.server.ts): other work
// queued on the event loop runs between two slices, not only once the whole piece is read.
describe('slicesOf', () => {
	it('hands the bytes over in slices of at most the size asked, in order, without copying them', async () => {
		const bytes = Uint8Array.from({ length: 10 }, (_, i) => i)
		const slices: Uint8Array[] = []
		for await (const slice of slicesOf(bytes, 4)) slices.push(slice)
		expect(slices.map((slice) => [...slice])).toEqual([
			[0, 1, 2, 3],
			[4, 5, 6, 7],
			[8, 9],
		])
		expect(slices[1]!.buffer).toBe(bytes.buffer)
	})

	it('lets other work queued on the event loop run between two slices', async () => {
		const seen: string[] = []
		for await (const slice of slicesOf(new Uint8Array(9), 3)) {
			seen.push(`slice ${slice.length}`)
			// Queued while a slice is handled: it runs before the next slice is handed over.
			setImmediate(() => seen.push('other'))
		}
		expect(seen).toEqual(['slice 3', 'other', 'slice 3', 'other', 'slice 3'])
	})

	it('hands nothing over for no bytes, and refuses an empty slice size', async () => {
		const none: Uint8Array[] = []
		for await (const slice of slicesOf(new Uint8Array(0), 4)) none.push(slice)
		expect(none).toEqual([])
		await expect(slicesOf(new Uint8Array(3), 0).next()).rejects.toThrow(RangeError)
	})
})

describe('pacer', () => {
	it('is due once every so many units counted', () => {
		const pace = pacer(3)
		expect([1, 2, 3, 4, 5, 6, 7].map(() => pace.due())).toEqual([false, false, true, false, false, true, false])
	})
})
