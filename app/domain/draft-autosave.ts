/**
 * Autosave of a request draft: what the editor's status line says, and
 * whether what is in the form differs from what was last saved. Saving goes
 * through the ordinary save and its version check (docs/architecture.md ›
 * Transactions and concurrency): a draft someone else saved in the meantime
 * is never overwritten.
 */

/** The pause after the last keystroke before the draft is saved. */
export const AUTOSAVE_DELAY_MS = 2000

export type AutosaveStatus =
	| { kind: 'idle' }
	| { kind: 'pending' }
	| { kind: 'saving' }
	| { kind: 'saved'; at: string }
	| { kind: 'invalid' }
	| { kind: 'conflict' }
	| { kind: 'failed'; message: string }

/** What the save action answers (the fields the editor reads). */
export type SaveAnswer = {
	version?: number
	savedAt?: string
	conflict?: boolean
	errors?: Record<string, string>
	formError?: string | null
	/** What a save by the Save button says ("Draft saved. …"). */
	notice?: string | null
}

/** Form fields that are not the draft's content. */
const NOT_CONTENT = new Set(['intent', 'version'])

/**
 * The draft's content as one comparable string: every text field in form
 * order (checkboxes only when ticked, as the browser posts them). Two
 * snapshots are equal exactly when a save would send the same fields.
 */
export function draftSnapshot(entries: Iterable<[string, unknown]>): string {
	const kept: [string, string][] = []
	for (const [name, value] of entries) {
		if (NOT_CONTENT.has(name) || typeof value !== 'string') continue
		kept.push([name, value])
	}
	return JSON.stringify(kept)
}

/** The status after the save action answered. */
export function statusOfAnswer(answer: SaveAnswer): AutosaveStatus {
	if (answer.conflict) return { kind: 'conflict' }
	if (typeof answer.version === 'number' && !answer.formError)
		return { kind: 'saved', at: answer.savedAt ?? new Date().toISOString() }
	if (answer.errors && Object.keys(answer.errors).length > 0) return { kind: 'invalid' }
	return { kind: 'failed', message: answer.formError || 'The draft could not be saved.' }
}

/** A conflict stops autosaving until the page is reloaded: the other person's version is never overwritten. */
export function mayAutosave(status: AutosaveStatus): boolean {
	return status.kind !== 'conflict'
}

/**
 * The Save button was pressed. It is never disabled because an autosave is
 * on its way (the button would turn grey under the pointer and the click be
 * lost): while an autosave is being sent, the person's save waits for its
 * answer, so it is checked against the version that autosave made and never
 * conflicts with it. Otherwise it is sent at once (an autosave still being
 * checked, not yet sent, is dropped: the person's save carries everything).
 */
export function whenSaveClicked(autosave: 'idle' | 'checking' | 'sending'): 'now' | 'after-autosave' {
	return autosave === 'sending' ? 'after-autosave' : 'now'
}

/**
 * The autosave a waiting Save click followed has answered. It already did
 * the person's save when it was saved and carried the form exactly as it is
 * now: say so with the save's own words ("Draft saved…"), without a second
 * save. Otherwise (typed since, refused, failed, conflict) the person's save
 * is sent as they asked, checked against the version that autosave made (or,
 * when it made none, the version it was checked against itself), so it never
 * conflicts with the autosave; its own answer is said as for any save.
 */
export function queuedSaveAfterAutosave({
	answer,
	sent,
	current,
	versionBefore,
}: {
	/** What the autosave's save answered ({} when the request itself failed). */
	answer: SaveAnswer
	/** The autosave's snapshot (draftSnapshot) and the form's now. */
	sent: string
	current: string
	/** The version the autosave was checked against. */
	versionBefore: number
}): { kind: 'confirm'; notice: string } | { kind: 'send'; version: number } {
	const status = statusOfAnswer(answer)
	const version = status.kind === 'saved' && typeof answer.version === 'number' ? answer.version : versionBefore
	if (status.kind === 'saved' && sent === current) return { kind: 'confirm', notice: answer.notice || 'Draft saved.' }
	return { kind: 'send', version }
}

/** The status line under the editor, for people. */
export function autosaveStatusText(status: AutosaveStatus, timeZone: string): string {
	switch (status.kind) {
		case 'idle':
			return 'Changes are saved automatically a moment after you stop typing.'
		case 'pending':
			return 'Unsaved changes…'
		case 'saving':
			return 'Saving…'
		case 'saved':
			return `All changes saved at ${new Date(status.at).toLocaleTimeString('en-GB', {
				hour: '2-digit',
				minute: '2-digit',
				timeZone,
			})}`
		case 'invalid':
			return 'Not saved yet: some fields need attention (marked in the form).'
		case 'conflict':
			return 'Not saved: someone else changed this request — reload to see their version. Copy what you need first.'
		case 'failed':
			return `Not saved: ${status.message}`
	}
}

/** The tone of the status line: it says in colour as well as in words whether the work is safe. */
export function autosaveTone(status: AutosaveStatus): 'ok' | 'warn' | 'bad' | 'muted' {
	switch (status.kind) {
		case 'saved':
			return 'ok'
		case 'invalid':
			return 'warn'
		case 'conflict':
		case 'failed':
			return 'bad'
		default:
			return 'muted'
	}
}
