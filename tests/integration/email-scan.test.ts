import { expect, test } from 'vitest'
import { db } from '#db/client.server'
import { importJobRejections, importJobs } from '#db/schema'
import { AppSchema } from '~/schemas/apps'
import { createApp } from '~/services/apps.server'
import { recordAudit } from '~/services/audit.server'
import { scanForStoredEmails } from '../../scripts/email-scan'
import { createOrg } from '../fixtures/world'

// The scan run after the e2e suite (scripts/e2e-email-scan.ts; issue 15, no Atlassian user email stored): it finds
// an address in a table of Atlassian data, whoever's it is, and one of someone outside the organisation's staff
// anywhere; a staff member's address outside the Atlassian tables (the audit log names the founder) is allowed.
test('the stored-email scan finds addresses where Atlassian data is kept and lets staff addresses be elsewhere', async () => {
	const { org, admin } = await createOrg('Scanned Works')
	const app = await createApp(
		org.id,
		admin.id,
		AppSchema.parse({
			name: 'Mail Bridge',
			appKey: 'com.scanned.mail-bridge',
			appType: 'forge',
			products: ['jira'],
			storesPersonalData: 'yes',
		}),
	)
	const clean = await scanForStoredEmails(db)
	expect(clean.findings).toEqual([])
	expect(clean.staff).toBeGreaterThan(0)
	expect(clean.tables).toEqual(
		expect.arrayContaining([
			'stored_accounts',
			'account_actions',
			'report_runs',
			'import_job_rejections',
			'audit_events',
		]),
	)

	const [job] = await db.insert(importJobs).values({ orgId: org.id, appId: app.id }).returning()
	await db.insert(importJobRejections).values([
		{ jobId: job!.id, position: 2, value: 'Someone@Customer.example', reason: 'not an account id' },
		{ jobId: job!.id, position: 3, value: admin.email, reason: 'not an account id' },
	])
	await recordAudit(db, {
		orgId: org.id,
		actorUserId: admin.id,
		action: 'app.updated',
		subjectType: 'app',
		subjectId: app.id,
		after: { note: `asked by ${admin.email} about watcher@customer.example` },
	})
	const { findings } = await scanForStoredEmails(db)
	expect(findings).toEqual(
		expect.arrayContaining([
			{ table: 'import_job_rejections', column: 'value', address: 'someone@customer.example', rows: 1 },
			{ table: 'import_job_rejections', column: 'value', address: admin.email.toLowerCase(), rows: 1 },
			{ table: 'audit_events', column: 'after', address: 'watcher@customer.example', rows: 1 },
		]),
	)
	expect(findings).toHaveLength(3)
})
