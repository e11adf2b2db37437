import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from '@remix-run/react'
import { useRef } from 'react'
import { ChecklistPanel, OUTCOME, labelOfUseCase } from '~/components/checklist-panel'
import { RequestForm } from '~/components/request-form'
import { AmendmentDiff } from '~/components/review-diff'
import { DecisionBadge, ReviewPanel, type ActionFeedback } from '~/components/review-panel'
import { ApprovalStandingNotice, PersonalDataConflictNotice } from '~/components/review-scope'
import { TicketPanel } from '~/components/ticket-panel'
import { TicketTimeline } from '~/components/ticket-timeline'
import { FormAlert } from '~/components/ui/form'
import { Badge, PageHeader } from '~/components/ui/status'
import { autosaveFetcherKey } from '~/components/use-draft-autosave'
import { NOTHING_AMENDED } from '~/domain/amendment'
import {
	availableActions,
	fourEyesMessage,
	isEditable,
	mayCorrectStep,
	STATE_LABELS,
	STATE_PHRASES,
	STATE_TONES,
	everyUseCaseApproved,
} from '~/domain/request-lifecycle'
import { appTypeText, productsText } from '~/domain/request-text'
import { can } from '~/domain/roles'
import { TICKET_STEP_KINDS } from '~/domain/tickets'
import { diffUseCases } from '~/domain/use-case-diff'
import { formatInTimeZone, localDateOf } from '~/domain/zoned-time'
import { PERSONAL_DATA_LABELS } from '~/schemas/apps'
import { REQUEST_ARRAY_FIELDS, SaveRequestSchema, type RequestFields } from '~/schemas/request'
import { RequestActionSchema, type RequestActionInput } from '~/schemas/review'
import { amendmentBasis } from '~/services/amendments.server'
import { requestScopeNotices } from '~/services/approved-scope.server'
import { getOrgSettings } from '~/services/org-settings.server'
import { createAmendment, evaluateSaved, getRequest, requestToFields, saveDraft } from '~/services/requests.server'
import {
	applyTransition,
	decideUseCaseOf,
	eligibleReviewers,
	authorshipOf,
	correctTicketDate,
	listRequestEvents,
	recordTicketNote,
	type Actor,
} from '~/services/review.server'
import { getTicket } from '~/services/tickets.server'
import { assertPermission, requireMember, requirePermission } from '~/utils/auth.server'
import { UserFacingError } from '~/utils/errors'
import { parseForm, readFormData } from '~/utils/forms'
import { notFound } from '~/utils/http.server'
import { formRefusal } from '~/utils/refusals.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Request for ${data.request.appName || data.request.app.name} · Clearance` : 'Request · Clearance' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org, roles, user } = await requireMember(request, params.org)
	const accessRequest = await getRequest(org.id, params.requestId ?? '')
	if (!accessRequest) notFound('No such request in this organisation.')
	const editable = isEditable(accessRequest.state) && can(roles, 'requests:edit')
	const checklist = evaluateSaved(accessRequest)
	// Four eyes over every version since the last approval, said in words (docs/rules.md › Review and four eyes).
	const authorship = await authorshipOf(org.id, accessRequest, user.id)
	const isAuthor = authorship !== null
	const [events, ticket, reviewers, settings, approved, { access, ...notices }] = await Promise.all([
		listRequestEvents(org.id, accessRequest.id),
		getTicket(org.id, accessRequest.id),
		eligibleReviewers(org.id, accessRequest),
		getOrgSettings(org.id),
		accessRequest.amendsRequestId ? getRequest(org.id, accessRequest.amendsRequestId) : null,
		requestScopeNotices(org.id, accessRequest),
	])
	const { amends, empty: emptyAmendment } = await amendmentBasis(org.id, accessRequest, { amended: approved, access })
	const actions = availableActions(accessRequest.state, {
		roles,
		isAuthor,
		authorship,
		checklistReady: checklist.ready,
		emptyAmendment,
		allUseCasesApproved: everyUseCaseApproved(accessRequest.useCases),
	})
	return {
		org,
		request: accessRequest,
		fields: requestToFields(accessRequest),
		editable,
		// For read-only views and clients without JavaScript.
		checklist,
		actions,
		isAuthor,
		fourEyes: authorship ? fourEyesMessage(authorship, 'decide it') : null,
		...notices,
		correctable: TICKET_STEP_KINDS.filter((kind) => mayCorrectStep(kind, roles)),
		canReview: can(roles, 'requests:review'),
		canEdit: can(roles, 'requests:edit'),
		otherReviewers: reviewers.length,
		events,
		ticket,
		followUpDays: settings.followUpDays,
		// Read once here: the ticket forms' date defaults render the same on the server and in the browser.
		today: localDateOf(new Date(), org.timeZone),
		diff: approved ? diffUseCases(approved.useCases, accessRequest.useCases) : null,
		amends,
		emptyAmendment,
	}
}

type ActionResult = ActionFeedback & {
	errors?: Record<string, string>
	values?: Record<string, unknown>
	formError?: string | null
	notice?: string | null
	/** A save: the version it made and when, or that someone else saved first (409). */
	version?: number
	savedAt?: string
	conflict?: boolean
}

export async function action({ request, params }: ActionFunctionArgs) {
	// Who is asking is settled before the body is read.
	const { org, user, roles } = await requireMember(request, params.org)
	const intent = (await readFormData(request.clone())).get('intent')
	if (intent === 'save') return saveAction(request, params)
	const form = await parseForm(request, RequestActionSchema)
	if (!form.success) {
		return data<ActionResult>(
			{
				intent: String(form.values.intent ?? ''),
				useCaseId: typeof form.values.useCaseId === 'string' ? form.values.useCaseId : undefined,
				errors: form.errors,
				formError: 'Some fields need attention; nothing was recorded.',
			},
			400,
		)
	}
	const input = form.data
	const requestId = params.requestId ?? ''
	try {
		if (input.intent === 'amend') {
			await assertPermission(request, { org, user, roles }, 'requests:edit', 'Only a vendor can start an amendment.')
			const { id } = await createAmendment(org.id, user.id, requestId)
			return redirect(`/o/${org.slug}/requests/${id}`)
		}
		const notice = await runLifecycle(org.id, { id: user.id, roles }, requestId, input)
		return data<ActionResult>({ intent: input.intent, notice })
	} catch (error) {
		return formRefusal<ActionResult>(
			error,
			{ intent: input.intent, useCaseId: input.intent === 'decide' ? input.useCaseId : undefined },
			{ place: 'both', notFoundAsPage: true },
		)
	}
}

async function runLifecycle(
	orgId: string,
	actor: Actor,
	requestId: string,
	input: Exclude<RequestActionInput, { intent: 'amend' }>,
): Promise<string> {
	switch (input.intent) {
		case 'decide':
			await decideUseCaseOf(orgId, actor, requestId, input.version, input)
			return input.decision === 'approve'
				? 'Use case approved.'
				: 'Use case rejected; the reason is kept for the vendor.'
		case 'correct_date':
			await correctTicketDate(orgId, actor, requestId, input.version, {
				eventId: input.eventId,
				day: input.correctedOn,
				reason: input.reason,
			})
			return 'Date corrected. The date on record stays in the timeline, with your correction and reason.'
		case 'ticket_note':
			await recordTicketNote(orgId, actor, requestId, input.version, input.note)
			return 'Follow-up recorded; the quiet period starts again.'
		case 'request_changes':
			await applyTransition(orgId, actor, requestId, input.version, 'request_changes', { comment: input.comment })
			return 'Sent back to the vendor with your comment.'
		case 'record_ticket':
			await applyTransition(orgId, actor, requestId, input.version, 'record_ticket', {
				// A picked day is read in the organisation's time zone and checked by the service.
				ticket: { key: input.ticketKey, url: input.ticketUrl || null, openedOn: input.openedOn },
			})
			return 'Ticket recorded. Clearance counts the days it waits.'
		case 'atlassian_requested_info':
			await applyTransition(orgId, actor, requestId, input.version, input.intent, {
				details: { question: input.question },
				answeredOn: input.askedOn,
			})
			return 'Recorded what Atlassian asked. Record your reply once you have answered.'
		case 'record_reply':
			await applyTransition(orgId, actor, requestId, input.version, input.intent, { details: { reply: input.reply } })
			return 'Reply recorded; the request is waiting for Atlassian again.'
		case 'atlassian_approved':
			await applyTransition(orgId, actor, requestId, input.version, input.intent, {
				details: { scopes: input.scopes, approvedOn: input.approvedOn },
				answeredOn: input.approvedOn,
			})
			return 'Approval recorded. This is now the app’s approved scope.'
		case 'atlassian_declined':
		case 'atlassian_revoked':
			await applyTransition(orgId, actor, requestId, input.version, input.intent, {
				details: { reason: input.reason },
				answeredOn: input.intent === 'atlassian_declined' ? input.declinedOn : input.revokedOn,
			})
			return input.intent === 'atlassian_declined' ? 'Decline recorded.' : 'Revocation recorded.'
		case 'withdraw':
			await applyTransition(orgId, actor, requestId, input.version, 'withdraw', { comment: input.comment })
			return 'Request withdrawn.'
		case 'submit_for_review':
			await applyTransition(orgId, actor, requestId, input.version, input.intent)
			return 'Submitted for review.'
		case 'complete_review':
			await applyTransition(orgId, actor, requestId, input.version, input.intent)
			return 'Review complete: the request is ready to send to Atlassian.'
		case 'reopen':
			await applyTransition(orgId, actor, requestId, input.version, input.intent)
			return 'Reopened for editing. It will be reviewed again after you submit it.'
	}
}

async function saveAction(request: Request, params: ActionFunctionArgs['params']) {
	const { org, user } = await requirePermission(request, params.org, 'requests:edit')
	const form = await parseForm(request, SaveRequestSchema, { arrayKeys: REQUEST_ARRAY_FIELDS })
	if (!form.success) {
		return data<ActionResult>(
			{
				intent: 'save',
				errors: form.errors,
				values: form.values,
				formError: 'Some fields need attention; nothing was saved yet.',
				notice: null,
			},
			400,
		)
	}
	const { intent: _intent, version, ...fields } = form.data
	try {
		const { request: saved, checklist } = await saveDraft(org.id, user.id, params.requestId ?? '', version, fields)
		return data<ActionResult>({
			intent: 'save',
			version: saved.version,
			savedAt: new Date(saved.updatedAt).toISOString(),
			errors: undefined,
			values: undefined,
			formError: null,
			notice: checklist.ready ? 'Draft saved. The checklist passes.' : 'Draft saved. Some checks still fail.',
		})
	} catch (error) {
		// Keep everything that was typed, so nothing is lost on a conflict.
		return formRefusal<ActionResult>(
			error,
			{
				intent: 'save',
				values: form.data as Record<string, unknown>,
				notice: null,
				conflict: error instanceof UserFacingError && error.status === 409,
			},
			{ place: 'top', notFoundAsPage: true },
		)
	}
}

export default function RequestPage() {
	const loaderData = useLoaderData<typeof loader>()
	const {
		org,
		request,
		fields,
		editable,
		checklist,
		actions,
		isAuthor,
		canReview,
		canEdit,
		otherReviewers,
		events,
		ticket,
		followUpDays,
		diff,
		amends,
	} = loaderData
	const { fourEyes, standing, personalDataConflict, correctable } = loaderData
	const result = useActionData<typeof action>() as ActionResult | undefined
	const saveResult = result?.intent === 'save' ? result : undefined
	const defaults = (saveResult?.values as RequestFields | undefined) ?? fields
	const autosaveKey = autosaveFetcherKey(request.id)
	const editorVersion = useEditorVersion(request.id, request.version, saveResult?.version)
	// After a refused save the form goes on from the version it posted, never from one it has not seen.
	const postedVersion = Number(saveResult?.values?.version)
	const available = actions.map((entry) => entry.action)
	const vendorActions = actions.filter((entry) => ['submit_for_review', 'reopen', 'withdraw'].includes(entry.action))
	const lifecycleError =
		result &&
		result.intent !== 'save' &&
		!result.errors &&
		!['decide', 'complete_review', 'request_changes'].includes(result.intent ?? '')
			? result.formError
			: null
	return (
		<div className="stack">
			<PageHeader
				title={`Email API request: ${request.appName || request.app.name}`}
				description={
					<>
						<Badge tone={STATE_TONES[request.state]}>{STATE_LABELS[request.state]}</Badge>{' '}
						{request.amendsRequestId ? <Badge tone="info">Amendment</Badge> : null} For{' '}
						<Link to={`/o/${org.slug}/apps/${request.app.id}`}>{request.app.name}</Link> · version {request.version} ·
						last changed {formatInTimeZone(new Date(request.updatedAt), org.timeZone)}
					</>
				}
				actions={
					<Link className="button button-secondary" to="text">
						Request text
					</Link>
				}
			/>
			{result?.notice && result.intent !== 'save' ? (
				<div className="alert alert-ok" role="status">
					{result.notice}
				</div>
			) : null}
			<FormAlert message={lifecycleError} />
			<ApprovalStandingNotice orgSlug={org.slug} standing={standing} timeZone={org.timeZone} />
			<PersonalDataConflictNotice message={personalDataConflict} />
			{request.state === 'changes_requested' ? <SentBack events={events} useCases={request.useCases} /> : null}
			{diff ? <AmendmentDiff diff={diff} approvedHref={`/o/${org.slug}/requests/${request.amendsRequestId}`} /> : null}
			{vendorActions.length > 0 ? <LifecycleBar version={request.version} actions={vendorActions} /> : null}
			{request.state === 'in_review' ? (
				<ReviewPanel
					version={request.version}
					useCases={request.useCases}
					canReview={canReview}
					isAuthor={isAuthor}
					fourEyes={fourEyes}
					otherReviewers={otherReviewers}
					complete={actions.find((entry) => entry.action === 'complete_review')}
					feedback={result}
				/>
			) : null}
			<TicketPanel
				ticket={ticket}
				version={request.version}
				actions={available}
				followUpDays={followUpDays}
				timeZone={org.timeZone}
				feedback={result}
				correctable={correctable}
				today={loaderData.today}
			/>
			{request.state === 'approved' && canEdit ? (
				<section className="card stack-sm" aria-labelledby="amend-heading">
					<h2 id="amend-heading">Add a use case or a new email feature</h2>
					<p className="card-muted">
						An approved request is never edited: a new feature that uses email needs an amendment, reviewed like the
						original (Email API guidelines, appropriate use).
					</p>
					<Form method="post">
						<input type="hidden" name="intent" value="amend" />
						<button type="submit" className="button">
							Start an amendment
						</button>
					</Form>
				</section>
			) : null}
			{editable ? (
				<RequestForm
					// The editor's own Save resets it to the saved version; an autosave or someone else's save does not.
					key={`${request.id}:${saveResult?.values ? 'kept' : editorVersion}`}
					defaults={withBlankCustomRow(defaults)}
					version={saveResult?.values && Number.isInteger(postedVersion) ? postedVersion : editorVersion}
					unsaved={Boolean(saveResult?.values)}
					autosave={{ fetcherKey: autosaveKey, timeZone: org.timeZone }}
					serverErrors={saveResult?.errors}
					formError={saveResult?.formError}
					notice={saveResult?.notice}
					amends={amends}
				/>
			) : (
				<ReadOnlyRequest
					request={request}
					fields={fields}
					checklist={checklist}
					heldBack={loaderData.emptyAmendment ? NOTHING_AMENDED : null}
				/>
			)}
			<TicketTimeline events={events} timeZone={org.timeZone} />
		</div>
	)
}

/** Why the request came back: the reviewer's comment and each rejected use case with its reason. */
function SentBack({
	events,
	useCases,
}: {
	events: ReturnType<typeof useLoaderData<typeof loader>>['events']
	useCases: ReturnType<typeof useLoaderData<typeof loader>>['request']['useCases']
}) {
	const last = [...events].reverse().find((event) => event.kind === 'request_changes')
	const comment = (last?.details as { comment?: string } | undefined)?.comment
	const rejected = useCases.filter((useCase) => useCase.decision === 'rejected')
	return (
		<div className="alert alert-warn" role="status" data-testid="sent-back">
			<strong>Sent back for changes{last?.actorName ? ` by ${last.actorName}` : ''}.</strong>
			{comment ? ` “${comment}”` : null} Fix what the reviewer asked, save, and submit for review again.
			{rejected.length > 0 ? (
				<ul>
					{rejected.map((useCase) => (
						<li key={useCase.id}>
							Rejected: {labelOfUseCase(useCase.code, useCase.description)} — {useCase.decisionReason}
						</li>
					))}
				</ul>
			) : null}
		</div>
	)
}

function LifecycleBar({
	version,
	actions,
}: {
	version: number
	actions: ReturnType<typeof useLoaderData<typeof loader>>['actions']
}) {
	const navigation = useNavigation()
	// A draft being saved by itself changes the version: the buttons wait for it.
	const autosave = useFetcher({ key: autosaveFetcherKey(useLoaderData<typeof loader>().request.id) })
	return (
		<div className="card row lifecycle-bar">
			{actions.map((entry) => (
				<Form
					key={entry.action}
					method="post"
					onSubmit={(event) => {
						if (entry.action === 'withdraw' && !confirm('Withdraw this request? It cannot be reopened.'))
							event.preventDefault()
					}}
				>
					<input type="hidden" name="intent" value={entry.action} />
					<input type="hidden" name="version" value={version} />
					<button
						type="submit"
						className={`button ${entry.action === 'submit_for_review' ? '' : entry.action === 'withdraw' ? 'button-danger' : 'button-secondary'}`}
						disabled={navigation.state !== 'idle' || autosave.state !== 'idle' || Boolean(entry.blocked)}
						aria-describedby={entry.blocked ? `${entry.action}-blocked` : undefined}
					>
						{entry.label}
					</button>
					{entry.blocked ? (
						<span id={`${entry.action}-blocked`} className="card-muted">
							{' '}
							{entry.blocked.message}
						</span>
					) : null}
				</Form>
			))}
		</div>
	)
}

/**
 * The version the editor was mounted with. It moves only with this page's
 * own Save: a version the server reports for another reason (an autosave,
 * someone else's save seen on revalidation) never resets the editor, so
 * nothing typed is dropped; a save from it is then checked against the
 * version it started from (docs/architecture.md › Transactions and concurrency).
 */
function useEditorVersion(requestId: string, version: number, saved: number | undefined) {
	const mounted = useRef({ requestId, version })
	if (mounted.current.requestId !== requestId) mounted.current = { requestId, version }
	// Only once the page's data has caught up with that save: the router hands over the save's answer while the
	// loaders still run, and an editor mounted then would show the fields from before the save.
	else if (saved !== undefined && saved > mounted.current.version && version >= saved)
		mounted.current = { requestId, version: saved }
	return mounted.current.version
}

/** One empty custom row, so there is somewhere to type even without JavaScript. */
function withBlankCustomRow(fields: RequestFields): RequestFields {
	const rows = fields.customUseCases ?? []
	return { ...fields, customUseCases: [...rows, { description: '' }] }
}

/**
 * The states in which a passing checklist, read by someone who cannot edit the request, means it may go (on) to be
 * sent; not a request sent back for changes, which is not ready whatever the checklist says (as its text says).
 */
const SENDABLE_STATES: readonly string[] = ['draft', 'ready_to_submit']

function ReadOnlyRequest({
	request,
	fields,
	checklist,
	heldBack,
}: {
	request: ReturnType<typeof useLoaderData<typeof loader>>['request']
	fields: RequestFields
	checklist: ReturnType<typeof useLoaderData<typeof loader>>['checklist']
	heldBack: string | null
}) {
	const rows: [string, string][] = [
		['Company', fields.companyName || '—'],
		['App name', fields.appName || '—'],
		['App key', fields.appKey || '—'],
		['App type', fields.appType ? appTypeText(fields.appType) : '—'],
		['Products', fields.products.length > 0 ? productsText(fields.products) : '—'],
		['Marketplace listing', fields.marketplaceListingUrl || '—'],
		['Privacy policy', fields.privacyPolicyUrl || '—'],
		['Terms of use', fields.termsOfUseUrl || '—'],
		['Stores personal data', PERSONAL_DATA_LABELS[fields.storesPersonalData]],
		['Functionality', fields.functionalityDescription || '—'],
		['Policy excerpt', fields.privacyPolicyExcerpt || '—'],
	]
	return (
		<div className="editor">
			{/* A request in review, sent, decided or closed: its passing checklist is not "ready to send". */}
			<ChecklistPanel result={checklist} sendable={SENDABLE_STATES.includes(request.state)} heldBack={heldBack} />
			<section className="card stack-sm">
				<p className="card-muted">This request is {STATE_PHRASES[request.state]}, so it cannot be edited here.</p>
				<dl className="dl">
					{rows.map(([label, value]) => (
						<div key={label} style={{ display: 'contents' }}>
							<dt>{label}</dt>
							<dd>{value}</dd>
						</div>
					))}
				</dl>
				<h3>Use cases</h3>
				<ul className="checklist-items">
					{request.useCases.map((useCase) => (
						<li key={useCase.id} className="check-item">
							<Badge tone={OUTCOME[useCase.engineOutcome].tone}>{OUTCOME[useCase.engineOutcome].label}</Badge>{' '}
							<DecisionBadge useCase={useCase} /> {labelOfUseCase(useCase.code, useCase.description)}
							{useCase.decisionReason ? <p className="check-message">Reviewer: {useCase.decisionReason}</p> : null}
						</li>
					))}
				</ul>
			</section>
		</div>
	)
}
