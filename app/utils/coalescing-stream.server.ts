import { Transform } from 'node:stream'

/**
 * A pass-through that gathers what is written to it in one turn of the event loop and passes it on as one
 * chunk. React's server renderer writes a page in pieces of about 2 KB, and each piece would otherwise be its
 * own write to the socket (with chunked encoding, three buffers each): a 60 KB page made some thirty. Anything
 * written later (a part of the page that waited on data) still leaves in the next turn, so streaming keeps
 * working.
 */
export function coalescingStream(): Transform {
	let pending: Buffer[] = []
	let scheduled = false
	const release = () => {
		scheduled = false
		if (pending.length === 0 || stream.destroyed) return
		stream.push(pending.length === 1 ? pending[0] : Buffer.concat(pending))
		pending = []
	}
	const stream = new Transform({
		transform(chunk: Buffer, _encoding, done) {
			pending.push(chunk)
			if (!scheduled) {
				scheduled = true
				setImmediate(release)
			}
			done()
		},
		flush(done) {
			release()
			done()
		},
	})
	return stream
}
