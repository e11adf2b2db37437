import { db, type Tx } from '#db/client.server'

/**
 * Runs `work` in the caller's transaction when there is one, else in a new
 * one: a service can then be called on its own or as one step of a larger
 * change that must commit as a whole (the API sets an app's details, its
 * storing-since date and its cycle in one transaction).
 */
export function withTransaction<T>(outer: Tx | undefined, work: (tx: Tx) => Promise<T>): Promise<T> {
	return outer ? work(outer) : db.transaction(work)
}
