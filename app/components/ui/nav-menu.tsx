import { useLocation } from '@remix-run/react'
import { useEffect, useId, useRef, useState, type ReactNode } from 'react'
import { Icon } from './icon'

/**
 * The sidebar's contents behind a menu button on phones (≤ 640 px; wider
 * screens always show them and never the button: app.css).
 *
 * Progressive enhancement: the server renders a <details> (the summary opens
 * it, no JavaScript needed). Once the page is interactive it becomes a
 * disclosure button (aria-expanded, aria-controls) over its panel: Escape
 * closes it and returns focus to the button, and following a link closes it.
 */
export function NavMenu({ label, children }: { label: string; children: ReactNode }) {
	const [enhanced, setEnhanced] = useState(false)
	const [open, setOpen] = useState(false)
	const button = useRef<HTMLButtonElement>(null)
	const panelId = useId()
	const { pathname, search } = useLocation()

	useEffect(() => setEnhanced(true), [])
	useEffect(() => setOpen(false), [pathname, search])
	useEffect(() => {
		if (!open) return
		const onKeyDown = (event: KeyboardEvent) => {
			if (event.key !== 'Escape') return
			setOpen(false)
			button.current?.focus()
		}
		document.addEventListener('keydown', onKeyDown)
		return () => document.removeEventListener('keydown', onKeyDown)
	}, [open])

	if (!enhanced) {
		return (
			<details className="nav-menu nav-menu-fallback">
				<summary className="nav-menu-button">
					<Icon name="menu" /> {label}
				</summary>
				<div className="nav-menu-panel">{children}</div>
			</details>
		)
	}
	return (
		<div className="nav-menu">
			<button
				ref={button}
				type="button"
				className="nav-menu-button"
				aria-expanded={open}
				aria-controls={panelId}
				onClick={() => setOpen((was) => !was)}
			>
				<Icon name={open ? 'close' : 'menu'} /> {label}
			</button>
			<div id={panelId} className="nav-menu-panel" data-open={open ? 'true' : undefined}>
				{children}
			</div>
		</div>
	)
}
