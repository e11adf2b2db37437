// What the server sets before anything else loads, in one place for its two ways in: scripts/serve.mjs imports it
// before the build's bundled entry (whose package imports are evaluated before its own code), and
// scripts/server.ts imports it first when the tests run it from source.
// Plain JavaScript: serve.mjs runs in plain node (docs/decisions/028-precompiled-server-entry.md).
import v8 from 'node:v8'

// Between two full collections the heap grows by at most half of what it holds (V8's own factor goes up to 4 on
// a machine with memory to spare): a long download (the report batches of a million accounts) makes short-lived
// garbage steadily, and V8 let it pile up to 4 times the live heap before collecting. Set first, so it also holds
// while the app loads. HEAP_GROWING_PERCENT=0 gives V8's own choice back (docs/decisions/021-server-memory.md).
const heapGrowingPercent = process.env.HEAP_GROWING_PERCENT ?? '50'
if (/^\d{1,3}$/.test(heapGrowingPercent)) v8.setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`)

process.env.NODE_ENV ??= 'production'
