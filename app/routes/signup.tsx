import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation } from '@remix-run/react'
import { AuthCard } from '~/components/auth-card'
import { Honeypot } from '~/components/honeypot'
import { FormAlert, TextField } from '~/components/ui/form'
import { useValidatedForm } from '~/components/ui/use-validated-form'
import { PASSWORD_MIN, SignupSchema } from '~/schemas/auth'
import { createSession, signup } from '~/services/auth.server'
import { clientKey, hitRateLimit } from '~/services/rate-limit.server'
import { requireAnonymous } from '~/utils/auth.server'
import { env } from '~/utils/env.server'
import { parseForm } from '~/utils/forms'
import { HONEYPOT_MESSAGE } from '~/utils/honeypot'
import { clientAddress, retryAfterHeaders, submittedByBot, waitText } from '~/utils/http.server'
import { formRefusal } from '~/utils/refusals.server'
import { setSessionCookie } from '~/utils/session.server'

export const meta: MetaFunction = () => [{ title: 'Create your organisation · Clearance' }]

export async function loader({ request }: LoaderFunctionArgs) {
	return data(null, { headers: await requireAnonymous(request) })
}

// Retry-After of a refused sign-up reaches the browser only through this.
export const headers = retryAfterHeaders

type SignupResult = { errors?: Record<string, string>; values: Record<string, unknown>; formError?: string | null }

export async function action({ request, context }: ActionFunctionArgs) {
	if (await submittedByBot(request)) {
		return data({ errors: {}, values: {} as Record<string, unknown>, formError: HONEYPOT_MESSAGE }, 400)
	}
	const form = await parseForm(request, SignupSchema)
	if (!form.success) return data({ errors: form.errors, values: form.values, formError: null }, 400)
	// Per client: each sign-up creates an organisation, and "already exists" tells whether an email has an account.
	const client = clientKey(clientAddress(context))
	if (client) {
		const { SIGNUP_PER_CLIENT, SIGNUP_WINDOW_SECONDS } = env()
		const limit = await hitRateLimit(`signup:client:${client}`, SIGNUP_PER_CLIENT, SIGNUP_WINDOW_SECONDS)
		if (!limit.allowed) {
			const { password: _omit, ...values } = form.data
			return data(
				{
					errors: {},
					values,
					formError: `Too many sign-ups from your network. Try again in ${waitText(limit.retryAfterSeconds)}.`,
				},
				{ status: 429, headers: { 'Retry-After': String(limit.retryAfterSeconds) } },
			)
		}
	}
	try {
		const { user, org } = await signup(form.data)
		const session = await createSession(user.id)
		return redirect(`/o/${org.slug}`, {
			headers: { 'Set-Cookie': await setSessionCookie(request, session.token, session.expiresAt) },
		})
	} catch (error) {
		// The email taken: said under the email field, with what was typed (never the password).
		const { password: _omit, ...values } = form.data
		return formRefusal<SignupResult>(error, { values })
	}
}

export default function SignupPage() {
	const actionData = useActionData<typeof action>()
	const navigation = useNavigation()
	const values = actionData?.values ?? {}
	const { formRef, onSubmit, errorOf, text } = useValidatedForm(SignupSchema, {
		defaultValues: {
			name: String(values.name ?? ''),
			email: String(values.email ?? ''),
			orgName: String(values.orgName ?? ''),
			password: '',
		},
		serverErrors: actionData?.errors,
	})
	return (
		<AuthCard
			title="Create your organisation"
			lead="You become its admin and can invite your team and a compliance reviewer."
			footer={
				<>
					Already have an account? <Link to="/login">Log in</Link>
				</>
			}
		>
			<Form ref={formRef} method="post" className="form" noValidate onSubmit={onSubmit}>
				<FormAlert message={actionData?.formError} />
				<Honeypot />
				<TextField label="Your name" autoComplete="name" autoFocus error={errorOf('name')} {...text('name')} />
				<TextField label="Work email" type="email" autoComplete="email" error={errorOf('email')} {...text('email')} />
				<TextField
					label="Password"
					type="password"
					autoComplete="new-password"
					hint={`At least ${PASSWORD_MIN} characters. A passphrase works well.`}
					error={errorOf('password')}
					{...text('password')}
				/>
				<TextField
					label="Organisation name"
					autoComplete="organization"
					hint="Usually your company, as Atlassian knows it."
					error={errorOf('orgName')}
					{...text('orgName')}
				/>
				<button className="button" type="submit" disabled={navigation.state === 'submitting'}>
					{navigation.state === 'submitting' ? 'Creating…' : 'Create organisation'}
				</button>
			</Form>
		</AuthCard>
	)
}
