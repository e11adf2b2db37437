import { useState } from 'react'

/** A read-only value with a copy button (the button needs JavaScript; the text can always be selected). */
export function CopyField({ label, value, id }: { label: string; value: string; id: string }) {
	const [copied, setCopied] = useState(false)
	return (
		<div className="field">
			<label htmlFor={id}>{label}</label>
			<div className="copy-box">
				<input id={id} className="input" readOnly value={value} onFocus={(event) => event.target.select()} />
				<button
					type="button"
					className="button button-secondary"
					onClick={async () => {
						await navigator.clipboard.writeText(value)
						setCopied(true)
					}}
				>
					{copied ? 'Copied' : 'Copy'}
				</button>
			</div>
			<span className="hint" role="status">
				{copied ? 'Copied to the clipboard.' : ''}
			</span>
		</div>
	)
}
