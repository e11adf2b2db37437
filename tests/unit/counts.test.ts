import { describe, expect, it } from 'vitest'
import { counted, formatNumber } from '~/domain/counts'

describe('counted', () => {
	it('groups thousands as the rest of the pages do, and names one in the singular', () => {
		expect(counted(40_003, 'account')).toBe('40,003 accounts')
		expect(counted(1, 'batch', 'batches')).toBe('1 batch')
		expect(counted(445, 'batch', 'batches')).toBe('445 batches')
		expect(counted(0, 'new task')).toBe('0 new tasks')
		expect(formatNumber(1_000_000)).toBe('1,000,000')
	})
})
