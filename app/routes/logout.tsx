import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { deleteSession } from '~/services/auth.server'
import { clearSessionCookie, readSessionToken } from '~/utils/session.server'

// Logging out mutates, so it is a POST only; a GET just goes home.
export async function loader() {
	return redirect('/')
}

export async function action({ request }: ActionFunctionArgs) {
	const token = await readSessionToken(request)
	if (token) await deleteSession(token)
	return redirect('/login', { headers: { 'Set-Cookie': await clearSessionCookie(request) } })
}
