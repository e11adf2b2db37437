import { describe, expect, it } from 'vitest'
import { db, onQuery } from '#db/client.server'
import { storedAccounts } from '#db/schema'
import { batchAccounts, type StoredAccount } from '~/domain/report-batches'
import * as apiBatchesRoute from '~/routes/api.v1.apps_.$appId_.report-batches'
import { loader as batchesLoader } from '~/routes/o.$org.apps.$appId_.reporting.batches'
import { STREAM_PAGE } from '~/services/ledger.server'
import { cookieFor, makeRequest } from '../fixtures/world'
import { apiRequest, apiWorld } from './api-helpers'

/**
 * The batches download reads the ledger in keyset pages of at most STREAM_PAGE
 * accounts, and only as fast as its reader takes the answer: the memory it
 * needs does not grow with the ledger (docs/architecture.md › Scaling out).
 * The bytes are those of the batches of the whole ledger in account-id order.
 */

const ACCOUNTS = 3 * STREAM_PAGE + 345

function accountId(n: number) {
	return `5be24ad8b1653240${n.toString(16).padStart(8, '0')}`
}

async function ledgerWorld() {
	const world = await apiWorld(['read'])
	// Inserted out of order: the download sorts by account id, whatever the order of writing.
	const accounts: StoredAccount[] = Array.from({ length: ACCOUNTS }, (_, i) => ({
		accountId: accountId((i * 7919) % ACCOUNTS),
		updatedAt: new Date(Date.UTC(2026, 0, 1 + (i % 28), 10, i % 60)),
	}))
	for (let from = 0; from < ACCOUNTS; from += 1000) {
		await db
			.insert(storedAccounts)
			.values(accounts.slice(from, from + 1000).map((row) => ({ appId: world.app.id, ...row })))
	}
	const sorted = [...accounts].sort((a, b) => (a.accountId < b.accountId ? -1 : 1))
	const bodies = [...batchAccounts(sorted)].map((body) => JSON.stringify(body))
	return {
		...world,
		expected: {
			ndjson: bodies.map((body) => `${body}\n`).join(''),
			json: `[\n${bodies.join(',\n')}\n]\n`,
		},
	}
}

/** Counts the ledger reads and the accounts each may return (its LIMIT), from the statements drizzle sends. */
function watchLedgerReads() {
	const limits: number[] = []
	const stop = onQuery((query, params) => {
		if (/from "stored_accounts"/i.test(query) && /order by "stored_accounts"\."account_id"/i.test(query)) {
			limits.push(Number(params[params.length - 1]))
		}
	})
	return { limits, stop }
}

/**
 * Reads the body chunk by chunk, noting how many ledger pages had been read
 * when the first chunk arrived, then everything.
 */
async function readStepwise(response: Response, limits: number[]) {
	const reader = response.body!.getReader()
	const decoder = new TextDecoder()
	const first = await reader.read()
	const pagesAtFirstChunk = limits.length
	let text = decoder.decode(first.value, { stream: true })
	let chunks = 1
	for (;;) {
		const next = await reader.read()
		if (next.done) break
		chunks++
		text += decoder.decode(next.value, { stream: true })
	}
	return { text: text + decoder.decode(), chunks, pagesAtFirstChunk }
}

describe('report batches download, streamed in bounded pieces', () => {
	it('the reporting page’s download reads the ledger page by page as the client reads, in order and complete', async () => {
		const world = await ledgerWorld()
		const { cookie } = await cookieFor(world.admin.id)
		const params = { org: world.org.slug, appId: world.app.id }
		const url = `/o/${world.org.slug}/apps/${world.app.id}/reporting/batches`
		const pages = Math.ceil((ACCOUNTS + 1) / STREAM_PAGE)

		for (const format of ['ndjson', 'json'] as const) {
			const reads = watchLedgerReads()
			try {
				const response = (await batchesLoader({
					request: makeRequest(`${url}?format=${format}`, { cookie }),
					params,
					context: {},
				})) as Response
				expect(response.status).toBe(200)
				const { text, chunks, pagesAtFirstChunk } = await readStepwise(response, reads.limits)
				// Byte for byte the batches of the whole ledger, in account-id order.
				expect(text).toBe(world.expected[format])
				// Every read asks for at most one page, and the ledger was read in several of them…
				expect(reads.limits.length).toBe(pages)
				expect(reads.limits.every((limit) => limit === STREAM_PAGE)).toBe(true)
				// …as the client read: when its first chunk arrived, the rest of the ledger was still unread.
				expect(pagesAtFirstChunk).toBeLessThanOrEqual(2)
				expect(chunks).toBeGreaterThanOrEqual(pages - 1)
			} finally {
				reads.stop()
			}
		}
	})

	it('the API’s report-batches digests then streams the ledger page by page, with the same bytes', async () => {
		const world = await ledgerWorld()
		const pages = Math.ceil((ACCOUNTS + 1) / STREAM_PAGE)
		for (const format of ['ndjson', 'json'] as const) {
			const reads = watchLedgerReads()
			try {
				const response = (await apiBatchesRoute.loader({
					request: apiRequest(`/apps/${world.app.id}/report-batches${format === 'ndjson' ? '?format=ndjson' : ''}`, {
						key: world.key,
					}),
					params: { appId: world.app.id },
					context: {},
				})) as Response
				expect(response.status).toBe(200)
				expect(response.headers.get('Clearance-Account-Count')).toBe(String(ACCOUNTS))
				// The digest for the header read the ledger once, page by page, before the answer began.
				expect(reads.limits).toHaveLength(pages)
				const { text, pagesAtFirstChunk } = await readStepwise(response, reads.limits)
				expect(text).toBe(world.expected[format])
				expect(reads.limits).toHaveLength(2 * pages)
				expect(reads.limits.every((limit) => limit === STREAM_PAGE)).toBe(true)
				expect(pagesAtFirstChunk - pages).toBeLessThanOrEqual(2)
			} finally {
				reads.stop()
			}
		}
	})
})
