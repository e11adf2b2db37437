import { scrypt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hashPassword, needsRehash, verifyPassword } from '~/utils/password.server'

/** A hash as the old code made it: N = 2^14, r = 8, p = 1, 16-byte salt, 32-byte key. */
function legacyHash(password: string) {
	const salt = Buffer.from('0123456789abcdef')
	return new Promise<string>((resolve, reject) =>
		scrypt(password.normalize('NFKC'), salt, 32, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (error, key) =>
			error
				? reject(error)
				: resolve(['scrypt', 16384, 8, 1, salt.toString('base64'), key.toString('base64')].join('$')),
		),
	)
}

describe('password hashing', () => {
	it('verifies the right password and refuses a wrong one', async () => {
		const hash = await hashPassword('a long enough passphrase')
		expect(await verifyPassword('a long enough passphrase', hash)).toBe(true)
		expect(await verifyPassword('a long enough passphrasE', hash)).toBe(false)
	})

	it('salts every hash, never stores the password, and uses N = 2^17 by default, written into the hash', async () => {
		const first = await hashPassword('same password here')
		const second = await hashPassword('same password here')
		expect(first).not.toEqual(second)
		expect(first).not.toContain('same password here')
		expect(first.startsWith('scrypt$131072$8$1$')).toBe(true)
		expect(needsRehash(first)).toBe(false)
	})

	it('still verifies an old N = 2^14 hash, and says it needs rehashing', async () => {
		const old = await legacyHash('an old passphrase here')
		expect(await verifyPassword('an old passphrase here', old)).toBe(true)
		expect(await verifyPassword('not the old passphrase', old)).toBe(false)
		expect(needsRehash(old)).toBe(true)
		expect(needsRehash(old, { log2N: 14 })).toBe(false)
	})

	it('treats Unicode compositions of the same password alike', async () => {
		const hash = await hashPassword('caf\u00e9 au lait please', { log2N: 14 })
		expect(await verifyPassword('cafe\u0301 au lait please', hash)).toBe(true)
	})

	it('refuses malformed stored hashes, and absurd costs, instead of throwing or computing them', async () => {
		expect(await verifyPassword('anything at all', 'not-a-hash')).toBe(false)
		expect(await verifyPassword('anything at all', 'bcrypt$1$2$3$x$y')).toBe(false)
		expect(await verifyPassword('anything at all', 'scrypt$1073741824$8$1$AAAA$AAAA')).toBe(false)
		expect(await verifyPassword('anything at all', 'scrypt$1000$8$1$AAAA$AAAA')).toBe(false)
		expect(needsRehash('not-a-hash')).toBe(true)
	})
})
