// npm run api-key -- --org <slug> --name <label> --scopes read,apps:write,accounts:write,reports:write
//
// Makes an API key for an organisation, for automation and first setup
// (nobody needs to sign in). Applies the migrations first, so it works on a
// fresh database. The key is printed once, as the last line of standard
// output (everything else goes to standard error):
//   KEY=$(npm run --silent api-key -- --org acme --name "Release pipeline" --scopes read,reports:write)
// On the embedded database it refuses while a server holds the data folder.
import { parseArgs } from 'node:util'
import { API_SCOPES, parseScopeList } from '../app/domain/api-keys'

const USAGE = `Usage: npm run api-key -- --org <slug> --name <label> --scopes <scopes>

  --org      the organisation's web address (the <slug> in /o/<slug>)
  --name     what uses the key, such as "Release pipeline"
  --scopes   comma-separated: ${API_SCOPES.join(', ')} (or all)
`

function fail(message: string, code: number): never {
	process.stderr.write(`${message}\n`)
	process.exit(code)
}

let values: { org?: string; name?: string; scopes?: string; help?: boolean }
try {
	values = parseArgs({
		options: {
			org: { type: 'string' },
			name: { type: 'string' },
			scopes: { type: 'string' },
			help: { type: 'boolean', short: 'h' },
		},
		strict: true,
	}).values
} catch (error) {
	fail(`${(error as Error).message}\n\n${USAGE}`, 2)
}
if (values.help) {
	process.stdout.write(USAGE)
	process.exit(0)
}
const missing = (['org', 'name', 'scopes'] as const).filter((option) => !values[option]?.trim())
if (missing.length > 0) fail(`Missing ${missing.map((option) => `--${option}`).join(', ')}.\n\n${USAGE}`, 2)
const scopes = parseScopeList(values.scopes!)
if (!scopes.ok) {
	fail(
		scopes.unknown.length > 0
			? `Unknown scope${scopes.unknown.length === 1 ? '' : 's'}: ${scopes.unknown.join(', ')}. Use ${API_SCOPES.join(', ')} (or all).`
			: `Give at least one scope: ${API_SCOPES.join(', ')} (or all).`,
		2,
	)
}

const { closeDatabase, getDatabase } = await import('../db/client.server')
const { DataFolderBusyError } = await import('../db/data-folder-lock')
let handle: ReturnType<typeof getDatabase>
try {
	handle = getDatabase()
} catch (error) {
	if (error instanceof DataFolderBusyError) {
		fail(
			`Cannot make an API key now: ${error.message}\nStop the server, run this again, then start the server; or, while it runs, an admin can create a key on the organisation's API keys page.`,
			1,
		)
	}
	throw error
}

try {
	await handle.migrate()
	const { eq } = await import('drizzle-orm')
	const { organizations } = await import('../db/schema')
	const { createApiKey } = await import('../app/services/api-keys.server')
	const { UserFacingError } = await import('../app/utils/errors')
	const slug = values.org!.trim().toLowerCase()
	const [org] = await handle.db
		.select({ id: organizations.id, name: organizations.name, slug: organizations.slug })
		.from(organizations)
		.where(eq(organizations.slug, slug))
	if (!org) {
		await closeDatabase()
		fail(
			`No organisation has the web address “${slug}” (the <slug> in /o/<slug>). Sign up first, or check the address.`,
			1,
		)
	}
	try {
		const { key, apiKey } = await createApiKey(org.id, null, { name: values.name!, scopes: scopes.scopes })
		process.stderr.write(
			`API key “${apiKey.name}” for ${org.name} (${org.slug}), scopes ${apiKey.scopes.join(', ')}.\nIt is shown once: store it now. Clearance keeps only its hash; revoke it on the API keys page.\n`,
		)
		process.stdout.write(`${key}\n`)
	} catch (error) {
		if (!(error instanceof UserFacingError)) throw error
		await closeDatabase()
		fail(error.message, 1)
	}
} finally {
	await closeDatabase()
}
