import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation, useParams } from '@remix-run/react'
import { AuthCard } from '~/components/auth-card'
import { Honeypot } from '~/components/honeypot'
import { FormAlert, TextField } from '~/components/ui/form'
import { useValidatedForm } from '~/components/ui/use-validated-form'
import { ROLE_LABELS } from '~/domain/roles'
import { AcceptInviteSchema, PASSWORD_MIN } from '~/schemas/auth'
import { createSession } from '~/services/auth.server'
import { acceptInvite, getInvite } from '~/services/members.server'
import { clientKey, hitRateLimit } from '~/services/rate-limit.server'
import { getOptionalUser } from '~/utils/auth.server'
import { env } from '~/utils/env.server'
import { parseForm } from '~/utils/forms'
import { HONEYPOT_MESSAGE } from '~/utils/honeypot'
import { clientAddress, retryAfterHeaders, submittedByBot, waitText } from '~/utils/http.server'
import { formRefusal } from '~/utils/refusals.server'
import { setSessionCookie } from '~/utils/session.server'

export const meta: MetaFunction = () => [{ title: 'Join an organisation · Clearance' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const [invite, user] = await Promise.all([getInvite(params.token ?? ''), getOptionalUser(request)])
	return { invite, signedInAs: user?.email ?? null }
}

// Retry-After of a refused attempt reaches the browser only through this.
export const headers = retryAfterHeaders

type InviteResult = { errors?: Record<string, string>; values: Record<string, unknown>; formError?: string | null }

export async function action({ request, params, context }: ActionFunctionArgs) {
	const token = params.token ?? ''
	if (await submittedByBot(request)) {
		return data({ errors: {}, values: {} as Record<string, unknown>, formError: HONEYPOT_MESSAGE }, 400)
	}
	const client = clientKey(clientAddress(context))
	if (client) {
		const { INVITE_ACCEPT_PER_CLIENT, INVITE_ACCEPT_WINDOW_SECONDS } = env()
		const limit = await hitRateLimit(`invite:client:${client}`, INVITE_ACCEPT_PER_CLIENT, INVITE_ACCEPT_WINDOW_SECONDS)
		if (!limit.allowed) {
			return data(
				{
					errors: {},
					values: {} as Record<string, unknown>,
					formError: `Too many attempts from your network. Try again in ${waitText(limit.retryAfterSeconds)}.`,
				},
				{ status: 429, headers: { 'Retry-After': String(limit.retryAfterSeconds) } },
			)
		}
	}
	const user = await getOptionalUser(request)
	try {
		if (user) {
			const { org } = await acceptInvite(token, { user })
			return redirect(`/o/${org.slug}`)
		}
		const form = await parseForm(request, AcceptInviteSchema)
		if (!form.success) return data({ errors: form.errors, values: form.values, formError: null }, 400)
		const { user: created, org } = await acceptInvite(token, { newAccount: form.data })
		const session = await createSession(created.id)
		return redirect(`/o/${org.slug}`, {
			headers: { 'Set-Cookie': await setSessionCookie(request, session.token, session.expiresAt) },
		})
	} catch (error) {
		// The invite page has no email field: every refusal (the email taken too) is said at the top.
		return formRefusal<InviteResult>(error, { values: {} }, { place: 'top' })
	}
}

const UNUSABLE = {
	used: { title: 'This invite was already used', body: 'Each invite link works once. Ask an admin for a new one.' },
	expired: { title: 'This invite has expired', body: 'Invite links expire after 7 days. Ask an admin for a new one.' },
	invalid: {
		title: 'This invite link is not valid',
		body: 'It may have been revoked or mistyped. Ask an admin for a new one.',
	},
} as const

function NewAccountForm({ email }: { email: string }) {
	const actionData = useActionData<typeof action>()
	const navigation = useNavigation()
	const { formRef, onSubmit, errorOf, text } = useValidatedForm(AcceptInviteSchema, {
		defaultValues: { name: String(actionData?.values?.name ?? ''), password: '' },
		serverErrors: actionData?.errors,
	})
	return (
		<Form ref={formRef} method="post" className="form" noValidate onSubmit={onSubmit}>
			<FormAlert message={actionData?.formError} />
			<Honeypot />
			<TextField label="Email" name="email-display" value={email} readOnly hint="The invite is for this address." />
			<TextField label="Your name" autoComplete="name" autoFocus error={errorOf('name')} {...text('name')} />
			<TextField
				label="Choose a password"
				type="password"
				autoComplete="new-password"
				hint={`At least ${PASSWORD_MIN} characters.`}
				error={errorOf('password')}
				{...text('password')}
			/>
			<button className="button" type="submit" disabled={navigation.state === 'submitting'}>
				Create account and join
			</button>
		</Form>
	)
}

export default function InvitePage() {
	const { invite, signedInAs } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const { token = '' } = useParams()
	if (invite.status !== 'valid') {
		const copy = UNUSABLE[invite.status]
		return (
			<AuthCard title={copy.title} footer={<Link to="/">Go to the start page</Link>}>
				<p>{copy.body}</p>
			</AuthCard>
		)
	}
	const roles = invite.roles.map((role) => ROLE_LABELS[role]).join(', ')
	const lead = (
		<>
			You are invited to <strong>{invite.org.name}</strong> as {roles}.
		</>
	)
	if (signedInAs && signedInAs.toLowerCase() !== invite.email.toLowerCase()) {
		return (
			<AuthCard title="Join an organisation" lead={lead}>
				<div className="alert alert-warn">
					This invite is for {invite.email}, but you are signed in as {signedInAs}.
				</div>
				<Form method="post" action="/logout" style={{ marginTop: 'var(--space-4)' }}>
					<button className="button button-secondary" type="submit">
						Log out
					</button>
				</Form>
			</AuthCard>
		)
	}
	if (signedInAs) {
		return (
			<AuthCard title="Join an organisation" lead={lead}>
				<Form method="post" className="form">
					<FormAlert message={actionData?.formError} />
					<Honeypot />
					<button className="button" type="submit">
						Join {invite.org.name}
					</button>
				</Form>
			</AuthCard>
		)
	}
	if (invite.accountExists) {
		const back = `/login?${new URLSearchParams({ redirectTo: `/invite/${encodeURIComponent(token)}` })}`
		return (
			<AuthCard title="Join an organisation" lead={lead}>
				<p>{invite.email} already has a Clearance account. Log in, and you will come back here to accept.</p>
				<p style={{ marginTop: 'var(--space-4)' }}>
					<Link className="button" to={back}>
						Log in to accept
					</Link>
				</p>
			</AuthCard>
		)
	}
	return (
		<AuthCard title="Join an organisation" lead={lead}>
			<NewAccountForm email={invite.email} />
		</AuthCard>
	)
}
