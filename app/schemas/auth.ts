import { z } from 'zod'
import { lineText } from './text'

// Shared by the browser (zodResolver) and the actions (safeParse).

export const PASSWORD_MIN = 12

/** The longest address SMTP can carry (RFC 5321: a 256-octet path less its angle brackets). */
export const EMAIL_MAX = 254

/** One email rule for every form: sign-up, login and invitations. */
export const emailAddress = (empty: string) =>
	z
		.string()
		.trim()
		.min(1, empty)
		.max(EMAIL_MAX, `That email address is too long: an address has at most ${EMAIL_MAX} characters.`)
		.pipe(z.email('Enter a valid email address, like name@company.com.'))
		.transform((value) => value.toLowerCase())

const email = emailAddress('Enter your email address.')

const newPassword = z
	.string()
	.min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
	.max(200, 'Use at most 200 characters.')

const personName = lineText().min(1, 'Enter your name.').max(100, 'Use at most 100 characters.')

export const LoginSchema = z.object({
	email,
	password: z.string().min(1, 'Enter your password.').max(200),
	redirectTo: z.string().optional(),
})

export const SignupSchema = z.object({
	name: personName,
	email,
	password: newPassword,
	orgName: lineText()
		.min(2, 'Enter your organisation’s name (at least 2 characters).')
		.max(80, 'Use at most 80 characters.'),
})

export const AcceptInviteSchema = z.object({
	name: personName,
	password: newPassword,
})

export type SignupInput = z.infer<typeof SignupSchema>
