/**
 * How much a report run proves (docs/rules.md › Personal-data reporting).
 * Pure.
 */

import { DAY_MS } from './calendar-day'

/** A run recorded more than this after it says it was sent is labelled "recorded later". */
export const RECORDED_LATER_AFTER_MS = DAY_MS

/** True when the run's `sentAt` lies more than a day before it was recorded. */
export function isRecordedLater(sentAt: Date | string, recordedAt: Date | string): boolean {
	return new Date(recordedAt).getTime() - new Date(sentAt).getTime() > RECORDED_LATER_AFTER_MS
}

/** "a1b2c3d4…": enough of a SHA-256 for a person to match it by eye. */
export function shortDigest(sha256: string): string {
	return sha256.slice(0, 12)
}
