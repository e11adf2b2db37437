/**
 * Which characters a stored text may hold. Pure: the schemas refuse with these
 * messages, next to the field.
 *
 * - NUL (U+0000) can never be stored: PostgreSQL text refuses it.
 * - Other control characters (Unicode Cc) are invisible and come from pasted
 *   binary or broken copies, never from typing.
 * - Bidirectional overrides, embeddings and isolates (U+202A–U+202E,
 *   U+2066–U+2069) make text read differently from what is stored: an app
 *   key or a name could pass for another.
 *
 * Three kinds of text:
 * - `key`: identifiers (app key, ticket key). No control or format character
 *   (Unicode Cc and Cf) at all.
 * - `line`: one-line names (app, organisation, person, company). No control
 *   character, not even a tab or a line break, and no format character except
 *   the zero-width joiner and non-joiner (U+200C, U+200D), which some scripts
 *   and emoji need to be spelled right.
 * - `text`: several lines (descriptions, reasons, comments). Tabs and line
 *   breaks are fine; other control characters and the bidi overrides are not.
 */

export type TextKind = 'key' | 'line' | 'text'

const BIDI_CONTROLS: Record<number, string> = {
	0x202a: 'left-to-right embedding',
	0x202b: 'right-to-left embedding',
	0x202c: 'pop directional formatting',
	0x202d: 'left-to-right override',
	0x202e: 'right-to-left override',
	0x2066: 'left-to-right isolate',
	0x2067: 'right-to-left isolate',
	0x2068: 'first strong isolate',
	0x2069: 'pop directional isolate',
}

const LINE_BREAKS = new Set([0x0a, 0x0d, 0x2028, 0x2029])

// One character class each, no nesting: linear on any length.
const FORBIDDEN: Record<TextKind, RegExp> = {
	key: /[\p{Cc}\p{Cf}\u2028\u2029]/u,
	line: /(?![\u200c\u200d])[\p{Cc}\p{Cf}\u2028\u2029]/u,
	text: /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u,
}

/** U+202E as people read it in a message. */
function codePoint(char: string) {
	return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
}

function describe(char: string): { what: string; why: string } {
	const code = char.codePointAt(0)!
	const cannot = 'it cannot be saved'
	if (code === 0) return { what: `the invisible NUL character (${codePoint(char)})`, why: cannot }
	if (code === 0x09) return { what: 'the tab', why: 'this is one line of text' }
	if (LINE_BREAKS.has(code)) return { what: 'the line break', why: 'this is one line of text' }
	const bidi = BIDI_CONTROLS[code]
	if (bidi)
		return {
			what: `the invisible ${bidi} (${codePoint(char)})`,
			why: `it changes the order text is shown in, so ${cannot}`,
		}
	if (/\p{Cc}/u.test(char)) return { what: `the invisible control character (${codePoint(char)})`, why: cannot }
	return { what: `the invisible formatting character (${codePoint(char)})`, why: cannot }
}

/** The first character `kind` text may not hold, or null. */
export function forbiddenCharacter(text: string, kind: TextKind): string | null {
	return FORBIDDEN[kind].exec(text)?.[0] ?? null
}

/**
 * What is wrong with `text` for a field of this kind, in words, or null.
 * The message names the character (never the text around it) and how to get
 * rid of it: such characters come from pasting, not typing.
 */
export function textProblem(text: string, kind: TextKind): string | null {
	const char = forbiddenCharacter(text, kind)
	if (char === null) return null
	const { what, why } = describe(char)
	return `Remove ${what}: ${why}. Type the text again rather than pasting it.`
}

/** True when the text holds a NUL character, which PostgreSQL cannot store. */
export function hasNul(text: string): boolean {
	return text.includes('\u0000')
}

/**
 * Dotted paths (`customUseCases.0.description`) of the strings holding a NUL
 * in a parsed form: the safety net under every schema, so no field, however
 * it is declared, can carry one to the database.
 */
export function pathsWithNul(value: unknown, path = ''): string[] {
	if (typeof value === 'string') return hasNul(value) ? [path] : []
	if (value === null || typeof value !== 'object') return []
	// A checkbox list reports on the list, as the form shows its error there.
	if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
		return value.some((item) => hasNul(item)) ? [path] : []
	const entries = Array.isArray(value)
		? value.map((item, index) => [String(index), item] as const)
		: Object.entries(value)
	return entries.flatMap(([key, item]) => pathsWithNul(item, path === '' ? key : `${path}.${key}`))
}

/** Text as it may be shown back in a form: a NUL becomes the visible replacement character �. */
export function withoutNul<T>(value: T): T {
	if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD') as T
	if (Array.isArray(value)) return value.map((item: unknown) => withoutNul(item)) as T
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutNul(item)])) as T
	}
	return value
}

export const NUL_MESSAGE = textProblem('\u0000', 'text')!

/** The text with its first letter in capitals: a phrase made to start a sentence. */
export function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1)
}

/** Digits only, as a person types a whole number (spaces around allowed): not "", "0x10", "1e1" or "+5", which Number() reads. */
export const WHOLE_NUMBER = /^\s*\d+\s*$/
