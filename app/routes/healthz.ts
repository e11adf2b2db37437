import { getDatabase, ping } from '#db/client.server'

// For load balancers and uptime checks: 200 when the database answers, 503
// (never a 500) when it does not or cannot even be opened.
export async function loader() {
	let handle: ReturnType<typeof getDatabase> | undefined
	try {
		handle = getDatabase()
	} catch {
		handle = undefined
	}
	const ok = handle ? await ping(handle.db) : false
	return Response.json(
		ok && handle ? { ok: true, database: handle.config.driver } : { ok: false, error: 'database unavailable' },
		{ status: ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
	)
}
