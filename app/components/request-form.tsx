import { Form, useNavigation } from '@remix-run/react'
import { useEffect, useMemo, useState } from 'react'
import { useFieldArray, useWatch } from 'react-hook-form'
import { amendsNothing, NOTHING_AMENDED } from '~/domain/amendment'
import {
	APP_TYPE_RULES,
	APP_TYPES,
	isAppType,
	PRODUCT_LABELS,
	PRODUCTS,
	USE_CASES,
	type UseCaseEntry,
} from '~/domain/catalogue'
import { autosaveStatusText, autosaveTone } from '~/domain/draft-autosave'
import { suggestUseCase } from '~/domain/suggest'
import { PERSONAL_DATA_ANSWERS, PERSONAL_DATA_LABELS } from '~/schemas/apps'
import { CHECKLIST_LIMITS } from '~/schemas/checklist'
import { formChecklist, isFormUseCaseCode, RequestFormSchema, type RequestFields } from '~/schemas/request'
import { ChecklistPanel, ChecklistPending, labelOfUseCase } from './checklist-panel'
import {
	FieldError,
	focusFirstInvalid,
	FormAlert,
	SelectField,
	TextAreaField,
	TextField,
	type FieldErrorMap,
} from './ui/form'
import { Badge } from './ui/status'
import { UnsavedChangesGuard } from './ui/unsaved-changes-guard'
import { useValidatedForm } from './ui/use-validated-form'
import { useDraftAutosave } from './use-draft-autosave'

// The same words as the app form's (one wording for one answer).
const PERSONAL_DATA_OPTIONS = PERSONAL_DATA_ANSWERS.map((value) => ({ value, label: PERSONAL_DATA_LABELS[value] }))

const GROUPS: { title: string; hint: string; entries: UseCaseEntry[] }[] = [
	{
		title: 'Approved by Atlassian',
		hint: 'Use cases on Atlassian’s approved list.',
		entries: USE_CASES.filter((entry) => entry.list === 'approved'),
	},
	{
		title: 'Rejected by Atlassian',
		hint: 'Atlassian refuses requests with these. Shown so you can check yours is not one of them.',
		entries: USE_CASES.filter((entry) => entry.list === 'rejected'),
	},
]

/**
 * The request editor: the form on the left, the live checklist on the right.
 * The checklist runs the same engine as the server on every change
 * (toChecklistInput + evaluateRequest), so what the vendor sees is what
 * the server will say — but only on values of the form's shape and limits
 * (formChecklist): after a refused save the page renders what was posted,
 * and the engine never runs on that.
 */
export function RequestForm({
	defaults,
	version,
	serverErrors,
	formError,
	notice,
	autosave: autosaveTo,
	unsaved = false,
	amends = null,
}: {
	defaults: RequestFields
	version: number
	serverErrors?: FieldErrorMap
	formError?: string | null
	notice?: string | null
	/** Where drafts are saved automatically, and the time zone the status line says the time in. */
	autosave?: { fetcherKey: string; timeZone: string }
	/** The defaults are what was posted and refused, not what is saved. */
	unsaved?: boolean
	/** An amendment: its approved request's fields, to say while typing whether it still changes nothing. */
	amends?: RequestFields | null
}) {
	const navigation = useNavigation()
	const { form, formRef, errorOf, text, checkbox, radio } = useValidatedForm(RequestFormSchema, {
		// Only codes the form has a box for: a code no longer in the catalogue cannot be unticked, so it must not block the save.
		defaultValues: {
			...defaults,
			useCaseCodes: Array.isArray(defaults.useCaseCodes) ? defaults.useCaseCodes.filter(isFormUseCaseCode) : [],
		},
		serverErrors,
	})
	// Without JavaScript there is always one empty row to type a custom use case into.
	const customRows = useFieldArray({ control: form.control, name: 'customUseCases' })
	const values = useWatch({ control: form.control }) as Partial<RequestFields>
	const result = useMemo(() => formChecklist(values), [values])
	const heldBack = amends && amendsNothing(amends, values) ? NOTHING_AMENDED : null
	const appType = values.appType
	const sendingSave = navigation.state !== 'idle' && navigation.formData?.get('intent') === 'save'
	const autosave = useDraftAutosave({
		formRef,
		version,
		watched: values,
		validate: () => form.trigger(),
		fetcherKey: autosaveTo?.fetcherKey ?? null,
		unsaved,
	})
	// Checked as the server will check it, then sent now or right after the autosave on its way (never dropped).
	const onSubmit = form.handleSubmit(
		(_data, event) => {
			const target = event?.target
			if (target instanceof HTMLFormElement) autosave.saveNow(target)
		},
		() => focusFirstInvalid(formRef.current),
	)
	const saving = sendingSave || autosave.saveQueued
	// The status line promises saving by itself, so it appears only once JavaScript runs.
	const [hydrated, setHydrated] = useState(false)
	useEffect(() => setHydrated(true), [])

	return (
		<div className="editor">
			{/* The checklist comes first and has a link per check: a keyboard can go past it, straight to the first field. */}
			<a className="skip-inline" href="#companyName" onClick={focusFirstField}>
				Skip the checklist, to the form
			</a>
			{/* First in the page order, so a phone shows its folded summary at the top; CSS puts it on the right on wide screens. */}
			{result ? <ChecklistPanel result={result} live linkFields heldBack={heldBack} /> : <ChecklistPending />}
			<UnsavedChangesGuard when={autosave.unsavedChanges} />
			<Form ref={formRef} method="post" className="form" noValidate onSubmit={onSubmit} aria-label="Access request">
				<input type="hidden" name="intent" value="save" />
				<input type="hidden" name="version" value={autosave.baseVersion} />
				<FormAlert message={formError} />
				{autosave.confirmation || notice ? (
					<div className="alert alert-ok" role="status">
						{autosave.confirmation || notice}
					</div>
				) : null}

				<section className="card stack-sm" aria-labelledby="who-heading">
					<h2 id="who-heading" className="section-title">
						Company and app
					</h2>
					<TextField label="Company name" error={errorOf('companyName')} {...text('companyName')} />
					<TextField label="App name" error={errorOf('appName')} {...text('appName')} />
					<TextField
						label="App key or app id"
						hint="Connect: the key from your descriptor. Forge: the app id (ari:cloud:ecosystem::app/…)."
						error={errorOf('appKey')}
						{...text('appKey')}
					/>
					<SelectField label="App type" describedBy="appType-tell" error={errorOf('appType')} {...text('appType')}>
						<option value="">Choose…</option>
						{APP_TYPES.map((type) => (
							<option key={type} value={type}>
								{APP_TYPE_RULES[type].label}
							</option>
						))}
					</SelectField>
					<p className="hint" id="appType-tell" aria-live="polite">
						{isAppType(appType)
							? APP_TYPE_RULES[appType].tell
							: 'Only admin-installed Connect and Forge apps can be approved.'}
					</p>
					<fieldset className="fieldset" id="products">
						<legend>Products</legend>
						<div className="radio-row">
							{PRODUCTS.map((product) => (
								<label key={product} className="check">
									<input type="checkbox" {...checkbox('products', product)} />
									<span>{PRODUCT_LABELS[product]}</span>
								</label>
							))}
						</div>
					</fieldset>
				</section>

				<section className="card stack-sm" aria-labelledby="docs-heading">
					<h2 id="docs-heading" className="section-title">
						Documents
					</h2>
					<p className="card-muted">
						A Marketplace listing covers both: its Privacy &amp; Security tab carries the privacy policy and terms.
					</p>
					<TextField
						label="Marketplace listing URL"
						type="url"
						placeholder="https://marketplace.atlassian.com/apps/…"
						error={errorOf('marketplaceListingUrl')}
						{...text('marketplaceListingUrl')}
					/>
					<TextField
						label="Privacy policy URL"
						type="url"
						error={errorOf('privacyPolicyUrl')}
						{...text('privacyPolicyUrl')}
					/>
					<TextField
						label="Customer terms of use URL"
						type="url"
						error={errorOf('termsOfUseUrl')}
						{...text('termsOfUseUrl')}
					/>
					<fieldset className="fieldset" id="storesPersonalData">
						<legend>Does the app store personal data?</legend>
						<div className="radio-row">
							{PERSONAL_DATA_OPTIONS.map((option) => (
								<label key={option.value} className="check">
									<input type="radio" {...radio('storesPersonalData', option.value)} />
									<span>{option.label}</span>
								</label>
							))}
						</div>
					</fieldset>
				</section>

				<section className="card stack-sm" aria-labelledby="use-cases-heading" id="useCases">
					<h2 id="use-cases-heading" className="section-title">
						What the app uses email for
					</h2>
					{GROUPS.map((group) => (
						<fieldset key={group.title} className="fieldset use-case-group">
							<legend>{group.title}</legend>
							<span className="hint">{group.hint}</span>
							{group.entries.map((entry) => (
								<label key={entry.code} className="check">
									<input type="checkbox" {...checkbox('useCaseCodes', entry.code)} />
									<span>
										{entry.label}
										{entry.list === 'rejected' ? (
											<>
												{' '}
												<Badge tone="bad">Rejected</Badge>
											</>
										) : null}
									</span>
								</label>
							))}
						</fieldset>
					))}
					<FieldError name="useCaseCodes" message={errorOf('useCaseCodes')} />
					<fieldset className="fieldset use-case-group" id="customUseCases">
						<legend>Other use cases</legend>
						<span className="hint">
							Anything else, in your words. Atlassian reviews these one by one; your reviewer decides first.
						</span>
						{customRows.fields.map((row, index) => {
							const typed = values.customUseCases?.[index]?.description
							const description =
								typeof typed === 'string' && typed.length <= CHECKLIST_LIMITS.useCaseDescription ? typed : ''
							const suggestion = description.trim() ? suggestUseCase(description) : null
							return (
								<div key={row.id} className="stack-sm">
									<div className="custom-row">
										<TextField
											label={`Custom use case ${index + 1}`}
											error={errorOf(`customUseCases.${index}.description`)}
											{...text(`customUseCases.${index}.description`)}
										/>
										<button
											type="button"
											className="button button-secondary button-small"
											style={{ marginTop: 26 }}
											onClick={() => customRows.remove(index)}
										>
											Remove
										</button>
									</div>
									{description.trim() ? (
										<p className="suggestion" aria-live="polite">
											{suggestion
												? `Closest catalogue entry: ${labelOfUseCase(suggestion.code)}, matched “${suggestion.matched.join('”, “')}”. A suggestion only; a reviewer decides.`
												: 'No catalogue entry matches; a reviewer will decide.'}
										</p>
									) : null}
								</div>
							)
						})}
						<div>
							<button
								type="button"
								className="button button-secondary button-small"
								onClick={() => customRows.append({ description: '' })}
							>
								Add a custom use case
							</button>
						</div>
					</fieldset>
				</section>

				<section className="card stack-sm" aria-labelledby="text-heading">
					<h2 id="text-heading" className="section-title">
						In your words
					</h2>
					<TextAreaField
						label="Functionality that needs email addresses"
						hint="Atlassian’s reviewers read this. Describe the feature, who receives email and why, in a few sentences."
						rows={5}
						error={errorOf('functionalityDescription')}
						{...text('functionalityDescription')}
					/>
					<TextAreaField
						label="Privacy policy excerpt"
						hint="Paste the part of your privacy policy that says how email addresses are processed."
						rows={5}
						error={errorOf('privacyPolicyExcerpt')}
						{...text('privacyPolicyExcerpt')}
					/>
				</section>

				<div className="save-bar no-print">
					{/* Never disabled by an autosave: a click then waits for it (the button must not go grey under the pointer). */}
					<button className="button" type="submit" disabled={sendingSave} aria-busy={saving}>
						{saving ? 'Saving…' : 'Save draft'}
					</button>
					{hydrated && autosaveTo ? (
						<span
							className={`autosave-status autosave-${autosaveTone(autosave.status)}`}
							role="status"
							data-testid="autosave-status"
							data-state={autosave.status.kind}
						>
							{autosaveStatusText(autosave.status, autosaveTo.timeZone)}
						</span>
					) : null}
					{/* Saving by itself already says a draft is kept as it is: one line fewer (on a phone the bar took a fifth of the screen). */}
					{hydrated && autosaveTo ? null : (
						<span className="card-muted">
							{result?.ready ? 'The checklist passes.' : 'You can save a draft that does not pass yet.'}
						</span>
					)}
				</div>
			</Form>
		</div>
	)
}

/** The skip link's target takes focus itself (a fragment alone only scrolls to it in some browsers). */
function focusFirstField(event: React.MouseEvent<HTMLAnchorElement>) {
	const field = document.getElementById('companyName')
	if (!field) return
	event.preventDefault()
	field.focus()
}
