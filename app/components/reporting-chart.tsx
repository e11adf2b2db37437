import { type ReportingState } from '~/domain/reporting-cycle'

export type DueItem = {
	id: string
	name: string
	status: ReportingState
	daysLeft: number | null
	dueDate: string | null
}

const WIDTH = 720
const HEIGHT = 180
const LEFT = 84
/** The overdue bar sits apart from the day bars, left of the axis. */
const OVERDUE_WIDTH = 48
const BOTTOM = 28
const TOP = 12

/**
 * What falls due over the next `horizon` days, one bar per day plus one for
 * everything already overdue. Server-rendered SVG (no chart library, nothing
 * to hydrate); `role="img"` with a title and a summary, and the same data as
 * a table right after it for screen readers and anyone who prefers text.
 */
export function DueChart({ items, horizon = 60 }: { items: DueItem[]; horizon?: number }) {
	const overdue = items.filter((item) => item.status === 'overdue')
	const perDay = Array.from({ length: horizon + 1 }, () => 0)
	for (const item of items) {
		if (item.status !== 'overdue' && item.daysLeft !== null && item.daysLeft >= 0 && item.daysLeft <= horizon) {
			perDay[item.daysLeft]!++
		}
	}
	const upcoming = perDay.reduce((sum, n) => sum + n, 0)
	const dueSoon = perDay.slice(0, 4).reduce((sum, n) => sum + n, 0)
	const peak = Math.max(1, overdue.length, ...perDay)
	const plotWidth = WIDTH - LEFT - 8
	const slot = plotWidth / (horizon + 1)
	const barHeight = (n: number) => ((HEIGHT - TOP - BOTTOM) * n) / peak
	const baseline = HEIGHT - BOTTOM
	const summary = `${overdue.length} overdue; ${dueSoon} due within 3 days; ${upcoming} due in the next ${horizon} days.`
	return (
		<figure className="due-chart">
			<svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="due-chart-title due-chart-desc" width="100%">
				<title id="due-chart-title">{`Reports falling due over the next ${horizon} days`}</title>
				<desc id="due-chart-desc">{summary}</desc>
				<line x1={LEFT - 4} x2={WIDTH} y1={baseline} y2={baseline} className="due-chart-axis" />
				<line x1={4} x2={8 + OVERDUE_WIDTH + 4} y1={baseline} y2={baseline} className="due-chart-axis" />
				{overdue.length > 0 ? (
					<g>
						<rect
							x={8}
							y={baseline - barHeight(overdue.length)}
							width={OVERDUE_WIDTH}
							height={barHeight(overdue.length)}
							className="due-chart-overdue"
						/>
						<text
							x={8 + OVERDUE_WIDTH / 2}
							y={baseline - barHeight(overdue.length) - 3}
							textAnchor="middle"
							className="due-chart-count"
						>
							{overdue.length}
						</text>
					</g>
				) : null}
				<text x={8 + OVERDUE_WIDTH / 2} y={HEIGHT - 10} textAnchor="middle" className="due-chart-label">
					Overdue
				</text>
				{perDay.map((n, day) =>
					n > 0 ? (
						<g key={day}>
							<rect
								x={LEFT + day * slot + 1}
								y={baseline - barHeight(n)}
								width={Math.max(2, slot - 2)}
								height={barHeight(n)}
								className={day <= 3 ? 'due-chart-soon' : 'due-chart-later'}
							/>
							<text
								x={LEFT + day * slot + slot / 2}
								y={baseline - barHeight(n) - 3}
								textAnchor="middle"
								className="due-chart-count"
							>
								{n}
							</text>
						</g>
					) : null,
				)}
				{Array.from({ length: Math.floor(horizon / 7) + 1 }, (_, week) => week * 7).map((day) => (
					<text
						key={day}
						x={LEFT + day * slot + slot / 2}
						y={HEIGHT - 10}
						textAnchor="middle"
						className="due-chart-label"
					>
						{day === 0 ? 'today' : `+${day}d`}
					</text>
				))}
			</svg>
			<figcaption className="card-muted">{summary} Red: overdue. Amber: due within 3 days. Blue: later.</figcaption>
		</figure>
	)
}
