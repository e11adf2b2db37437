import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * Work to do when a request has been answered (the response is sent or the
 * client went away), whatever the route did or forgot: the server
 * (`scripts/server.ts`) runs each request in a scope and calls `endScope`
 * when the response closes. Kept on globalThis, as the database handle is,
 * because the server and the app build each load their own copy of this
 * module. Outside a server scope (tests, the Vite dev server) nothing is
 * registered and callers clean up themselves as usual.
 */
export type RequestScope = {
	cleanups: (() => Promise<void> | void)[]
	/** Values read once per request; only for a request that changes nothing (see requestScope). */
	memo?: Map<string, Promise<unknown>>
}

const global = globalThis as unknown as { __clearanceRequestScope?: AsyncLocalStorage<RequestScope> }
const storage = (global.__clearanceRequestScope ??= new AsyncLocalStorage<RequestScope>())

/**
 * The scope for a request. A GET or HEAD changes nothing, so what its loaders read about the person (the
 * session, the membership, the organisation's policy) is read once and shared by the layout's loader and the
 * page's. A POST runs its action before the loaders, and the action may change exactly that: nothing is shared.
 */
export function requestScope(method: string): RequestScope {
	return { cleanups: [], memo: method === 'GET' || method === 'HEAD' ? new Map() : undefined }
}

/** `compute()` once in a request that changes nothing (requestScope), every time anywhere else. */
export function oncePerRequest<T>(key: string, compute: () => Promise<T>): Promise<T> {
	const memo = storage.getStore()?.memo
	if (!memo) return compute()
	let value = memo.get(key) as Promise<T> | undefined
	if (!value) {
		value = compute()
		memo.set(key, value)
	}
	return value
}

export function runInScope<T>(scope: RequestScope, fn: () => T): T {
	return storage.run(scope, fn)
}

/** Registers `cleanup` for the end of the current request; false when there is no request scope. */
export function onRequestEnd(cleanup: () => Promise<void> | void): boolean {
	const scope = storage.getStore()
	if (!scope) return false
	scope.cleanups.push(cleanup)
	return true
}

export async function endScope(scope: RequestScope) {
	const cleanups = scope.cleanups.splice(0)
	await Promise.all(cleanups.map(async (cleanup) => cleanup()))
}
