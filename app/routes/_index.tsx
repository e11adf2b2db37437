import { redirect, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { Logo } from '~/components/auth-card'
import { listUserOrgs } from '~/services/members.server'
import { getOptionalUser } from '~/utils/auth.server'

export const meta: MetaFunction = () => [{ title: 'Clearance — Atlassian Email API access, done right' }]

export async function loader({ request }: LoaderFunctionArgs) {
	const user = await getOptionalUser(request)
	if (!user) return { user: null }
	const [first] = await listUserOrgs(user.id)
	if (first) throw redirect(`/o/${first.slug}`)
	return { user: { name: user.name, email: user.email } }
}

export default function Index() {
	const { user } = useLoaderData<typeof loader>()
	return (
		<main className="landing" id="main">
			<header>
				<Logo />
				{user ? (
					<Form method="post" action="/logout">
						<button className="button button-secondary" type="submit">
							Log out
						</button>
					</Form>
				) : (
					<div className="row">
						<Link to="/login">Log in</Link>
						<Link className="button" to="/signup">
							Get started
						</Link>
					</div>
				)}
			</header>
			{user ? (
				<div className="empty-state">
					<h2>You are not a member of any organisation</h2>
					<p>
						Signed in as {user.email}. Ask an admin of your organisation for an invite link, or log out and create a new
						organisation.
					</p>
				</div>
			) : (
				<section className="hero">
					<h1>Get Atlassian Email API access right the first time.</h1>
					<p>
						Clearance checks your access request against Atlassian’s rules as you type, routes each use case to a
						compliance reviewer, tracks the support ticket, and keeps every app on its personal-data reporting cycle.
					</p>
					<div className="row">
						<Link className="button" to="/signup">
							Create your organisation
						</Link>
						<Link className="button button-secondary" to="/login">
							Log in
						</Link>
					</div>
					<div className="features">
						<div className="card">
							<h3>Request checklist</h3>
							<p>Privacy policy, terms, personal-data answer and every use case checked before Atlassian sees them.</p>
						</div>
						<div className="card">
							<h3>Four-eyes review</h3>
							<p>A reviewer who did not write the request approves or rejects each use case, with reasons on record.</p>
						</div>
						<div className="card">
							<h3>Reporting deadlines</h3>
							<p>
								Every app that stores personal data stays on its reporting cycle, with erase and refresh tasks tracked.
							</p>
						</div>
					</div>
				</section>
			)}
		</main>
	)
}
