import { describe, expect, it } from 'vitest'
import {
	can,
	leavesAnAdmin,
	normaliseRoles,
	PERMISSIONS,
	roleNeededMessage,
	ROLES,
	type Permission,
	type Role,
} from '~/domain/roles'

describe('role checks', () => {
	const table: [Permission, Role[]][] = [
		['org:view', ['member', 'reviewer', 'admin']],
		['apps:edit', ['member']],
		['requests:edit', ['member']],
		['requests:review', ['reviewer']],
		['members:manage', ['admin']],
		['audit:read', ['admin']],
		['api-keys:manage', ['admin']],
		['webhooks:manage', ['admin']],
		['reporting-connections:manage', ['admin']],
	]

	it('covers every permission', () => {
		expect(table.map(([permission]) => permission).sort()).toEqual(Object.keys(PERMISSIONS).sort())
	})

	it.each(table)('%s is granted to exactly %j', (permission, allowed) => {
		for (const role of ROLES) expect(can([role], permission)).toBe(allowed.includes(role))
	})

	it('admin does not imply reviewer (four eyes is a deliberate grant)', () => {
		expect(can(['admin'], 'requests:review')).toBe(false)
		expect(can(['admin', 'reviewer'], 'requests:review')).toBe(true)
	})

	it('nobody without roles can do anything', () => {
		for (const permission of Object.keys(PERMISSIONS) as Permission[]) expect(can([], permission)).toBe(false)
	})

	it('normalises role lists', () => {
		expect(normaliseRoles(['admin', 'member', 'admin', 'owner'])).toEqual(['member', 'admin'])
	})

	it('keeps at least one admin', () => {
		expect(leavesAnAdmin(['a'], { userId: 'a', roles: ['member'] })).toBe(false)
		expect(leavesAnAdmin(['a'], { userId: 'a', roles: null })).toBe(false)
		expect(leavesAnAdmin(['a', 'b'], { userId: 'a', roles: null })).toBe(true)
		expect(leavesAnAdmin(['a'], { userId: 'b', roles: null })).toBe(true)
		expect(leavesAnAdmin([], { userId: 'b', roles: ['admin'] })).toBe(true)
	})
})

describe('roleNeededMessage', () => {
	it('names the role a refused page or action needs, in words, and who can give it', () => {
		expect(roleNeededMessage('requests:review')).toBe(
			'This needs the compliance reviewer role, which you do not have in this organisation. Ask one of its admins for it.',
		)
		expect(roleNeededMessage('apps:edit')).toContain('the vendor role')
	})
})
