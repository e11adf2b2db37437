import { describe, expect, it } from 'vitest'
import { toRfc3339InZone } from '~/domain/api-dates'
import { isApiKeyFormat, normaliseScopes, parseScopeList, visiblePrefix } from '~/domain/api-keys'
import { actorLabel, presentAuditEvent } from '~/domain/audit-labels'
import { parseReportResponses } from '~/domain/report-batches'

const KEY = `clr_${'A'.repeat(20)}-_${'z'.repeat(21)}`

describe('API keys (pure rules)', () => {
	it('recognises a key by its shape before any look-up, and shows only its start', () => {
		expect(isApiKeyFormat(KEY)).toBe(true)
		expect(isApiKeyFormat(KEY.slice(0, -1))).toBe(false)
		expect(isApiKeyFormat(`${KEY}x`)).toBe(false)
		expect(isApiKeyFormat(KEY.replace('clr_', 'sk_'))).toBe(false)
		expect(isApiKeyFormat(`${KEY.slice(0, -1)}=`)).toBe(false)
		expect(visiblePrefix(KEY)).toBe('clr_AAAAAAAA')
	})

	it('reads the CLI’s scope list: known scopes in order, all, and says which words are not scopes', () => {
		expect(parseScopeList('reports:write, read')).toEqual({ ok: true, scopes: ['read', 'reports:write'] })
		expect(parseScopeList('all')).toEqual({
			ok: true,
			scopes: ['read', 'apps:write', 'accounts:write', 'reports:write'],
		})
		expect(parseScopeList('read,admin,write')).toEqual({ ok: false, unknown: ['admin', 'write'] })
		expect(parseScopeList(' , ')).toEqual({ ok: false, unknown: [] })
		expect(normaliseScopes(['read', 'read', 'nope'])).toEqual(['read'])
	})
})

describe('API dates', () => {
	it('are RFC 3339 with the organisation’s offset, and denote the same instant', () => {
		const instant = new Date('2026-03-10T10:59:59.999Z')
		expect(toRfc3339InZone(instant, 'Pacific/Auckland')).toBe('2026-03-10T23:59:59.999+13:00')
		expect(toRfc3339InZone(instant, 'America/St_Johns')).toBe('2026-03-10T08:29:59.999-02:30')
		expect(toRfc3339InZone(instant, 'UTC')).toBe('2026-03-10T10:59:59.999+00:00')
		// After the European spring change, the offset follows.
		expect(toRfc3339InZone(new Date('2026-04-01T12:00:00Z'), 'Europe/Berlin')).toBe('2026-04-01T14:00:00.000+02:00')
		for (const zone of ['Pacific/Auckland', 'America/St_Johns', 'Asia/Kathmandu']) {
			expect(new Date(toRfc3339InZone(instant, zone)).getTime()).toBe(instant.getTime())
		}
	})
})

describe('parseReportResponses (the API’s pushed answers)', () => {
	it('reads 200 answers with their accounts and 204s, keeping the Cycle-Period a client saw', () => {
		const parsed = parseReportResponses([
			{ status: 200, accounts: [{ accountId: '5be24ba3f91c106033269289', status: 'closed' }] },
			{ status: 204, cyclePeriod: ' P7D ' },
			{ status: 200, accounts: [] },
		])
		expect(parsed).toEqual({
			ok: true,
			batches: [
				{
					status: 200,
					accounts: [{ accountId: '5be24ba3f91c106033269289', status: 'closed' }],
					raw: '{"accounts":[{"accountId":"5be24ba3f91c106033269289","status":"closed"}]}',
					cyclePeriod: null,
				},
				{ status: 204, accounts: [], raw: '', cyclePeriod: 'P7D' },
				{ status: 200, accounts: [], raw: '{"accounts":[]}', cyclePeriod: null },
			],
		})
	})

	it('refuses the whole run for a batch Atlassian did not process, a 204 with accounts, or an account that does not fit, saying which', () => {
		expect(parseReportResponses([{ status: 204 }, { status: 429 }])).toMatchObject({
			ok: false,
			index: 1,
			reason: expect.stringMatching(/answered 429.*re-send/),
		})
		expect(parseReportResponses([{ status: 204, accounts: [{ accountId: 'x', status: 'closed' }] }])).toMatchObject({
			ok: false,
			index: 0,
		})
		const email = parseReportResponses([
			{ status: 200, accounts: [{ accountId: 'someone@example.org', status: 'closed' }] },
		])
		expect(email).toMatchObject({ ok: false, index: 0, reason: expect.stringMatching(/looks like an email address/) })
		expect(JSON.stringify(email)).not.toContain('someone')
		expect(parseReportResponses([{ status: 200, accounts: [{ accountId: 'abc', status: 'gone' }] }])).toMatchObject({
			ok: false,
			index: 0,
		})
	})
})

describe('the audit log names an API key that acted', () => {
	it('as “API key “name” (start…)” where no person acted', () => {
		expect(actorLabel('app.created', null, { name: 'Release pipeline', prefix: 'clr_AbCd1234' })).toBe(
			'API key “Release pipeline” (clr_AbCd1234…)',
		)
		expect(actorLabel('app.created', 'Fay Founder', { name: 'Release pipeline', prefix: 'clr_AbCd1234' })).toBe(
			'Fay Founder',
		)
		expect(actorLabel('app.created', null)).toBe('Clearance')
		const view = presentAuditEvent(
			{
				id: 1,
				action: 'api_key.created',
				subjectType: 'api_key',
				subjectId: '3f1c2a9e-7b4d-4e21-9c55-0a8d6f2b1e47',
				before: null,
				after: { name: 'Cron', prefix: 'clr_AbCd1234', apiScopes: ['read'] },
				createdAt: '2026-03-10T10:00:00Z',
				actorName: 'Fay Founder',
			},
			{ orgSlug: 'acme', timeZone: 'UTC', subject: { name: 'Cron' } },
		)
		expect(view.summary).toBe('Created an API key')
		expect(view.subject).toEqual({ label: 'API key “Cron”', href: '/o/acme/api-keys' })
		expect(view.changes.map((change) => change.label)).toEqual(['Name', 'Key starts with', 'Scopes'])
		const refused = presentAuditEvent(
			{
				id: 2,
				action: 'api_key.scope_refused',
				subjectType: 'api_key',
				subjectId: '3f1c2a9e-7b4d-4e21-9c55-0a8d6f2b1e47',
				before: { apiScopes: ['read'] },
				after: { scope: 'apps:write', method: 'POST', path: '/api/v1/apps' },
				createdAt: '2026-03-10T10:00:00Z',
				actorName: null,
				actorKeyName: 'Cron',
				actorKeyPrefix: 'clr_AbCd1234',
			},
			{ orgSlug: 'acme', timeZone: 'UTC', subject: { name: 'Cron' } },
		)
		expect(refused).toMatchObject({
			refused: true,
			who: 'API key “Cron” (clr_AbCd1234…)',
			summary: 'Was refused: POST /api/v1/apps needs the scope “apps:write”',
		})
		expect(refused.changes).toEqual([{ kind: 'detail', label: 'Scopes', value: 'read', long: false }])
	})
})
