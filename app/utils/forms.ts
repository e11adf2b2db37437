import { type z } from 'zod'
import { type FieldErrorMap } from '~/components/ui/form'
import { NUL_MESSAGE, pathsWithNul, withoutNul } from '~/domain/text'
import { readFormBody } from './http.server'

/** Zod issues → one message per dotted path; `''` holds form-level errors. */
export function issuesToErrors(error: z.ZodError): FieldErrorMap {
	const errors: FieldErrorMap = {}
	for (const issue of error.issues) {
		const path = issue.path.map(String).join('.')
		errors[path] ??= issue.message
	}
	return errors
}

/**
 * FormData → plain object. Keys listed in `arrayKeys` are always arrays
 * (a single checked checkbox would otherwise arrive as a string). Dotted
 * names from react-hook-form (`customUseCases.0.description`) become nested
 * arrays and objects, so the same schema parses them with or without JS.
 */
export function formDataToObject(formData: FormData, arrayKeys: readonly string[] = []) {
	// One pass over the entries: FormData.getAll per name scans them all, which a post of tens of thousands of
	// names turned into minutes of one CPU (every form action, /login included, before any rate limit).
	const grouped = new Map<string, string[]>()
	for (const [key, value] of formData.entries()) {
		if (typeof value !== 'string') continue
		const values = grouped.get(key)
		if (values) values.push(value)
		else if (grouped.size >= MAX_FORM_FIELDS) throw tooManyFields()
		else grouped.set(key, [value])
	}
	const result: Record<string, unknown> = {}
	for (const [key, values] of grouped) {
		const value = arrayKeys.includes(key) || values.length > 1 ? values : values[0]
		if (key.includes('.')) setPath(result, key.split('.'), value)
		else result[key] = value
	}
	for (const key of arrayKeys) result[key] ??= []
	return compactArrays(result)
}

/**
 * More distinct field names than any of Clearance's forms has (the request editor, the largest, has a few hundred
 * at most: MAX_USE_CASES custom use cases of two fields each, and the rest).
 */
export const MAX_FORM_FIELDS = 1000

function tooManyFields() {
	return Response.json(
		{
			error: `This form has more than ${MAX_FORM_FIELDS.toLocaleString('en')} fields: no form of Clearance has that many.`,
		},
		{ status: 413 },
	)
}

const MAX_INDEX = 1000
/** Nesting of a dotted name (`customUseCases.0.description` is 3): deeper ones come from no form of Clearance. */
const MAX_PATH_DEPTH = 4
const isIndex = (segment: string | undefined) => segment !== undefined && /^\d+$/.test(segment)

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
	// Refuse absurd indexes, deep paths (the value would nest as deep as the name) and prototype keys from hand-made
	// posts.
	if (path.length > MAX_PATH_DEPTH) return
	if (path.some((segment) => segment === '__proto__' || segment === 'constructor' || segment === 'prototype')) return
	if (path.some((segment) => isIndex(segment) && Number(segment) > MAX_INDEX)) return
	let node = target as Record<string, unknown>
	for (let depth = 0; depth < path.length; depth++) {
		const segment = path[depth]!
		// A list takes rows by index only: `rows.length=4294967295` would make it four billion long (minutes to
		// compact) and `rows.length=z` throws.
		if (Array.isArray(node) && !isIndex(segment)) return
		if (depth === path.length - 1) break
		const child = node[segment]
		if (typeof child !== 'object' || child === null) node[segment] = isIndex(path[depth + 1]) ? [] : {}
		node = node[segment] as Record<string, unknown>
	}
	node[path[path.length - 1]!] = value
}

/** A removed middle row leaves a hole; lists are compacted so schemas see rows only. */
function compactArrays(result: Record<string, unknown>) {
	for (const [key, value] of Object.entries(result)) {
		if (Array.isArray(value)) result[key] = value.filter((item) => item !== undefined)
	}
	return result
}

/**
 * The request's form data, or a 415 JSON response (thrown) when the body is
 * not a form: a JSON or text body must not surface as a 500.
 */
export async function readFormData(request: Request): Promise<FormData> {
	try {
		// At most FORM_MAX_BYTES are read: a larger body is a 413 with a message.
		return await readFormBody(request)
	} catch (error) {
		if (error instanceof Response) throw error
		throw Response.json(
			{ error: 'Send this as a form (application/x-www-form-urlencoded or multipart/form-data).' },
			{ status: 415 },
		)
	}
}

const SECRET_FIELDS = new Set(['password', 'currentPassword', 'newPassword'])

export type FormResult<T> =
	{ success: true; data: T } | { success: false; errors: FieldErrorMap; values: Record<string, unknown> }

/**
 * Parses a submitted form with the same schema the browser uses. On failure
 * it returns the typed values (never passwords) so nothing typed is lost.
 */
export async function parseForm<S extends z.ZodType>(
	request: Request,
	schema: S,
	{ arrayKeys = [] }: { arrayKeys?: readonly string[] } = {},
): Promise<FormResult<z.output<S>>> {
	const values = formDataToObject(await readFormData(request), arrayKeys)
	const parsed = schema.safeParse(values)
	// PostgreSQL cannot store NUL: refused in any field, whatever its schema says (domain/text.ts).
	const nul = Object.fromEntries(pathsWithNul(values).map((path) => [path, NUL_MESSAGE]))
	if (parsed.success && Object.keys(nul).length === 0) return { success: true, data: parsed.data }
	return {
		success: false,
		errors: { ...nul, ...(parsed.success ? {} : issuesToErrors(parsed.error)) },
		values: withoutNul(Object.fromEntries(Object.entries(values).filter(([key]) => !SECRET_FIELDS.has(key)))),
	}
}

/**
 * What a page with several forms answers when one was refused: which form
 * (its `intent`), what was wrong and what was typed, so that form alone shows
 * the messages and keeps its text. Sent with status 400.
 */
export function refusedIntentForm(form: Extract<FormResult<unknown>, { success: false }>) {
	return { intent: String(form.values.intent ?? ''), errors: form.errors, values: form.values }
}
