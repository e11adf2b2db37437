import { describe, expect, it } from 'vitest'
import {
	appAccess,
	approvalStanding,
	identityConflict,
	personalDataConflict,
	type AccessEvent,
} from '~/domain/approved-scope'

const day = (n: number) => new Date(Date.UTC(2026, 2, n, 12))
const approve = (requestId: string, n: number, seq: number): AccessEvent => ({
	requestId,
	kind: 'approved',
	at: day(n),
	seq,
})
const revoke = (requestId: string, n: number, seq: number): AccessEvent => ({
	requestId,
	kind: 'revoked',
	at: day(n),
	seq,
})

describe('appAccess (issue 9, finding 7)', () => {
	it('no approval: no access', () => {
		expect(appAccess([])).toEqual({ status: 'none' })
	})

	it('the latest approval is the scope', () => {
		expect(appAccess([approve('a', 1, 1), approve('b', 5, 2)])).toEqual({
			status: 'approved',
			requestId: 'b',
			approvedAt: day(5),
		})
	})

	it('revoking an amendment does not bring the older approval back', () => {
		expect(appAccess([approve('a', 1, 1), approve('b', 5, 2), revoke('b', 8, 3)])).toEqual({
			status: 'revoked',
			requestId: 'b',
			revokedAt: day(8),
		})
	})

	it('revoking an older request ends the app’s access too: Atlassian revokes the app', () => {
		expect(appAccess([approve('a', 1, 1), approve('b', 5, 2), revoke('a', 8, 3)])).toMatchObject({ status: 'revoked' })
	})

	it('a request approved after the revocation is the scope again', () => {
		expect(appAccess([approve('a', 1, 1), revoke('a', 8, 2), approve('c', 9, 3)])).toEqual({
			status: 'approved',
			requestId: 'c',
			approvedAt: day(9),
		})
		// Same day: the order they were recorded in.
		expect(appAccess([approve('a', 1, 1), revoke('a', 8, 2), approve('c', 8, 3)])).toMatchObject({
			status: 'approved',
			requestId: 'c',
		})
	})

	it('orders by when it happened, so a revocation recorded late still ends an approval before it', () => {
		// Atlassian revoked on the 8th; it was recorded after c's approval of the 6th.
		expect(appAccess([approve('a', 1, 1), approve('c', 6, 2), revoke('a', 8, 3)])).toMatchObject({ status: 'revoked' })
		// c was approved on the 9th, after a revocation of the 8th that was recorded later.
		expect(appAccess([approve('a', 1, 1), approve('c', 9, 2), revoke('a', 8, 3)])).toMatchObject({
			status: 'approved',
			requestId: 'c',
		})
	})
})

describe('approvalStanding', () => {
	it('in force, superseded or revoked', () => {
		expect(approvalStanding({ status: 'approved', requestId: 'a', approvedAt: day(1) }, 'a')).toEqual({
			standing: 'in_force',
		})
		expect(approvalStanding({ status: 'approved', requestId: 'b', approvedAt: day(5) }, 'a')).toEqual({
			standing: 'superseded',
			byRequestId: 'b',
			at: day(5),
		})
		expect(approvalStanding({ status: 'revoked', requestId: 'b', revokedAt: day(8) }, 'a')).toEqual({
			standing: 'revoked',
			byRequestId: 'b',
			at: day(8),
		})
	})
})

describe('personalDataConflict (the approved request drives the app)', () => {
	it('agreeing answers, or no approved answer, are no conflict', () => {
		expect(personalDataConflict('yes', true)).toBeNull()
		expect(personalDataConflict('no', false)).toBeNull()
		expect(personalDataConflict('undecided', null)).toBeNull()
		expect(personalDataConflict('yes', null)).toBeNull()
	})

	it('the app saying no or not decided while the approved request says yes', () => {
		expect(personalDataConflict('no', true)).toEqual({
			app: 'no',
			approved: 'yes',
			message:
				'The app record says it stores no personal data, but the approved request says it stores personal data: submit an amendment or correct the app.',
		})
		expect(personalDataConflict('undecided', true)?.message).toBe(
			'The app record says it is not decided whether it stores personal data, but the approved request says it stores personal data: submit an amendment or correct the app.',
		)
	})

	it('and the other way round', () => {
		expect(personalDataConflict('yes', false)).toMatchObject({ app: 'yes', approved: 'no' })
		expect(personalDataConflict('undecided', false)).toMatchObject({ app: 'undecided', approved: 'no' })
	})
})

describe('identityConflict (the app is the one Atlassian approved)', () => {
	const approved = { appType: 'forge', appKey: 'com.acme.notifier' }

	it('is null while the app keeps the approved type and key', () => {
		expect(identityConflict({ appType: 'forge', appKey: 'com.acme.notifier' }, approved)).toBeNull()
		// A request approved before it carried a type says nothing about it.
		expect(
			identityConflict({ appType: 'api_token', appKey: 'com.acme.notifier' }, { ...approved, appType: null }),
		).toBeNull()
	})

	it('says which of type and key changed, in words', () => {
		expect(identityConflict({ appType: 'api_token', appKey: 'com.acme.notifier' }, approved)).toBe(
			'The app record says “Script using an API token”, the approved request “Forge app”. Atlassian approved the app as the request described it: submit an amendment or correct the app.',
		)
		expect(identityConflict({ appType: 'forge', appKey: 'com.acme.other' }, approved)).toContain(
			'The app key is “com.acme.other”, the approved request’s “com.acme.notifier”',
		)
	})
})
