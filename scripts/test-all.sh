#!/usr/bin/env bash
# npm test: typecheck, lint (ESLint + Prettier), unit + integration (real database), build, e2e in
# Chromium. Every step runs even if an earlier one fails, so one run shows
# everything that is broken; the exit code is non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
step() {
	local name=$1
	shift
	echo
	echo "━━ $name ━━"
	if ! "$@"; then failed+=("$name"); fi
}
db="PGlite (embedded)"
[ -n "${DATABASE_URL:-}" ] && db="PostgreSQL (DATABASE_URL)"
echo "Database for integration and e2e tests: $db"
# TEST_SCOPE=database (the CI's second pass, on PostgreSQL): only what depends on
# the database — integration and e2e — reusing the build when the sources have
# not changed since it was made. Typecheck, lint and unit tests ran in the first pass.
if [ "${TEST_SCOPE:-all}" = "database" ]; then
	echo "Scope: database-dependent steps only (integration, e2e)"
	step "integration" npx vitest run --project integration
	step "build (if stale)" npx tsx scripts/build.ts --if-stale
else
	step "typecheck" npx tsc --noEmit
	step "lint" npm run lint --silent
	step "unit + integration" npx vitest run
	step "build" npm run build --silent
fi
step "e2e (Chromium)" npm run test:e2e --silent
echo
if [ ${#failed[@]} -gt 0 ]; then
	echo "npm test: failed steps: ${failed[*]}"
	exit 1
fi
echo "npm test: all steps passed."
