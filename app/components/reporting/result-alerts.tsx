import { FormAlert } from '~/components/ui/form'
import { type ReportingActionResult } from './action-result'

/**
 * The page-wide messages of an answer: a refusal no form owns (the body
 * could not be read), what was done, and what needs a look.
 */
export function ResultAlerts({ result }: { result?: ReportingActionResult }) {
	return (
		<>
			<FormAlert message={result && !result.intent ? result.formError : undefined} />
			{result?.notice ? (
				<div className="alert alert-ok" role="status">
					{result.notice}
				</div>
			) : null}
			{result?.warning ? (
				<div className="alert alert-warn" role="status">
					{result.warning}
				</div>
			) : null}
		</>
	)
}
