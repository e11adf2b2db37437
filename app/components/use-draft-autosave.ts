import { useFetcher, useNavigation } from '@remix-run/react'
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react'
import {
	AUTOSAVE_DELAY_MS,
	draftSnapshot,
	mayAutosave,
	statusOfAnswer,
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
	const [status, setStatus] = useState<AutosaveStatus>({ kind: 'idle' })
	const [dirty, setDirty] = useState(unsaved)
	const [baseVersion, setBaseVersion] = useState(version)
	// What was last saved (null: nothing of what is shown was saved), and what is on its way.
	const saved = useRef<string | null>(null)
	const sending = useRef<{ snapshot: string; before: unknown } | null>(null)
	const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
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
		if (busy) {
			schedule()
			return
		}
		if (!(await check())) {
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
		if (!sent || fetcher.state === 'submitting' || !fetcher.data || fetcher.data === sent.before) return
		sending.current = null
		const next = statusOfAnswer(fetcher.data)
		setStatus(next)
		if (next.kind !== 'saved') return
		saved.current = sent.snapshot
		if (typeof fetcher.data.version === 'number') {
			setBaseVersion(fetcher.data.version)
			latest.current.baseVersion = fetcher.data.version
		}
		// Typed while the save was on its way: that is saved after the next pause.
		const changed = snapshotOf(formRef.current) !== sent.snapshot
		setDirty(changed)
		if (changed) schedule()
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [fetcher.state, fetcher.data, formRef])

	useEffect(() => () => clearTimeout(timer.current), [])

	/** The Save button was pressed: no autosave races it. */
	const onManualSave = useCallback(() => clearTimeout(timer.current), [])

	return {
		status,
		/** Something typed is not saved yet (or a save is on its way). */
		unsavedChanges: dirty || fetcher.state === 'submitting',
		/** The version the next save is checked against. */
		baseVersion,
		autosaving: fetcher.state !== 'idle',
		onManualSave,
	}
}
