import type postgres from 'postgres'

/**
 * The longest statement text kept as a prepared statement. Longer ones (a bulk insert of a thousand rows, a
 * list of thousands of ids) are rarely sent twice with the same shape and would only take memory on both sides.
 */
const MAX_PREPARED_TEXT = 8_192

type Unsafe = postgres.Sql['unsafe']
type WithScope = (...args: unknown[]) => unknown

/**
 * Makes the statements drizzle sends through postgres.js prepared statements, reused on each connection.
 *
 * drizzle sends every statement with `sql.unsafe(text, params, { prepare: false })` unless a query is given
 * a name. postgres.js must then learn the parameters' types before it can send their values: each statement
 * costs two round trips (Parse and Describe, wait, then Bind and Execute) and is parsed and planned again by
 * the server every time. Prepared, a statement the connection has sent before is one round trip and no parse.
 * postgres.js keeps one prepared statement per distinct text on each connection (connections are replaced
 * after 30–60 minutes, `max_lifetime`, so they do not accumulate forever) and prepares again by itself when a
 * migration changes a table under one. Statements without parameters keep the simple protocol, as before.
 */
export function preparingStatements<T extends postgres.Sql>(sql: T): T {
	const unsafe = sql.unsafe.bind(sql) as Unsafe
	const patched = sql as unknown as { unsafe: Unsafe; begin?: WithScope; savepoint?: WithScope }
	patched.unsafe = ((text: string, args?: unknown[], options?: postgres.UnsafeQueryOptions) =>
		unsafe(text, args as never, {
			...options,
			prepare: Boolean(args?.length) && text.length <= MAX_PREPARED_TEXT,
		})) as Unsafe
	// Transactions and savepoints hand their callback a postgres.js handle of their own: prepared too.
	for (const name of ['begin', 'savepoint'] as const) {
		const open = patched[name]?.bind(sql)
		if (!open) continue
		patched[name] = (...args: unknown[]) => {
			const callback = args.pop() as (scoped: postgres.Sql) => unknown
			return open(...args, (scoped: postgres.Sql) => callback(preparingStatements(scoped)))
		}
	}
	return sql
}
