import { z } from 'zod'

export const NotificationActionSchema = z.discriminatedUnion('intent', [
	z.object({ intent: z.literal('read'), id: z.uuid() }),
	z.object({ intent: z.literal('read-all') }),
])
