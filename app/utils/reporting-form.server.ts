import { data } from '@remix-run/node'
import { type z } from 'zod'
import { type ReportingActionResult, type ReportingIntent } from '~/components/reporting/action-result'
import { NUL_MESSAGE, pathsWithNul, withoutNul } from '~/domain/text'
import { UserFacingError } from './errors'
import { formDataToObject, issuesToErrors, readFormData } from './forms'
import { isMultipart, parseMultipart, removeUploads, type UploadsByIntent } from './multipart.server'

/** An answer of a reporting action, for the form named by its `intent` (the page-wide messages when none). */
export function reportingAnswer(result: ReportingActionResult, status = 200) {
	return data<ReportingActionResult>(result, status)
}

/**
 * Reads a form of the reporting page, shared by its three action routes (the
 * page's own intents, the import, the run): multipart with uploads to disk
 * (only the file fields `uploads` lists for the posted intent) or url-encoded;
 * NUL refused in any field (PostgreSQL cannot store it, as parseForm does);
 * then `schema`, a union on `intent` or one intent's object. On a refusal the
 * uploads are already removed and `answer` is what the action returns;
 * otherwise the caller removes them (`removeUploads(form)`) when done.
 * `intent` is the route's own, when it has one: a body that cannot be read is
 * then shown on its form rather than at the top of the page.
 */
export async function readReportingForm<S extends z.ZodType<{ intent: ReportingIntent }>>(
	request: Request,
	schema: S,
	{ uploads = {}, intent }: { uploads?: UploadsByIntent; intent?: ReportingIntent } = {},
) {
	let form: FormData
	try {
		// Uploads (ledger CSV, answers file) arrive as multipart and go to disk, not memory.
		form = isMultipart(request) ? await parseMultipart(request, uploads) : await readFormData(request)
	} catch (error) {
		if (error instanceof UserFacingError)
			return { ok: false as const, answer: reportingAnswer({ intent, formError: error.message }, error.status) }
		throw error
	}
	const values = formDataToObject(form)
	const parsed = schema.safeParse(values)
	const nul = pathsWithNul(values)
	if (parsed.success && nul.length > 0) {
		await removeUploads(form)
		const errors = Object.fromEntries(nul.map((path) => [path, NUL_MESSAGE]))
		return {
			ok: false as const,
			answer: reportingAnswer(
				{ intent: parsed.data.intent, errors, values: withoutNul(values), formError: NUL_MESSAGE },
				400,
			),
		}
	}
	if (!parsed.success) {
		await removeUploads(form)
		return {
			ok: false as const,
			answer: reportingAnswer(
				{ intent, errors: issuesToErrors(parsed.error), formError: 'That action is not understood.' },
				400,
			),
		}
	}
	return { ok: true as const, form, values, input: parsed.data as z.output<S> }
}
