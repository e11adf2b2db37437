/** The honeypot of public forms (see app/components/honeypot.tsx); shared by the page and the action. */
export const HONEYPOT_FIELD = 'website'

/** True when the hidden field came back filled in: a bot. A browser sends it empty; a script may leave it out. */
export function honeypotFilled(form: FormData) {
	const value = form.get(HONEYPOT_FIELD)
	return value !== null && value !== ''
}

export const HONEYPOT_MESSAGE = 'The form could not be sent. Reload the page and try again.'
