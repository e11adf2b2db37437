import { describe, expect, it } from 'vitest'
import {
	autosaveStatusText,
	autosaveTone,
	draftSnapshot,
	mayAutosave,
	queuedSaveAfterAutosave,
	statusOfAnswer,
	whenSaveClicked,
	type AutosaveStatus,
} from '~/domain/draft-autosave'

describe('draftSnapshot: has anything changed since the last save', () => {
	const base: [string, unknown][] = [
		['intent', 'save'],
		['version', '3'],
		['appName', 'Mail Bridge'],
		['products', 'jira'],
	]

	it('ignores the intent and the version, so a save that only bumps the version is not a change', () => {
		const afterSave = base.map(([name, value]) => [name, name === 'version' ? '4' : value] as [string, unknown])
		expect(draftSnapshot(afterSave)).toBe(draftSnapshot(base))
	})

	it('a typed character, a ticked box or an unticked box is a change', () => {
		expect(draftSnapshot([...base.slice(0, 2), ['appName', 'Mail Bridges'], base[3]!])).not.toBe(draftSnapshot(base))
		expect(draftSnapshot([...base, ['products', 'confluence']])).not.toBe(draftSnapshot(base))
		expect(draftSnapshot(base.slice(0, 3))).not.toBe(draftSnapshot(base))
	})

	it('leaves out anything that is not text (files)', () => {
		expect(draftSnapshot([...base, ['upload', new Blob(['x'])]])).toBe(draftSnapshot(base))
	})
})

describe('statusOfAnswer and the status line', () => {
	it('a save with its version is "All changes saved at" the time in the organisation’s time zone', () => {
		const status = statusOfAnswer({ version: 4, savedAt: '2026-11-29T13:02:00.000Z', formError: null })
		expect(status).toEqual({ kind: 'saved', at: '2026-11-29T13:02:00.000Z' })
		expect(autosaveStatusText(status, 'Europe/Berlin')).toBe('All changes saved at 14:02')
		expect(autosaveStatusText(status, 'UTC')).toBe('All changes saved at 13:02')
		expect(autosaveTone(status)).toBe('ok')
	})

	it('a conflict says someone else changed the request, and stops autosaving', () => {
		const status = statusOfAnswer({ conflict: true, formError: 'Someone else saved this request…' })
		expect(status).toEqual({ kind: 'conflict' })
		expect(autosaveStatusText(status, 'UTC')).toMatch(
			/^Not saved: someone else changed this request — reload to see their version/,
		)
		expect(mayAutosave(status)).toBe(false)
		expect(autosaveTone(status)).toBe('bad')
	})

	it('field errors wait for the person; another refusal is said in its own words', () => {
		expect(statusOfAnswer({ errors: { privacyPolicyUrl: 'Enter a web address' }, formError: 'x' })).toEqual({
			kind: 'invalid',
		})
		const failed = statusOfAnswer({ formError: 'Nothing was saved. Remove the email address.' })
		expect(autosaveStatusText(failed, 'UTC')).toBe('Not saved: Nothing was saved. Remove the email address.')
		expect(mayAutosave(failed)).toBe(true)
	})

	it('every status has words for people', () => {
		const all: AutosaveStatus[] = [
			{ kind: 'idle' },
			{ kind: 'pending' },
			{ kind: 'saving' },
			{ kind: 'invalid' },
			{ kind: 'conflict' },
		]
		for (const status of all) expect(autosaveStatusText(status, 'UTC')).toMatch(/^[A-Z].+/)
		expect(autosaveStatusText({ kind: 'saving' }, 'UTC')).toBe('Saving…')
	})
})

describe('the Save button during an autosave: the click waits, it is never dropped', () => {
	const sent = draftSnapshot([['functionalityDescription', 'Sends security alerts.']])
	const typedSince = draftSnapshot([['functionalityDescription', 'Sends security alerts. And incident notes.']])
	const saved = {
		version: 5,
		savedAt: '2026-11-29T13:02:00.000Z',
		formError: null,
		notice: 'Draft saved. Some checks still fail.',
	}

	it('waits for an autosave on its way; otherwise saves at once (an autosave only being checked is overtaken)', () => {
		expect(whenSaveClicked('sending')).toBe('after-autosave')
		expect(whenSaveClicked('checking')).toBe('now')
		expect(whenSaveClicked('idle')).toBe('now')
	})

	it('the autosave already saved the form as it is: the click is confirmed with the save’s own words, no second save', () => {
		expect(queuedSaveAfterAutosave({ answer: saved, sent, current: sent, versionBefore: 4 })).toEqual({
			kind: 'confirm',
			notice: 'Draft saved. Some checks still fail.',
		})
		expect(
			queuedSaveAfterAutosave({ answer: { ...saved, notice: undefined }, sent, current: sent, versionBefore: 4 }),
		).toEqual({ kind: 'confirm', notice: 'Draft saved.' })
	})

	it('typed after the autosave left: the save is sent with the version the autosave made, so it never conflicts with it', () => {
		expect(queuedSaveAfterAutosave({ answer: saved, sent, current: typedSince, versionBefore: 4 })).toEqual({
			kind: 'send',
			version: 5,
		})
	})

	it('the autosave was refused or failed: the save is still sent as asked, from the version before, and answers for itself', () => {
		const refusals = [
			{ conflict: true, formError: 'Someone else saved this request…' },
			{ errors: { privacyPolicyUrl: 'Enter a web address' }, formError: 'Some fields need attention' },
			{ formError: 'Nothing was saved.' },
			{},
		]
		for (const answer of refusals)
			expect(queuedSaveAfterAutosave({ answer, sent, current: sent, versionBefore: 4 })).toEqual({
				kind: 'send',
				version: 4,
			})
	})
})
