import { describe, expect, it } from 'vitest'
import { slugify, uniqueSlug } from '~/domain/slug'
import { SignupSchema } from '~/schemas/auth'
import { formDataToObject, issuesToErrors, MAX_FORM_FIELDS } from '~/utils/forms'
import { growth, LINEAR_TEN_TIMES } from '../fixtures/growth'

describe('slugs', () => {
	it('makes readable URL slugs', () => {
		expect(slugify('Acme Apps GmbH')).toBe('acme-apps-gmbh')
		expect(slugify('  Ünïcodé & Co. ')).toBe('unicode-co')
		expect(slugify('!!!')).toBe('org')
	})
	it('adds the first free suffix', () => {
		expect(uniqueSlug('acme', new Set())).toBe('acme')
		expect(uniqueSlug('acme', new Set(['acme', 'acme-2']))).toBe('acme-3')
	})
})

describe('form parsing', () => {
	it('keeps repeated keys and declared array keys as arrays', () => {
		const formData = new FormData()
		formData.append('roles', 'member')
		formData.append('email', 'a@b.test')
		expect(formDataToObject(formData, ['roles', 'products'])).toEqual({
			roles: ['member'],
			email: 'a@b.test',
			products: [],
		})
	})

	it('reports one message per field, with the password rule', () => {
		const parsed = SignupSchema.safeParse({ name: '', email: 'nope', password: 'short', orgName: 'A' })
		expect(parsed.success).toBe(false)
		if (parsed.success) return
		expect(issuesToErrors(parsed.error)).toEqual({
			name: 'Enter your name.',
			email: 'Enter a valid email address, like name@company.com.',
			password: 'Use at least 12 characters.',
			orgName: 'Enter your organisation’s name (at least 2 characters).',
		})
	})
})

describe('nested form names', () => {
	it('turns dotted react-hook-form names into nested rows, compacting removed ones', () => {
		const formData = new FormData()
		formData.append('customUseCases.0.description', 'first')
		formData.append('customUseCases.2.description', 'third')
		formData.append('useCaseCodes', 'sync_users')
		expect(formDataToObject(formData, ['useCaseCodes', 'customUseCases', 'products'])).toEqual({
			customUseCases: [{ description: 'first' }, { description: 'third' }],
			useCaseCodes: ['sync_users'],
			products: [],
		})
	})

	it('ignores prototype keys, absurd indexes and names nested deeper than any form', () => {
		const formData = new FormData()
		formData.append('__proto__.polluted', 'yes')
		formData.append('rows.99999.x', 'no')
		// A name of 2,000 segments would nest the value as deep, past the stack of whatever walks it next.
		formData.append(Array.from({ length: 2000 }, () => 'a').join('.'), 'deep')
		formData.append('a.b.c.d.e', 'five deep')
		const result = formDataToObject(formData)
		expect(({} as Record<string, unknown>).polluted).toBeUndefined()
		expect(result).toEqual({})
		// A list takes rows by index only: a `length` would make it four billion long, or throw.
		const lists = new FormData()
		lists.append('rows.0.x', 'kept')
		lists.append('rows.length', '4294967295')
		lists.append('roles', 'member')
		lists.append('roles.length', 'z')
		lists.append('rows.push', 'no')
		expect(formDataToObject(lists, ['roles'])).toEqual({ rows: [{ x: 'kept' }], roles: ['member'] })
	})

	it('reads a form in one pass over its fields, and refuses more fields than any form has', () => {
		const formOf = (fields: number) => {
			const formData = new FormData()
			for (let i = 0; i < fields; i++) formData.append(`k${i}`, '')
			return formData
		}
		// A post of 80,000 names took a minute of the server's one thread (each name looked up among all of them):
		// with the names bounded, the lookups would still grow with names × entries. One pass grows with the entries.
		const manyEntries = (names: number) => {
			const formData = new FormData()
			for (let i = 0; i < names; i++) for (let r = 0; r < 100; r++) formData.append(`k${i}`, '')
			return formData
		}
		const forms = new Map([100, 1000].map((names) => [names, manyEntries(names)]))
		expect(growth((names) => formDataToObject(forms.get(names)!), 100, 1000)).toBeLessThan(LINEAR_TEN_TIMES)
		expect(Object.keys(formDataToObject(formOf(MAX_FORM_FIELDS)))).toHaveLength(MAX_FORM_FIELDS)
		let refused: unknown
		try {
			formDataToObject(formOf(MAX_FORM_FIELDS + 1))
		} catch (error) {
			refused = error
		}
		expect(refused).toBeInstanceOf(Response)
		expect((refused as Response).status).toBe(413)
		// The same name many times is one field (a list of checkboxes).
		const repeated = new FormData()
		for (let i = 0; i < 5000; i++) repeated.append('roles', 'member')
		expect(formDataToObject(repeated)).toEqual({ roles: Array.from({ length: 5000 }, () => 'member') })
	})
})
