// npm run db:migrate — applies db/migrations to the configured database.
import { closeDatabase, getDatabase } from '#db/client.server'

const handle = getDatabase()
await handle.migrate()
console.log(`Migrations applied (${handle.config.driver}).`)
await closeDatabase()
