const DAY_MS = 24 * 60 * 60 * 1000

export function sessionExpiry(now: Date, ttlDays: number): Date {
	return new Date(now.getTime() + ttlDays * DAY_MS)
}

export function isExpired(expiresAt: Date, now: Date): boolean {
	return expiresAt.getTime() <= now.getTime()
}
