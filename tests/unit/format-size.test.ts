import { describe, expect, it } from 'vitest'
import { formatSize } from '~/utils/http.server'

describe('formatSize: a byte limit in words', () => {
	it('says the largest unit the limit is a whole number of', () => {
		expect(formatSize(4 * 1024 * 1024)).toBe('4 MB')
		expect(formatSize(64 * 1024)).toBe('64 KB')
		expect(formatSize(1536 * 1024)).toBe('1536 KB')
		expect(formatSize(1000)).toBe('1000 bytes')
	})
})
