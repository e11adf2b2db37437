import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { CopyField } from '~/components/copy-field'
import { FieldError, FormAlert, TextField } from '~/components/ui/form'
import { Badge, PageHeader } from '~/components/ui/status'
import { useValidatedForm } from '~/components/ui/use-validated-form'
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES, type Role } from '~/domain/roles'
import { formatLocalDate } from '~/domain/zoned-time'
import { InviteSchema, MemberActionSchema } from '~/schemas/members'
import {
	changeRoles,
	createInvite,
	listMembers,
	listPendingInvites,
	removeMember,
	revokeInvite,
} from '~/services/members.server'
import { requirePermission } from '~/utils/auth.server'
import { parseForm, refusedIntentForm } from '~/utils/forms'
import { formRefusal } from '~/utils/refusals.server'

export const meta: MetaFunction = () => [{ title: 'Members · Clearance' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'members:manage')
	const [members, invites] = await Promise.all([listMembers(org.id), listPendingInvites(org.id)])
	return { members, invites, currentUserId: user.id, timeZone: org.timeZone }
}

type ActionResult = {
	intent?: string
	errors?: Record<string, string>
	values?: Record<string, unknown>
	formError?: string | null
	inviteLink?: string
	inviteEmail?: string
	notice?: string
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'members:manage')
	const form = await parseForm(request, MemberActionSchema, { arrayKeys: ['roles'] })
	if (!form.success) {
		return data<ActionResult>(refusedIntentForm(form), 400)
	}
	const input = form.data
	try {
		switch (input.intent) {
			case 'invite': {
				const { token } = await createInvite(org.id, user.id, input)
				const link = new URL(`/invite/${token}`, request.url).toString()
				return data<ActionResult>({ intent: input.intent, inviteLink: link, inviteEmail: input.email })
			}
			case 'change-roles':
				await changeRoles(org.id, user.id, input.userId, input.roles)
				return data<ActionResult>({ intent: input.intent, notice: 'Roles updated.' })
			case 'remove':
				await removeMember(org.id, user.id, input.userId)
				return data<ActionResult>({ intent: input.intent, notice: 'Member removed.' })
			case 'revoke-invite':
				await revokeInvite(org.id, user.id, input.inviteId)
				return data<ActionResult>({ intent: input.intent, notice: 'Invite revoked; its link no longer works.' })
		}
	} catch (error) {
		return formRefusal<ActionResult>(error, {
			intent: input.intent,
			values: input.intent === 'invite' ? { email: input.email } : undefined,
		})
	}
}

function formatDate(value: Date | string, timeZone: string) {
	return formatLocalDate(new Date(value), timeZone)
}

function RoleCheckboxes({ name, selected, idPrefix }: { name: string; selected: readonly Role[]; idPrefix: string }) {
	return (
		<>
			{ROLES.map((role) => (
				<label key={role} className="check" htmlFor={`${idPrefix}-${role}`}>
					<input
						id={`${idPrefix}-${role}`}
						type="checkbox"
						name={name}
						value={role}
						defaultChecked={selected.includes(role)}
					/>
					<span>{ROLE_LABELS[role]}</span>
				</label>
			))}
		</>
	)
}

function InviteForm({ result }: { result?: ActionResult }) {
	const inviteResult = result?.intent === 'invite' ? result : undefined
	const navigation = useNavigation()
	const { formRef, onSubmit, errorOf, text, checkbox } = useValidatedForm(InviteSchema, {
		defaultValues: { intent: 'invite', email: String(inviteResult?.values?.email ?? ''), roles: ['member'] },
		serverErrors: inviteResult?.errors,
	})
	return (
		<section className="card stack-sm" aria-labelledby="invite-heading">
			<h2 id="invite-heading">Invite someone</h2>
			<p className="card-muted">
				Clearance makes a single-use link that expires in 7 days. Send it to them yourself — no email is sent.
			</p>
			{inviteResult?.inviteLink ? (
				<div className="alert alert-ok" role="status">
					<strong>Invite created for {inviteResult.inviteEmail}.</strong>
					Copy the link now: it is shown only once.
					<div style={{ marginTop: 'var(--space-3)' }}>
						<CopyField id="invite-link" label="Invite link" value={inviteResult.inviteLink} />
					</div>
				</div>
			) : null}
			<FormAlert message={inviteResult?.formError} />
			<Form ref={formRef} method="post" className="form" noValidate onSubmit={onSubmit}>
				<input type="hidden" {...text('intent')} />
				<TextField label="Email address" type="email" autoComplete="off" error={errorOf('email')} {...text('email')} />
				<fieldset className="fieldset" aria-describedby={errorOf('roles') ? 'roles-error' : undefined}>
					<legend>Roles</legend>
					{ROLES.map((role) => (
						<label key={role} className="check" htmlFor={`invite-${role}`}>
							<input id={`invite-${role}`} type="checkbox" {...checkbox('roles', role)} />
							<span>
								{ROLE_LABELS[role]}
								<small>{ROLE_DESCRIPTIONS[role]}</small>
							</span>
						</label>
					))}
					<FieldError name="roles" message={errorOf('roles')} />
				</fieldset>
				<div>
					<button className="button" type="submit" disabled={navigation.state === 'submitting'}>
						Create invite link
					</button>
				</div>
			</Form>
		</section>
	)
}

export default function MembersPage() {
	const { members, invites, currentUserId, timeZone } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	const rowError = result && result.intent !== 'invite' ? (result.formError ?? result.errors?.roles) : undefined
	return (
		<div className="stack">
			<PageHeader title="Members" description="Who can work in this organisation, and with which roles." />
			{rowError ? <FormAlert message={rowError} /> : null}
			{result?.notice ? (
				<div className="alert alert-ok" role="status">
					{result.notice}
				</div>
			) : null}
			<div className="table-wrap">
				<table className="stack-table">
					<caption className="visually-hidden">Members and their roles</caption>
					<thead>
						<tr>
							<th scope="col">Person</th>
							<th scope="col">Roles</th>
							<th scope="col">Joined</th>
							<th scope="col">
								<span className="visually-hidden">Actions</span>
							</th>
						</tr>
					</thead>
					<tbody>
						{members.map((member) => (
							<tr key={member.userId}>
								<td data-label="Person">
									<strong>{member.name}</strong>
									{member.userId === currentUserId ? <Badge tone="neutral">You</Badge> : null}
									<span className="sub">{member.email}</span>
								</td>
								<td data-label="Roles">
									<Form method="post" className="row" aria-label={`Roles of ${member.name}`}>
										<input type="hidden" name="intent" value="change-roles" />
										<input type="hidden" name="userId" value={member.userId} />
										<RoleCheckboxes name="roles" selected={member.roles} idPrefix={`roles-${member.userId}`} />
										<button type="submit" className="button button-secondary button-small">
											Save roles
										</button>
									</Form>
								</td>
								<td data-label="Joined">{formatDate(member.joinedAt, timeZone)}</td>
								<td>
									<Form
										method="post"
										onSubmit={(event) => {
											if (!confirm(`Remove ${member.name} from this organisation?`)) event.preventDefault()
										}}
									>
										<input type="hidden" name="intent" value="remove" />
										<input type="hidden" name="userId" value={member.userId} />
										<button type="submit" className="button button-danger button-small">
											Remove
										</button>
									</Form>
								</td>
							</tr>
						))}
					</tbody>
				</table>
			</div>

			<InviteForm result={result} />

			<section className="stack-sm" aria-labelledby="pending-heading">
				<h2 id="pending-heading">Pending invites</h2>
				{invites.length === 0 ? (
					<p className="card-muted">No open invites. Links that were used, revoked or expired are not listed.</p>
				) : (
					<div className="table-wrap">
						<table className="stack-table">
							<thead>
								<tr>
									<th scope="col">Email</th>
									<th scope="col">Roles</th>
									<th scope="col">Expires</th>
									<th scope="col">
										<span className="visually-hidden">Actions</span>
									</th>
								</tr>
							</thead>
							<tbody>
								{invites.map((invite) => (
									<tr key={invite.id}>
										<td data-label="Email">{invite.email}</td>
										<td data-label="Roles">{invite.roles.map((role) => ROLE_LABELS[role]).join(', ')}</td>
										<td data-label="Expires">{formatDate(invite.expiresAt, timeZone)}</td>
										<td>
											<Form method="post">
												<input type="hidden" name="intent" value="revoke-invite" />
												<input type="hidden" name="inviteId" value={invite.id} />
												<button type="submit" className="button button-danger button-small">
													Revoke
												</button>
											</Form>
										</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
				)}
			</section>
		</div>
	)
}
