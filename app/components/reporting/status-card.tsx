import { Form, Link } from '@remix-run/react'
import { daysLeftText, formatDay, ReportingBadge } from '~/components/reporting-status'
import { FormAlert, TextField } from '~/components/ui/form'
import { localDateOf, type ReportingStatus } from '~/domain/reporting-cycle'
import { type ReportingActionResult } from './action-result'

type StoringSince = { at: Date | string; source: 'person' | 'ledger' | 'proposed' } | null

/**
 * The app's reporting status with its reason in words, and the date it is
 * counted from ("storing personal data since"), which a person can set.
 */
export function StatusCard({
	status,
	storingSince,
	storingSinceValue,
	storingSinceSetByName,
	proposedOver,
	appHref,
	timeZone,
	canEdit,
	busy,
	result,
	partialRun = null,
	cycleWarned = false,
	answeredNo = false,
}: {
	status: ReportingStatus
	/** The app answered "no personal data": an answer is needed because its ledger says otherwise, not because none was given. */
	answeredNo?: boolean
	/** The cycle in force warns (longer than Atlassian asks): pointed to here, said in full in the cycle's card. */
	cycleWarned?: boolean
	/** The latest run lacks some of Atlassian's answers: what that leaves undone, beside a status it does not change. */
	partialRun?: string | null
	storingSince: StoringSince
	/** The date in force (person's or ledger's) when an earlier one is proposed. */
	storingSinceValue: Date | string | null
	storingSinceSetByName: string | null
	proposedOver: boolean
	appHref: string
	timeZone: string
	canEdit: boolean
	busy: boolean
	result?: ReportingActionResult
}) {
	const applies = status.status !== 'not_required' && status.status !== 'answer_needed'
	return (
		<section
			className={`card stack-sm reporting-status reporting-status-${status.status}`}
			aria-labelledby="status-heading"
		>
			<div className="row">
				<h2 id="status-heading">Reporting status</h2>
				<ReportingBadge status={status.status} />
			</div>
			<p className="reporting-due">
				<strong>{applies ? daysLeftText(status.daysLeft, status.status) : status.headline}</strong>
				{applies && status.dueAt ? (
					<>
						{' '}
						· {status.anchor?.kind === 'last_report' ? 'next' : 'first'} report due by the end of{' '}
						{formatDay(status.dueAt, timeZone)}
					</>
				) : null}
			</p>
			{/* "No report due: …" is its own explanation: said once. */}
			{applies || status.explanation !== status.headline ? <p>{status.explanation}</p> : null}
			{partialRun ? (
				<p className="alert alert-warn">
					<strong>Needs a look</strong> {partialRun}
				</p>
			) : null}
			{applies && cycleWarned ? (
				<p className="alert alert-warn">
					<strong>Counted with a cycle longer than Atlassian asks</strong> This status holds for the cycle your
					organisation chose; see <a href="#cycle-heading">Reporting cycle</a> for what Atlassian asks.
				</p>
			) : null}
			{status.status === 'answer_needed' && answeredNo ? (
				<p>
					<Link to={appHref}>Change the answer on the app page</Link> if the app stores these accounts.
				</p>
			) : status.status === 'answer_needed' || status.status === 'not_required' ? (
				<p>
					<Link to={appHref}>Answer on the app page</Link> whether the app stores Atlassian users’ personal data
					{status.status === 'not_required' ? ' if that has changed' : ''}.
				</p>
			) : null}
			{applies ? (
				<StoringSinceBlock
					storingSince={storingSince}
					storingSinceValue={storingSinceValue}
					setByName={storingSinceSetByName}
					proposedOver={proposedOver}
					timeZone={timeZone}
					canEdit={canEdit}
					busy={busy}
					result={result}
				/>
			) : null}
			<p className="card-muted">Times are shown in {timeZone}. The cycle restarts from each recorded report.</p>
		</section>
	)
}

function StoringSinceBlock({
	storingSince,
	storingSinceValue,
	setByName,
	proposedOver,
	timeZone,
	canEdit,
	busy,
	result,
}: {
	storingSince: StoringSince
	storingSinceValue: Date | string | null
	setByName: string | null
	proposedOver: boolean
	timeZone: string
	canEdit: boolean
	busy: boolean
	result?: ReportingActionResult
}) {
	const own = result?.intent === 'storing-since' || result?.intent === 'keep-storing-since' ? result : undefined
	const source =
		storingSince?.source === 'person'
			? `as ${setByName ?? 'a person'} stated it`
			: storingSince?.source === 'ledger'
				? 'the oldest last-updated time in the ledger when it was first imported'
				: null
	return (
		<div className="stack-sm" aria-labelledby="storing-since-heading">
			<h3 id="storing-since-heading">Storing personal data since</h3>
			{storingSince && storingSince.source !== 'proposed' ? (
				<p>
					<strong>{formatDay(storingSince.at, timeZone)}</strong> — {source}. The first report is due one cycle after
					it.
				</p>
			) : null}
			{proposedOver && storingSince ? (
				<div className="alert alert-warn stack-sm" role="status">
					<p>
						An import holds accounts whose data was retrieved on <strong>{formatDay(storingSince.at, timeZone)}</strong>
						, before the date in force{storingSinceValue ? ` (${formatDay(storingSinceValue, timeZone)})` : ''}. Until
						you answer, Clearance counts from the earlier date.
					</p>
					{canEdit ? (
						<div className="row">
							<Form method="post">
								<input type="hidden" name="intent" value="storing-since" />
								<input type="hidden" name="storingSince" value={localDateOf(new Date(storingSince.at), timeZone)} />
								<button type="submit" className="button button-small" disabled={busy}>
									Use {formatDay(storingSince.at, timeZone)}
								</button>
							</Form>
							<Form method="post">
								<input type="hidden" name="intent" value="keep-storing-since" />
								<button type="submit" className="button button-secondary button-small" disabled={busy}>
									Keep {storingSinceValue ? formatDay(storingSinceValue, timeZone) : 'the date in force'}
								</button>
							</Form>
						</div>
					) : null}
				</div>
			) : null}
			{!storingSince ? (
				<p>
					Not stated yet: Clearance counts from the oldest stored account, else from the day the app was marked as
					storing personal data.
				</p>
			) : null}
			{canEdit ? (
				<Form method="post" className="row" style={{ alignItems: 'flex-end' }}>
					<input type="hidden" name="intent" value="storing-since" />
					<FormAlert message={own?.formError} />
					<TextField
						label={`Storing since (${timeZone})`}
						name="storingSince"
						type="date"
						required
						defaultValue={
							storingSinceValue
								? localDateOf(new Date(storingSinceValue), timeZone)
								: storingSince
									? localDateOf(new Date(storingSince.at), timeZone)
									: ''
						}
						error={own?.errors?.storingSince}
					/>
					<button type="submit" className="button button-secondary" disabled={busy}>
						Save date
					</button>
				</Form>
			) : null}
		</div>
	)
}
