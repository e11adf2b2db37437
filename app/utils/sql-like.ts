import { ilike, or, sql, type Column, type SQL } from 'drizzle-orm'
import { hasNul } from '~/domain/text'

/** A case-insensitive `like` pattern matching `text` anywhere, with `%`, `_` and `\\` taken literally. */
export function likePattern(text: string) {
	return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}

/**
 * The search box's condition: `search` anywhere in any of `columns`, case
 * insensitive; no condition for an empty search. PostgreSQL cannot be sent a
 * NUL, and no stored text holds one (every form refuses it), so a search
 * holding one finds nothing instead of failing.
 */
export function searchCondition(columns: readonly Column[], search: string | undefined): SQL | undefined {
	const text = search?.trim()
	if (!text) return undefined
	if (hasNul(text)) return sql`false`
	return or(...columns.map((column) => ilike(column, likePattern(text))))
}
