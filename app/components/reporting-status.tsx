import { Icon } from '~/components/ui/icon'
import { Badge, type Tone } from '~/components/ui/status'
import { type ReportingState } from '~/domain/reporting-cycle'
import { formatInTimeZone, formatLocalDate } from '~/domain/zoned-time'

/** Colour plus words, never colour alone (style: status = colour + text). */
export const REPORTING_STATUS: Record<ReportingState, { tone: Tone; label: string }> = {
	overdue: { tone: 'bad', label: 'Overdue' },
	answer_needed: { tone: 'warn', label: 'Answer needed' },
	due_soon: { tone: 'warn', label: 'Due soon' },
	on_track: { tone: 'ok', label: 'On track' },
	not_required: { tone: 'neutral', label: 'No report needed' },
}

export function ReportingBadge({ status }: { status: ReportingState }) {
	const { tone, label } = REPORTING_STATUS[status]
	return (
		<Badge tone={tone}>
			{status === 'overdue' ? <Icon name="warning" /> : status === 'due_soon' ? <Icon name="clock" /> : null}
			{label}
		</Badge>
	)
}

/** "Overdue by 3 days", "Due today", "12 days left". */
export function daysLeftText(daysLeft: number | null, status: ReportingState): string {
	if (status === 'not_required') return '—'
	if (status === 'answer_needed') return 'Cannot tell until answered'
	if (daysLeft === null) return 'Due now'
	if (daysLeft < 0) return `Overdue by ${-daysLeft} day${daysLeft === -1 ? '' : 's'}`
	if (daysLeft === 0) return 'Due today'
	return `${daysLeft} day${daysLeft === 1 ? '' : 's'} left`
}

export function formatDay(value: Date | string, timeZone: string) {
	return formatLocalDate(new Date(value), timeZone)
}

export function formatDateTime(value: Date | string, timeZone: string) {
	return formatInTimeZone(new Date(value), timeZone)
}
