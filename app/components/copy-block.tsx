import { useState } from 'react'

/** A block of text to paste elsewhere, with a copy button and a status for screen readers. */
export function CopyBlock({ text, label }: { text: string; label: string }) {
	const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
	return (
		<div className="stack-sm">
			<div className="row no-print">
				<button
					type="button"
					className="button"
					onClick={async () => {
						try {
							await navigator.clipboard.writeText(text)
							setState('copied')
						} catch {
							setState('failed')
						}
					}}
				>
					{state === 'copied' ? 'Copied' : `Copy ${label}`}
				</button>
				<span role="status" className="card-muted">
					{state === 'copied'
						? 'Copied to the clipboard.'
						: state === 'failed'
							? 'Copy failed: select the text and copy it.'
							: ''}
				</span>
			</div>
			<pre className="text-block" data-testid="request-text">
				{text}
			</pre>
		</div>
	)
}
