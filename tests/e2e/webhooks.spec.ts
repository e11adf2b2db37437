import { createHmac } from 'node:crypto'
import http from 'node:http'
import { type AddressInfo } from 'node:net'
import { gotoHydrated, signUp, uniqueEmail, expect, test } from './utils'

// Issue 13: an admin registers a webhook pointing at a receiver the test
// starts, sends a test message, and sees the delivery on the delivery page;
// the receiver got a body signed with the secret shown once.

type Received = { headers: http.IncomingHttpHeaders; body: string }

test('an admin registers a webhook, sends a test message and sees it delivered', async ({ page }) => {
	const received: Received[] = []
	const receiver = http.createServer((request, response) => {
		const chunks: Buffer[] = []
		request.on('data', (chunk: Buffer) => chunks.push(chunk))
		request.on('end', () => {
			received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
			response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok')
		})
	})
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
	const { port } = receiver.address() as AddressInfo
	try {
		await signUp(page, { name: 'Wes Webhook', email: uniqueEmail('admin'), orgName: 'Hooked Works' })
		const slug = new URL(page.url()).pathname.split('/')[2]!

		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click()
		await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible()
		await expect(page.getByText('No webhooks yet')).toBeVisible()

		// A bad address is said next to the field.
		await page.getByLabel('Name').fill('#compliance')
		await page.getByLabel('Address').fill('ftp://files.example/hook')
		await page.getByRole('button', { name: 'Register webhook' }).click()
		await expect(page.getByText('Enter a full URL starting with https://')).toBeVisible()

		await page.getByLabel('Address').fill(`http://127.0.0.1:${port}/hook`)
		await page.getByRole('button', { name: 'Register webhook' }).click()
		await expect(page.getByText('it is shown only once')).toBeVisible()
		const secret = await page.getByLabel('Signing secret').inputValue()
		expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
		const row = page.locator('tbody tr').filter({ hasText: '#compliance' })
		await expect(row.getByText('On', { exact: true })).toBeVisible()
		await expect(row).toContainText('None yet')

		// Shown once: after a reload the secret is not on the page.
		await gotoHydrated(page, `/o/${slug}/webhooks`)
		expect(await page.content()).not.toContain(secret)

		await page.getByRole('button', { name: 'Send a test message to #compliance' }).click()
		await expect(page.getByText('The test message was delivered.')).toBeVisible()
		expect(received).toHaveLength(1)
		const [got] = received
		const signature = String(got!.headers['clearance-signature'])
		const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature) ?? []
		expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${got!.body}`).digest('hex'))
		expect(JSON.parse(got!.body)).toMatchObject({
			text: expect.stringContaining('Test message from Clearance'),
			event: { type: 'webhook.test', organization: { slug } },
		})

		// The delivery page shows it.
		await page
			.locator('tbody tr')
			.filter({ hasText: '#compliance' })
			.getByRole('link', { name: 'Delivery log' })
			.click()
		await expect(page.getByRole('heading', { name: '#compliance', level: 1 })).toBeVisible()
		await expect(page.getByRole('heading', { name: '1 delivery' })).toBeVisible()
		const delivery = page.locator('tbody tr').first()
		await expect(delivery).toContainText('Test message')
		await expect(delivery).toContainText('Delivered')
		await expect(delivery).toContainText('1 attempt')
		await expect(delivery).toContainText('HTTP 200')

		// Send again: a new delivery, the first one kept.
		await delivery.getByRole('button', { name: /Send again/ }).click()
		await expect(page.getByText('The message was delivered.')).toBeVisible()
		await expect(page.getByRole('heading', { name: '2 deliveries' })).toBeVisible()
		expect(received).toHaveLength(2)
		expect(received[1]!.headers['clearance-delivery']).not.toBe(received[0]!.headers['clearance-delivery'])
	} finally {
		receiver.closeAllConnections()
		await new Promise<void>((resolve) => receiver.close(() => resolve()))
	}
})
