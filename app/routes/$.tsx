import { GeneralErrorBoundary } from '~/components/error-boundary'
import { notFound } from '~/utils/http.server'

// Any URL no other route matches renders the 404 page with a 404 status.
export async function loader() {
	notFound()
}

export async function action() {
	notFound()
}

export default function NotFound() {
	return null
}

export function ErrorBoundary() {
	return <GeneralErrorBoundary />
}
