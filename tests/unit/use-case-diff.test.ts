import { describe, expect, it } from 'vitest'
import { diffUseCases, identityOfUseCase } from '~/domain/use-case-diff'
import { csvCell, toCsv } from '~/utils/csv'

describe('diffUseCases', () => {
	it('lists added, removed and unchanged use cases in list order', () => {
		const approved = [{ code: 'send_security_alerts' }, { code: 'other', description: 'Notify incident watchers' }]
		const next = [
			{ code: 'send_security_alerts' },
			{ code: 'invite_collaborators' },
			{ code: 'other', description: 'Weekly digest' },
		]
		expect(diffUseCases(approved, next)).toEqual({
			added: [{ code: 'invite_collaborators' }, { code: 'other', description: 'Weekly digest' }],
			removed: [{ code: 'other', description: 'Notify incident watchers' }],
			unchanged: [{ code: 'send_security_alerts' }],
		})
	})

	it('treats a retyped custom description as the same use case, a reworded one as new', () => {
		expect(identityOfUseCase({ code: 'other', description: '  Notify   Incident watchers ' })).toBe(
			identityOfUseCase({ code: 'other', description: 'notify incident watchers' }),
		)
		const diff = diffUseCases(
			[{ code: 'other', description: 'Notify watchers' }],
			[{ code: 'other', description: 'Email watchers' }],
		)
		expect(diff.added).toHaveLength(1)
		expect(diff.removed).toHaveLength(1)
	})

	it('no change and duplicates collapse', () => {
		const list = [{ code: 'sync_users' }, { code: 'sync_users' }]
		expect(diffUseCases(list, list)).toEqual({ added: [], removed: [], unchanged: [{ code: 'sync_users' }] })
		expect(diffUseCases([], [])).toEqual({ added: [], removed: [], unchanged: [] })
	})
})

describe('csv', () => {
	it('neutralises formula cells and quotes everything', () => {
		for (const dangerous of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(dangerous)).toMatch(/^"'/)
		expect(csvCell('plain')).toBe('"plain"')
		expect(csvCell('say "hi"')).toBe('"say ""hi"""')
		expect(csvCell(null)).toBe('""')
		expect(csvCell({ a: 1 })).toBe('"{""a"":1}"')
		expect(
			toCsv([
				['a', 1],
				['b', 2],
			]),
		).toBe('"a","1"\r\n"b","2"\r\n')
	})
})
