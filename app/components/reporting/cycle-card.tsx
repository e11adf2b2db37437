import { Form } from '@remix-run/react'
import { type z } from 'zod'
import { formatDateTime } from '~/components/reporting-status'
import { FormAlert, SelectField, TextAreaField, TextField } from '~/components/ui/form'
import { useValidatedForm } from '~/components/ui/use-validated-form'
import { cycleName, describeCycle, type CyclePeriodReading } from '~/domain/cycle-period'
import { ATLASSIAN_API_DEFAULT_CYCLE_DAYS, DEFAULT_CYCLE_DAYS, MAX_CYCLE_DAYS } from '~/domain/reporting-cycle'
import { CycleSchema } from '~/schemas/reporting'
import { type ReportingActionResult } from './action-result'

type PendingHeader = { runId: string; sentAt: Date | string; reading: CyclePeriodReading }

/**
 * The cycle in force, said with its reason and warnings; a Cycle-Period value
 * waiting for a person; and the form to change the cycle (docs/rules.md ›
 * Reporting cycle).
 */
export function CycleCard({
	label,
	cycleDays,
	atlassianCycleDays,
	warnings,
	pendingHeader,
	timeZone,
	canEdit,
	busy,
	result,
}: {
	label: string
	cycleDays: number
	atlassianCycleDays: number | null
	warnings: string[]
	pendingHeader: PendingHeader | null
	timeZone: string
	canEdit: boolean
	busy: boolean
	result?: ReportingActionResult
}) {
	return (
		<section className="card stack-sm" aria-labelledby="cycle-heading">
			<h2 id="cycle-heading">Reporting cycle</h2>
			<p>
				<strong>{label}.</strong> Atlassian’s reporting guide defaults to {ATLASSIAN_API_DEFAULT_CYCLE_DAYS} days
				(recommended); the Email API guideline asks for {DEFAULT_CYCLE_DAYS}. A Cycle-Period header in Atlassian’s
				answer sets the cycle the app must follow.
			</p>
			{warnings.map((warning) => (
				<p key={warning} className="alert alert-warn" role="note">
					{warning}
				</p>
			))}
			{pendingHeader ? (
				<PendingHeaderBlock
					pending={pendingHeader}
					cycleDays={cycleDays}
					timeZone={timeZone}
					canEdit={canEdit}
					busy={busy}
					result={result?.intent === 'header-cycle' ? result : undefined}
				/>
			) : null}
			{canEdit ? (
				<CycleForm
					cycleDays={cycleDays}
					atlassianCycleDays={atlassianCycleDays}
					busy={busy}
					result={result?.intent === 'cycle' ? result : undefined}
				/>
			) : null}
		</section>
	)
}

function PendingHeaderBlock({
	pending,
	cycleDays,
	timeZone,
	canEdit,
	busy,
	result,
}: {
	pending: PendingHeader
	cycleDays: number
	timeZone: string
	canEdit: boolean
	busy: boolean
	result?: ReportingActionResult
}) {
	const { reading } = pending
	const sentence =
		reading.kind === 'clear'
			? `Atlassian’s answer to the report sent ${formatDateTime(pending.sentAt, timeZone)} carried Cycle-Period “${reading.raw}”: a ${describeCycle(reading.days)} cycle, shorter than the ${describeCycle(cycleDays)} in force. Confirm it to make it this app’s cycle.`
			: `Atlassian’s answer to the report sent ${formatDateTime(pending.sentAt, timeZone)} carried Cycle-Period “${reading.raw}”. ${reading.kind === 'unclear' ? reading.reason : ''}`
	return (
		<div className="alert alert-warn stack-sm" role="status">
			<p>
				<strong>Waiting for your confirmation.</strong> {sentence}{' '}
				{reading.kind === 'clear' || (reading.kind === 'unclear' && reading.likely)
					? `Until you answer, the ${cycleName(cycleDays)} stays set but deadlines are counted with the shorter one, so no status is greener than Atlassian’s clock.`
					: `Until you answer, the ${cycleName(cycleDays)} applies.`}
			</p>
			<FormAlert message={result?.formError} />
			{canEdit ? (
				<div className="row" style={{ alignItems: 'flex-end' }}>
					<Form method="post" className="row" style={{ alignItems: 'flex-end' }}>
						<input type="hidden" name="intent" value="header-cycle" />
						<input type="hidden" name="runId" value={pending.runId} />
						<input type="hidden" name="decision" value="confirm" />
						{reading.kind === 'unclear' ? (
							<SelectField
								label="Unit Atlassian meant"
								name="unit"
								defaultValue={reading.likely ? 'days' : ''}
								error={result?.errors?.unit}
							>
								<option value="">Choose…</option>
								<option value="seconds">{reading.number} seconds</option>
								<option value="minutes">{reading.number} minutes</option>
								<option value="hours">{reading.number} hours</option>
								<option value="days">{reading.number} days</option>
							</SelectField>
						) : null}
						<button type="submit" className="button button-small" disabled={busy}>
							Confirm the new cycle
						</button>
					</Form>
					<Form method="post" className="row" style={{ alignItems: 'flex-end' }}>
						<input type="hidden" name="intent" value="header-cycle" />
						<input type="hidden" name="runId" value={pending.runId} />
						<input type="hidden" name="decision" value="dismiss" />
						<TextField label="Reason to keep the current cycle" name="reason" error={result?.errors?.reason} />
						<button type="submit" className="button button-secondary button-small" disabled={busy}>
							Keep the current cycle
						</button>
					</Form>
				</div>
			) : null}
		</div>
	)
}

function CycleForm({
	cycleDays,
	atlassianCycleDays,
	busy,
	result,
}: {
	cycleDays: number
	atlassianCycleDays: number | null
	busy: boolean
	result?: ReportingActionResult
}) {
	const preset =
		cycleDays === DEFAULT_CYCLE_DAYS || cycleDays === ATLASSIAN_API_DEFAULT_CYCLE_DAYS ? String(cycleDays) : 'custom'
	// The action's schema checks in the browser first; without JavaScript the action answers.
	const { formRef, onSubmit, errorOf, radio, text } = useValidatedForm(CycleSchema, {
		defaultValues: {
			cycle: preset as z.input<typeof CycleSchema>['cycle'],
			customDays: preset === 'custom' && Number.isInteger(cycleDays) ? String(cycleDays) : '',
			reason: '',
		},
		serverErrors: result?.errors,
	})
	return (
		<Form
			method="post"
			className="form"
			ref={formRef}
			onSubmit={onSubmit}
			noValidate
			aria-labelledby="cycle-form-heading"
		>
			<h3 id="cycle-form-heading">Change the cycle</h3>
			<FormAlert message={result?.formError} />
			<input type="hidden" name="intent" value="cycle" />
			<fieldset className="fieldset">
				<legend>Report every</legend>
				<label className="check">
					<input type="radio" {...radio('cycle', String(ATLASSIAN_API_DEFAULT_CYCLE_DAYS))} />
					<span>
						{ATLASSIAN_API_DEFAULT_CYCLE_DAYS} days <small>Atlassian’s reporting guide default — recommended</small>
					</span>
				</label>
				<label className="check">
					<input type="radio" {...radio('cycle', String(DEFAULT_CYCLE_DAYS))} />
					<span>
						{DEFAULT_CYCLE_DAYS} days <small>the Email API guideline</small>
					</span>
				</label>
				<label className="check">
					<input type="radio" {...radio('cycle', 'custom')} />
					<span>Another number of days</span>
				</label>
			</fieldset>
			<TextField
				label="Days (1–90), for another number"
				type="number"
				min={1}
				max={MAX_CYCLE_DAYS}
				inputMode="numeric"
				{...text('customDays')}
				error={errorOf('customDays')}
			/>
			{atlassianCycleDays != null ? (
				<fieldset className="fieldset">
					<legend>Longer than Atlassian’s {describeCycle(atlassianCycleDays)}?</legend>
					<p className="card-muted">
						Atlassian set a {describeCycle(atlassianCycleDays)} cycle by Cycle-Period header and says an app must follow
						it. A longer cycle needs your confirmation and a reason; it is shown with the cycle.
					</p>
					<label className="check">
						<input type="checkbox" name="confirmLonger" value="1" />
						<span>I confirm a cycle longer than Atlassian’s</span>
					</label>
					<TextAreaField label="Reason" rows={2} {...text('reason')} error={errorOf('reason')} />
				</fieldset>
			) : null}
			<div className="row">
				<button type="submit" className="button button-secondary" disabled={busy}>
					Save cycle
				</button>
			</div>
		</Form>
	)
}
