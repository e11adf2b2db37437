import { data } from '@remix-run/node'
import { z } from 'zod'
import { can } from '~/domain/roles'
import { setOwners } from '~/services/app-owners.server'
import { requireApp } from '~/services/apps.server'
import { assertPermission, requireMember } from './auth.server'
import { parseForm } from './forms'
import { formRefusal, throwRefusal } from './refusals.server'

const OwnersSchema = z.object({ owners: z.array(z.string().max(100)).max(100) })

type OwnersResult = { intent: 'owners'; notice?: string; formError?: string | null; errors?: Record<string, string> }

/**
 * The app page's "Owners" form (posted with `?form=owners`): the app's
 * editors and the organisation's admins choose who receives its reminders.
 */
export async function saveOwnersFromForm(request: Request, params: { org?: string; appId?: string }) {
	const member = await requireMember(request, params.org)
	if (!can(member.roles, 'members:manage')) {
		await assertPermission(request, member, 'apps:edit', 'Only the app’s editors and the admins change its owners.')
	}
	const app = await requireApp(member.org.id, params.appId).catch(throwRefusal)
	const form = await parseForm(request, OwnersSchema, { arrayKeys: ['owners'] })
	if (!form.success) {
		return data<OwnersResult>({ intent: 'owners', formError: 'Pick owners from the list.' }, 400)
	}
	try {
		await setOwners(member.org.id, member.user.id, app.id, form.data.owners)
	} catch (error) {
		return formRefusal<OwnersResult>(error, { intent: 'owners' }, { place: 'top' })
	}
	return data<OwnersResult>({ intent: 'owners', notice: 'Owners saved. They receive this app’s reminders.' })
}
