/**
 * The app's few icons as inline SVG, drawn with the text's colour
 * (currentColor) and sized to its line. An icon never stands alone: it is
 * aria-hidden and always has words beside it, so status stays colour plus
 * text (no emoji: without an emoji font they render as empty boxes).
 */

const PATHS = {
	/** A warning triangle: overdue. */
	warning: (
		<>
			<path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" />
			<path d="M12 9v4" />
			<path d="M12 17h.01" />
		</>
	),
	/** A clock: due soon. */
	clock: (
		<>
			<circle cx="12" cy="12" r="9" />
			<path d="M12 7v5l3 2" />
		</>
	),
	/** A tick: done, on track. */
	check: <path d="M5 12.5 10 17l9-10" />,
	/** Three lines: the phone's menu. */
	menu: (
		<>
			<path d="M4 6h16" />
			<path d="M4 12h16" />
			<path d="M4 18h16" />
		</>
	),
	/** A cross: close. */
	close: (
		<>
			<path d="M6 6l12 12" />
			<path d="M18 6 6 18" />
		</>
	),
	/** Arrows for "back to …" and "becomes". */
	'arrow-left': (
		<>
			<path d="M19 12H5" />
			<path d="m11 6-6 6 6 6" />
		</>
	),
	'arrow-right': (
		<>
			<path d="M5 12h14" />
			<path d="m13 6 6 6-6 6" />
		</>
	),
} as const

export type IconName = keyof typeof PATHS

export const ICON_NAMES = Object.keys(PATHS) as IconName[]

export function Icon({ name, className }: { name: IconName; className?: string }) {
	return (
		<svg
			className={className ? `icon ${className}` : 'icon'}
			viewBox="0 0 24 24"
			width="1em"
			height="1em"
			fill="none"
			stroke="currentColor"
			strokeWidth={2}
			strokeLinecap="round"
			strokeLinejoin="round"
			aria-hidden="true"
			focusable="false"
		>
			{PATHS[name]}
		</svg>
	)
}
