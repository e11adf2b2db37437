import { z } from 'zod'
import { HTTP_URL_MESSAGE, isHttpUrl } from '~/domain/urls'
import { WEBHOOK_NAME_MAX, WEBHOOK_URL_MAX } from '~/domain/webhooks'

// Shared by the browser and the actions (docs/architecture.md › Routes and forms).
// Whether the address is on the public internet is the server's to say (it resolves the host).

export const WebhookCreateSchema = z.object({
	intent: z.literal('create'),
	name: z
		.string()
		.trim()
		.min(1, 'Name the webhook after where it posts, such as “#compliance”.')
		.max(WEBHOOK_NAME_MAX, `Shorten the name to at most ${WEBHOOK_NAME_MAX} characters.`)
		.refine(
			(value) => !/[\p{Cc}\p{Cf}]/u.test(value),
			'Remove the invisible characters from the name: type it again rather than pasting it.',
		),
	url: z
		.string()
		.trim()
		.min(1, 'Paste the webhook address your chat service or receiver gave you.')
		.max(WEBHOOK_URL_MAX, `Shorten the address to at most ${WEBHOOK_URL_MAX} characters.`)
		.refine(isHttpUrl, HTTP_URL_MESSAGE),
})

const webhookId = z.uuid('No such webhook.')

export const WebhookActionSchema = z.discriminatedUnion('intent', [
	WebhookCreateSchema,
	z.object({ intent: z.literal('test'), webhookId }),
	z.object({ intent: z.literal('disable'), webhookId }),
	z.object({ intent: z.literal('enable'), webhookId }),
	z.object({ intent: z.literal('delete'), webhookId }),
])

export const DeliveryActionSchema = z.discriminatedUnion('intent', [
	z.object({ intent: z.literal('test') }),
	z.object({ intent: z.literal('resend'), deliveryId: z.uuid('No such delivery.') }),
	z.object({ intent: z.literal('retry'), deliveryId: z.uuid('No such delivery.') }),
])
