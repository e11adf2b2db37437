import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { openJson, SecretBoxError, SecretKeyError, sealJson, secretKeyProblem } from '~/utils/secret-box.server'

// As `openssl rand -base64 32` prints it.
const key = () => ({ CLEARANCE_SECRET_KEY: randomBytes(32).toString('base64') })

describe('secret box (AES-256-GCM under CLEARANCE_SECRET_KEY)', () => {
	it('round-trips a JSON object, and the sealed text never holds the secret', () => {
		const env = key()
		const secrets = { clientSecret: 'very-secret-value', refreshToken: 'rt-1234567890' }
		const sealed = sealJson(secrets, 'app-1', env)
		expect(sealed).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/)
		expect(sealed).not.toContain('very-secret-value')
		expect(Buffer.from(sealed.split(':')[3]!, 'base64').toString('utf8')).not.toContain('very-secret')
		expect(openJson(sealed, 'app-1', env)).toEqual(secrets)
	})

	it('uses a fresh IV each time: the same secrets seal differently', () => {
		const env = key()
		const a = sealJson({ s: 'x' }, '', env)
		const b = sealJson({ s: 'x' }, '', env)
		expect(a.split(':')[1]).not.toBe(b.split(':')[1])
		expect(a).not.toBe(b)
	})

	it('refuses a tampered ciphertext, tag or IV, another context and another key', () => {
		const env = key()
		const sealed = sealJson({ secret: 'abcdef' }, 'app-1', env)
		const [v, iv, tag, ct] = sealed.split(':') as [string, string, string, string]
		const flip = (b64: string) => {
			const bytes = Buffer.from(b64, 'base64')
			bytes[0] = bytes[0]! ^ 1
			return bytes.toString('base64')
		}
		for (const tampered of [
			[v, iv, tag, flip(ct)].join(':'),
			[v, iv, flip(tag), ct].join(':'),
			[v, flip(iv), tag, ct].join(':'),
		]) {
			expect(() => openJson(tampered, 'app-1', env)).toThrow(SecretBoxError)
		}
		expect(() => openJson(sealed, 'app-2', env)).toThrow(SecretBoxError)
		expect(() => openJson(sealed, 'app-1', key())).toThrow(/altered, or CLEARANCE_SECRET_KEY changed/)
		expect(() => openJson(`v2:${iv}:${tag}:${ct}`, 'app-1', env)).toThrow(SecretBoxError)
		expect(() => openJson('not sealed', 'app-1', env)).toThrow(SecretBoxError)
	})

	it('a missing or malformed key says how to create one', () => {
		for (const env of [
			{},
			{ CLEARANCE_SECRET_KEY: '' },
			{ CLEARANCE_SECRET_KEY: 'short' },
			{ CLEARANCE_SECRET_KEY: randomBytes(16).toString('base64') },
			{ CLEARANCE_SECRET_KEY: `${randomBytes(32).toString('hex')}` },
		]) {
			expect(() => sealJson({ a: 1 }, '', env)).toThrow(SecretKeyError)
			expect(() => sealJson({ a: 1 }, '', env)).toThrow(/openssl rand -base64 32/)
			expect(secretKeyProblem(env)).toMatch(/set it as CLEARANCE_SECRET_KEY/)
		}
		expect(secretKeyProblem(key())).toBeNull()
	})
})
