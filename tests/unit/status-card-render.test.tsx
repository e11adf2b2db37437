import { renderToString } from 'react-dom/server'
import { createMemoryRouter, RouterProvider } from 'react-router-dom'
import { describe, expect, it } from 'vitest'
import { StatusCard } from '~/components/reporting/status-card'
import { reportingStatus } from '~/domain/reporting-cycle'

function render(element: React.ReactElement) {
	const router = createMemoryRouter([{ path: '/', element }])
	return renderToString(<RouterProvider router={router} />).replaceAll('<!-- -->', '')
}

function card(personalData: 'yes' | 'no' | 'undecided', storedAccounts: number) {
	const status = reportingStatus({
		personalData,
		storedAccounts,
		cycleDays: 15,
		now: new Date('2026-03-01T10:00:00Z'),
		timeZone: 'UTC',
	})
	return render(
		<StatusCard
			status={status}
			storingSince={null}
			storingSinceValue={null}
			storingSinceSetByName={null}
			proposedOver={false}
			appHref="/o/acme/apps/a1"
			timeZone="UTC"
			canEdit
			busy={false}
			answeredNo={personalData === 'no'}
		/>,
	)
}

describe('StatusCard › an answer needed', () => {
	it('asks an app with no answer for one', () => {
		const html = card('undecided', 0)
		expect(html).toContain('Answer on the app page</a> whether the app stores Atlassian users’ personal data.')
	})

	it('does not ask an app that answered “no” whether it stores personal data: its ledger disagrees, and it says what to change', () => {
		const html = card('no', 3)
		expect(html).toContain('its ledger holds 3 accounts')
		expect(html).toContain('Change the answer on the app page</a> if the app stores these accounts.')
		expect(html).not.toContain('whether the app stores')
	})

	it('offers a “no” with an empty ledger to change its answer if that has changed', () => {
		expect(card('no', 0)).toContain('whether the app stores Atlassian users’ personal data if that has changed.')
	})
})
