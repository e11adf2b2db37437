import { type LinksFunction, type MetaFunction } from '@remix-run/node'
import { Links, Meta, Outlet, Scripts, ScrollRestoration } from '@remix-run/react'
import { useEffect, type ReactNode } from 'react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import styles from '~/styles/app.css?url'
import { useNonce } from '~/utils/nonce'

export const links: LinksFunction = () => [
	{ rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
	{ rel: 'stylesheet', href: styles },
]

export const meta: MetaFunction = () => [
	{ title: 'Clearance' },
	{
		name: 'description',
		content: 'Prepare, review and track Atlassian Email API access requests, and never miss a personal-data report.',
	},
]

export function Layout({ children }: { children: ReactNode }) {
	const nonce = useNonce()
	useEffect(() => {
		// Tests (and curious people) can tell when the page is interactive.
		document.documentElement.dataset.hydrated = 'true'
	}, [])
	return (
		<html lang="en">
			<head>
				<meta charSet="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<Meta />
				<Links />
			</head>
			<body>
				<a className="skip-link" href="#main" onClick={focusMain}>
					Skip to content
				</a>
				{children}
				<ScrollRestoration nonce={nonce} />
				<Scripts nonce={nonce} />
			</body>
		</html>
	)
}

export default function App() {
	return <Outlet />
}

export function ErrorBoundary() {
	return <GeneralErrorBoundary />
}

/**
 * The skip link puts focus in the page, so assistive technology reads from there and the next Tab is the page's
 * first control: `main` takes focus for that moment only (tabindex -1 until it loses it), as GOV.UK's skip link does,
 * so a click on the page's text later does not focus the whole region. Without JavaScript the link still moves there.
 */
function focusMain(event: React.MouseEvent<HTMLAnchorElement>) {
	const main = document.getElementById('main')
	if (!main) return
	event.preventDefault()
	main.setAttribute('tabindex', '-1')
	main.addEventListener('blur', () => main.removeAttribute('tabindex'), { once: true })
	main.focus()
}
