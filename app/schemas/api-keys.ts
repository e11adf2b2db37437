import { z } from 'zod'
import { API_KEY_NAME_MAX, API_SCOPES } from '~/domain/api-keys'

// Shared by the browser and the action (docs/architecture.md › Routes and forms).

export const ApiKeyCreateSchema = z.object({
	intent: z.literal('create'),
	name: z
		.string()
		.trim()
		.min(1, 'Name the key after what uses it, such as “Release pipeline”.')
		.max(API_KEY_NAME_MAX, `Shorten the name to at most ${API_KEY_NAME_MAX} characters.`)
		.refine(
			(value) => !/[\p{Cc}\p{Cf}]/u.test(value),
			'Remove the invisible characters from the name: type it again rather than pasting it.',
		),
	scopes: z.array(z.enum(API_SCOPES, 'Unknown scope.')).min(1, 'Choose at least one scope.'),
})

export const ApiKeyActionSchema = z.discriminatedUnion('intent', [
	ApiKeyCreateSchema,
	z.object({ intent: z.literal('revoke'), keyId: z.uuid('No such key.') }),
])
