import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

// node:crypto scrypt: memory-hard, no native module to build. Parameters are
// stored with the hash so they can be raised later without breaking logins.
const N = 16384
const r = 8
const p = 1
const KEY_LENGTH = 32

function derive(password: string, salt: Buffer, n: number, rr: number, pp: number) {
	return new Promise<Buffer>((resolve, reject) => {
		scrypt(
			password.normalize('NFKC'),
			salt,
			KEY_LENGTH,
			{ N: n, r: rr, p: pp, maxmem: 64 * 1024 * 1024 },
			(error, key) => (error ? reject(error) : resolve(key)),
		)
	})
}

export async function hashPassword(password: string): Promise<string> {
	const salt = randomBytes(16)
	const key = await derive(password, salt, N, r, p)
	return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [scheme, n, rr, pp, salt, key] = stored.split('$')
	if (scheme !== 'scrypt' || !n || !rr || !pp || !salt || !key) return false
	const expected = Buffer.from(key, 'base64')
	const actual = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(rr), Number(pp))
	return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/**
 * A hash of a random password, verified against when the email is unknown so
 * that a login for a missing account takes as long as a wrong password.
 */
let dummyHash: Promise<string> | undefined
export function timingDummyHash() {
	dummyHash ??= hashPassword(randomBytes(16).toString('hex'))
	return dummyHash
}
