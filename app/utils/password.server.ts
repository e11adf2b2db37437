import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { env } from './env.server'

// node:crypto scrypt: memory-hard, no native module to build. The hash string
// carries its parameters (`scrypt$N$r$p$salt$key`), so the cost can be raised
// without breaking logins: an older hash still verifies, and is replaced at
// the next successful login (`needsRehash`). N = 2^17, r = 8, p = 1 is
// OWASP's minimum for scrypt; it needs 128 MB per hash while it runs, and
// Node runs at most four at once (its thread pool).
const r = 8
const p = 1
const KEY_LENGTH = 32
/** Stored costs outside this range are refused rather than computed. */
const MIN_LOG2_N = 10
const MAX_LOG2_N = 20

export type HashCost = { log2N: number }
const currentCost = (): HashCost => ({ log2N: env().PASSWORD_SCRYPT_LOG2_N })

function derive(password: string, salt: Buffer, n: number, rr: number, pp: number) {
	return new Promise<Buffer>((resolve, reject) => {
		scrypt(
			password.normalize('NFKC'),
			salt,
			KEY_LENGTH,
			// scrypt needs 128·N·r bytes; twice that leaves room and still bounds it.
			{ N: n, r: rr, p: pp, maxmem: 256 * n * rr },
			(error, key) => (error ? reject(error) : resolve(key)),
		)
	})
}

export async function hashPassword(password: string, cost: HashCost = currentCost()): Promise<string> {
	const N = 2 ** cost.log2N
	const salt = randomBytes(16)
	const key = await derive(password, salt, N, r, p)
	return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$')
}

function parse(stored: string) {
	const [scheme, n, rr, pp, salt, key] = stored.split('$')
	if (scheme !== 'scrypt' || !n || !rr || !pp || !salt || !key) return null
	const N = Number(n)
	const log2N = Math.log2(N)
	if (!Number.isInteger(log2N) || log2N < MIN_LOG2_N || log2N > MAX_LOG2_N) return null
	if (Number(rr) !== r || Number(pp) !== p) return null
	return { N, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') }
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const parsed = parse(stored)
	if (!parsed) return false
	const actual = await derive(password, parsed.salt, parsed.N, r, p)
	return actual.length === parsed.key.length && timingSafeEqual(actual, parsed.key)
}

/** True when the stored hash is cheaper than today's cost: hash the password again at login. */
export function needsRehash(stored: string, cost: HashCost = currentCost()) {
	const parsed = parse(stored)
	return !parsed || parsed.N < 2 ** cost.log2N
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
