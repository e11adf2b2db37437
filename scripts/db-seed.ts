// npm run db:seed — (re)creates the demo organisation; idempotent.
import { closeDatabase, getDatabase } from '#db/client.server'
import { DEMO_ORG, DEMO_PASSWORD, DEMO_USERS, seedDemo } from '#db/seed'

const handle = getDatabase()
await handle.migrate()
const { created } = await seedDemo(handle.db)
console.log(`${created ? 'Seeded' : 'Refreshed'} demo organisation "${DEMO_ORG.name}".`)
console.log(`Log in as ${DEMO_USERS.map((user) => user.email).join(', ')} with password ${DEMO_PASSWORD}`)
await closeDatabase()
