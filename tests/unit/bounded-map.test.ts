import { expect, test } from 'vitest'
import { BoundedMap } from '~/utils/bounded-map'

test('keeps at most its limit, dropping the entry used longest ago', () => {
	const map = new BoundedMap<string, number>(2)
	map.set('a', 1).set('b', 2)
	expect(map.get('a')).toBe(1) // now b is the one used longest ago
	map.set('c', 3)
	expect(map.size).toBe(2)
	expect(map.get('b')).toBeUndefined()
	expect(map.get('a')).toBe(1)
	expect(map.get('c')).toBe(3)
})

test('setting a kept key replaces its value without growing', () => {
	const map = new BoundedMap<string, number>(2)
	map.set('a', 1).set('b', 2).set('a', 10)
	expect(map.size).toBe(2)
	expect(map.get('a')).toBe(10)
	map.set('c', 3) // b was used longest ago
	expect(map.get('b')).toBeUndefined()
})

test('refuses a limit below one', () => {
	expect(() => new BoundedMap(0)).toThrow(RangeError)
})
