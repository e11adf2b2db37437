import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { openDatabase } from '#db/client.server'

/**
 * Embedded databases for the tests that start a Clearance process (a CLI or the server) on its own data folder.
 *
 * A new PGlite database runs initdb inside its WebAssembly PostgreSQL first: ~7 s of CPU (15–18 s of wall time with
 * the machine busy), then the migrations (~1.5 s); opening a folder that already holds a migrated database costs
 * ~3 s of CPU. So the migrated database is made once (per version of the migrations and of PGlite, kept in the
 * system's temporary folder across runs) and each test gets its own copy of it (41 MB, a fraction of a second).
 * A test about a fresh folder (the CLI migrating it) still uses an empty one.
 */

const root = path.resolve(import.meta.dirname, '../..')

/** Changes with any migration file or with PGlite's version (its data folder format). */
function templateKey() {
	const hash = createHash('sha256')
	const migrations = path.join(root, 'db/migrations')
	for (const name of (readdirSync(migrations, { recursive: true }) as string[]).sort()) {
		const file = path.join(migrations, name)
		if (name.endsWith('.sql') || name.endsWith('.json')) hash.update(name).update(readFileSync(file))
	}
	hash.update(readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json')))
	return hash.digest('hex').slice(0, 16)
}

let template: Promise<string> | undefined

/** A folder holding `pglite/`, a migrated empty database, closed cleanly. Never open it: copy it. */
export function migratedTemplate(): Promise<string> {
	template ??= (async () => {
		const folder = path.join(tmpdir(), `clearance-pglite-template-${templateKey()}`)
		if (existsSync(folder)) return folder
		const building = mkdtempSync(path.join(tmpdir(), 'clearance-pglite-building-'))
		const handle = openDatabase({ driver: 'pglite', dataDir: path.join(building, 'pglite') })
		try {
			await handle.migrate()
		} finally {
			await handle.close()
		}
		// Complete or absent: the rename is atomic; another worker that got there first keeps its own.
		try {
			renameSync(building, folder)
		} catch {
			rmSync(building, { recursive: true, force: true })
		}
		return folder
	})()
	return template
}

/** A new temporary folder (as DATA_DIR) whose `pglite/` is a copy of the migrated database. */
export async function migratedDataDir(prefix: string): Promise<string> {
	const source = path.join(await migratedTemplate(), 'pglite')
	const folder = mkdtempSync(path.join(tmpdir(), prefix))
	cpSync(source, path.join(folder, 'pglite'), { recursive: true })
	return folder
}
