import { withAdvisoryLock } from '~/utils/advisory-lock.server'
import { runEmailJob } from './email.server'
import { runQueuedImportJobs } from './import-jobs.server'
import { runReminderPass } from './reminders.server'
import { runReporterPass } from './reporter.server'
import { deliverPendingWebhooks } from './webhooks.server'

export type ScheduledJob = { name: string; run: () => Promise<unknown> }

/**
 * The jobs the in-server scheduler (and `npm run remind`, for the reminder
 * pass) runs, in this order: a pass first creates what is due, then the
 * deliveries send it. One line per job.
 */
export const scheduledJobs: ScheduledJob[] = [
	// First: a report sent now is not reminded about below.
	{ name: 'reporter', run: () => runReporterPass() },
	{ name: 'reminders', run: () => runReminderPass() },
	{ name: 'email', run: () => runEmailJob() },
	{ name: 'webhooks', run: () => deliverPendingWebhooks() },
	// Imports left queued, or running on a server that stopped (its heartbeat went stale).
	{ name: 'imports', run: () => runQueuedImportJobs() },
]

export type JobOutcome = { name: string; ran: boolean; value?: unknown; error?: unknown }

/**
 * Runs every job once, in order, each under the advisory lock `job:<name>`:
 * a job another server (or a cron run) is running now is skipped, and a job
 * that fails is logged and does not stop the ones after it.
 */
export async function runScheduledJobs(
	jobs: readonly ScheduledJob[] = scheduledJobs,
	log: (message: string, error: unknown) => void = (message, error) => console.error(message, error),
): Promise<JobOutcome[]> {
	const outcomes: JobOutcome[] = []
	for (const job of jobs) {
		try {
			const result = await withAdvisoryLock(`job:${job.name}`, job.run)
			outcomes.push(result.ran ? { name: job.name, ran: true, value: result.value } : { name: job.name, ran: false })
		} catch (error) {
			log(`Scheduled job "${job.name}" failed:`, error)
			outcomes.push({ name: job.name, ran: true, error })
		}
	}
	return outcomes
}

export type Scheduler = {
	/** Stops the timer and waits for a round in progress to finish. */
	stop(): Promise<void>
}

/**
 * Runs the jobs now and then every `intervalSeconds`, one round at a time (a
 * round still running when the next is due is not doubled). Never throws:
 * failures are logged by runScheduledJobs.
 */
export function startScheduler({
	intervalSeconds,
	jobs = scheduledJobs,
	log,
	onRound,
}: {
	intervalSeconds: number
	jobs?: readonly ScheduledJob[]
	log?: (message: string, error: unknown) => void
	/** Told what each round did (the server logs the reminders it created). */
	onRound?: (outcomes: JobOutcome[]) => void
}): Scheduler {
	let running: Promise<unknown> | null = null
	let stopped = false
	const round = () => {
		if (stopped || running) return
		running = runScheduledJobs(jobs, log)
			.then((outcomes) => onRound?.(outcomes))
			.catch((error: unknown) => console.error('Scheduled jobs failed:', error))
			.finally(() => (running = null))
	}
	round()
	const timer = setInterval(round, intervalSeconds * 1000)
	timer.unref()
	return {
		async stop() {
			stopped = true
			clearInterval(timer)
			await running
		},
	}
}
