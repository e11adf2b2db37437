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
