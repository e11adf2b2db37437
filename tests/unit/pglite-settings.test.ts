import { PGlite } from '@electric-sql/pglite'
import { expect, test } from 'vitest'
import { pgliteOptions } from '#db/pglite-settings'

// docs/decisions/026-pglite-memory.md: PostgreSQL's 128MB of shared buffers were resident in the server from the start.

test('the embedded database starts with 16MB of shared buffers, keeping the start parameters PGlite needs', () => {
	const params = pgliteOptions({}).startParams!
	expect(params.slice(0, PGlite.defaultStartParams.length)).toEqual(PGlite.defaultStartParams)
	expect(params.slice(PGlite.defaultStartParams.length)).toEqual(['-c', 'shared_buffers=16MB'])
})

test('PGLITE_SHARED_BUFFERS gives another size; anything but a size is refused with the setting named', () => {
	expect(pgliteOptions({ PGLITE_SHARED_BUFFERS: '128MB' }).startParams!.at(-1)).toBe('shared_buffers=128MB')
	expect(pgliteOptions({ PGLITE_SHARED_BUFFERS: ' 1 GB ' }).startParams!.at(-1)).toBe('shared_buffers=1GB')
	expect(pgliteOptions({ PGLITE_SHARED_BUFFERS: '' }).startParams!.at(-1)).toBe('shared_buffers=16MB')
	for (const bad of ['16', 'lots', '16MB -c fsync=off', '16mb'])
		expect(() => pgliteOptions({ PGLITE_SHARED_BUFFERS: bad })).toThrow(/PGLITE_SHARED_BUFFERS/)
})
