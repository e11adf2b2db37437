import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { AuthCard } from '~/components/auth-card'
import { Honeypot } from '~/components/honeypot'
import { FormAlert, TextField } from '~/components/ui/form'
import { useValidatedForm } from '~/components/ui/use-validated-form'
import { LoginSchema } from '~/schemas/auth'
import { attemptLogin, createSession } from '~/services/auth.server'
import { clientKey } from '~/services/rate-limit.server'
import { requireAnonymous, safeRedirect } from '~/utils/auth.server'
import { env } from '~/utils/env.server'
import { parseForm } from '~/utils/forms'
import { HONEYPOT_MESSAGE } from '~/utils/honeypot'
import { clientAddress, retryAfterHeaders, submittedByBot, waitText } from '~/utils/http.server'
import { readDeviceToken, setDeviceCookie, setSessionCookie } from '~/utils/session.server'

export const meta: MetaFunction = () => [{ title: 'Log in · Clearance' }]

export async function loader({ request }: LoaderFunctionArgs) {
	return data(null, { headers: await requireAnonymous(request) })
}

// Retry-After of a refused attempt reaches the browser only through this.
export const headers = retryAfterHeaders

// One message for unknown email and wrong password, so the form does not
// reveal who has an account.
const BAD_LOGIN = 'Email or password is incorrect.'

export async function action({ request, context }: ActionFunctionArgs) {
	if (await submittedByBot(request)) {
		return data({ errors: {}, values: {} as Record<string, unknown>, formError: HONEYPOT_MESSAGE }, 400)
	}
	const form = await parseForm(request, LoginSchema)
	if (!form.success) return data({ errors: form.errors, values: form.values, formError: null }, 400)
	const values = { email: form.data.email, redirectTo: form.data.redirectTo }
	const result = await attemptLogin({
		email: form.data.email,
		password: form.data.password,
		client: clientKey(clientAddress(context)),
		deviceToken: await readDeviceToken(request),
	})
	if (result.outcome === 'rate_limited') {
		const wait = waitText(result.retryAfterSeconds)
		const formError =
			result.scope === 'client'
				? `Too many failed logins from your network. Try again in ${wait}.`
				: `Too many failed logins for this account. Try again in ${wait}; the right password works then.`
		return data(
			{ errors: {}, values, formError },
			{ status: 429, headers: { 'Retry-After': String(result.retryAfterSeconds) } },
		)
	}
	if (result.outcome === 'failed') return data({ errors: {}, values, formError: BAD_LOGIN }, 400)
	const session = await createSession(result.user.id)
	const headers = new Headers()
	headers.append('Set-Cookie', await setSessionCookie(request, session.token, session.expiresAt))
	headers.append('Set-Cookie', await setDeviceCookie(request, result.deviceToken, env().LOGIN_KNOWN_DEVICE_DAYS))
	return redirect(safeRedirect(form.data.redirectTo), { headers })
}

export default function LoginPage() {
	const actionData = useActionData<typeof action>()
	const [searchParams] = useSearchParams()
	const redirectTo = searchParams.get('redirectTo') ?? ''
	const navigation = useNavigation()
	const { formRef, onSubmit, errorOf, text } = useValidatedForm(LoginSchema, {
		defaultValues: { email: String(actionData?.values?.email ?? ''), password: '', redirectTo },
		serverErrors: actionData?.errors,
	})
	return (
		<AuthCard
			title="Log in"
			lead="Welcome back. Pick up your requests and reporting deadlines."
			footer={
				<>
					New to Clearance? <Link to="/signup">Create an organisation</Link>
				</>
			}
		>
			<Form ref={formRef} method="post" className="form" noValidate onSubmit={onSubmit}>
				<FormAlert message={actionData?.formError} />
				<input type="hidden" {...text('redirectTo')} />
				<Honeypot />
				<TextField
					label="Email"
					type="email"
					autoComplete="email"
					autoFocus
					error={errorOf('email')}
					{...text('email')}
				/>
				<TextField
					label="Password"
					type="password"
					autoComplete="current-password"
					error={errorOf('password')}
					{...text('password')}
				/>
				<button className="button" type="submit" disabled={navigation.state === 'submitting'}>
					{navigation.state === 'submitting' ? 'Logging in…' : 'Log in'}
				</button>
			</Form>
		</AuthCard>
	)
}
