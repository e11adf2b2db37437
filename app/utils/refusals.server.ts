import { data } from '@remix-run/node'
import { UserFacingError } from './errors'
import { notFound } from './http.server'

/** What every form answer carries when the service refused: per-field messages and the one at the top. */
export type RefusalFields = { errors?: Record<string, string>; formError?: string | null }

export type RefusalOptions = {
	/**
	 * Where the message is shown: `field` (default) under the field the
	 * service named, or at the top when it named none; `top` only at the top;
	 * `both` at the top and under its field.
	 */
	place?: 'field' | 'top' | 'both'
	/** A 404 is the page's own 404 (the thing the URL names is gone), not a form message. */
	notFoundAsPage?: boolean
}

/**
 * The one way a page action answers a refusal (docs/architecture.md › Errors):
 * a UserFacingError becomes the form's message with its 4xx status, next to
 * `result` (the intent, what was typed); anything else is a bug and is
 * thrown on, to become a 500.
 *
 * @example
 * } catch (error) {
 * 	return formRefusal<ActionResult>(error, { intent: input.intent, values: input })
 * }
 */
export function formRefusal<R extends RefusalFields>(
	error: unknown,
	result: Omit<R, keyof RefusalFields>,
	{ place = 'field', notFoundAsPage = false }: RefusalOptions = {},
) {
	if (!(error instanceof UserFacingError)) throw error
	if (notFoundAsPage && error.status === 404) notFound(error.message)
	const underField = place !== 'top' && error.field !== undefined
	const errors = underField ? { [error.field!]: error.message } : undefined
	const formError = place === 'field' && underField ? null : error.message
	return data({ ...result, errors, formError } as R, error.status)
}

/**
 * The same for a resource route or a POST without a page of its own: a
 * UserFacingError is thrown as a JSON `{ error }` Response with its status
 * (as the guards in http.server.ts do); anything else is thrown on.
 */
export function throwRefusal(error: unknown): never {
	if (error instanceof UserFacingError) throw Response.json({ error: error.message }, { status: error.status })
	throw error
}
