import { type ReactNode } from 'react'

/**
 * A wide table's box, scrolled sideways on a narrow screen: a labelled region that takes keyboard focus, so
 * the arrow keys scroll it too (a mouse or a finger is not the only way to its last columns).
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
	return (
		// eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrollable region must take focus (WCAG 2.1.1)
		<div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
			{children}
		</div>
	)
}
