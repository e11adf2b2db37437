import { Form, useNavigation } from '@remix-run/react'
import { type ReactNode } from 'react'
import { useWatch } from 'react-hook-form'
import { errorId, FieldError, FormAlert, SelectField, TextField, type FieldErrorMap } from '~/components/ui/form'
import { Badge } from '~/components/ui/status'
import { useValidatedForm } from '~/components/ui/use-validated-form'
import {
	APP_TYPE_RULES,
	APP_TYPES,
	CONNECT_END_OF_SUPPORT,
	connectEndOfSupportText,
	formatCatalogueDate,
	isAppType,
	isProduct,
	MARKETPLACE_HOST,
	PRODUCT_LABELS,
	PRODUCTS,
	type AppType,
	type Product,
} from '~/domain/catalogue'
import { AppSchema, PERSONAL_DATA_ANSWERS, PERSONAL_DATA_LABELS, type PersonalDataAnswer } from '~/schemas/apps'

// ── Badges shared by the list and the app page ─────────────────────────────

/** Whether the type can use the Email API, in colour and words (docs/rules.md › Eligibility). */
export function AppTypeBadge({ appType }: { appType: AppType }) {
	const rule = APP_TYPE_RULES[appType]
	if ('warning' in rule && rule.warning === 'connect_end_of_support') {
		return (
			<span title={connectEndOfSupportText()}>
				<Badge tone="warn">Connect ends {formatCatalogueDate(CONNECT_END_OF_SUPPORT.endOfSupport)}</Badge>
			</span>
		)
	}
	if (rule.eligibility === 'not_eligible') return <Badge tone="bad">Not eligible</Badge>
	if (rule.eligibility === 'conditional') return <Badge tone="ok">Eligible (admin consent)</Badge>
	return <Badge tone="ok">Eligible</Badge>
}

const PERSONAL_DATA_BADGES = {
	yes: { tone: 'info', label: 'Stores personal data' },
	no: { tone: 'neutral', label: 'No personal data' },
	undecided: { tone: 'warn', label: 'Personal data: not decided' },
} as const

export function PersonalDataBadge({ answer }: { answer: PersonalDataAnswer }) {
	const badge = PERSONAL_DATA_BADGES[answer]
	return <Badge tone={badge.tone}>{badge.label}</Badge>
}

/** What the type means for an Email API request; Connect also carries its end-of-support dates. */
export function AppTypeTell({ appType }: { appType: AppType }) {
	const rule = APP_TYPE_RULES[appType]
	return (
		<>
			{rule.tell}
			{'warning' in rule && rule.warning === 'connect_end_of_support'
				? ` ${connectEndOfSupportText()} Plan the request for the Forge version of the app.`
				: null}
		</>
	)
}

// ── The form ───────────────────────────────────────────────────────────────

/** Field values as the form holds them: URLs as typed, '' when not given. */
export type AppFormDefaults = {
	name: string
	appKey: string
	appType?: AppType
	products: Product[]
	marketplaceListingUrl: string
	privacyPolicyUrl: string
	termsOfUseUrl: string
	storesPersonalData?: PersonalDataAnswer
}

/**
 * Form values from a saved app or from what an action sent back, so the
 * form is prefilled and nothing typed is lost after an error.
 */
export function appFormDefaults(source?: Record<string, unknown> | null): AppFormDefaults {
	const text = (key: string) => {
		const value = source?.[key]
		return typeof value === 'string' ? value : ''
	}
	const products = source?.products
	const productList = Array.isArray(products) ? products : typeof products === 'string' ? [products] : []
	const personal = source?.storesPersonalData
	return {
		name: text('name'),
		appKey: text('appKey'),
		appType: isAppType(source?.appType) ? source.appType : undefined,
		products: PRODUCTS.filter((product) => productList.some((item) => isProduct(item) && item === product)),
		marketplaceListingUrl: text('marketplaceListingUrl'),
		privacyPolicyUrl: text('privacyPolicyUrl'),
		termsOfUseUrl: text('termsOfUseUrl'),
		storesPersonalData: PERSONAL_DATA_ANSWERS.find((answer) => answer === personal) ?? 'undecided',
	}
}

/**
 * The app's fields, for registering and for editing. Values are also given
 * as `defaultValue`/`defaultChecked` because react-hook-form sets them only
 * after hydration: without them a page rendered without JavaScript (or
 * before it loads) would show empty fields after a failed submit.
 */
export function AppForm({
	defaults,
	serverErrors,
	formError,
	intent,
	version,
	submitLabel,
	submittingLabel,
	secondaryAction,
}: {
	defaults: AppFormDefaults
	serverErrors?: FieldErrorMap
	formError?: string | null
	/** Sent as `intent` when the route handles several actions. */
	intent?: string
	/** The record's version the form was opened at (edits check it). */
	version?: number
	submitLabel: string
	submittingLabel: string
	secondaryAction?: ReactNode
}) {
	const navigation = useNavigation()
	const { form, formRef, onSubmit, errorOf } = useValidatedForm(AppSchema, { defaultValues: defaults, serverErrors })
	const appType = useWatch({ control: form.control, name: 'appType' })
	const submitting =
		navigation.state === 'submitting' && (intent ? navigation.formData?.get('intent') === intent : true)
	const productsError = errorOf('products')
	const personalError = errorOf('storesPersonalData')
	return (
		<Form ref={formRef} method="post" className="form" noValidate onSubmit={onSubmit}>
			<FormAlert message={formError} />
			{intent ? <input type="hidden" name="intent" value={intent} /> : null}
			{version !== undefined ? <input type="hidden" name="version" value={version} /> : null}
			<TextField
				label="App name"
				autoComplete="off"
				defaultValue={defaults.name}
				error={errorOf('name')}
				{...form.register('name')}
			/>
			<TextField
				label="App key or app id"
				autoComplete="off"
				spellCheck={false}
				className="input mono"
				hint={
					<>
						Connect: the <code>key</code> in <code>atlassian-connect.json</code>. Forge: the app id in{' '}
						<code>manifest.yml</code> (<code>ari:cloud:ecosystem::app/…</code>).
					</>
				}
				defaultValue={defaults.appKey}
				error={errorOf('appKey')}
				{...form.register('appKey')}
			/>
			<SelectField
				label="App type"
				describedBy="appType-tell"
				defaultValue={defaults.appType ?? ''}
				error={errorOf('appType')}
				{...form.register('appType')}
			>
				<option value="">Choose the app type…</option>
				{APP_TYPES.map((type) => (
					<option key={type} value={type}>
						{APP_TYPE_RULES[type].label}
					</option>
				))}
			</SelectField>
			{/* Updates as the type changes, so the vendor learns about eligibility before saving. */}
			<div id="appType-tell" className="card-muted" aria-live="polite">
				{isAppType(appType) ? (
					<div className="stack-sm">
						<div>
							<AppTypeBadge appType={appType} />
						</div>
						<p>
							<AppTypeTell appType={appType} />
						</p>
					</div>
				) : (
					<p>Choose a type to see whether it can use the Email API.</p>
				)}
			</div>
			<fieldset
				className="fieldset"
				aria-describedby={['products-hint', productsError ? errorId('products') : ''].join(' ').trim()}
			>
				<legend>Products</legend>
				<span className="card-muted" id="products-hint">
					The Email API has separate endpoints for Jira and Confluence; choose every product the app reads emails in.
				</span>
				{PRODUCTS.map((product) => (
					<label key={product} className="check" htmlFor={`products-${product}`}>
						<input
							id={`products-${product}`}
							type="checkbox"
							value={product}
							defaultChecked={defaults.products.includes(product)}
							aria-invalid={productsError ? true : undefined}
							{...form.register('products')}
						/>
						<span>{PRODUCT_LABELS[product]}</span>
					</label>
				))}
				<FieldError name="products" message={productsError} />
			</fieldset>
			<TextField
				label="Marketplace listing URL (optional)"
				type="url"
				inputMode="url"
				autoComplete="off"
				placeholder={`https://${MARKETPLACE_HOST}/apps/…`}
				hint={`The app’s page on ${MARKETPLACE_HOST}. Its Privacy & Security tab can stand in for the two links below.`}
				defaultValue={defaults.marketplaceListingUrl}
				error={errorOf('marketplaceListingUrl')}
				{...form.register('marketplaceListingUrl')}
			/>
			<TextField
				label="Privacy policy URL (optional)"
				type="url"
				inputMode="url"
				autoComplete="off"
				placeholder="https://"
				hint="Needed for a request unless the Marketplace listing carries it."
				defaultValue={defaults.privacyPolicyUrl}
				error={errorOf('privacyPolicyUrl')}
				{...form.register('privacyPolicyUrl')}
			/>
			<TextField
				label="Customer terms-of-use URL (optional)"
				type="url"
				inputMode="url"
				autoComplete="off"
				placeholder="https://"
				hint="Needed for a request unless the Marketplace listing carries it."
				defaultValue={defaults.termsOfUseUrl}
				error={errorOf('termsOfUseUrl')}
				{...form.register('termsOfUseUrl')}
			/>
			<fieldset
				className="fieldset"
				role="radiogroup"
				aria-invalid={personalError ? true : undefined}
				aria-describedby={['storesPersonalData-hint', personalError ? errorId('storesPersonalData') : '']
					.join(' ')
					.trim()}
			>
				<legend>Does the app store personal data?</legend>
				<span className="card-muted" id="storesPersonalData-hint">
					Atlassian asks this when the app is shared. An app that stores personal data must report the account ids it
					stores on a regular cycle. An access request needs a clear yes or no.
				</span>
				{PERSONAL_DATA_ANSWERS.map((answer) => (
					<label key={answer} className="check" htmlFor={`storesPersonalData-${answer}`}>
						<input
							id={`storesPersonalData-${answer}`}
							type="radio"
							value={answer}
							defaultChecked={defaults.storesPersonalData === answer}
							{...form.register('storesPersonalData')}
						/>
						<span>{PERSONAL_DATA_LABELS[answer]}</span>
					</label>
				))}
				<FieldError name="storesPersonalData" message={personalError} />
			</fieldset>
			<div className="row">
				<button className="button" type="submit" disabled={submitting}>
					{submitting ? submittingLabel : submitLabel}
				</button>
				{secondaryAction}
			</div>
		</Form>
	)
}
