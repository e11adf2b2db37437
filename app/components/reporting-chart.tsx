import { type ReportingState } from '~/domain/reporting-cycle'

export type DueItem = {
	name: string
	status: ReportingState
	daysLeft: number | null
	dueDate: string | null
}

/** The apps of one bar: how many, and the first few names (most urgent first). */
export type DueGroup = { count: number; names: string[] }
/**
 * What the chart and its table show, bounded whatever the number of apps: the overdue bar and one entry
 * per day that has reports falling due, each with a count and at most NAMES_PER_BAR names.
 */
export type DueSummary = {
	horizon: number
	overdue: DueGroup
	days: (DueGroup & { daysLeft: number; dueDate: string | null })[]
}

const NAMES_PER_BAR = 3

/** `items` in the order their names should be listed (the dashboard's: most urgent first). */
export function summariseDue(items: Iterable<DueItem>, horizon: number): DueSummary {
	const overdue: DueGroup = { count: 0, names: [] }
	const byDay = new Map<number, DueSummary['days'][number]>()
	const add = (group: DueGroup, name: string) => {
		group.count++
		if (group.names.length < NAMES_PER_BAR) group.names.push(name)
	}
	for (const item of items) {
		if (item.status === 'overdue') add(overdue, item.name)
		else if (item.daysLeft !== null && item.daysLeft >= 0 && item.daysLeft <= horizon) {
			let day = byDay.get(item.daysLeft)
			if (!day)
				byDay.set(item.daysLeft, (day = { daysLeft: item.daysLeft, dueDate: item.dueDate, count: 0, names: [] }))
			add(day, item.name)
		}
	}
	return { horizon, overdue, days: [...byDay.values()].sort((a, b) => a.daysLeft - b.daysLeft) }
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
export function DueChart({ summary: { horizon, overdue: overdueGroup, days } }: { summary: DueSummary }) {
	const overdue = overdueGroup.count
	const perDay = Array.from({ length: horizon + 1 }, () => 0)
	for (const day of days) perDay[day.daysLeft] = day.count
	const upcoming = perDay.reduce((sum, n) => sum + n, 0)
	const dueSoon = perDay.slice(0, 4).reduce((sum, n) => sum + n, 0)
	const peak = Math.max(1, overdue, ...perDay)
	const plotWidth = WIDTH - LEFT - 8
	const slot = plotWidth / (horizon + 1)
	const barHeight = (n: number) => ((HEIGHT - TOP - BOTTOM) * n) / peak
	const baseline = HEIGHT - BOTTOM
	const summary = `${overdue} overdue; ${dueSoon} due within 3 days; ${upcoming} due in the next ${horizon} days.`
	return (
		<figure className="due-chart">
			<svg
				viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
				role="img"
				aria-labelledby="due-chart-title due-chart-desc"
				width="100%"
				className="due-chart-wide"
			>
				<title id="due-chart-title">{`Reports falling due over the next ${horizon} days`}</title>
				<desc id="due-chart-desc">{summary}</desc>
				<line x1={LEFT - 4} x2={WIDTH} y1={baseline} y2={baseline} className="due-chart-axis" />
				<line x1={4} x2={8 + OVERDUE_WIDTH + 4} y1={baseline} y2={baseline} className="due-chart-axis" />
				{overdue > 0 ? (
					<g>
						<rect
							x={8}
							y={baseline - barHeight(overdue)}
							width={OVERDUE_WIDTH}
							height={barHeight(overdue)}
							className="due-chart-overdue"
						/>
						<text
							x={8 + OVERDUE_WIDTH / 2}
							y={baseline - barHeight(overdue) - 3}
							textAnchor="middle"
							className="due-chart-count"
						>
							{overdue}
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
			<WeeklyDueChart overdue={overdue} perDay={perDay} horizon={horizon} summary={summary} />
			<figcaption className="card-muted">
				{summary} Red: overdue. Amber: due within 3 days. Blue: later.
				<span className="due-chart-narrow-note">
					{' '}
					On a small screen each bar is a week; every other bar is labelled with the first day of its week.
				</span>
			</figcaption>
		</figure>
	)
}

const NARROW_WIDTH = 320
const NARROW_HEIGHT = 200
const NARROW_LEFT = 72
const NARROW_OVERDUE_X = 8
const NARROW_OVERDUE_WIDTH = 44

/**
 * The same figures for a phone (app.css shows it at ≤ 640 px instead of the
 * day-by-day chart, whose 61 bars and labels would shrink to a few pixels):
 * one bar per week, larger text. Amber when the week holds a report due
 * within 3 days. Every other week is labelled: nine labels in larger text
 * would run into each other on a 390 px screen.
 */
function WeeklyDueChart({
	overdue,
	perDay,
	horizon,
	summary,
}: {
	overdue: number
	perDay: number[]
	horizon: number
	summary: string
}) {
	const weeks = Array.from({ length: Math.ceil((horizon + 1) / 7) }, (_, week) => ({
		start: week * 7,
		count: perDay.slice(week * 7, week * 7 + 7).reduce((sum, n) => sum + n, 0),
		soon: perDay.slice(week * 7, Math.min(week * 7 + 7, 4)).some((n) => n > 0),
	}))
	const peak = Math.max(1, overdue, ...weeks.map((week) => week.count))
	const top = 18
	const bottom = 30
	const baseline = NARROW_HEIGHT - bottom
	const barHeight = (n: number) => ((NARROW_HEIGHT - top - bottom) * n) / peak
	const slot = (NARROW_WIDTH - NARROW_LEFT - 4) / weeks.length
	return (
		<svg
			viewBox={`0 0 ${NARROW_WIDTH} ${NARROW_HEIGHT}`}
			role="img"
			aria-labelledby="due-chart-weekly-title due-chart-weekly-desc"
			width="100%"
			className="due-chart-narrow"
		>
			<title id="due-chart-weekly-title">{`Reports falling due over the next ${horizon} days, week by week`}</title>
			<desc id="due-chart-weekly-desc">{summary}</desc>
			<line x1={NARROW_LEFT - 4} x2={NARROW_WIDTH} y1={baseline} y2={baseline} className="due-chart-axis" />
			<line
				x1={NARROW_OVERDUE_X - 4}
				x2={NARROW_OVERDUE_X + NARROW_OVERDUE_WIDTH + 4}
				y1={baseline}
				y2={baseline}
				className="due-chart-axis"
			/>
			{overdue > 0 ? (
				<g>
					<rect
						x={NARROW_OVERDUE_X}
						y={baseline - barHeight(overdue)}
						width={NARROW_OVERDUE_WIDTH}
						height={barHeight(overdue)}
						className="due-chart-overdue"
					/>
					<text
						x={NARROW_OVERDUE_X + NARROW_OVERDUE_WIDTH / 2}
						y={baseline - barHeight(overdue) - 4}
						textAnchor="middle"
						className="due-chart-count due-chart-text-large"
					>
						{overdue}
					</text>
				</g>
			) : null}
			<text
				x={NARROW_OVERDUE_X + NARROW_OVERDUE_WIDTH / 2}
				y={NARROW_HEIGHT - 10}
				textAnchor="middle"
				className="due-chart-label due-chart-text-large"
			>
				Overdue
			</text>
			{weeks.map((week, index) => (
				<g key={week.start}>
					{week.count > 0 ? (
						<>
							<rect
								x={NARROW_LEFT + index * slot + 2}
								y={baseline - barHeight(week.count)}
								width={slot - 4}
								height={barHeight(week.count)}
								className={week.soon ? 'due-chart-soon' : 'due-chart-later'}
							/>
							<text
								x={NARROW_LEFT + index * slot + slot / 2}
								y={baseline - barHeight(week.count) - 4}
								textAnchor="middle"
								className="due-chart-count due-chart-text-large"
							>
								{week.count}
							</text>
						</>
					) : null}
					{index % 2 === 0 ? (
						<text
							x={NARROW_LEFT + index * slot + slot / 2}
							y={NARROW_HEIGHT - 10}
							textAnchor="middle"
							className="due-chart-label due-chart-text-large"
						>
							{week.start === 0 ? 'today' : `+${week.start}d`}
						</text>
					) : null}
				</g>
			))}
		</svg>
	)
}
