import { PGlite, type PGliteOptions } from '@electric-sql/pglite'

/** PostgreSQL's own default is 128MB; see pgliteOptions. */
export const PGLITE_SHARED_BUFFERS_DEFAULT = '16MB'

/**
 * The embedded database's settings (docs/decisions/026-pglite-memory.md). PGlite runs PostgreSQL inside the
 * server's process, in WebAssembly memory that never shrinks, and touches all of shared_buffers when it opens:
 * PostgreSQL's default 128MB cost as much resident memory before the first request. The data files are read
 * through the operating system's file cache, so a page not in PostgreSQL's buffers is a copy from memory, not a
 * disk read. PGLITE_SHARED_BUFFERS overrides the size (PostgreSQL's units: 32MB, 1GB).
 */
export function pgliteOptions(env: Record<string, string | undefined> = process.env): PGliteOptions {
	const sharedBuffers = env.PGLITE_SHARED_BUFFERS?.trim() || PGLITE_SHARED_BUFFERS_DEFAULT
	if (!/^\d+\s*(kB|MB|GB)$/.test(sharedBuffers))
		throw new Error(`PGLITE_SHARED_BUFFERS: a size such as 16MB or 1GB, not “${sharedBuffers}”.`)
	return { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers.replace(/\s/g, '')}`] }
}
