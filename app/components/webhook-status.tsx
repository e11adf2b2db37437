import { Badge, type Tone } from '~/components/ui/status'

/** A delivery's state in colour and words: waiting, retrying (with its attempts), delivered or failed. */
export function DeliveryBadge({ status, attempts }: { status: string; attempts: number }) {
	let tone: Tone = 'info'
	let words = 'Waiting to send'
	if (status === 'delivered') {
		tone = 'ok'
		words = 'Delivered'
	} else if (status === 'failed') {
		tone = 'bad'
		words = 'Failed'
	} else if (attempts > 0) {
		tone = 'warn'
		words = 'Retrying'
	}
	return <Badge tone={tone}>{words}</Badge>
}

export function attemptsText(attempts: number) {
	return attempts === 0 ? 'Not tried yet' : `${attempts} attempt${attempts === 1 ? '' : 's'}`
}
