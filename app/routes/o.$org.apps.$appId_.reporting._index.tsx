import { type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData, type ShouldRevalidateFunction } from '@remix-run/react'
import { Ledger } from '~/components/reporting/ledger'
import { LedgerQuerySchema } from '~/schemas/reporting'
import { requireApp } from '~/services/apps.server'
import { listLedgerPage } from '~/services/ledger.server'
import { requirePermission } from '~/utils/auth.server'
import { throwRefusal } from '~/utils/refusals.server'

/**
 * The reporting page's account ledger (`…/reporting?q=…&after=…`, `?before=…`, `?from=…`, `?last=1`: keyset pages by
 * account id, shareable links), shown where the page renders its <Outlet />.
 */

const LEDGER_PAGE_SIZE = 50

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'org:view')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const query = LedgerQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
	const ledger = await listLedgerPage(org.id, app.id, { ...query, pageSize: LEDGER_PAGE_SIZE })
	return {
		base: `/o/${org.slug}/apps/${app.id}/reporting`,
		timeZone: org.timeZone,
		ledger,
		q: query.q,
		from: query.from ?? '',
	}
}

/**
 * The page's forms that never change the stored accounts: the cycle, storing-since, prepare, header-cycle and a run.
 * A new form on the page that leaves the accounts alone adds its intent here; until then the ledger is read again after it.
 */
const LEDGER_UNCHANGED_BY = new Set(['cycle', 'storing-since', 'keep-storing-since', 'prepare', 'header-cycle', 'run'])

/**
 * The ledger is counted again only when it may have changed. After one of
 * the reporting page's own forms that leave the accounts as they were (the
 * page's action or the run route), the page's loader reloads the overview
 * and this route keeps its page of accounts; after an import or
 * a completed erase/refresh task (which remove or update accounts), or any
 * other form, Remix's default applies and the ledger is read again. A search
 * or another page of the ledger changes the URL, which reloads it as usual.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({
	currentUrl,
	formMethod,
	formAction,
	formData,
	defaultShouldRevalidate,
}) => {
	if (!formMethod || formMethod.toUpperCase() === 'GET' || !formAction) return defaultShouldRevalidate
	const fromThisPage = new URL(formAction, currentUrl).pathname.startsWith(currentUrl.pathname)
	const intent = formData?.get('intent')
	if (fromThisPage && typeof intent === 'string' && LEDGER_UNCHANGED_BY.has(intent)) return false
	return defaultShouldRevalidate
}

export default function LedgerRoute() {
	const { base, timeZone, ledger, q, from } = useLoaderData<typeof loader>()
	return <Ledger base={base} ledger={ledger} q={q} from={from} timeZone={timeZone} />
}
