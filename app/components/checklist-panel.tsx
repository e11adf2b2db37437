import { useEffect, useState, type MouseEvent } from 'react'
import { findUseCase } from '~/domain/catalogue'
import { type Check, type ChecklistResult, type UseCaseOutcome } from '~/domain/checklist'
import { ATLASSIAN_SOURCES, CHECK_CITATIONS } from '~/domain/rule-sources'
import { Badge, type Tone } from './ui/status'

const CHECK_TITLES: Record<Check['id'], string> = {
	company: 'Company name',
	app_identity: 'App name and key',
	app_type: 'App type is eligible',
	privacy_policy: 'Privacy policy',
	terms_of_use: 'Terms of use',
	personal_data: 'Personal-data answer',
	use_cases: 'Use cases',
	functionality: 'Functionality description',
	policy_language: 'Privacy policy mentions email',
	no_email_addresses: 'No Atlassian user’s email address',
	connect_end_of_support: 'Connect is ending',
	policy_mentions_forbidden_use: 'Wording Atlassian forbids',
	listing_not_marketplace: 'Listing URL',
	policy_same_as_terms: 'Policy and terms URLs',
	use_case_reads_like_rejected: 'Reads like a rejected use case',
}

const STATUS: Record<Check['status'], { tone: Tone; label: string }> = {
	pass: { tone: 'ok', label: 'Pass' },
	fail: { tone: 'bad', label: 'Fail' },
	warn: { tone: 'warn', label: 'Warning' },
}

export const OUTCOME: Record<UseCaseOutcome, { tone: Tone; label: string }> = {
	auto_approvable: { tone: 'ok', label: 'On Atlassian’s approved list' },
	rejected: { tone: 'bad', label: 'Rejected by Atlassian' },
	needs_review: { tone: 'info', label: 'Needs a reviewer' },
}

export function labelOfUseCase(code: string, description?: string) {
	if (code === 'other') return description ? `Custom: ${description}` : 'Custom use case'
	return findUseCase(code)?.label ?? code
}

/** In place of the live checklist while the form holds values it cannot take (too long, or of the wrong kind). */
export function ChecklistPending() {
	return (
		<section className="checklist card" aria-labelledby="checklist-heading">
			<h2 id="checklist-heading">Checklist</h2>
			<div className="alert alert-warn" role="status" aria-live="polite" data-testid="checklist-verdict">
				<strong>The checklist waits for the fields marked in the form.</strong> A field is longer than allowed or holds
				a value the form does not accept; fix it and the checklist runs again.
			</div>
		</section>
	)
}

const STATUS_ORDER: Record<Check['status'], number> = { fail: 0, warn: 1, pass: 2 }

/** Failing checks first, then warnings, then passing ones; each group in the engine's order. */
export function checksInReadingOrder(checks: readonly Check[]): Check[] {
	return checks
		.map((check, index) => ({ check, index }))
		.sort((a, b) => STATUS_ORDER[a.check.status] - STATUS_ORDER[b.check.status] || a.index - b.index)
		.map(({ check }) => check)
}

/**
 * The id of the editor's control (or group of controls) a check is about:
 * request-form.tsx gives each field its name as id, and the groups
 * (products, the personal-data answer, the use cases, the custom use cases)
 * an id of their own.
 */
export function fieldIdOf(check: Check): string | null {
	if (!check.field) return null
	// Only a custom use case holds text: an address or a rejected-looking wording is in one of them.
	if (check.field === 'useCases' && (check.id === 'use_case_reads_like_rejected' || check.id === 'no_email_addresses'))
		return 'customUseCases'
	return check.field
}

/** Moves focus to the field (the first control of a group), scrolling it into view. */
function focusField(event: MouseEvent<HTMLAnchorElement>, id: string) {
	const target = document.getElementById(id)
	if (!target) return
	event.preventDefault()
	const control = target.matches('input, select, textarea')
		? target
		: target.querySelector<HTMLElement>('input:not([type="hidden"]), select, textarea, button')
	;(control ?? target).focus()
}

/** Narrow screens (one column): the checklist folds into a one-line summary at the top of the editor. */
const NARROW = '(max-width: 1100px)'

/** Open on wide screens, folded on narrow ones until the person opens it; the server renders it open. */
function useOpenOnWideScreens() {
	const [open, setOpen] = useState(true)
	useEffect(() => {
		const query = window.matchMedia(NARROW)
		const apply = () => setOpen(!query.matches)
		apply()
		query.addEventListener('change', apply)
		return () => query.removeEventListener('change', apply)
	}, [])
	return [open, setOpen] as const
}

function plural(count: number, one: string, many = `${one}s`) {
	return `${count} ${count === 1 ? one : many}`
}

/** The folded checklist's one line: what is left to do, in words and colour. */
function summaryOf(failing: number, warnings: number, passes: string, heldBack: boolean): { tone: Tone; text: string } {
	if (failing > 0) return { tone: 'bad', text: `${plural(failing, 'check')} to fix` }
	if (warnings > 0) return { tone: 'warn', text: `${passes}, ${plural(warnings, 'warning')}` }
	return { tone: heldBack ? 'warn' : 'ok', text: passes }
}

/** Where a check's rule comes from: Atlassian's pages by their titles, linked, and what Clearance adds. */
function CheckSource({ check }: { check: Check }) {
	const citation = CHECK_CITATIONS[check.id]
	return (
		<p className="check-source">
			{citation.atlassian.length > 1 ? 'Atlassian’s sources: ' : 'Atlassian’s source: '}
			{citation.atlassian.map((source, index) => (
				<span key={source.url}>
					{index > 0 ? ' · ' : null}
					<a href={source.url} target="_blank" rel="noreferrer">
						{source.title}
					</a>
				</span>
			))}
			{/* Clearance's own note is a sentence of its own after the titles. */}
			{citation.clearance ? <>. {citation.clearance}</> : null}
		</p>
	)
}

/**
 * The checklist as a person reads it: the verdict first, then the checks
 * that fail, the warnings and the passing ones, each failing or warning one
 * linked to its field (in the editor), and where the rule comes from. The
 * same component shows the browser's live result and the server's. On a
 * narrow screen it sits at the top of the editor, folded into one line.
 */
export function ChecklistPanel({
	result,
	live,
	linkFields,
	sendable = true,
	heldBack,
}: {
	result: ChecklistResult
	live?: boolean
	/** In the editor: link each failing or warning check to its field. */
	linkFields?: boolean
	/**
	 * Whether passing means "ready to send": not for a request already in review, sent, decided or closed, whose
	 * passing checklist says only that.
	 */
	sendable?: boolean
	/** Why a request whose checklist passes still cannot be sent (an amendment that changes nothing), said under the verdict. */
	heldBack?: string | null
}) {
	const failing = result.checks.filter((check) => check.status === 'fail')
	const warnings = result.checks.filter((check) => check.status === 'warn')
	const [open, setOpen] = useOpenOnWideScreens()
	const passes = sendable && !heldBack ? 'Ready to send' : 'The checklist passes'
	const summary = summaryOf(failing.length, warnings.length, passes, Boolean(heldBack))
	return (
		<section className="checklist card" aria-labelledby="checklist-heading" id="checklist">
			<details
				className="checklist-fold"
				open={open}
				onToggle={(event) => setOpen(event.currentTarget.open)}
				data-testid="checklist-fold"
			>
				<summary className="checklist-summary" data-testid="checklist-summary">
					<Badge tone={summary.tone}>Checklist</Badge> <span>{summary.text}</span>
					<span className="checklist-summary-action"> — {open ? 'hide' : 'show'}</span>
				</summary>
				<div className="checklist-body">
					<h2 id="checklist-heading">Checklist</h2>
					<div
						className={`alert ${result.ready ? (warnings.length || heldBack ? 'alert-warn' : 'alert-ok') : 'alert-bad'}`}
						role="status"
						aria-live={live ? 'polite' : undefined}
						data-testid="checklist-verdict"
					>
						{result.ready ? (
							<strong>
								{passes}
								{warnings.length
									? `, with ${plural(warnings.length, 'warning')}: ${warnings.map((check) => CHECK_TITLES[check.id]).join('; ')}`
									: ''}
							</strong>
						) : (
							<strong>Not ready: {plural(failing.length, 'check')} failing</strong>
						)}
						{result.ready && heldBack ? <p>{heldBack}</p> : null}
					</div>
					<ul className="checklist-items">
						{checksInReadingOrder(result.checks).map((check) => {
							const fieldId = linkFields && check.status !== 'pass' ? fieldIdOf(check) : null
							return (
								<li
									key={check.id}
									className={`check-item check-${check.status}`}
									data-check={check.id}
									data-status={check.status}
								>
									<div className="check-head">
										<Badge tone={STATUS[check.status].tone}>{STATUS[check.status].label}</Badge>
										{fieldId ? (
											<a
												className="check-title check-link"
												href={`#${fieldId}`}
												onClick={(event) => focusField(event, fieldId)}
											>
												{CHECK_TITLES[check.id]}
											</a>
										) : (
											<span className="check-title">{CHECK_TITLES[check.id]}</span>
										)}
									</div>
									{check.status !== 'pass' ? <p className="check-message">{check.message}</p> : null}
									<CheckSource check={check} />
								</li>
							)
						})}
					</ul>
					{result.useCases.length > 0 ? (
						<>
							<h3>Use cases</h3>
							<ul className="checklist-items">
								{result.useCases.map((useCase, index) => (
									<li key={`${useCase.code}-${index}`} className="check-item" data-use-case={useCase.code}>
										<div className="check-head">
											<Badge tone={OUTCOME[useCase.outcome].tone}>{OUTCOME[useCase.outcome].label}</Badge>
											<span className="check-title">{labelOfUseCase(useCase.code, useCase.description)}</span>
										</div>
										<p className="check-message">{useCase.reason}</p>
										{useCase.suggestedCode ? (
											<p className="check-source">
												Closest catalogue entry: {labelOfUseCase(useCase.suggestedCode)}
												{useCase.matched?.length ? `, matched “${useCase.matched.join('”, “')}”` : ''}. A suggestion
												only: a reviewer decides.
											</p>
										) : null}
									</li>
								))}
							</ul>
						</>
					) : null}
					<p className="check-source">
						{result.reportingObligation.required ? (
							<>
								Stores personal data: once approved, report stored account ids every{' '}
								{plural(result.reportingObligation.cycleDays, 'day')} (
								<a href={ATLASSIAN_SOURCES.userPrivacy.url} target="_blank" rel="noreferrer">
									{ATLASSIAN_SOURCES.userPrivacy.title}
								</a>
								).
							</>
						) : (
							'No personal-data reporting obligation unless the app stores personal data.'
						)}
					</p>
				</div>
			</details>
		</section>
	)
}
