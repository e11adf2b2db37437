import { HONEYPOT_FIELD } from '~/utils/honeypot'

/**
 * A field people never see or reach (off screen, no tab stop, hidden from
 * screen readers), submitted empty by a browser. Bots that fill every field
 * fill it, and the form is refused (docs/decisions/006-limits-and-operations.md).
 */
export function Honeypot() {
	return (
		<div
			aria-hidden="true"
			style={{ position: 'absolute', left: '-10000px', top: 'auto', width: 1, height: 1, overflow: 'hidden' }}
		>
			<label htmlFor={`${HONEYPOT_FIELD}-field`}>Leave this field empty</label>
			<input
				id={`${HONEYPOT_FIELD}-field`}
				type="text"
				name={HONEYPOT_FIELD}
				tabIndex={-1}
				autoComplete="off"
				defaultValue=""
			/>
		</div>
	)
}
