import { readFile } from 'node:fs/promises'
import { signUp, uniqueEmail, expect, registerApp, test } from './utils'

/** `datetime-local` text for `daysAgo` days before now (the org's zone is UTC). */
function localDaysAgo(daysAgo: number) {
	return new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 16)
}

/** An RFC 3339 stamp `daysAgo` days before now. */
function isoDaysAgo(daysAgo: number) {
	return new Date(Date.now() - daysAgo * 86_400_000).toISOString()
}

test('stored data 40 days old makes an app overdue at the top; a prepared report, its run and the erase task put it back on track', async ({
	page,
}) => {
	await signUp(page, { name: 'Vera Vendor', email: uniqueEmail('vendor'), orgName: 'Report Works' })
	await registerApp(page, {
		name: 'Quiet Tool',
		key: 'com.works.quiet',
		personalData: 'No, it stores no personal data',
	})
	await registerApp(page, { name: 'Mail Bridge', key: 'com.works.mail', personalData: 'Yes, it stores personal data' })

	// Import the ledger: data retrieved 40 days ago, one email-shaped row refused.
	await page.getByRole('link', { name: 'Open reporting' }).click()
	await expect(page.getByRole('heading', { name: 'Reporting: Mail Bridge' })).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	const importForm = page.getByRole('region', { name: 'Import account ids' })
	await importForm.getByLabel('CSV file').setInputFiles({
		name: 'accounts.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(
			`accountId,updatedAt\r\n5be24ad8b1653240376955d2,${isoDaysAgo(40)}\r\nsomeone@example.com,${isoDaysAgo(40)}\r\n5be24ba3f91c106033269289,${isoDaysAgo(30)}\r\n`,
		),
	})
	await importForm.getByRole('button', { name: 'Import' }).click()
	const summary = page.getByRole('region', { name: 'Import account ids' }).getByRole('status')
	await expect(summary).toContainText('2 added, 0 updated, 1 rejected')
	const rejected = summary.getByRole('row').filter({ hasText: 'this looks like an email address' })
	await expect(rejected).toContainText('3')
	await expect(page.getByText('someone@example.com')).toHaveCount(0)
	// The clock started when the data was retrieved, not when it was imported.
	const statusCard = page.getByRole('region', { name: 'Reporting status' })
	await expect(statusCard).toContainText('Overdue by 25 days')
	await expect(statusCard).toContainText(
		'the retrieval of the oldest stored data (the oldest last-updated time in the first import)',
	)

	await page.getByRole('link', { name: 'Dashboard', exact: true }).click()
	await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
	await expect(page.getByRole('alert')).toContainText('1 app is overdue')
	const firstRow = page.locator('tbody tr.deadline-row').first()
	await expect(firstRow).toContainText('Mail Bridge')
	await expect(firstRow).toContainText('Overdue')
	await expect(firstRow).toContainText('First report overdue by 25 days')
	await expect(page.locator('tbody tr.deadline-row').nth(1)).toContainText('Quiet Tool')
	await expect(page.getByRole('img', { name: /Reports falling due over the next 60 days/ })).toBeVisible()

	// Prepare the report, then download exactly its batches.
	await firstRow.getByRole('link', { name: 'Reporting for Mail Bridge' }).click()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	const prepare = page.getByRole('region', { name: 'Prepare the report' })
	await prepare.getByRole('button', { name: 'Prepare report' }).click()
	// Said in the card, where the button was, and only there.
	await expect(
		prepare.getByRole('status').filter({ hasText: 'Report prepared: 2 accounts in 1 batch' }),
	).toBeInViewport()
	await expect(page.getByText(/^Report prepared:/)).toHaveCount(1)
	// The page read again in place (as when a background import ends) keeps its message: the router drops the
	// action's answer then, the page must not.
	await page.evaluate(async () => {
		type State = { revalidation: string; fetchers: Map<string, { state: string }> }
		type Router = { state: State; revalidate: () => void; subscribe: (listener: (state: State) => void) => () => void }
		const router = (window as unknown as { __remixRouter: Router }).__remixRouter
		// Not while the import list's polling is loading: a revalidation interrupts (aborts) it, which the browser
		// reports as an error. Its loads start from timers, so none starts between this wait and the revalidation.
		const fetchersIdle = (state: State) => [...state.fetchers.values()].every((fetcher) => fetcher.state === 'idle')
		if (!fetchersIdle(router.state)) {
			await new Promise<void>((resolve) => {
				const stop = router.subscribe((state) => {
					if (!fetchersIdle(state)) return
					stop()
					resolve()
				})
			})
		}
		router.revalidate()
		await new Promise<void>((resolve) => {
			const stop = router.subscribe((state) => {
				if (state.revalidation !== 'idle') return
				stop()
				resolve()
			})
		})
		// Two frames: the page drawn with what the revalidation left.
		await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
	})
	await expect(page.getByRole('status').filter({ hasText: 'Report prepared: 2 accounts in 1 batch' })).toBeVisible()
	const downloadPromise = page.waitForEvent('download')
	await prepare.getByRole('link', { name: 'Download its batches (JSON array)' }).click()
	const download = await downloadPromise
	const bodies = JSON.parse(await readFile((await download.path())!, 'utf8')) as { accounts: { accountId: string }[] }[]
	expect(bodies).toHaveLength(1)
	expect(bodies[0]!.accounts.map((account) => account.accountId)).toEqual([
		'5be24ad8b1653240376955d2',
		'5be24ba3f91c106033269289',
	])

	// Record today's run answering that report, with one closed account.
	const runForm = page.getByRole('region', { name: 'Record a report run' })
	await expect(runForm.getByLabel('Report sent')).toContainText('2 accounts in 1 batch')
	await runForm.getByLabel(/Sent at/).fill(localDaysAgo(0))
	// What the answers will do is said as they are pasted: two answers for one batch would be refused.
	const answer = '{"accounts":[{"accountId":"5be24ba3f91c106033269289","status":"closed"}]}'
	const answers = runForm.getByLabel('Atlassian’s answers (paste)')
	await answers.fill(`${answer}\n${answer}`)
	await expect(runForm.getByText('2 answers for a report of 1 batch: recording will be refused.')).toBeVisible()
	await answers.fill(answer)
	await expect(runForm.getByText(/recording will be refused/)).toHaveCount(0)
	// A chosen file is what the run records, so the note reads the file, and the paste again once it is removed.
	const file = runForm.getByLabel('…or upload the answers file')
	await file.setInputFiles({
		name: 'answers.ndjson',
		mimeType: 'application/json',
		buffer: Buffer.from(`${answer}\n${answer}\n`),
	})
	await expect(runForm.getByText('2 answers for a report of 1 batch: recording will be refused.')).toBeVisible()
	// The answers pasted beside it are said not to be used.
	await expect(runForm.getByText('The chosen file is what the run records')).toBeVisible()
	// Recorded anyway, it is refused: the refusal under the field says why, once (the note is quiet until the
	// answers change again).
	await runForm.getByRole('button', { name: 'Record run' }).click()
	await expect(runForm.getByText('2 answers were given for a report of 1 batch')).toBeVisible()
	await expect(runForm.getByText(/recording will be refused/)).toHaveCount(0)
	await runForm.getByRole('button', { name: 'Remove the file' }).click()
	await expect(file).toHaveValue('')
	await expect(runForm.getByText(/recording will be refused/)).toHaveCount(0)
	await runForm.getByRole('button', { name: 'Record run' }).click()
	await expect(page.getByRole('status').filter({ hasText: '1 closed' })).toBeVisible()
	// The form is emptied of what the run was recorded from, says what was recorded where it was sent, and says
	// nothing of the empty box.
	await expect(answers).toHaveValue('')
	await expect(runForm.getByText(/^Report run recorded: 2 accounts, 1 closed/)).toBeVisible()
	// Said there only, not a second time at the top of the page.
	await expect(page.getByText(/^Report run recorded/)).toHaveCount(1)
	await expect(runForm.getByText(/^204: the run records/)).toHaveCount(0)
	await expect(page.getByText('On track').first()).toBeVisible()
	const runs = page.getByRole('region', { name: 'Report runs (evidence)' })
	await expect(runs).toContainText('2 accounts in 1 batch')
	await expect(runs).toContainText('1 of 1')
	await expect(runs).not.toContainText('Recorded later')
	// Pressed again, the emptied form records nothing: an empty box is no answer (204 says "nothing to do"). Sent a day
	// earlier, so that it is not the same run twice (refused as such): only the empty box stops it.
	const sentAt = runForm.getByLabel(/^Sent at/)
	const [day, time] = (await sentAt.inputValue()).split('T')
	const dayBefore = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
	await sentAt.fill(`${dayBefore}T${time}`)
	await runForm.getByRole('button', { name: 'Record run' }).click()
	await expect(runForm.getByText(/If Atlassian answered every batch with nothing to do, enter 204/)).toBeVisible()
	await expect(runs.getByRole('row')).toHaveCount(2)

	// Complete the erase task: the account leaves the ledger.
	const tasks = page.getByRole('region', { name: 'Open tasks' })
	await expect(tasks).toContainText('internal policy')
	const markErased = tasks.getByRole('button', { name: 'Mark erased: 5be24ba3f91c106033269289' })
	await markErased.click()
	// Said in the tasks card, where the button was, with its Undo in view; not again at the top of the page.
	await expect(tasks.getByRole('status').filter({ hasText: 'Erased' })).toBeInViewport()
	await expect(tasks.getByRole('button', { name: 'Undo' })).toBeInViewport()
	await expect(page.getByText(/^Erased: account/)).toHaveCount(1)
	await expect(tasks).toContainText('No erase or refresh tasks are open')
	const ledger = page.getByRole('region', { name: 'Account ledger' })
	// Marked by mistake: undone, the account is stored again and its task open.
	await page.getByRole('status').filter({ hasText: 'Erased' }).getByRole('button', { name: 'Undo' }).click()
	await expect(page.getByRole('status').filter({ hasText: 'Undone: the erase task' })).toBeVisible()
	await expect(ledger.getByRole('cell', { name: '5be24ba3f91c106033269289' })).toBeVisible()
	await markErased.click()
	await expect(page.getByRole('status').filter({ hasText: 'Erased' })).toBeVisible()
	await expect(tasks).toContainText('No erase or refresh tasks are open')
	await expect(ledger.getByRole('cell', { name: '5be24ba3f91c106033269289' })).toHaveCount(0)
	await expect(ledger.getByRole('cell', { name: '5be24ad8b1653240376955d2' })).toBeVisible()

	// Back on the dashboard: on track, nothing overdue.
	await page.getByRole('link', { name: 'Dashboard', exact: true }).click()
	const row = page.locator('tbody tr.deadline-row').filter({ hasText: 'Mail Bridge' })
	await expect(row).toContainText('On track')
	await expect(row).toContainText('Next report due in 15 days')
	await expect(page.getByRole('alert')).toHaveCount(0)

	// The cycle: 0 days is refused in the browser, 7 (Atlassian's guide default) is saved and explained.
	await row.getByRole('link', { name: 'Reporting for Mail Bridge' }).click()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	const cycleForm = page.getByRole('form', { name: 'Change the cycle' })
	await cycleForm.getByLabel('Another number of days').check()
	await cycleForm.getByLabel('Days (1–90), for another number').fill('0')
	await cycleForm.getByRole('button', { name: 'Save cycle' }).click()
	await expect(cycleForm.getByText(/Enter a cycle from 1 to 90 days/)).toBeVisible()
	await cycleForm.getByLabel(/^7 days/).check()
	await cycleForm.getByRole('button', { name: 'Save cycle' }).click()
	await expect(page.getByRole('status').filter({ hasText: 'The reporting cycle is now 7 days.' })).toBeVisible()
	await expect(page.getByRole('region', { name: 'Reporting status' })).toContainText(
		'7-day cycle (Atlassian’s reporting guide default)',
	)

	// On a phone the runs and the ledger are cards, each value under its column's name: no sideways scrolling.
	await page.setViewportSize({ width: 390, height: 780 })
	for (const name of ['Report runs', 'Stored accounts']) {
		const region = page.getByRole('region', { name, exact: true })
		await expect(region.locator('td[data-label]').first()).toBeVisible()
		expect(await region.evaluate((element) => element.scrollWidth - element.clientWidth), name).toBeLessThanOrEqual(0)
	}
	// Nor the page itself (the prepared report's full SHA-256 wraps).
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
})

test('a large file is imported in the background: the page follows it to the end and the ledger counts every row', async ({
	page,
}) => {
	await signUp(page, { name: 'Ivo Importer', email: uniqueEmail('importer'), orgName: 'Bulk Works' })
	await registerApp(page, { name: 'Big Ledger', key: 'com.bulk.ledger', personalData: 'Yes, it stores personal data' })
	await page.getByRole('link', { name: 'Open reporting' }).click()
	await expect(page.getByRole('heading', { name: 'Reporting: Big Ledger' })).toBeVisible()
	await expect(page.locator('html[data-hydrated]')).toBeAttached()
	const statusCard = page.getByRole('region', { name: 'Reporting status' })
	await expect(statusCard).toContainText('On track')
	// Past the 1 MB the form imports at once: accepted, then imported by the server's import job (on PostgreSQL,
	// on the server's import thread).
	const at = isoDaysAgo(20)
	const rows = Array.from({ length: 40_000 }, (_, i) => `5be24ad8b16532403769${String(i).padStart(5, '0')},${at}`)
	const importForm = page.getByRole('region', { name: 'Import account ids' })
	await importForm.getByLabel('CSV file').setInputFiles({
		name: 'big-ledger.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(['accountId,updatedAt', ...rows].join('\r\n') + '\r\n'),
	})
	await importForm.getByRole('button', { name: 'Import' }).click()
	const job = page.locator('[data-import-job]').filter({ hasText: 'big-ledger.csv' })
	await expect(job).toContainText('Imported', { timeout: 90_000 })
	await expect(job).toContainText('40,000 accounts added, 0 accounts updated, 0 rows rejected.')
	// The file taken, the form is empty again: Import pressed twice does not send it twice.
	await expect(importForm.getByLabel('CSV file')).toHaveValue('')
	// The upload's "being imported now" notice goes with the job's end, as the list shows it.
	await expect(importForm.getByText(/File received: it is being imported now/)).toBeHidden()
	// The page reads the app again when the job ends, without a reload: data retrieved 20 days ago on the 15-day cycle
	// is overdue, where the page had said "on track" before the import.
	await expect(statusCard).toContainText(/Overdue by \d+ days/)
	await expect(page.getByText(/of 40,000 stored\./)).toBeVisible()
	await page.reload()
	await expect(page.getByText(/of 40,000 stored\./)).toBeVisible()
	await expect(statusCard).toContainText(/Overdue by \d+ days/)
})
