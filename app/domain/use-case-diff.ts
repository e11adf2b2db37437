/**
 * What an amendment changes in scope (docs/rules.md › Appropriate use: a new
 * email feature needs a new or updated request). Pure: the
 * amendment page and the app's scope both compare use-case lists with it.
 */

export type ComparableUseCase = { code: string; description?: string | null }

export type UseCaseDiff = {
	added: ComparableUseCase[]
	removed: ComparableUseCase[]
	unchanged: ComparableUseCase[]
}

/**
 * Identity of a use case: its catalogue code, or for custom ones (`other`)
 * the description, compared without case and surrounding or repeated spaces —
 * a retyped description is the same use, a reworded one is a new use.
 */
export function identityOfUseCase(useCase: ComparableUseCase): string {
	if (useCase.code !== 'other') return useCase.code
	const text = (useCase.description ?? '').trim().replace(/\s+/g, ' ').toLowerCase()
	return `other:${text}`
}

/** Added, removed and unchanged use cases of `next` compared with `approved`, in list order. */
export function diffUseCases(approved: readonly ComparableUseCase[], next: readonly ComparableUseCase[]): UseCaseDiff {
	const before = new Set(approved.map(identityOfUseCase))
	const after = new Set(next.map(identityOfUseCase))
	const seen = new Set<string>()
	const once = (useCase: ComparableUseCase) => {
		const id = identityOfUseCase(useCase)
		if (seen.has(id)) return false
		seen.add(id)
		return true
	}
	const added = next.filter((useCase) => !before.has(identityOfUseCase(useCase))).filter(once)
	const unchanged = next.filter((useCase) => before.has(identityOfUseCase(useCase))).filter(once)
	const removed = approved.filter((useCase) => !after.has(identityOfUseCase(useCase))).filter(once)
	return { added, removed, unchanged }
}
