import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { Icon, ICON_NAMES } from '~/components/ui/icon'

/*
 * Issue 17, point 5: icons are a small SVG set (app/components/ui/icon.tsx),
 * never emoji. Without an emoji font an emoji renders as an empty box (the
 * "⏰" did), so no screen's source may hold one.
 */

const APP_DIR = join(import.meta.dirname, '../../app')

function filesUnder(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
	)
}

/** Pictographs (emoji and the symbols that take emoji form, e.g. ⚠ ⏰ ✅) and the emoji-style selector. */
const EMOJI = /[\p{Extended_Pictographic}\u{FE0F}\u{20E3}]/gu

describe('no emoji in the app’s screens (issue 17, point 5)', () => {
	const screens = filesUnder(APP_DIR).filter((file) => file.endsWith('.tsx'))

	it('finds the screens to scan', () => {
		expect(screens.length).toBeGreaterThan(50)
	})

	it('no .tsx file under app/ holds an emoji code point', () => {
		const found = screens.flatMap((file) =>
			readFileSync(file, 'utf8')
				.split('\n')
				.flatMap((line, index) =>
					[...line.matchAll(EMOJI)].map(
						(match) =>
							`${relative(APP_DIR, file)}:${index + 1}: U+${match[0].codePointAt(0)!.toString(16).toUpperCase()}`,
					),
				),
		)
		expect(found).toEqual([])
	})

	it('the scan would catch the old clock and warning signs', () => {
		expect('⏰ Due soon'.match(EMOJI)).toHaveLength(1)
		expect('⚠ Overdue'.match(EMOJI)).toHaveLength(1)
		expect('3 days left · Due 9 Dec 2026 → next'.match(EMOJI)).toBeNull()
	})

	it.each(ICON_NAMES)('the %s icon is an SVG hidden from screen readers, in the text’s colour', (name) => {
		const html = renderToStaticMarkup(createElement(Icon, { name }))
		expect(html).toMatch(/^<svg [^>]*aria-hidden="true"/)
		expect(html).toContain('stroke="currentColor"')
		expect(html).not.toMatch(EMOJI)
	})
})
