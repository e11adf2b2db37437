// The server's import thread (app/services/import-thread.server.ts, decision 030): bundled beside the server's
// entry into BUILD_DIR/import-thread.mjs (scripts/server-bundle.ts) and started by it on PostgreSQL. It runs
// the queued import jobs whenever the server asks, with its own database connections, and says when it has
// run them. The server stops it by ending the thread.
import { parentPort } from 'node:worker_threads'
import { IDLE, KICK } from '../app/services/import-thread.server'

const port = parentPort
if (!port) throw new Error('scripts/import-thread.ts runs as the server’s import thread, not on its own.')
const { importWorkerIdle, kickImportWorker } = await import('../app/services/import-jobs.server')

port.on('message', (message) => {
	if (message !== KICK) return
	kickImportWorker()
	void importWorkerIdle().then(() => port.postMessage(IDLE))
})
