import { type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Badge, EmptyState, PageHeader } from '~/components/ui/status'
import { listApps } from '~/services/apps.server'
import { requireMember } from '~/utils/auth.server'

const APP_TYPE_LABELS = {
	connect: 'Connect',
	forge: 'Forge',
	oauth2: 'OAuth 2.0 (3LO)',
	api_token: 'API token script',
} as const

const PERSONAL_DATA = {
	yes: { tone: 'info', label: 'Stores personal data' },
	no: { tone: 'neutral', label: 'No personal data' },
	undecided: { tone: 'warn', label: 'Personal data: not decided' },
} as const

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requireMember(request, params.org)
	const apps = await listApps(org.id)
	return { org, apps }
}

export default function Dashboard() {
	const { org, apps } = useLoaderData<typeof loader>()
	return (
		<>
			<PageHeader
				title="Dashboard"
				description={`Apps of ${org.name}, their Email API requests and reporting deadlines.`}
			/>
			{apps.length === 0 ? (
				<EmptyState
					title="No apps yet"
					action={
						<Link className="button" to={`/o/${org.slug}/apps/new`}>
							Register an app
						</Link>
					}
				>
					Register the Atlassian app that needs email addresses. Clearance then checks its access request and
					tracks its reporting deadlines.
				</EmptyState>
			) : (
				<div className="table-wrap">
					<table>
						<caption className="visually-hidden">Apps</caption>
						<thead>
							<tr>
								<th scope="col">App</th>
								<th scope="col">Type</th>
								<th scope="col">Products</th>
								<th scope="col">Personal data</th>
							</tr>
						</thead>
						<tbody>
							{apps.map((app) => {
								const personal = PERSONAL_DATA[app.storesPersonalData]
								return (
									<tr key={app.id}>
										<td>
											<Link to={`/o/${org.slug}/apps/${app.id}`}>
												<strong>{app.name}</strong>
											</Link>
											<span className="sub mono">{app.appKey}</span>
										</td>
										<td>{APP_TYPE_LABELS[app.appType]}</td>
										<td>{app.products.length ? app.products.join(', ') : '—'}</td>
										<td>
											<Badge tone={personal.tone}>{personal.label}</Badge>
										</td>
									</tr>
								)
							})}
						</tbody>
					</table>
				</div>
			)}
		</>
	)
}
