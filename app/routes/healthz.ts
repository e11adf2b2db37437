import { ping, getDatabase } from '#db/client.server'

// For load balancers and uptime checks: 200 when the database answers.
export async function loader() {
	const { db, config } = getDatabase()
	const ok = await ping(db)
	return Response.json(
		ok ? { ok: true, database: config.driver } : { ok: false, error: 'database unavailable' },
		{ status: ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
	)
}
