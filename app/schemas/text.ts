import { z } from 'zod'
import { textProblem, WHOLE_NUMBER, type TextKind } from '~/domain/text'
import { HTTP_URL_MESSAGE, isHttpUrl } from '~/domain/urls'

// Shared string rules of every form (browser and server), so what may be
// stored is decided in one place: no NUL (PostgreSQL refuses it), no
// invisible control or bidi characters (domain/text.ts).

/** A refinement refusing the characters a `kind` field may not hold, with the reason in words. */
export function refuseHiddenCharacters(kind: TextKind) {
	return (value: string, ctx: z.RefinementCtx) => {
		const problem = textProblem(value, kind)
		if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value })
	}
}

/** A trimmed identifier (app key, ticket key). */
export const keyText = () => z.string().trim().superRefine(refuseHiddenCharacters('key'))

/** A trimmed one-line name (app, company, organisation, person). */
export const lineText = () => z.string().trim().superRefine(refuseHiddenCharacters('line'))

/** Text of several lines (descriptions, reasons, comments); `trim` false keeps it as typed. */
export const multilineText = ({ trim = true }: { trim?: boolean } = {}) =>
	(trim ? z.string().trim() : z.string()).superRefine(refuseHiddenCharacters('text'))

/** Empty, or an http(s) URL (domain/urls.ts: the one URL check). */
export const optionalHttpUrl = (max: number, message = HTTP_URL_MESSAGE) =>
	z
		.string()
		.trim()
		.max(max, `Shorten the address to at most ${max.toLocaleString('en')} characters.`)
		.refine((value) => value === '' || isHttpUrl(value), message)

/**
 * A search box's text. It is never stored, so nothing is refused: a search
 * holding a character no stored text can hold simply finds nothing
 * (utils/sql-like.ts). Odd values fall back to no search.
 */
export const searchText = (max: number) => z.string().trim().max(max).catch('')

/**
 * A whole number typed in a form, checked by `number`. Only digits are read as a number: an empty box, "0x10",
 * "1e1" or "+5" (which Number() reads as 0, 16, 10 and 5) reach `number` as text, which it refuses.
 */
export const wholeNumber = <T extends z.ZodType>(number: T) =>
	z.preprocess((value) => (typeof value === 'string' && WHOLE_NUMBER.test(value) ? Number(value) : value), number)

/** A number of days typed in a form, said by what it is for ("the escalation period"). */
export const days = (label: string, min: number, max: number) =>
	wholeNumber(
		z
			.number(`Enter the ${label} as a number of days.`)
			.int(`Enter the ${label} as a whole number of days.`)
			.min(min, `The ${label} is at least ${min} day${min === 1 ? '' : 's'}.`)
			.max(max, `The ${label} is at most ${max} days.`),
	)
