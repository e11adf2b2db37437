/**
 * Cross-site form posts are refused with a 403 page that says why, before
 * Remix sees them.
 *
 * Remix checks the `Origin` of every action itself, but answers a mismatch by
 * throwing: the person got a bare 500 ("Something went wrong"), and an
 * unreadable `Origin` (`Origin: x`) failed the same way. This check is the
 * same one (the Origin's host against X-Forwarded-Host, else Host), made
 * first and answered in words. The session cookie is SameSite=Lax, so a
 * foreign site's post carries no session anyway; this also covers sites on
 * the same registrable domain (another subdomain), which SameSite does not.
 *
 * A request without `Origin` (an older browser, a script) passes, as in Remix:
 * SameSite and the session do the rest. The public API under /api/ is meant
 * to be called from anywhere and is left alone.
 */

/** The host the request was sent to, as Remix reads it: X-Forwarded-Host's first value, else Host. */
function requestHost(headers: Headers): string | null {
	const forwarded = headers.get('X-Forwarded-Host')?.split(',')[0]?.trim()
	return forwarded || headers.get('Host') || null
}

function originHost(origin: string): string | null {
	if (origin === 'null') return null
	try {
		return new URL(origin).host
	} catch {
		return null
	}
}

/** True when `request` changes something and says it comes from another site (or an unreadable one). */
export function isCrossSiteAction(request: Request): boolean {
	// Remix runs the check for every method but GET (a HEAD to a `.data` URL is an action to it).
	if (request.method.toUpperCase() === 'GET') return false
	const origin = request.headers.get('Origin')
	if (origin === null || origin === '') return false
	if (new URL(request.url).pathname.startsWith('/api/')) return false
	const host = requestHost(request.headers)
	return host === null || originHost(origin) !== host
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cross-site request refused · Clearance</title>
<style>
body { font-family: system-ui, sans-serif; color: #1f2933; background: #f7f8fa; margin: 0; }
main { max-width: 36rem; margin: 15vh auto; padding: 2rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgb(0 0 0 / 0.12); }
.code { font-size: 2.5rem; font-weight: 700; color: #b42318; margin: 0; }
h1 { font-size: 1.4rem; margin: 0.5rem 0 1rem; }
a { color: #1d4ed8; }
</style>
</head>
<body>
<main id="main">
<p class="code" aria-hidden="true">403</p>
<h1>Cross-site request refused</h1>
<p>This form was sent to Clearance from another website, so nothing was changed. Clearance only accepts changes made on its own pages, so that another site cannot act in your name.</p>
<p>If you meant to do this, open Clearance directly, go to the page again and send the form from there.</p>
<p><a href="/">Go to the start page</a></p>
</main>
</body>
</html>
`

/** The 403 answer: a page for people, never cached, nothing else loaded. */
export function crossSiteRefusal(): Response {
	return new Response(PAGE, {
		status: 403,
		headers: {
			'Content-Type': 'text/html; charset=utf-8',
			'Cache-Control': 'no-store',
			'X-Content-Type-Options': 'nosniff',
			'Content-Security-Policy':
				"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
		},
	})
}

type RequestHandler<Context> = (request: Request, loadContext?: Context) => Promise<Response>

/**
 * Wraps the Remix request handler (`createRequestHandler(build)`): cross-site
 * actions get the 403 page, everything else goes through unchanged.
 */
export function refuseCrossSite<Context>(handler: RequestHandler<Context>): RequestHandler<Context> {
	return async (request, loadContext) => {
		if (isCrossSiteAction(request)) {
			// The body is not read: release it so the connection can carry the answer.
			await request.body?.cancel().catch(() => {})
			return crossSiteRefusal()
		}
		return handler(request, loadContext)
	}
}
