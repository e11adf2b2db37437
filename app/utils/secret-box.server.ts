import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/**
 * Secrets at rest (docs/rules.md › Personal-data reporting; the reporting-connections decision in docs/decisions):
 * a JSON object sealed with AES-256-GCM under the key in `CLEARANCE_SECRET_KEY`
 * (32 random bytes in base64, as `openssl rand -base64 32` prints them).
 *
 * Sealed text: `v1:<iv>:<tag>:<ciphertext>`, each part base64, a fresh 12-byte
 * IV per seal. An optional context (e.g. the app's id) is bound as additional
 * authenticated data, so a sealed value copied onto another row does not open.
 * The key is read at each call: setting it needs no restart, and a server
 * without it still runs (only saving or using a connection is refused).
 */

/** Where the key is read from: the environment, or a stand-in in tests. */
export type EnvSource = Record<string, string | undefined>

const VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16
const KEY_BYTES = 32

export const SECRET_KEY_HOW_TO =
	'Create one with the command “openssl rand -base64 32”, set it as CLEARANCE_SECRET_KEY in the server’s environment and restart the server. Keep it safe: secrets saved under one key cannot be read under another.'

/** The key is missing or not 32 bytes of base64: the message says how to create one. */
export class SecretKeyError extends Error {
	constructor(problem: string) {
		super(`${problem} ${SECRET_KEY_HOW_TO}`)
		this.name = 'SecretKeyError'
	}
}

/** A sealed value that does not open: altered, of another key or context, or not a sealed value at all. */
export class SecretBoxError extends Error {
	constructor(message: string) {
		super(message)
		this.name = 'SecretBoxError'
	}
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

function decodeBase64(text: string): Buffer | null {
	if (!BASE64.test(text) || text.length % 4 !== 0) return null
	return Buffer.from(text, 'base64')
}

/** Reads the key from `source` (the environment by default); throws `SecretKeyError` when unusable. */
export function secretKey(source: EnvSource = process.env): Buffer {
	const raw = source.CLEARANCE_SECRET_KEY?.trim()
	if (!raw) throw new SecretKeyError('CLEARANCE_SECRET_KEY is not set, so Clearance cannot keep secrets.')
	const key = decodeBase64(raw)
	if (!key || key.length !== KEY_BYTES) {
		throw new SecretKeyError(
			`CLEARANCE_SECRET_KEY must be ${KEY_BYTES} random bytes in base64 (44 characters ending in “=”).`,
		)
	}
	return key
}

/** Null when a usable key is set, else what is wrong and how to fix it (for pages that warn before a form is sent). */
export function secretKeyProblem(source: EnvSource = process.env): string | null {
	try {
		secretKey(source)
		return null
	} catch (error) {
		if (error instanceof SecretKeyError) return error.message
		throw error
	}
}

/** Seals a JSON object. `context` must be given again to open it. */
export function sealJson(value: Record<string, unknown>, context = '', source: EnvSource = process.env): string {
	const key = secretKey(source)
	const iv = randomBytes(IV_BYTES)
	const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
	cipher.setAAD(Buffer.from(`${VERSION}:${context}`, 'utf8'))
	const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()])
	const tag = cipher.getAuthTag()
	return [VERSION, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(':')
}

/** Opens a sealed JSON object; throws `SecretBoxError` when it was altered or belongs to another key or context. */
export function openJson<T = Record<string, unknown>>(
	sealed: string,
	context = '',
	source: EnvSource = process.env,
): T {
	const key = secretKey(source)
	const parts = sealed.split(':')
	if (parts.length !== 4 || parts[0] !== VERSION) {
		throw new SecretBoxError('The stored secret is not in a format this version of Clearance reads.')
	}
	const [, ivText = '', tagText = '', ciphertextText = ''] = parts
	const iv = decodeBase64(ivText)
	const tag = decodeBase64(tagText)
	const ciphertext = decodeBase64(ciphertextText)
	if (!iv || iv.length !== IV_BYTES || !tag || tag.length !== TAG_BYTES || !ciphertext) {
		throw new SecretBoxError('The stored secret is damaged.')
	}
	let plain: string
	try {
		const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
		decipher.setAAD(Buffer.from(`${VERSION}:${context}`, 'utf8'))
		decipher.setAuthTag(tag)
		plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')
	} catch {
		throw new SecretBoxError(
			'The stored secret could not be opened: it was altered, or CLEARANCE_SECRET_KEY changed since it was saved. Save the connection again.',
		)
	}
	return JSON.parse(plain) as T
}
