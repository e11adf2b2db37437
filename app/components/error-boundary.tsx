import { isRouteErrorResponse, Link, useRouteError } from '@remix-run/react'

const MESSAGES: Record<number, { title: string; body: string }> = {
	400: { title: 'That request could not be understood', body: 'Check what you sent and try again.' },
	403: { title: 'You don’t have access to this', body: 'Ask an admin of your organisation for the role you need.' },
	404: { title: 'Page not found', body: 'The page you asked for does not exist, or you do not have access to it.' },
	410: { title: 'This link no longer works', body: 'Ask for a new one.' },
	413: {
		title: 'That was too large to send',
		body: 'Shorten the longest texts, or send a smaller file, and try again.',
	},
	429: { title: 'Too many attempts', body: 'Wait a little, then try again.' },
	503: {
		title: 'Clearance is temporarily unavailable',
		body: 'We cannot reach our database right now. Nothing you already saved is lost; please try again in a minute.',
	},
}

function errorMessage(data: unknown): string | undefined {
	if (data && typeof data === 'object' && 'error' in data && typeof data.error === 'string') return data.error
	return undefined
}

/** One error page for every route, with a message per status (docs/architecture.md › Errors). */
export function GeneralErrorBoundary() {
	return (
		<main className="error-page" id="main">
			<ErrorContent />
		</main>
	)
}

/**
 * The same message inside an organisation's pages (its layout read fine, a page of it failed): the navigation
 * stays, and the way on is that organisation's dashboard rather than the start page.
 */
export function ErrorPanel({ home }: { home: string }) {
	return (
		<div className="error-page error-panel">
			<ErrorContent home={{ to: home, label: 'Go to the dashboard' }} />
		</div>
	)
}

function ErrorContent({ home = { to: '/', label: 'Go to the start page' } }: { home?: { to: string; label: string } }) {
	const error = useRouteError()
	const status = isRouteErrorResponse(error) ? error.status : 500
	const known = MESSAGES[status]
	const detail = isRouteErrorResponse(error) ? errorMessage(error.data) : undefined
	const title = known?.title ?? 'Something went wrong'
	const body = known?.body ?? 'An unexpected error occurred. It has been logged; please try again in a moment.'
	return (
		<>
			<div className="code" aria-hidden="true">
				{status}
			</div>
			<h1>{title}</h1>
			<p>{detail && status !== 500 ? detail : body}</p>
			<Link className="button" to={home.to}>
				{home.label}
			</Link>
		</>
	)
}
