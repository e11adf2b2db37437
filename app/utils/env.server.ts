import { z } from 'zod'

/** A whole number from the environment within [min, max]. */
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

// Validated once at boot so a bad setting fails loudly instead of at the
// first request that needs it (docs/architecture.md › Sessions and security).
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
	// scrypt's N as a power of two: 17 (OWASP's minimum) or more. The integration
	// tests lower it for speed; never lower it in production.
	PASSWORD_SCRYPT_LOG2_N: count(14, 20).default(17),

	// The server (docs/decisions/006-limits-and-operations.md). Unset TRUST_PROXY:
	// the client is the socket's address and X-Forwarded-* headers are ignored.
	// true, false, a hop count, or addresses/subnets ('loopback, 10.0.0.0/8'), as Express reads them.
	TRUST_PROXY: z.string().trim().optional(),
	HSTS_MAX_AGE_SECONDS: count(0, 63_072_000).default(31_536_000),
	SHUTDOWN_TIMEOUT_SECONDS: count(1, 600).default(30),
	// The in-server scheduler (issue 13): reminders, then email and webhook delivery, every interval.
	// `off` when only `npm run remind` (cron) should send them; the e2e server turns it off.
	CLEARANCE_SCHEDULER: z.enum(['on', 'off'], 'CLEARANCE_SCHEDULER must be on or off').default('on'),
	CLEARANCE_SCHEDULER_INTERVAL_SECONDS: count(10, 86_400).default(300),
	// The reporter (issue 14): hours before a report's due moment in which Clearance sends it, at a place fixed per app.
	REPORTER_LEAD_HOURS: count(1, 240).default(20),
	FORM_MAX_BYTES: count(16 * 1024, 64 * 1024 * 1024).default(1024 * 1024),
	UPLOAD_MAX_BYTES: count(1024 * 1024, 511 * 1024 * 1024).default(100 * 1024 * 1024),

	// Limits (all per client address unless said otherwise).
	LOGIN_ACCOUNT_FREE_FAILURES: count(1, 100).default(5),
	LOGIN_ACCOUNT_DELAY_SECONDS: count(1, 3600).default(2),
	LOGIN_ACCOUNT_MAX_DELAY_SECONDS: count(1, 86_400).default(300),
	LOGIN_CLIENT_FREE_FAILURES: count(1, 1000).default(20),
	LOGIN_CLIENT_DELAY_SECONDS: count(1, 3600).default(60),
	LOGIN_CLIENT_MAX_DELAY_SECONDS: count(1, 86_400).default(3600),
	LOGIN_FAILURE_MEMORY_SECONDS: count(60, 604_800).default(3600),
	LOGIN_KNOWN_DEVICE_DAYS: count(1, 400).default(90),
	SIGNUP_PER_CLIENT: count(1, 10_000).default(10),
	SIGNUP_WINDOW_SECONDS: count(1, 86_400).default(3600),
	INVITE_ACCEPT_PER_CLIENT: count(1, 10_000).default(20),
	INVITE_ACCEPT_WINDOW_SECONDS: count(1, 86_400).default(3600),
	EVALUATE_PER_CLIENT: count(1, 1_000_000).default(60),
	EVALUATE_WINDOW_SECONDS: count(1, 86_400).default(60),
	// Per API key (issue 12): requests to /api/v1 in a window; beyond it, 429 with Retry-After.
	API_PER_KEY: count(1, 1_000_000).default(600),
	API_WINDOW_SECONDS: count(1, 86_400).default(60),

	// Email (issue 13, docs/decisions/010-email.md). Links in emails are made absolute from PUBLIC_URL. Without
	// SMTP_URL nothing is sent: emails are kept as "held" and an admin's outbox page shows them.
	PUBLIC_URL: z
		.string()
		.trim()
		.regex(/^https?:\/\/[^/\s]/, 'PUBLIC_URL must be an http:// or https:// URL')
		.default('http://localhost:3000'),
	SMTP_URL: z.preprocess(
		(value) => (value === '' ? undefined : value),
		z
			.string()
			.regex(/^smtps?:\/\/[^/\s]/, 'SMTP_URL must be an smtp:// or smtps:// URL')
			.optional(),
	),
	SMTP_FROM: z.string().trim().min(3).default('Clearance <no-reply@localhost>'),
})

export type Env = z.infer<typeof EnvSchema>

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
	const parsed = EnvSchema.safeParse(source)
	if (!parsed.success) {
		const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')
		throw new Error(`Invalid environment:\n${problems}`)
	}
	return parsed.data
}

let cached: Env | undefined
export function env(): Env {
	cached ??= parseEnv()
	return cached
}

/** TRUST_PROXY as Express's `trust proxy` setting takes it. */
export function trustProxySetting(value = env().TRUST_PROXY): boolean | number | string[] {
	if (value === undefined || value === '' || value === 'false') return false
	if (value === 'true') return true
	if (/^\d+$/.test(value)) return Number(value)
	return value
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean)
}
