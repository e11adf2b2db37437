// Weekly: Clearance's batches → privacy.reportPersonalData() → the run, as evidence,
// in Clearance → the erase and refresh tasks. Settings (Forge environment variables):
//   forge variables set CLEARANCE_URL https://clearance.example.com
//   forge variables set CLEARANCE_APP_ID <the app's id: GET /api/v1/apps>
//   forge variables set --encrypt CLEARANCE_KEY clr_…   (scopes read, accounts:write, reports:write)
import { fetch, privacy } from '@forge/api'

const base = `${process.env.CLEARANCE_URL}/api/v1`
const appId = process.env.CLEARANCE_APP_ID

async function clearance(path, init = {}) {
	const response = await fetch(`${base}${path}`, {
		...init,
		headers: { Authorization: `Bearer ${process.env.CLEARANCE_KEY}`, 'Content-Type': 'application/json', ...init.headers },
	})
	if (!response.ok) throw new Error(`Clearance ${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`)
	return response
}

// Fill in for your app: the accounts it stores, and what erasing or refreshing one means.
async function storedAccounts() {
	return [] // [{ accountId, updatedAt }] from your storage, at most 10,000 per push
}
async function actOnTask(task) {
	// task.kind is 'erase' (delete that person's data) or 'refresh' (fetch it again); task.accountId says whose.
}

export async function report() {
	const accounts = await storedAccounts()
	if (accounts.length > 0) await clearance(`/apps/${appId}/accounts`, { method: 'POST', body: JSON.stringify({ accounts }) })

	const batchesResponse = await clearance(`/apps/${appId}/report-batches`)
	const preparedReportId = batchesResponse.headers.get('Clearance-Prepared-Report')
	const batches = await batchesResponse.json()
	if (batches.length === 0) return

	const sentAt = new Date().toISOString()
	const responses = []
	for (const batch of batches) {
		// The helper answers only with the accounts that need action: it hides the status code and the
		// Cycle-Period header, so each answer is recorded as a 200 with those accounts, and no cyclePeriod.
		const updates = await privacy.reportPersonalData(batch.accounts)
		responses.push({ status: 200, accounts: updates })
	}
	await clearance(`/apps/${appId}/report-runs`, {
		method: 'POST',
		headers: { 'Idempotency-Key': `${preparedReportId}-${sentAt}` },
		body: JSON.stringify({ sentAt, preparedReportId, responses }),
	})

	const { tasks } = await (await clearance(`/tasks?status=open&appId=${appId}`)).json()
	for (const task of tasks) {
		await actOnTask(task)
		await clearance(`/tasks/${task.id}/complete`, { method: 'POST' })
	}
}
