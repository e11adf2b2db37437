import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { isSlug } from '~/domain/slug'
import { createDraft } from '~/services/requests.server'
import { requirePermission } from '~/utils/auth.server'
import { NO_SUCH_ORGANISATION } from '~/utils/errors'
import { readFormData } from '~/utils/forms'
import { notFound } from '~/utils/http.server'
import { throwRefusal } from '~/utils/refusals.server'

// POST { appId } → a new draft request for that app, prefilled from it.
export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'requests:edit')
	const appId = (await readFormData(request)).get('appId')
	if (typeof appId !== 'string') notFound('No such app in this organisation.')
	try {
		const draft = await createDraft(org.id, user.id, appId)
		return redirect(`/o/${org.slug}/requests/${draft.id}`)
	} catch (error) {
		throwRefusal(error)
	}
}

// A GET (a reload, a bookmark) goes to the list; a slug that names no organisation is a 404, never copied into Location.
export async function loader({ params }: LoaderFunctionArgs) {
	if (!isSlug(params.org)) notFound(NO_SUCH_ORGANISATION)
	return redirect(`/o/${encodeURIComponent(params.org)}/requests`)
}
