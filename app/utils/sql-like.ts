import { ilike, like, or, sql, type Column, type SQL } from 'drizzle-orm'
import { hasNul } from '~/domain/text'

/** A case-insensitive `like` pattern matching `text` anywhere, with `%`, `_` and `\\` taken literally. */
export function likePattern(text: string) {
	return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}

/** A case-sensitive `like` pattern matching what starts with `text`, with `%`, `_` and `\\` taken literally. */
export function prefixPattern(text: string) {
	return `${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}

/**
 * `column LIKE 'text%'`: a prefix search an index with text_pattern_ops (or any btree index under the C
 * collation) serves as a range scan; no condition for an empty prefix, nothing found for one holding a NUL.
 */
export function prefixCondition(column: Column, prefix: string | undefined): SQL | undefined {
	const text = prefix?.trim()
	if (!text) return undefined
	if (hasNul(text)) return sql`false`
	return like(column, prefixPattern(text))
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
