// The reminder pass (issue 13); filled in next.
export async function runReminderPass(_options: { now?: Date } = {}): Promise<{ created: number; skipped: number }> {
	return { created: 0, skipped: 0 }
}
