import { findUseCase } from '~/domain/catalogue'
import { type Check, type ChecklistResult, type UseCaseOutcome } from '~/domain/checklist'
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

/**
 * The checklist as a person reads it: the verdict first, then each check
 * with what to do, and where the rule comes from. The same component shows
 * the browser's live result and the server's.
 */
export function ChecklistPanel({ result, live }: { result: ChecklistResult; live?: boolean }) {
	const failing = result.checks.filter((check) => check.status === 'fail')
	const warnings = result.checks.filter((check) => check.status === 'warn')
	return (
		<section className="checklist card" aria-labelledby="checklist-heading">
			<h2 id="checklist-heading">Checklist</h2>
			<div
				className={`alert ${result.ready ? (warnings.length ? 'alert-warn' : 'alert-ok') : 'alert-bad'}`}
				role="status"
				aria-live={live ? 'polite' : undefined}
				data-testid="checklist-verdict"
			>
				{result.ready ? (
					<strong>
						Ready to send
						{warnings.length
							? `, with ${warnings.length} warning${warnings.length > 1 ? 's' : ''}: ${warnings.map((check) => CHECK_TITLES[check.id]).join('; ')}`
							: ''}
					</strong>
				) : (
					<strong>
						Not ready: {failing.length} check{failing.length > 1 ? 's' : ''} failing
					</strong>
				)}
			</div>
			<ul className="checklist-items">
				{result.checks.map((check) => (
					<li
						key={check.id}
						className={`check-item check-${check.status}`}
						data-check={check.id}
						data-status={check.status}
					>
						<div className="check-head">
							<Badge tone={STATUS[check.status].tone}>{STATUS[check.status].label}</Badge>
							<span className="check-title">{CHECK_TITLES[check.id]}</span>
						</div>
						{check.status !== 'pass' ? <p className="check-message">{check.message}</p> : null}
						<p className="check-source">Rule: {check.source}</p>
					</li>
				))}
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
										Closest catalogue entry: <code>{useCase.suggestedCode}</code> (
										{labelOfUseCase(useCase.suggestedCode)})
										{useCase.matched?.length ? `, matched “${useCase.matched.join('”, “')}”` : ''}. A suggestion only: a
										reviewer decides.
									</p>
								) : null}
							</li>
						))}
					</ul>
				</>
			) : null}
			<p className="check-source">
				{result.reportingObligation.required
					? `Stores personal data: once approved, report stored account ids every ${result.reportingObligation.cycleDays} days (Email API guideline).`
					: 'No personal-data reporting obligation unless the app stores personal data.'}
			</p>
		</section>
	)
}
