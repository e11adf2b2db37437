import { db, type Database, type Tx } from '#db/client.server'
import { amendsNothing } from '~/domain/amendment'
import { type AppAccess } from '~/domain/approved-scope'
import { type RequestFields } from '~/schemas/request'
import { loadAppAccess } from './approved-scope.server'
import { getRequest, requestToFields, type RequestDetail } from './requests.server'

/**
 * What an amendment is compared with (docs/rules.md › Appropriate use): the fields of the request it amends, while
 * that request is the app's approval in force. An amendment of an approval revoked since, or superseded by a later
 * one, asks for something else than the scope in force even when it repeats its request word for word: it is
 * compared with nothing, and never held back as changing nothing.
 */
export async function amendmentBasis(
	orgId: string,
	request: RequestDetail,
	{
		q = db,
		amended,
		access: known,
	}: {
		q?: Database | Tx
		/** The request it amends, and the app's access, when the caller has read them already. */
		amended?: RequestDetail | null
		access?: AppAccess
	} = {},
): Promise<{ amends: RequestFields | null; empty: boolean }> {
	if (!request.amendsRequestId) return { amends: null, empty: false }
	const approved = amended !== undefined ? amended : await getRequest(orgId, request.amendsRequestId, q)
	if (!approved || approved.state !== 'approved') return { amends: null, empty: false }
	const access = known ?? (await loadAppAccess(q, orgId, request.appId))
	if (access.status !== 'approved' || access.requestId !== approved.id) return { amends: null, empty: false }
	const amends = requestToFields(approved)
	return { amends, empty: amendsNothing(amends, requestToFields(request)) }
}
