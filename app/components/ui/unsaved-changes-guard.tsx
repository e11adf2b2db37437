import { useBlocker, type BlockerFunction } from '@remix-run/react'
import { useCallback, useEffect, useRef } from 'react'

/**
 * Nothing typed is lost by leaving: while `when` holds, a link to another
 * page asks first (Stay / Leave), and closing the tab or reloading gets the
 * browser's own question. Submitting a form of the same page (Save, the
 * lifecycle buttons) is not leaving.
 */
export function UnsavedChangesGuard({ when }: { when: boolean }) {
	const shouldBlock = useCallback<BlockerFunction>(
		({ currentLocation, nextLocation }) => when && currentLocation.pathname !== nextLocation.pathname,
		[when],
	)
	const blocker = useBlocker(shouldBlock)
	const dialog = useRef<HTMLDialogElement>(null)

	useEffect(() => {
		if (!when) return
		const warn = (event: BeforeUnloadEvent) => {
			event.preventDefault()
			// Older browsers show the question only when returnValue is set.
			event.returnValue = ''
		}
		window.addEventListener('beforeunload', warn)
		return () => window.removeEventListener('beforeunload', warn)
	}, [when])

	const blocked = blocker.state === 'blocked'
	useEffect(() => {
		const element = dialog.current
		if (!element) return
		if (blocked && !element.open) element.showModal()
		if (!blocked && element.open) element.close()
	}, [blocked])

	const stay = () => {
		if (blocker.state === 'blocked') blocker.reset()
	}
	const leave = () => {
		if (blocker.state === 'blocked') blocker.proceed()
	}

	return (
		<dialog
			ref={dialog}
			className="confirm-dialog"
			aria-labelledby="unsaved-changes-title"
			aria-describedby="unsaved-changes-text"
			// Escape means stay.
			onCancel={(event) => {
				event.preventDefault()
				stay()
			}}
		>
			<h2 id="unsaved-changes-title">Leave without saving?</h2>
			<p id="unsaved-changes-text">
				You have unsaved changes. If you leave now, what you typed since the last save is lost.
			</p>
			<div className="row">
				{/* eslint-disable-next-line jsx-a11y/no-autofocus -- the safe choice has the focus when the question opens */}
				<button type="button" className="button" onClick={stay} autoFocus>
					Stay
				</button>
				<button type="button" className="button button-danger" onClick={leave}>
					Leave
				</button>
			</div>
		</dialog>
	)
}
