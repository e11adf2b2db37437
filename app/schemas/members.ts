import { z } from 'zod'
import { ROLES } from '~/domain/roles'
import { emailAddress } from './auth'

const roles = z.array(z.enum(ROLES, 'Unknown role.')).min(1, 'Pick at least one role.')

export const InviteSchema = z.object({
	intent: z.literal('invite'),
	email: emailAddress('Enter the email address of the person to invite.'),
	roles,
})

export const MemberActionSchema = z.discriminatedUnion('intent', [
	InviteSchema,
	z.object({ intent: z.literal('change-roles'), userId: z.uuid(), roles }),
	z.object({ intent: z.literal('remove'), userId: z.uuid() }),
	z.object({ intent: z.literal('revoke-invite'), inviteId: z.uuid() }),
])

export type InviteInput = z.infer<typeof InviteSchema>
