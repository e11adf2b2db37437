import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { STATE_LABELS, STATE_TONES } from '~/domain/request-lifecycle'
import { formatInTimeZone } from '~/domain/zoned-time'
import { listRequests } from '~/services/requests.server'
import { requireMember } from '~/utils/auth.server'

export const meta: MetaFunction = () => [{ title: 'Requests · Clearance' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requireMember(request, params.org)
	return { org, requests: await listRequests(org.id) }
}

export default function RequestsPage() {
	const { org, requests } = useLoaderData<typeof loader>()
	return (
		<div className="stack">
			<PageHeader
				title="Email API requests"
				description="Every access request of this organisation, most recently changed first."
			/>
			{requests.length === 0 ? (
				<EmptyState
					title="No requests yet"
					action={
						<Link className="button" to={`/o/${org.slug}/apps`}>
							Go to your apps
						</Link>
					}
				>
					Open an app and choose “Start an Email API request”. Clearance fills in what it knows about the app and checks
					the rest as you type.
				</EmptyState>
			) : (
				<div className="table-wrap">
					<table className="stack-table">
						<caption className="visually-hidden">Requests</caption>
						<thead>
							<tr>
								<th scope="col">App</th>
								<th scope="col">State</th>
								<th scope="col">Checklist</th>
								<th scope="col">Use cases</th>
								<th scope="col">Last change</th>
							</tr>
						</thead>
						<tbody>
							{requests.map((row) => (
								<tr key={row.id}>
									<td data-label="App">
										<Link to={row.id}>{row.appName}</Link>
										{row.amendsRequestId ? <span className="sub">Amendment</span> : null}
									</td>
									<td data-label="State">
										<Badge tone={STATE_TONES[row.state]}>{STATE_LABELS[row.state]}</Badge>
									</td>
									<td data-label="Checklist">
										{row.checklistReady ? <Badge tone="ok">Passes</Badge> : <Badge tone="bad">Checks failing</Badge>}
									</td>
									<td data-label="Use cases">{row.useCaseCount}</td>
									<td data-label="Last change">{formatInTimeZone(new Date(row.updatedAt), org.timeZone)}</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
		</div>
	)
}
