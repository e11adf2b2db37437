import { useFetcher, useNavigation } from '@remix-run/react'
import { useEffect, useState } from 'react'
import { type ReportingActionResult } from './action-result'

/**
 * The import and run forms post to their own routes through these fetchers
 * (keyed, so the page's messages read the same answer the form got). With
 * JavaScript the page stays where it is; without, the browser posts to the
 * route's own page, which shows the answer.
 */
export const IMPORT_FETCHER = 'reporting-import'
export const RUN_FETCHER = 'reporting-run'

type Source = 'page' | 'import' | 'run'

/**
 * The one answer the reporting page shows, as before the import and run
 * actions had routes of their own: the latest of the page's own action
 * (cycle, tasks, storing-since, prepare, header-cycle) and the import and
 * run fetchers. A new page view (a search, a page of the ledger) clears it,
 * as it clears the page's action data. The page read again in place (as when an import ends) keeps it: the router
 * drops the action's data then, and the message must not go with it. `busy` while any of them is sending.
 */
export function useReportingResult(pageResult: ReportingActionResult | undefined) {
	const imported = useFetcher<ReportingActionResult>({ key: IMPORT_FETCHER })
	const run = useFetcher<ReportingActionResult>({ key: RUN_FETCHER })
	const navigation = useNavigation()
	const [latest, setLatest] = useState<Source>('page')
	const [kept, setKept] = useState(pageResult)
	useEffect(() => {
		if (!pageResult) return
		setKept(pageResult)
		setLatest('page')
	}, [pageResult])
	// A page view (a link, a search: anything but the page's own form posting) clears it; reading the page again in
	// place (useRevalidator) is no navigation at all, and a post's answer comes as pageResult.
	const viewing = navigation.state === 'loading' && (navigation.formMethod ?? 'GET').toUpperCase() === 'GET'
	useEffect(() => {
		if (!viewing) return
		setKept(undefined)
		setLatest('page')
	}, [viewing])
	useEffect(() => {
		if (imported.data) setLatest('import')
	}, [imported.data])
	useEffect(() => {
		if (run.data) setLatest('run')
	}, [run.data])
	const result = latest === 'import' ? imported.data : latest === 'run' ? run.data : kept
	const busy = navigation.state === 'submitting' || imported.state === 'submitting' || run.state === 'submitting'
	return { result, busy, source: latest }
}
