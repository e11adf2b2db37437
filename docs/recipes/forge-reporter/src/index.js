// Clearance reporter companion (web trigger). Clearance posts one batch {"accounts":[{accountId, updatedAt}]}
// (at most 90) with the shared secret in the X-Clearance-Secret header; this function reports it to Atlassian
// as the app with privacy.reportPersonalData() and answers:
//   200 {"accounts":[{"accountId","status":"closed"|"updated"}]}   accounts that need action
//   204                                                             nothing to do
//   401                                                             the secret does not match
//   400                                                             not a batch Clearance would send
//   <status> {"errorType","errorMessage"}                           the error Atlassian's answer gave the helper
// Forge's helper does not pass on the Cycle-Period header, so this answer cannot carry it.
// Setting (encrypted Forge variable): forge variables set --encrypt CLEARANCE_SECRET <the secret>
import { createHash, timingSafeEqual } from 'node:crypto'
import { privacy } from '@forge/api'

const ACCOUNT_ID = /^[A-Za-z0-9:-]{1,128}$/
const MAX_BATCH = 90

function answer(statusCode, body) {
	return {
		statusCode,
		headers: { 'Content-Type': ['application/json'], 'Cache-Control': ['no-store'] },
		body: body === undefined ? '' : JSON.stringify(body),
	}
}

// Constant time: both sides hashed to the same length first, so neither length nor content leaks.
function secretMatches(given) {
	const expected = process.env.CLEARANCE_SECRET
	if (!expected || typeof given !== 'string') return false
	const digest = (text) => createHash('sha256').update(text, 'utf8').digest()
	return timingSafeEqual(digest(given), digest(expected))
}

function readBatch(text) {
	let body
	try {
		body = JSON.parse(text ?? '')
	} catch {
		return null
	}
	const accounts = body?.accounts
	if (!Array.isArray(accounts) || accounts.length === 0 || accounts.length > MAX_BATCH) return null
	const valid = accounts.every(
		(entry) =>
			typeof entry?.accountId === 'string' &&
			ACCOUNT_ID.test(entry.accountId) &&
			entry.accountId !== 'unknown' &&
			typeof entry.updatedAt === 'string',
	)
	return valid ? accounts.map(({ accountId, updatedAt }) => ({ accountId, updatedAt })) : null
}

/** The status Atlassian answered, as the helper's error message gives it (else 502: no answer to pass on). */
function statusOf(error) {
	const match = /\b([45]\d\d)\b/.exec(String(error?.status ?? error?.message ?? ''))
	return match ? Number(match[1]) : 502
}

export async function report(request) {
	if (String(request.method ?? 'POST').toUpperCase() !== 'POST') {
		return answer(405, { errorType: 'METHOD_NOT_ALLOWED', errorMessage: 'Use POST.' })
	}
	// Forge gives header names in lower case, each with a list of values.
	const given = request.headers?.['x-clearance-secret']?.[0]
	if (!secretMatches(given)) {
		return answer(401, { errorType: 'UNAUTHORIZED', errorMessage: 'The shared secret does not match.' })
	}
	const accounts = readBatch(request.body)
	if (!accounts) {
		return answer(400, {
			errorType: 'INVALID_BATCH',
			errorMessage: `Send {"accounts":[{"accountId","updatedAt"}]} with 1 to ${MAX_BATCH} accounts.`,
		})
	}
	try {
		// One batch of at most 90: the helper sends it as a single request, and Clearance sends the next
		// only after this one is answered.
		const updates = (await privacy.reportPersonalData(accounts)) ?? []
		return updates.length === 0 ? answer(204) : answer(200, { accounts: updates })
	} catch (error) {
		const status = statusOf(error)
		return answer(status, {
			errorType: status === 401 || status === 403 ? 'FORGE_NOT_AUTHORISED' : 'FORGE_REPORT_FAILED',
			errorMessage: String(error?.message ?? error).slice(0, 500),
		})
	}
}
