import { Form, useNavigation } from '@remix-run/react'
import { FormAlert } from '~/components/ui/form'
import { type ReportingActionResult } from './action-result'

/**
 * The page-wide messages of an answer: a refusal no form owns (the body
 * could not be read), what was done, and what needs a look.
 */
export function ResultAlerts({
	result,
	noticeShownByForm = false,
}: {
	result?: ReportingActionResult
	/** The form that sent it says what was done and what needs a look, beside its button (the run form): not said twice. */
	noticeShownByForm?: boolean
}) {
	return (
		<>
			<FormAlert message={result && !result.intent ? result.formError : undefined} />
			{result?.notice && !noticeShownByForm ? (
				<div className="alert alert-ok" role="status">
					{result.notice}
					{result.undoTaskId ? <UndoTask taskId={result.undoTaskId} /> : null}
				</div>
			) : null}
			{result?.warning && !(noticeShownByForm && result.notice) ? (
				<div className="alert alert-warn" role="status">
					{result.warning}
				</div>
			) : null}
		</>
	)
}

/** A task marked done by mistake, put back as it was: posted to the page, as marking it done was. */
export function UndoTask({ taskId }: { taskId: string }) {
	// Pressed twice, the second undo would find the task open already and its refusal would replace "Undone".
	const busy = useNavigation().state !== 'idle'
	return (
		<Form method="post" className="inline-form">
			<input type="hidden" name="intent" value="reopen" />
			<input type="hidden" name="taskId" value={taskId} />
			<button type="submit" className="button-link" disabled={busy}>
				Undo
			</button>
		</Form>
	)
}
