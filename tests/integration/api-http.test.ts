import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import { type AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import * as unknownRoute from '~/routes/api.v1.$'
import * as accountsRoute from '~/routes/api.v1.apps_.$appId_.accounts'
import * as batchesRoute from '~/routes/api.v1.apps_.$appId_.report-batches'
import { createServerApp } from '../../scripts/server-app'
import { apiWorld } from './api-helpers'
import { testBuild } from './server-helpers'

/** The API over a real socket, through our server and Remix's request handling, as a client meets it. */

const routes = {
	'routes/api.v1.apps_.$appId_.accounts': { path: 'api/v1/apps/:appId/accounts', module: accountsRoute },
	'routes/api.v1.apps_.$appId_.report-batches': { path: 'api/v1/apps/:appId/report-batches', module: batchesRoute },
	'routes/api.v1.$': { path: 'api/v1/*', module: unknownRoute },
}

let server: Server | undefined
afterEach(async () => {
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
	server = undefined
})

async function start() {
	const { app } = createServerApp({ build: testBuild(routes as never), publicDir: null })
	server = app.listen(0, '127.0.0.1')
	await new Promise((resolve) => server!.once('listening', resolve))
	return (server.address() as AddressInfo).port
}

function send(port: number, method: string, path: string, headers: Record<string, string>, body: Buffer[] = []) {
	return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
		const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
			const chunks: Buffer[] = []
			res.on('data', (chunk: Buffer) => chunks.push(chunk))
			res.on('end', () =>
				resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
			)
			res.on('error', reject)
		})
		req.on('error', reject)
		const write = (index: number) => {
			if (index >= body.length) return req.end()
			if (!req.write(body[index]!)) req.once('drain', () => write(index + 1))
			else setImmediate(() => write(index + 1))
		}
		write(0)
	})
}

describe('the API over HTTP', () => {
	it('delivers the 413 for an account push over its 4 MB limit (no connection reset), and the 401 before any body is read', async () => {
		const { key, app } = await apiWorld()
		const port = await start()
		const chunks = Array.from({ length: 80 }, () => Buffer.alloc(64 * 1024, 0x20))
		const auth = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }
		const tooLarge = await send(port, 'POST', `/api/v1/apps/${app.id}/accounts`, auth, chunks)
		expect(tooLarge.status).toBe(413)
		expect(JSON.parse(tooLarge.body)).toEqual({ error: 'Request body is larger than 4 MB.' })
		const anonymous = await send(
			port,
			'POST',
			`/api/v1/apps/${app.id}/accounts`,
			{ 'Content-Type': 'application/json' },
			chunks,
		)
		expect(anonymous.status).toBe(401)
		expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/)
	})

	it('streams the batches with the prepared report’s header, and answers an unknown path with a JSON 404', async () => {
		const { key, app } = await apiWorld()
		const port = await start()
		const auth = { Authorization: `Bearer ${key}` }
		const body = Buffer.from(
			JSON.stringify({ accounts: [{ accountId: '5be24ad8b1653240376955d2', updatedAt: '2026-01-01T00:00:00Z' }] }),
		)
		expect(
			(
				await send(port, 'POST', `/api/v1/apps/${app.id}/accounts`, { ...auth, 'Content-Type': 'application/json' }, [
					body,
				])
			).status,
		).toBe(200)
		const batches = await send(port, 'GET', `/api/v1/apps/${app.id}/report-batches`, {
			...auth,
			Accept: 'application/x-ndjson',
		})
		expect(batches.status).toBe(200)
		expect(batches.headers['clearance-prepared-report']).toMatch(/^[0-9a-f]{64}$/)
		expect(batches.body).toBe(
			'{"accounts":[{"accountId":"5be24ad8b1653240376955d2","updatedAt":"2026-01-01T00:00:00.000Z"}]}\n',
		)
		const unknown = await send(port, 'DELETE', '/api/v1/nothing/here', auth)
		expect(unknown.status).toBe(404)
		expect(JSON.parse(unknown.body).error).toMatch(/No such endpoint: DELETE \/api\/v1\/nothing\/here/)
	})
})
