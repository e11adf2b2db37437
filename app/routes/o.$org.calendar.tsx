import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { type ReactNode } from 'react'
import { CopyField } from '~/components/copy-field'
import { FormAlert } from '~/components/ui/form'
import { Badge, PageHeader } from '~/components/ui/status'
import { formatInTimeZone, formatLocalDate } from '~/domain/reporting-cycle'
import { can } from '~/domain/roles'
import { localDateOf } from '~/domain/zoned-time'
import { CalendarActionSchema, type CalendarFeedChoice } from '~/schemas/calendar'
import {
	createFeed,
	feedEvents,
	feedPath,
	listFeeds,
	publicBaseUrl,
	revokeFeed,
	type FeedInfo,
} from '~/services/calendar.server'
import { assertPermission, requireMember } from '~/utils/auth.server'
import { UserFacingError } from '~/utils/errors'
import { parseForm } from '~/utils/forms'

export const meta: MetaFunction = () => [{ title: 'Calendar · Clearance' }]

/** How many of the coming events the page lists. */
const PREVIEW = 8

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { user, org, roles } = await requireMember(request, params.org)
	const isAdmin = can(roles, 'members:manage')
	const feeds = await listFeeds(org.id, user.id)
	const { events } = await feedEvents({ orgId: org.id, userId: user.id }, publicBaseUrl(request))
	const today = localDateOf(new Date(), org.timeZone)
	return {
		org,
		isAdmin,
		person: feeds.person,
		organisation: isAdmin ? feeds.organisation : null,
		preview: events
			.filter((event) => event.date >= today)
			.slice(0, PREVIEW)
			.map(({ uid, date, summary }) => ({ uid, date, summary })),
		eventCount: events.length,
	}
}

type ActionResult = {
	feed?: CalendarFeedChoice
	/** The new address: in this one answer only, never stored in the clear. */
	created?: { url: string; replaced: boolean }
	notice?: string
	formError?: string
}

export async function action({ request, params }: ActionFunctionArgs) {
	const member = await requireMember(request, params.org)
	const form = await parseForm(request, CalendarActionSchema)
	if (!form.success) {
		return data<ActionResult>({ formError: Object.values(form.errors)[0] ?? 'The form could not be read.' }, 400)
	}
	const { intent, feed } = form.data
	// The organisation's address shows every app: admins only (a refusal is recorded in the audit log).
	if (feed === 'organisation') await assertPermission(request, member, 'members:manage')
	const userId = feed === 'person' ? member.user.id : null
	try {
		if (intent === 'create') {
			const { token, replaced } = await createFeed(member.org.id, member.user.id, userId)
			return data<ActionResult>(
				{ feed, created: { url: `${publicBaseUrl(request)}${feedPath(token)}`, replaced } },
				{ headers: { 'Cache-Control': 'no-store' } },
			)
		}
		await revokeFeed(member.org.id, member.user.id, userId)
		return data<ActionResult>({
			feed,
			notice: 'The calendar URL is stopped: calendars subscribed to it get nothing more from Clearance.',
		})
	} catch (error) {
		if (!(error instanceof UserFacingError)) throw error
		return data<ActionResult>({ feed, formError: error.message }, error.status)
	}
}

function FeedCard({
	feed,
	info,
	result,
	timeZone,
	title,
	children,
}: {
	feed: CalendarFeedChoice
	info: FeedInfo | null
	result: ActionResult | undefined
	timeZone: string
	title: string
	children: ReactNode
}) {
	const navigation = useNavigation()
	const busy = navigation.state === 'submitting' && navigation.formData?.get('feed') === feed
	const mine = result?.feed === feed ? result : undefined
	const headingId = `${feed}-calendar-heading`
	return (
		<section className="card stack-sm" aria-labelledby={headingId}>
			<div className="row">
				<h2 id={headingId}>{title}</h2>
				{info ? <Badge tone="ok">Active</Badge> : <Badge tone="neutral">No URL yet</Badge>}
			</div>
			{children}
			{mine?.created ? (
				<div className="alert alert-ok" role="status">
					<strong>{mine.created.replaced ? 'New calendar URL created.' : 'Calendar URL created.'}</strong> Copy it now
					and add it to your calendar: it is shown only this once. Clearance keeps only a fingerprint of it.
					{mine.created.replaced ? ' The old URL no longer works: subscribe again with this one.' : ''}
					<div style={{ marginTop: 'var(--space-3)' }}>
						<CopyField id={`${feed}-calendar-url`} label="Calendar URL" value={mine.created.url} />
					</div>
				</div>
			) : null}
			{mine?.notice ? (
				<div className="alert alert-ok" role="status">
					{mine.notice}
				</div>
			) : null}
			<FormAlert message={mine?.formError} />
			{info && !mine?.created ? (
				<p className="card-muted">
					A URL has been active since {formatInTimeZone(new Date(info.createdAt), timeZone)}
					{info.createdByName ? `, created by ${info.createdByName}` : ''}. It was shown once, when it was made. To add
					the calendar somewhere else, or if the URL may have been shared by mistake, create a new one: the old one
					stops working at once.
				</p>
			) : null}
			<div className="row">
				<Form method="post">
					<input type="hidden" name="intent" value="create" />
					<input type="hidden" name="feed" value={feed} />
					<button type="submit" className="button" disabled={busy}>
						{info ? 'Create a new URL' : 'Create the calendar URL'}
					</button>
				</Form>
				{info ? (
					<Form
						method="post"
						onSubmit={(event) => {
							if (!confirm('Stop this calendar URL? Calendars subscribed to it get nothing more.'))
								event.preventDefault()
						}}
					>
						<input type="hidden" name="intent" value="revoke" />
						<input type="hidden" name="feed" value={feed} />
						<button type="submit" className="button button-danger" disabled={busy}>
							Stop this URL
						</button>
					</Form>
				) : null}
			</div>
		</section>
	)
}

export default function CalendarPage() {
	const { org, isAdmin, person, organisation, preview, eventCount } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	const dayLabel = (date: string) => formatLocalDate(new Date(`${date}T12:00:00Z`), 'UTC')
	return (
		<div className="stack">
			<PageHeader
				title="Calendar"
				description="Put every personal-data report and account task deadline in the calendar your team already uses, with a reminder the day before."
			/>
			<FeedCard feed="person" info={person} result={result} timeZone={org.timeZone} title="Your calendar">
				<p>
					The apps you answer for, the same as your reminders: one all-day event on each day a personal-data report is
					due, and on each day erase or refresh tasks fall due, with a reminder the day before. These are the apps that
					list you as an owner, and those without owners that you registered (apps nobody answers for go to the admins).
					Days are in the organisation’s time zone, {org.timeZone}.
				</p>
				{preview.length > 0 ? (
					<>
						<h3>Coming up</h3>
						<ul className="stack-sm">
							{preview.map((event) => (
								<li key={event.uid}>
									<strong>{dayLabel(event.date)}</strong>: {event.summary}
								</li>
							))}
						</ul>
					</>
				) : (
					<p className="card-muted">
						{eventCount > 0
							? 'Nothing coming up: the deadlines in this calendar have passed. Open the dashboard to act on them.'
							: 'Nothing to show yet: you own no app with a report or task due.'}
						{isAdmin ? ' The organisation’s calendar below holds every app.' : ''}
					</p>
				)}
			</FeedCard>
			{isAdmin ? (
				<FeedCard
					feed="organisation"
					info={organisation}
					result={result}
					timeZone={org.timeZone}
					title="Organisation calendar"
				>
					<p>
						Every active app of the organisation, whoever owns it: for a shared team calendar. Anyone with the URL can
						read these deadlines and app names, so share it only with the team. An API key with the <code>read</code>{' '}
						scope can read the same calendar at <code>/api/v1/calendar.ics</code>.
					</p>
				</FeedCard>
			) : null}
			<section className="card stack-sm" aria-labelledby="subscribe-heading">
				<h2 id="subscribe-heading">Subscribe</h2>
				<p>
					Subscribe rather than import: a subscribed calendar follows each change in Clearance; an imported file never
					changes. Calendar apps fetch the URL again on their own schedule, so a change can take some hours to show.
				</p>
				<h3>Google Calendar</h3>
				<ol>
					<li>Open Google Calendar on a computer (subscribing is not offered in the phone app).</li>
					<li>
						Beside <strong>Other calendars</strong>, choose <strong>+</strong>, then <strong>From URL</strong>.
					</li>
					<li>
						Paste the calendar URL and choose <strong>Add calendar</strong>. It then shows on your phone too.
					</li>
				</ol>
				<h3>Outlook</h3>
				<ol>
					<li>Open the calendar in Outlook on the web or the new Outlook.</li>
					<li>
						Choose <strong>Add calendar</strong>, then <strong>Subscribe from web</strong>.
					</li>
					<li>
						Paste the calendar URL, give the calendar a name and choose <strong>Import</strong>.
					</li>
				</ol>
				<h3>Apple Calendar</h3>
				<ol>
					<li>
						Choose <strong>File</strong>, then <strong>New Calendar Subscription</strong>, and paste the calendar URL.
					</li>
				</ol>
			</section>
		</div>
	)
}
