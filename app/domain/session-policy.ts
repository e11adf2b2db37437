import { DAY_MS } from './zoned-time'

export function sessionExpiry(now: Date, ttlDays: number): Date {
	return new Date(now.getTime() + ttlDays * DAY_MS)
}

export function isExpired(expiresAt: Date, now: Date): boolean {
	return expiresAt.getTime() <= now.getTime()
}
