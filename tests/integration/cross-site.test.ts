import { request as httpRequest } from 'node:http'
import { type AddressInfo } from 'node:net'
import { eq } from 'drizzle-orm'
import { describe, expect, it, vi } from 'vitest'
import { db } from '#db/client.server'
import { organizations } from '#db/schema'
import * as evaluateRoute from '~/routes/api.v1.checklist.evaluate'
import * as settingsRoute from '~/routes/o.$org.settings'
import { isCrossSiteAction, refuseCrossSite } from '~/utils/cross-site.server'
import { createServerApp } from '../../scripts/server-app'
import { cookieFor, createOrg } from '../fixtures/world'
import { handlerFor, testBuild } from './server-helpers'

// Issue 10, finding 2: a POST with a foreign Origin made Remix throw (its own
// CSRF check), so the person got a 500. It is a 403 page saying why.

const routes = {
	'routes/o.$org.settings': { path: 'o/:org/settings', module: settingsRoute },
	'routes/api.v1.checklist.evaluate': { path: 'api/v1/checklist/evaluate', module: evaluateRoute },
} as never

async function world() {
	const { org, admin } = await createOrg('Cross Site')
	const { cookie } = await cookieFor(admin.id)
	return { org, cookie }
}

function settingsPost(
	slug: string,
	cookie: string,
	headers: Record<string, string>,
	timeZone = 'Europe/Berlin',
	{ path = `/o/${slug}/settings`, version = '1' } = {},
) {
	return new Request(`https://clearance.example${path}`, {
		method: 'POST',
		headers: {
			Host: 'clearance.example',
			Cookie: cookie,
			'Content-Type': 'application/x-www-form-urlencoded',
			...headers,
		},
		body: new URLSearchParams({ timeZone, followUpDays: '10', taskDueDays: '30', version }),
	})
}

async function timeZoneOf(orgId: string) {
	const [row] = await db
		.select({ timeZone: organizations.timeZone })
		.from(organizations)
		.where(eq(organizations.id, orgId))
	return row!.timeZone
}

describe('a POST from another site (issue 10, finding 2)', () => {
	it('Remix alone answers it with a 500 (its own check throws): the reason for the guard', async () => {
		const { org, cookie } = await world()
		const error = vi.spyOn(console, 'error').mockImplementation(() => {})
		const answer = await handlerFor(routes)(settingsPost(org.slug, cookie, { Origin: 'https://evil.example' }))
		expect(answer.status).toBe(500)
		error.mockRestore()
	})

	it.each([
		['another site', 'https://evil.example'],
		['another subdomain of the same site', 'https://evil.clearance.example'],
		['the same host on another port', 'https://clearance.example:8443'],
		['an opaque origin', 'null'],
		['an unreadable origin', 'not a url'],
	])('from %s: 403 with a page that says why, and nothing changes', async (_name, origin) => {
		const { org, cookie } = await world()
		const handle = refuseCrossSite(handlerFor(routes))
		for (const path of [`/o/${org.slug}/settings`, `/o/${org.slug}/settings.data`]) {
			const answer = await handle(settingsPost(org.slug, cookie, { Origin: origin }, 'Asia/Tokyo', { path }))
			expect(answer.status).toBe(403)
			expect(answer.headers.get('Content-Type')).toBe('text/html; charset=utf-8')
			const page = await answer.text()
			expect(page).toContain('<h1>Cross-site request refused</h1>')
			expect(page).toContain('sent to Clearance from another website, so nothing was changed')
		}
		expect(await timeZoneOf(org.id)).toBe('UTC')
	})

	it('from Clearance itself, or without an Origin, the form still works', async () => {
		const { org, cookie } = await world()
		const handle = refuseCrossSite(handlerFor(routes))
		const same = await handle(settingsPost(org.slug, cookie, { Origin: 'https://clearance.example' }, 'Europe/Berlin'))
		expect(same.status).toBe(200)
		expect(await timeZoneOf(org.id)).toBe('Europe/Berlin')
		const none = await handle(
			new Request(`https://clearance.example/o/${org.slug}/settings`, {
				method: 'POST',
				headers: { Host: 'clearance.example', Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ timeZone: 'Asia/Tokyo', followUpDays: '10', taskDueDays: '30', version: '2' }),
			}),
		)
		expect(none.status).toBe(200)
		expect(await timeZoneOf(org.id)).toBe('Asia/Tokyo')
		// Behind a proxy, the host the browser used is X-Forwarded-Host.
		const proxied = await handle(
			settingsPost(
				org.slug,
				cookie,
				{ Origin: 'https://clearance.example', Host: 'internal:3000', 'X-Forwarded-Host': 'clearance.example' },
				'UTC',
				{ version: '3' },
			),
		)
		expect(proxied.status).toBe(200)
		expect(await timeZoneOf(org.id)).toBe('UTC')
	})

	it('GETs and the public API are left alone', async () => {
		const get = new Request('https://clearance.example/o/x/settings', {
			headers: { Host: 'clearance.example', Origin: 'https://evil.example' },
		})
		expect(isCrossSiteAction(get)).toBe(false)
		const api = await refuseCrossSite(handlerFor(routes))(
			new Request('https://clearance.example/api/v1/checklist/evaluate', {
				method: 'POST',
				headers: { Host: 'clearance.example', Origin: 'https://tools.example', 'Content-Type': 'application/json' },
				body: JSON.stringify({ appName: 'Mail Bridge' }),
			}),
		)
		expect(api.status).toBe(200)
	})
})

describe('the server refuses it before Remix (issue 10, finding 2)', () => {
	function post(port: number, path: string, headers: Record<string, string>, body: string) {
		return new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
			const req = httpRequest(
				{
					host: '127.0.0.1',
					port,
					method: 'POST',
					path,
					headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
				},
				(res) => {
					const chunks: Buffer[] = []
					res.on('data', (chunk: Buffer) => chunks.push(chunk))
					res.on('end', () =>
						resolve({
							status: res.statusCode ?? 0,
							type: res.headers['content-type'],
							body: Buffer.concat(chunks).toString('utf8'),
						}),
					)
				},
			)
			req.on('error', reject)
			req.end(body)
		})
	}

	it('a foreign Origin gets the 403 page over HTTP; the same origin saves', async () => {
		const { org, cookie } = await world()
		const { app } = createServerApp({ build: testBuild(routes), publicDir: null })
		const server = app.listen(0, '127.0.0.1')
		await new Promise((resolve) => server.once('listening', resolve))
		try {
			const { port } = server.address() as AddressInfo
			const form = (timeZone: string, version: string) =>
				new URLSearchParams({ timeZone, followUpDays: '10', taskDueDays: '30', version }).toString()
			const foreign = await post(
				port,
				`/o/${org.slug}/settings`,
				{ Cookie: cookie, Origin: 'https://evil.example' },
				form('Asia/Tokyo', '1'),
			)
			expect(foreign.status).toBe(403)
			expect(foreign.type).toBe('text/html; charset=utf-8')
			expect(foreign.body).toContain('Cross-site request refused')
			expect(await timeZoneOf(org.id)).toBe('UTC')
			const same = await post(
				port,
				`/o/${org.slug}/settings`,
				{ Cookie: cookie, Origin: `http://127.0.0.1:${port}` },
				form('Asia/Tokyo', '1'),
			)
			expect(same.status).toBe(200)
			expect(await timeZoneOf(org.id)).toBe('Asia/Tokyo')
		} finally {
			await new Promise((resolve) => server.close(resolve))
		}
	})
})
