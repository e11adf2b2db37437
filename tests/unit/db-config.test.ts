import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { configFromEnv } from '#db/client.server'

describe('database selection', () => {
	it('uses PostgreSQL when DATABASE_URL is set', () => {
		expect(configFromEnv({ DATABASE_URL: 'postgres://u@h/db', DATA_DIR: '/x' })).toEqual({
			driver: 'postgres',
			url: 'postgres://u@h/db',
		})
	})
	it('defaults to PGlite in ./.data/pglite', () => {
		expect(configFromEnv({})).toEqual({ driver: 'pglite', dataDir: path.resolve('.data', 'pglite') })
	})
	it('puts PGlite in the pglite folder of DATA_DIR, or in memory', () => {
		expect(configFromEnv({ DATA_DIR: '/srv/clearance' })).toEqual({
			driver: 'pglite',
			dataDir: '/srv/clearance/pglite',
		})
		expect(configFromEnv({ DATA_DIR: 'memory://' })).toEqual({ driver: 'pglite', dataDir: 'memory://' })
	})
})
