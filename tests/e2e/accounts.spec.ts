import {
	DEMO_PASSWORD,
	expect,
	gotoHydrated,
	logIn,
	PASSWORD,
	signInAs,
	signUpInBrowser,
	test,
	uniqueEmail,
} from './utils'

test('sign up, log out, a wrong password, log in, invite a colleague who joins', async ({ page, browser }) => {
	// Every step typed, as a newcomer does (this test's subject); the suite's bound per test leaves room for a busy machine.
	const email = uniqueEmail('founder')
	await signUpInBrowser(page, { name: 'Fay Founder', email, orgName: 'Orbit Apps' })
	await expect(page.getByText('Orbit Apps').first()).toBeVisible()
	await expect(page.getByRole('heading', { name: 'No apps yet' })).toBeVisible()

	await page.getByRole('button', { name: 'Log out' }).click()
	await expect(page).toHaveURL(/\/login$/)

	await logIn(page, email, 'this is not my password')
	await expect(page.getByRole('alert')).toHaveText('Email or password is incorrect.')

	await logIn(page, email)
	await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()

	await page.getByRole('link', { name: 'Members' }).click()
	await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible()
	const inviteeEmail = uniqueEmail('reviewer')
	const inviteForm = page.getByRole('region', { name: 'Invite someone' })
	await inviteForm.getByLabel('Email address').fill(inviteeEmail)
	await inviteForm.getByLabel(/Compliance reviewer/).check()
	await inviteForm.getByLabel(/^Vendor/).uncheck()
	await inviteForm.getByRole('button', { name: 'Create invite link' }).click()
	const link = await page.getByLabel('Invite link').inputValue()
	expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{20,}$/)
	await expect(page.getByRole('cell', { name: inviteeEmail })).toBeVisible()

	const other = await browser.newContext()
	const invitee = await other.newPage()
	await gotoHydrated(invitee, link)
	await expect(invitee.getByText(/You are invited to Orbit Apps as Compliance reviewer/)).toBeVisible()
	await invitee.getByLabel('Your name').fill('Rita Reviewer')
	await invitee.getByLabel('Choose a password').fill(PASSWORD)
	await invitee.getByRole('button', { name: 'Create account and join' }).click()
	await expect(invitee.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
	await expect(invitee.getByText('Compliance reviewer')).toBeVisible()
	// A reviewer is not an admin: no Members page for them.
	await expect(invitee.getByRole('link', { name: 'Members' })).toHaveCount(0)

	// The link worked once; now it says so.
	await gotoHydrated(invitee, link)
	await expect(invitee.getByRole('heading', { name: /already used|not valid/ })).toBeVisible()
	await other.close()

	await page.reload()
	await expect(page.getByText('Rita Reviewer', { exact: true })).toBeVisible()
})

test('the form explains what is wrong, next to the field, before submitting', async ({ page }) => {
	await gotoHydrated(page, '/signup')
	await page.getByLabel('Password').fill('short')
	await page.getByRole('button', { name: 'Create organisation' }).click()
	const name = page.getByLabel('Your name')
	await expect(name).toBeFocused()
	await expect(name).toHaveAttribute('aria-invalid', 'true')
	await expect(page.getByText('Use at least 12 characters.')).toBeVisible()
	await expect(page.getByLabel('Password')).toHaveAttribute('aria-describedby', /password-error/)
})

test('unknown URLs show the 404 page', async ({ page }) => {
	const response = await page.goto('/this/page/does-not-exist')
	expect(response?.status()).toBe(404)
	await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
	await page.getByRole('link', { name: 'Go to the start page' }).click()
	await expect(page.getByRole('heading', { name: /Get Atlassian Email API access right/ })).toBeVisible()
})

test('the seeded demo organisation is there to explore', async ({ page }) => {
	await logIn(page, 'admin@demo.test', DEMO_PASSWORD)
	await expect(page).toHaveURL(/\/o\/demo$/)
	await expect(page.getByText('Demo Vendor').first()).toBeVisible()
	await expect(page.getByRole('link', { name: 'Acme Sync for Jira', exact: true })).toBeVisible()
	await expect(page.getByRole('link', { name: 'Ticket Mailer', exact: true })).toBeVisible()
})

test('a page of the organisation the person may not open says so inside the organisation’s navigation', async ({
	page,
}) => {
	await signInAs(page.context(), 'vendor@demo.test', DEMO_PASSWORD)
	const response = await page.goto('/o/demo/review')
	expect(response?.status()).toBe(403)
	await expect(page.getByRole('heading', { name: 'You don’t have access to this' })).toBeVisible()
	await expect(page.getByText('This needs the compliance reviewer role')).toBeVisible()
	// The organisation's navigation stays, and the way on is its dashboard.
	await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' })).toBeVisible()
	await page.getByRole('main').getByRole('link', { name: 'Go to the dashboard' }).click()
	await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
	await expect(page).toHaveURL(/\/o\/demo$/)
})

test('GET /healthz answers 200 from the running build, on the configured driver', async ({ request }) => {
	const response = await request.get('/healthz')
	expect(response.status()).toBe(200)
	expect(await response.json()).toEqual({ ok: true, database: process.env.DATABASE_URL ? 'postgres' : 'pglite' })
})

test('HTML pages carry the security headers, with a nonce-based CSP', async ({ request }) => {
	const response = await request.get('/login')
	const headers = response.headers()
	expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/)
	expect(headers['x-frame-options']).toBe('DENY')
	expect(headers['referrer-policy']).toBe('same-origin')
})
