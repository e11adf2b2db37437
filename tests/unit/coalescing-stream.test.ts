import { once } from 'node:events'
import { expect, test } from 'vitest'
import { coalescingStream } from '~/utils/coalescing-stream.server'

test('what is written in one turn leaves as one chunk; what is written later leaves after it, in order', async () => {
	const stream = coalescingStream()
	const chunks: string[] = []
	stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
	for (const piece of ['<html>', '<body>', 'first part']) stream.write(Buffer.from(piece))
	await new Promise((resolve) => setImmediate(resolve))
	await new Promise((resolve) => setImmediate(resolve))
	stream.write(Buffer.from('late part'))
	stream.end(Buffer.from('</html>'))
	await once(stream, 'end')
	expect(chunks).toEqual(['<html><body>first part', 'late part</html>'])
})

test('an empty stream ends with nothing passed on', async () => {
	const stream = coalescingStream()
	const chunks: Buffer[] = []
	stream.on('data', (chunk: Buffer) => chunks.push(chunk))
	stream.end()
	await once(stream, 'end')
	expect(chunks).toEqual([])
})
