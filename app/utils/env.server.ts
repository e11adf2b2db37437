import { z } from 'zod'

// Validated once at boot so a bad setting fails loudly instead of at the
// first request that needs it (style.md, habit 7).
const EnvSchema = z.object({
	NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
	DATABASE_URL: z
		.string()
		.regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
		.optional(),
	DATA_DIR: z.string().optional(),
	// Unset: seed an empty embedded database only. true/false force it.
	SEED_DEMO: z.enum(['true', 'false']).optional(),
	SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(30),
	INVITE_TTL_DAYS: z.coerce.number().int().min(1).max(30).default(7),
})

export type Env = z.infer<typeof EnvSchema>

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
	const parsed = EnvSchema.safeParse(source)
	if (!parsed.success) {
		const problems = parsed.error.issues
			.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
			.join('\n')
		throw new Error(`Invalid environment:\n${problems}`)
	}
	return parsed.data
}

let cached: Env | undefined
export function env(): Env {
	cached ??= parseEnv()
	return cached
}
