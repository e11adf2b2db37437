import { Form, useNavigation } from '@remix-run/react'

export type OwnersView = {
	owners: { userId: string; name: string }[]
	/** Who receives the reminders while the app has no owners. */
	fallback: 'owners' | 'creator' | 'admins' | null
}

/**
 * Who answers for the app (issue 13): its owners receive its reminders; an
 * overdue item escalates to the admins. Editors and admins change them.
 */
export function AppOwnersCard({
	owners,
	members,
	canEdit,
}: {
	owners: OwnersView
	/** Every member, for the picker (shown only to those who may change owners). */
	members: { userId: string; name: string }[]
	canEdit: boolean
}) {
	const navigation = useNavigation()
	const chosen = new Set(owners.owners.map((owner) => owner.userId))
	return (
		<section className="card stack-sm" aria-labelledby="owners-heading">
			<h2 id="owners-heading">Owners</h2>
			<p className="card-muted">
				{owners.owners.length > 0
					? `Reminders about this app go to ${names(owners.owners.map((owner) => owner.name))}.`
					: owners.fallback === 'creator'
						? 'No owners yet: its reminders go to the person who registered it.'
						: 'No owners yet: its reminders go to the organisation’s admins.'}{' '}
				Overdue items also go to the admins after the days set in the organisation’s settings.
			</p>
			{canEdit ? (
				<Form method="post" action="?form=owners" className="form" aria-label="App owners" key={[...chosen].join()}>
					<fieldset className="fieldset">
						<legend>Owners</legend>
						{members.map((member) => (
							<label key={member.userId} className="check" htmlFor={`owner-${member.userId}`}>
								<input
									id={`owner-${member.userId}`}
									type="checkbox"
									name="owners"
									value={member.userId}
									defaultChecked={chosen.has(member.userId)}
								/>
								<span>{member.name}</span>
							</label>
						))}
					</fieldset>
					<div>
						<button type="submit" className="button button-secondary" disabled={navigation.state !== 'idle'}>
							Save owners
						</button>
					</div>
				</Form>
			) : null}
		</section>
	)
}

function names(list: string[]): string {
	if (list.length <= 1) return list.join('')
	return `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`
}
