import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '~/utils/password.server'

describe('password hashing', () => {
	it('verifies the right password and refuses a wrong one', async () => {
		const hash = await hashPassword('a long enough passphrase')
		expect(await verifyPassword('a long enough passphrase', hash)).toBe(true)
		expect(await verifyPassword('a long enough passphrasE', hash)).toBe(false)
	})

	it('salts every hash and never stores the password itself', async () => {
		const first = await hashPassword('same password here')
		const second = await hashPassword('same password here')
		expect(first).not.toEqual(second)
		expect(first).not.toContain('same password here')
		expect(first.startsWith('scrypt$16384$8$1$')).toBe(true)
	})

	it('treats Unicode compositions of the same password alike', async () => {
		const hash = await hashPassword('caf\u00e9 au lait please')
		expect(await verifyPassword('cafe\u0301 au lait please', hash)).toBe(true)
	})

	it('refuses malformed stored hashes instead of throwing', async () => {
		expect(await verifyPassword('anything at all', 'not-a-hash')).toBe(false)
		expect(await verifyPassword('anything at all', 'bcrypt$1$2$3$x$y')).toBe(false)
	})
})
