/**
 * What an audit event keeps of a save: only the fields that changed, each
 * with its old and new value, and never an email address (docs/rules.md ›
 * Audit trail; docs/rules.md › Emails are never stored). Pure: the services
 * diff with it before writing, the audit page reads the texts back with
 * `textDiff`.
 */
import { CUSTOM_USE_CASE_CODE } from './catalogue'
import { maskEmailAddresses } from './email-addresses'
import { identityOfUseCase, type ComparableUseCase } from './use-case-diff'

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (value === null || typeof value !== 'object') return false
	const proto = Object.getPrototypeOf(value)
	return proto === Object.prototype || proto === null
}

/**
 * `value` with every email address in its texts, at any depth, replaced by
 * `[email address]` (the vendor's own domain too: the audit record has no
 * reason to keep any address); dates become ISO strings.
 */
export function redactEmails(value: unknown): unknown {
	if (typeof value === 'string') return maskEmailAddresses(value)
	if (value instanceof Date) return value.toISOString()
	if (Array.isArray(value)) return value.map(redactEmails)
	if (isPlainObject(value))
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactEmails(item)]))
	return value
}

function isUseCase(value: unknown): value is ComparableUseCase {
	return isPlainObject(value) && typeof value.code === 'string'
}

/**
 * A canonical form for comparing: empty text and a missing value are the
 * same, dates compare by instant, and lists are sets (reordering products or
 * use cases is not a change; a use case compares by its catalogue code, a
 * custom one by its description, as `identityOfUseCase` says).
 */
function canonical(value: unknown): unknown {
	if (value === undefined || value === null || value === '') return null
	if (value instanceof Date) return value.toISOString()
	if (Array.isArray(value)) {
		return value.map((item) => (isUseCase(item) ? identityOfUseCase(item) : JSON.stringify(canonical(item)))).sort()
	}
	if (isPlainObject(value)) {
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map((key) => [key, canonical(value[key])]),
		)
	}
	return value
}

export function sameAuditValue(a: unknown, b: unknown): boolean {
	return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

export type AuditChanges = { before: Record<string, unknown>; after: Record<string, unknown> }

/**
 * The fields of `keys` (by default every key of either side) whose value
 * differs: `before` holds their old values, `after` the new ones, both with
 * email addresses removed. Null when nothing changed.
 */
export function auditChanges(
	before: Record<string, unknown>,
	after: Record<string, unknown>,
	keys: readonly string[] = [...new Set([...Object.keys(before), ...Object.keys(after)])],
): AuditChanges | null {
	const changed = keys.filter((key) => !sameAuditValue(before[key], after[key]))
	if (changed.length === 0) return null
	const pick = (side: Record<string, unknown>) =>
		Object.fromEntries(changed.map((key) => [key, redactEmails(side[key] === undefined ? null : side[key])]))
	return { before: pick(before), after: pick(after) }
}

/** The request fields a save can change, in the order the form shows them. */
export const REQUEST_AUDIT_FIELDS = [
	'companyName',
	'appName',
	'appKey',
	'appType',
	'products',
	'marketplaceListingUrl',
	'privacyPolicyUrl',
	'termsOfUseUrl',
	'storesPersonalData',
	'useCases',
	'functionalityDescription',
	'privacyPolicyExcerpt',
] as const

export type RequestAuditSource = {
	companyName: string
	appName: string
	appKey: string
	appType: string | null
	products: readonly string[]
	marketplaceListingUrl: string
	privacyPolicyUrl: string
	termsOfUseUrl: string
	storesPersonalData: boolean | null
	functionalityDescription: string
	privacyPolicyExcerpt: string
	useCases: readonly { code: string; description?: string | null }[]
}

/**
 * A request's content as the audit log compares it: the answer to "stores
 * personal data" in the same words as the app's (yes, no, undecided), use
 * cases as their code plus, for a custom one, its description.
 */
export function requestAuditState(request: RequestAuditSource): Record<(typeof REQUEST_AUDIT_FIELDS)[number], unknown> {
	return {
		companyName: request.companyName,
		appName: request.appName,
		appKey: request.appKey,
		appType: request.appType,
		products: [...request.products],
		marketplaceListingUrl: request.marketplaceListingUrl,
		privacyPolicyUrl: request.privacyPolicyUrl,
		termsOfUseUrl: request.termsOfUseUrl,
		storesPersonalData:
			request.storesPersonalData === true ? 'yes' : request.storesPersonalData === false ? 'no' : 'undecided',
		useCases: request.useCases.map((useCase) =>
			useCase.code === CUSTOM_USE_CASE_CODE
				? { code: useCase.code, description: useCase.description ?? '' }
				: { code: useCase.code },
		),
		functionalityDescription: request.functionalityDescription,
		privacyPolicyExcerpt: request.privacyPolicyExcerpt,
	}
}

// ── Reading a change back ───────────────────────────────────────────────

/** Items of `after` not in `before`, and of `before` not in `after`, compared like `auditChanges` does. */
export function listChanges<T>(before: readonly T[], after: readonly T[]): { added: T[]; removed: T[] } {
	const key = (item: T) => (isUseCase(item) ? identityOfUseCase(item) : JSON.stringify(canonical(item)))
	const beforeKeys = new Set(before.map(key))
	const afterKeys = new Set(after.map(key))
	return {
		added: after.filter((item) => !beforeKeys.has(key(item))),
		removed: before.filter((item) => !afterKeys.has(key(item))),
	}
}

export type TextPart = { op: 'same' | 'removed' | 'added'; text: string }

/** Above this many word pairs the middle of a change is shown as one removed and one added block. */
const MAX_DIFF_CELLS = 250_000

function tokens(text: string): string[] {
	return text.match(/\s+|[^\s]+/g) ?? []
}

function pushPart(parts: TextPart[], op: TextPart['op'], text: string) {
	if (!text) return
	const last = parts.at(-1)
	if (last?.op === op) last.text += text
	else parts.push({ op, text })
}

/**
 * A word-level diff of two texts: runs of unchanged, removed and added
 * text, in order. Joining the `same` and `removed` runs gives `before`,
 * the `same` and `added` runs give `after`.
 */
export function textDiff(before: string, after: string): TextPart[] {
	const a = tokens(before)
	const b = tokens(after)
	let start = 0
	while (start < a.length && start < b.length && a[start] === b[start]) start++
	let endA = a.length
	let endB = b.length
	while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
		endA--
		endB--
	}
	const parts: TextPart[] = []
	pushPart(parts, 'same', a.slice(0, start).join(''))
	const midA = a.slice(start, endA)
	const midB = b.slice(start, endB)
	if (midA.length * midB.length > MAX_DIFF_CELLS) {
		pushPart(parts, 'removed', midA.join(''))
		pushPart(parts, 'added', midB.join(''))
	} else {
		// Longest common subsequence of the changed middle, read back from the start.
		const width = midB.length + 1
		const lcs = new Uint32Array((midA.length + 1) * width)
		for (let i = midA.length - 1; i >= 0; i--) {
			for (let j = midB.length - 1; j >= 0; j--) {
				lcs[i * width + j] =
					midA[i] === midB[j]
						? lcs[(i + 1) * width + j + 1]! + 1
						: Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!)
			}
		}
		let i = 0
		let j = 0
		while (i < midA.length || j < midB.length) {
			if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
				pushPart(parts, 'same', midA[i]!)
				i++
				j++
			} else if (i < midA.length && (j === midB.length || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
				// On a tie the removed words come first, so a replaced word reads "old new".
				pushPart(parts, 'removed', midA[i]!)
				i++
			} else {
				pushPart(parts, 'added', midB[j]!)
				j++
			}
		}
	}
	pushPart(parts, 'same', a.slice(endA).join(''))
	return parts
}

const ELLIPSIS = '…'

/**
 * The diff with long unchanged stretches cut to `context` characters either
 * side of a change, so a one-word edit in a long description reads in a line.
 */
export function compactTextDiff(parts: readonly TextPart[], context = 40): TextPart[] {
	return parts.map((part, index) => {
		if (part.op !== 'same') return part
		const first = index === 0
		const last = index === parts.length - 1
		if (first && last) return part
		const keep = (first || last ? 1 : 2) * context + ELLIPSIS.length
		if (part.text.length <= keep) return part
		const head = first ? '' : part.text.slice(0, context).replace(/\S*$/, '')
		const tail = last ? '' : part.text.slice(-context).replace(/^\S*/, '')
		return { op: 'same', text: `${head}${ELLIPSIS}${tail}` }
	})
}
