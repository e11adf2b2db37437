import { type z } from 'zod'
import { type FieldErrorMap } from '~/components/ui/form'

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
 * (a single checked checkbox would otherwise arrive as a string).
 */
export function formDataToObject(formData: FormData, arrayKeys: readonly string[] = []) {
	const result: Record<string, unknown> = {}
	for (const key of new Set(formData.keys())) {
		const values = formData.getAll(key).filter((value): value is string => typeof value === 'string')
		result[key] = arrayKeys.includes(key) || values.length > 1 ? values : values[0]
	}
	for (const key of arrayKeys) result[key] ??= []
	return result
}

const SECRET_FIELDS = new Set(['password', 'currentPassword', 'newPassword'])

export type FormResult<T> =
	| { success: true; data: T }
	| { success: false; errors: FieldErrorMap; values: Record<string, unknown> }

/**
 * Parses a submitted form with the same schema the browser uses. On failure
 * it returns the typed values (never passwords) so nothing typed is lost.
 */
export async function parseForm<S extends z.ZodType>(
	request: Request,
	schema: S,
	{ arrayKeys = [] }: { arrayKeys?: readonly string[] } = {},
): Promise<FormResult<z.output<S>>> {
	const values = formDataToObject(await request.formData(), arrayKeys)
	const parsed = schema.safeParse(values)
	if (parsed.success) return { success: true, data: parsed.data }
	return {
		success: false,
		errors: issuesToErrors(parsed.error),
		values: Object.fromEntries(Object.entries(values).filter(([key]) => !SECRET_FIELDS.has(key))),
	}
}
