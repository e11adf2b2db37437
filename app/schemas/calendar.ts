import { z } from 'zod'

// The calendar page's buttons (docs/architecture.md › Routes and forms).

export const CALENDAR_FEEDS = ['person', 'organisation'] as const
export type CalendarFeedChoice = (typeof CALENDAR_FEEDS)[number]

export const CalendarActionSchema = z.object({
	intent: z.enum(['create', 'revoke'], 'Unknown action: reload the page and try again.'),
	feed: z.enum(CALENDAR_FEEDS, 'Unknown calendar: reload the page and try again.'),
})
