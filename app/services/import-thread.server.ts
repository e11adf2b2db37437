import { Worker } from 'node:worker_threads'

/**
 * The production server's import thread on PostgreSQL (docs/decisions/030-import-thread.md). Reading a
 * stored upload, parsing it, checking every row and building the COPY text is the server's own CPU work,
 * some 30 % of a core for as long as an import runs; done on the thread that answers requests, it made
 * each request wait behind it (and behind the garbage it leaves): `/healthz` answered in 3–5 ms instead of
 * 0.8 at the median while a job ran, and 36–54 ms at the 99th percentile (19–36 ms on this thread), though the
 * database itself kept answering a `select 1` in 0.5 ms. On this thread the job runs exactly as it does in-thread (the same
 * code, its own connections from DATABASE_URL); the server's thread only tells it that there is work.
 *
 * On PGlite the database lives in the server's thread (one process, one connection), so its jobs stay
 * there; the same without the bundled entry (the server run from source).
 */
export type ImportThread = {
	/** Asks the thread to run the queued jobs (it looks again when asked while running). */
	kick(): void
	/** Resolves once every job asked for so far has been run. */
	idle(): Promise<void>
	/**
	 * Stops the thread at once, and with it this process's imports (the server shutting down): a job it was running
	 * is taken over later from its last committed batch.
	 */
	stop(): Promise<void>
}

/** The thread's entry in the build, beside the bundled server (scripts/server-bundle.ts bundles it). */
export const IMPORT_THREAD_ENTRY = 'import-thread.mjs'
/** The thread's database connections: a job's transaction, the next piece read meanwhile, its bookkeeping. */
export const IMPORT_THREAD_POOL_SIZE = 3

export const KICK = 'kick'
export const IDLE = 'idle'

// On globalThis: the server's entry and Remix's build are two bundles with a copy each of this module.
const slot = globalThis as unknown as { __clearanceImportThread?: ImportThread | null }

/** This process's import thread, when it has one (only its server thread has one). */
export function importThread(): ImportThread | null {
	return slot.__clearanceImportThread ?? null
}

/**
 * A stopped server's imports: none, in any thread (a job under way resumes on another server, or on this one
 * restarted, from its last committed batch).
 */
const STOPPED: ImportThread = { kick() {}, idle: () => Promise.resolve(), stop: () => Promise.resolve() }

/** Tests: this process has no import thread (jobs run in its own thread), whatever it had. */
export function clearImportThread() {
	slot.__clearanceImportThread = null
}

/**
 * Starts the thread from the bundled entry at `entry` and makes it this process's: from then on import jobs
 * run there. A thread that fails is logged; jobs then run in the server's thread, starting with those it was
 * asked to run (`onFailure`). A stopped thread (the server shutting down) leaves the process running none.
 */
export function startImportThread(entry: string, { onFailure }: { onFailure?: () => void } = {}): ImportThread {
	const worker = new Worker(entry, {
		name: 'imports',
		env: { ...process.env, DATABASE_POOL_SIZE: String(IMPORT_THREAD_POOL_SIZE) },
	})
	let asked = 0
	let waiting: (() => void)[] = []
	let stopping = false
	const settle = () => {
		if (asked > 0) return
		const done = waiting
		waiting = []
		for (const resolve of done) resolve()
	}
	const thread: ImportThread = {
		kick() {
			if (stopping) return
			asked++
			worker.postMessage(KICK)
		},
		idle() {
			return asked === 0 ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve))
		},
		async stop() {
			stopping = true
			if (slot.__clearanceImportThread === thread) slot.__clearanceImportThread = STOPPED
			await worker.terminate()
		},
	}
	worker.on('message', (message) => {
		if (message !== IDLE) return
		asked = Math.max(0, asked - 1)
		settle()
	})
	worker.on('error', (error) => console.error('The import thread failed; imports run in the server thread now:', error))
	worker.on('exit', () => {
		asked = 0
		settle()
		if (stopping) return
		if (slot.__clearanceImportThread === thread) slot.__clearanceImportThread = null
		onFailure?.()
	})
	slot.__clearanceImportThread = thread
	return thread
}
