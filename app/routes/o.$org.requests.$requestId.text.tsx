import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { CopyBlock } from '~/components/copy-block'
import { Badge, PageHeader } from '~/components/ui/status'
import { evaluateSaved, getRequest } from '~/services/requests.server'
import { requireMember } from '~/utils/auth.server'
import { notFound } from '~/utils/http.server'

export const meta: MetaFunction = () => [{ title: 'Request text · Clearance' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requireMember(request, params.org)
	const accessRequest = await getRequest(org.id, params.requestId ?? '')
	if (!accessRequest) notFound('No such request in this organisation.')
	const checklist = evaluateSaved(accessRequest)
	return {
		appName: accessRequest.appName || accessRequest.app.name,
		text: checklist.submissionText,
		ready: checklist.ready,
		failing: checklist.checks.filter((check) => check.status === 'fail').length,
	}
}

export default function RequestTextPage() {
	const { appName, text, ready, failing } = useLoaderData<typeof loader>()
	return (
		<div className="stack">
			<PageHeader
				title={`Request text: ${appName}`}
				description="In the order of Atlassian’s request form. Paste it into the developer support portal when the request is ready."
				actions={
					<div className="row no-print">
						<Link className="button button-secondary" to="..">
							Back to the request
						</Link>
						<a className="button button-secondary" href="json" download>
							Download JSON
						</a>
						<button type="button" className="button button-secondary" onClick={() => window.print()}>
							Print
						</button>
					</div>
				}
			/>
			{ready ? (
				<div className="alert alert-ok">
					<strong>The checklist passes.</strong> This text is ready to send.
				</div>
			) : (
				<div className="alert alert-warn">
					<strong>
						<Badge tone="bad">Not ready</Badge> {failing} check{failing === 1 ? '' : 's'} still fail.
					</strong>
					Atlassian is likely to bounce this request; fix the checklist first.
				</div>
			)}
			<section className="card">
				<CopyBlock text={text} label="request text" />
			</section>
		</div>
	)
}
