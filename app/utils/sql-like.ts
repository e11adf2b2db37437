/** A case-insensitive `like` pattern matching `text` anywhere, with `%`, `_` and `\\` taken literally. */
export function likePattern(text: string) {
	return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}
