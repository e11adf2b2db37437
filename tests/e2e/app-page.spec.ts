import { expect, gotoHydrated, registerApp, signUp, test, uniqueEmail } from './utils'

// The app page's own form: what a save did is said where the person is, beside the button they pressed (the top of
// a long page is out of view by then), and said once.
test('saving an app’s details says so beside the Save button, in view', async ({ page }) => {
	const { base } = await signUp(page, {
		name: 'Ana Apps',
		email: uniqueEmail('app-page'),
		orgName: 'App Page Works',
	})
	await registerApp(
		page,
		{ name: 'Quiet Quill', key: 'com.app-page.quill', personalData: 'Not decided yet' },
		`${base}/apps/new`,
	)
	await gotoHydrated(page, page.url())
	const edit = page.getByRole('region', { name: 'Edit details' })
	await edit.getByLabel('App name').fill('Quiet Quill Pro')
	await edit.getByRole('button', { name: 'Save changes' }).click()
	const saved = edit.getByRole('status').filter({ hasText: 'App details saved.' })
	await expect(saved).toBeInViewport()
	await expect(page.getByText('App details saved.')).toHaveCount(1)
	await expect(page.getByRole('heading', { level: 1, name: 'Quiet Quill Pro' })).toBeVisible()
})
