import { defineConfig } from 'drizzle-kit'

// Migrations are generated from db/schema.ts and committed; they are applied
// by scripts/db-migrate.ts (and at start) on PGlite or PostgreSQL alike.
export default defineConfig({
	dialect: 'postgresql',
	schema: './db/schema.ts',
	out: './db/migrations',
	casing: 'snake_case',
})
