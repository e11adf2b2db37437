import { useFetcher, useNavigation, useSubmit } from '@remix-run/react'
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react'
import {
	AUTOSAVE_DELAY_MS,
	draftSnapshot,
	mayAutosave,
	queuedSaveAfterAutosave,
	statusOfAnswer,
	whenSaveClicked,
	type AutosaveStatus,
	type SaveAnswer,
} from '~/domain/draft-autosave'

/** The one fetcher a request's autosave runs through; the page reads it too (to keep the editor mounted). */
export const autosaveFetcherKey = (requestId: string) => `request-autosave:${requestId}`

function snapshotOf(form: HTMLFormElement | null): string | null {
	return form ? draftSnapshot(new FormData(form).entries()) : null
}

/**
 * Saves the draft a moment after the person stops typing, through the
 * page's own save action and its version check: the version sent is the one
 * this editor last saw or saved, so someone else's save in between is a
 * conflict, said on the status line, and is never overwritten. Without
 * JavaScript nothing here runs and the Save button posts the form.
 *
 * The Save button is never disabled by an autosave: pressed while one is
 * on its way, the person's save waits for its answer and then is sent with
 * the version that autosave made, or, when that autosave already saved the
 * form exactly as it is, is confirmed without a second save (`saveNow`).
 *
 * `unsaved`: the form was rendered with values that were not saved (after a
 * refused save), so it counts as changed from the start.
 */
export function useDraftAutosave({
	formRef,
	version,
	watched,
	validate,
	fetcherKey,
	unsaved = false,
}: {
	formRef: RefObject<HTMLFormElement | null>
	version: number
	/** Changes whenever a field changes (react-hook-form's watched values). */
	watched: unknown
	/** Checks the fields as a save would, marking what needs attention. */
	validate: () => Promise<boolean>
	/** Null: no autosave (the leave warning still works). */
	fetcherKey: string | null
	unsaved?: boolean
}) {
	const fetcher = useFetcher<SaveAnswer>({ key: fetcherKey ?? 'request-autosave:off' })
	const navigation = useNavigation()
	const submit = useSubmit()
	const [status, setStatus] = useState<AutosaveStatus>({ kind: 'idle' })
	const [dirty, setDirty] = useState(unsaved)
	const [baseVersion, setBaseVersion] = useState(version)
	// What was last saved (null: nothing of what is shown was saved), and what is on its way.
	const saved = useRef<string | null>(null)
	const sending = useRef<{ snapshot: string; before: unknown } | null>(null)
	const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
	// An autosave being checked (not sent yet): the Save button drops it by moving the counter on.
	const checking = useRef(0)
	const attempts = useRef(0)
	// The Save button was pressed while an autosave was on its way: it is done when that autosave answers.
	const [queued, setQueued] = useState(false)
	const queuedRef = useRef(false)
	// "Draft saved" for a Save click the autosave had already done.
	const [confirmation, setConfirmation] = useState<string | null>(null)
	// The latest of everything a timer reads when it fires.
	const latest = useRef({ status, baseVersion, fetcher, validate, busy: false })
	latest.current = {
		status,
		baseVersion,
		fetcher,
		validate,
		busy: navigation.state !== 'idle' || fetcher.state !== 'idle',
	}

	const attempt = useCallback(async () => {
		const { status: now, baseVersion: base, fetcher: saver, validate: check, busy } = latest.current
		if (!fetcherKey || !mayAutosave(now)) return
		const form = formRef.current
		const snapshot = snapshotOf(form)
		if (!form || snapshot === null || snapshot === saved.current) return
		// A save already on its way (or the Save button's): try again after a pause.
		if (busy || queuedRef.current) {
			schedule()
			return
		}
		const mine = ++attempts.current
		checking.current = mine
		const valid = await check()
		// The Save button was pressed meanwhile: its save carries everything.
		if (checking.current !== mine) return
		checking.current = 0
		if (!valid) {
			setStatus({ kind: 'invalid' })
			return
		}
		const data = new FormData(form)
		data.set('intent', 'save')
		data.set('version', String(base))
		sending.current = { snapshot: draftSnapshot(data.entries()), before: saver.data }
		setStatus({ kind: 'saving' })
		saver.submit(data, { method: 'post' })
		// eslint-disable-next-line react-hooks/exhaustive-deps -- reads the latest values through `latest`
	}, [fetcherKey, formRef])

	function schedule() {
		clearTimeout(timer.current)
		timer.current = setTimeout(() => void attempt(), AUTOSAVE_DELAY_MS)
	}

	useEffect(() => {
		if (!unsaved) saved.current = snapshotOf(formRef.current)
	}, [formRef, unsaved])

	// Every change: is the form different from what was saved? Then save after a pause.
	useEffect(() => {
		const changed = snapshotOf(formRef.current) !== saved.current
		setDirty(changed)
		clearTimeout(timer.current)
		if (!changed || !fetcherKey || !mayAutosave(latest.current.status)) return
		setStatus((now) => (now.kind === 'saving' || now.kind === 'pending' ? now : { kind: 'pending' }))
		schedule()
		// Only a change of the fields restarts the pause.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [watched, formRef, fetcherKey])

	// The answer to this editor's own save.
	useEffect(() => {
		const sent = sending.current
		if (!sent || fetcher.state === 'submitting') return
		const answered = Boolean(fetcher.data) && fetcher.data !== sent.before
		// Still revalidating before the answer is read, or (idle without an answer) the request itself failed.
		if (!answered && fetcher.state !== 'idle') return
		sending.current = null
		const answer: SaveAnswer = answered && fetcher.data ? fetcher.data : {}
		const next = statusOfAnswer(answer)
		setStatus(next)
		const current = snapshotOf(formRef.current)
		const versionBefore = latest.current.baseVersion
		if (next.kind === 'saved') {
			saved.current = sent.snapshot
			if (typeof answer.version === 'number') {
				setBaseVersion(answer.version)
				latest.current.baseVersion = answer.version
			}
			setDirty(current !== sent.snapshot)
		}
		if (queuedRef.current) {
			queuedRef.current = false
			setQueued(false)
			const form = formRef.current
			if (!form || current === null) return
			const then = queuedSaveAfterAutosave({ answer, sent: sent.snapshot, current, versionBefore })
			if (then.kind === 'confirm') {
				setConfirmation(then.notice)
				return
			}
			const data = new FormData(form)
			data.set('intent', 'save')
			data.set('version', String(then.version))
			submit(data, { method: 'post' })
			return
		}
		// Typed while the save was on its way: that is saved after the next pause.
		if (next.kind === 'saved' && current !== sent.snapshot) schedule()
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [fetcher.state, fetcher.data, formRef])

	useEffect(() => () => clearTimeout(timer.current), [])

	/**
	 * The Save button was pressed (and the form passed its checks): send the
	 * form now, or, while an autosave is on its way, when it has answered.
	 */
	const saveNow = useCallback(
		(form: HTMLFormElement) => {
			clearTimeout(timer.current)
			setConfirmation(null)
			const inFlight = sending.current ? 'sending' : checking.current ? 'checking' : 'idle'
			checking.current = 0
			if (whenSaveClicked(inFlight) === 'after-autosave') {
				queuedRef.current = true
				setQueued(true)
				return
			}
			submit(form)
		},
		[submit],
	)

	return {
		status,
		/** Something typed is not saved yet (or a save is on its way, or the Save button's waits for one). */
		unsavedChanges: dirty || fetcher.state === 'submitting' || queued,
		/** The Save button was pressed during an autosave: its save follows that autosave's answer. */
		saveQueued: queued,
		/** "Draft saved…": the autosave in flight when Save was pressed had already saved everything. */
		confirmation,
		/** The version the next save is checked against. */
		baseVersion,
		autosaving: fetcher.state !== 'idle',
		saveNow,
	}
}
