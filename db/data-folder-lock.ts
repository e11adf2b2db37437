import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * PGlite must be opened by one process at a time (two would corrupt the
 * folder), and it does not lock the folder itself. The process that opens it
 * writes `pglite.lock` beside it with its pid; another process finding a live
 * pid there is refused with a message saying who holds it. A lock left by a
 * process that died is taken over.
 */

export class DataFolderBusyError extends Error {
	constructor(
		readonly lockFile: string,
		readonly holderPid: number,
		readonly holderCommand: string,
	) {
		super(
			`The embedded database in ${path.dirname(lockFile)} is in use by another Clearance process (pid ${holderPid}${
				holderCommand ? `: ${holderCommand}` : ''
			}), probably the server. PGlite allows one process at a time: stop that process and try again, or use PostgreSQL (DATABASE_URL). If no such process is running, delete ${lockFile}.`,
		)
		this.name = 'DataFolderBusyError'
	}
}

type LockContent = { pid: number; host: string; command: string; since: string }

export function lockFileFor(dataDir: string) {
	return path.join(path.dirname(dataDir), `${path.basename(dataDir)}.lock`)
}

/** Whether a process with this id exists on this machine (EPERM: it does, but belongs to someone else). */
export function isAlive(pid: number) {
	try {
		process.kill(pid, 0)
		return true
	} catch (error) {
		// EPERM: the process exists but belongs to someone else.
		return (error as NodeJS.ErrnoException).code === 'EPERM'
	}
}

function readLock(file: string): LockContent | null {
	try {
		const content = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockContent>
		return typeof content.pid === 'number' ? (content as LockContent) : null
	} catch {
		return null
	}
}

/**
 * Takes the folder's lock for this process, or throws DataFolderBusyError.
 * Returns the release function (also run when the process exits).
 */
export function lockDataFolder(dataDir: string): () => void {
	const file = lockFileFor(dataDir)
	const content: LockContent = {
		pid: process.pid,
		host: os.hostname(),
		command: process.argv
			.slice(1)
			.map((arg) => path.basename(arg))
			.join(' ')
			.slice(0, 200),
		since: new Date().toISOString(),
	}
	let locked = false
	for (let attempt = 0; attempt < 3 && !locked; attempt++) {
		try {
			const fd = openSync(file, 'wx')
			writeSync(fd, JSON.stringify(content))
			closeSync(fd)
			locked = true
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
			const holder = readLock(file)
			// This process holds it already (the handle was closed and opened again).
			if (holder?.pid === process.pid && holder.host === content.host) {
				locked = true
				break
			}
			if (holder && holder.host === content.host && isAlive(holder.pid)) {
				throw new DataFolderBusyError(file, holder.pid, holder.command)
			}
			if (holder && holder.host !== content.host)
				throw new DataFolderBusyError(file, holder.pid, `${holder.command} on ${holder.host}`)
			// Left by a process that is gone (or unreadable): take it over.
			try {
				unlinkSync(file)
			} catch {}
		}
	}
	if (!locked) throw new DataFolderBusyError(file, readLock(file)?.pid ?? 0, '')
	let released = false
	const release = () => {
		if (released) return
		released = true
		process.off('exit', release)
		if (readLock(file)?.pid !== process.pid) return
		try {
			unlinkSync(file)
		} catch {}
	}
	process.on('exit', release)
	return release
}
