import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { AuthCard } from '~/components/auth-card'
import { FormAlert, TextField } from '~/components/ui/form'
import { useValidatedForm } from '~/components/ui/use-validated-form'
import { LoginSchema } from '~/schemas/auth'
import { createSession, recordLoginAttempt, verifyLogin } from '~/services/auth.server'
import { hitRateLimit } from '~/services/rate-limit.server'
import { requireAnonymous, safeRedirect } from '~/utils/auth.server'
import { parseForm } from '~/utils/forms'
import { setSessionCookie } from '~/utils/session.server'

export const meta: MetaFunction = () => [{ title: 'Log in · Clearance' }]

export async function loader({ request }: LoaderFunctionArgs) {
	await requireAnonymous(request)
	return null
}

// One message for unknown email and wrong password, so the form does not
// reveal who has an account.
const BAD_LOGIN = 'Email or password is incorrect.'
const LOGIN_ATTEMPTS = 10
const LOGIN_WINDOW_SECONDS = 15 * 60

export async function action({ request }: ActionFunctionArgs) {
	const form = await parseForm(request, LoginSchema)
	if (!form.success) return data({ errors: form.errors, values: form.values, formError: null }, 400)
	// Per account, so password guessing is slowed wherever it comes from.
	const limit = await hitRateLimit(`login:${form.data.email}`, LOGIN_ATTEMPTS, LOGIN_WINDOW_SECONDS)
	if (!limit.allowed) {
		// The first refused attempt of a window is recorded; the rest of the window adds nothing new to the log.
		if (limit.attempts === LOGIN_ATTEMPTS + 1) await recordLoginAttempt(form.data.email, 'rate_limited')
		const minutes = Math.ceil(limit.retryAfterSeconds / 60)
		return data(
			{
				errors: {},
				values: { email: form.data.email, redirectTo: form.data.redirectTo },
				formError: `Too many login attempts for this account. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
			},
			{ status: 429, headers: { 'Retry-After': String(limit.retryAfterSeconds) } },
		)
	}
	const user = await verifyLogin(form.data.email, form.data.password)
	if (!user) {
		await recordLoginAttempt(form.data.email, 'failed')
		return data(
			{ errors: {}, values: { email: form.data.email, redirectTo: form.data.redirectTo }, formError: BAD_LOGIN },
			400,
		)
	}
	const session = await createSession(user.id)
	await recordLoginAttempt(user.email, 'succeeded')
	return redirect(safeRedirect(form.data.redirectTo), {
		headers: { 'Set-Cookie': await setSessionCookie(request, session.token, session.expiresAt) },
	})
}

export default function LoginPage() {
	const actionData = useActionData<typeof action>()
	const [searchParams] = useSearchParams()
	const redirectTo = searchParams.get('redirectTo') ?? ''
	const navigation = useNavigation()
	const { form, formRef, onSubmit, errorOf, text } = useValidatedForm(LoginSchema, {
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
