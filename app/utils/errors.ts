/**
 * An expected failure with a message fit to show the person who caused it
 * (a form error or a JSON 4xx). Anything else is a bug and becomes a 500.
 */
export class UserFacingError extends Error {
	constructor(
		message: string,
		readonly status: 400 | 403 | 404 | 409 | 410 | 413 | 422 = 400,
		readonly field?: string,
	) {
		super(message)
		this.name = 'UserFacingError'
	}
}

/** The 404 of an organisation the person is not a member of (or that does not exist): the same words for both. */
export const NO_SUCH_ORGANISATION = 'No such organisation.'
