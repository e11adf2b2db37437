#!/usr/bin/env bash
# Keeps Clearance current from cron, with curl and jq (curl 7.76 or newer):
# pushes the accounts your app stores, sends Clearance's report batches to
# Atlassian one by one, records what Atlassian answered, then works through the
# erase and refresh tasks. Schedule it off the hour (Atlassian asks for jitter):
#   23 4 * * 1  CLEARANCE_URL=… CLEARANCE_KEY=… APP_ID=… ATLASSIAN_TOKEN=… /path/to/report-cron.sh
# The key needs the scopes read, accounts:write and reports:write.
set -euo pipefail
: "${CLEARANCE_URL:?the Clearance server, such as https://clearance.example.com}"
: "${CLEARANCE_KEY:?an API key (clr_…)}"
: "${APP_ID:?the app’s id in Clearance (GET /api/v1/apps)}"
: "${ATLASSIAN_TOKEN:?an OAuth 2.0 token of the app with the scope report:personal-data}"
ATLASSIAN_URL=${ATLASSIAN_URL:-https://api.atlassian.com/app/report-accounts/}

# ── Fill in these two for your app ──────────────────────────────────────
# The accounts the app stores: {"accounts":[{"accountId":"…","updatedAt":"<RFC 3339>"}]}, at most 10,000.
export_accounts() { cat stored-accounts.json; }
# $1 is erase or refresh, $2 the account id: erase that person's data, or fetch it again.
act_on_task() { printf '%s %s\n' "$1" "$2" >> tasks-done.log; }
# ────────────────────────────────────────────────────────────────────────

api() { curl -sS --fail-with-body -H "Authorization: Bearer $CLEARANCE_KEY" -H 'Content-Type: application/json' "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The ledger: what the app stores now.
export_accounts | api -X POST "$CLEARANCE_URL/api/v1/apps/$APP_ID/accounts" --data-binary @- > "$work/pushed.json"
echo "Pushed: $(jq -c . "$work/pushed.json")"

# 2. The batches to send, and the prepared report (their SHA-256) they make.
api -D "$work/batches.headers" -H 'Accept: application/x-ndjson' "$CLEARANCE_URL/api/v1/apps/$APP_ID/report-batches" > "$work/batches.ndjson"
prepared=$(grep -i '^clearance-prepared-report:' "$work/batches.headers" | cut -d' ' -f2 | tr -d '\r\n')
if [ ! -s "$work/batches.ndjson" ]; then echo 'Nothing stored, nothing to report.'; exit 0; fi
sent_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# 3. Each batch to Atlassian in turn, honouring 429 Retry-After (capped), keeping each answer.
cycle_period=''
: > "$work/responses.ndjson"
while IFS= read -r batch; do
  for attempt in 1 2 3 4 5; do
    status=$(curl -sS -o "$work/answer.json" -D "$work/answer.headers" -w '%{http_code}' -X POST "$ATLASSIAN_URL" \
      -H "Authorization: Bearer $ATLASSIAN_TOKEN" -H 'Content-Type: application/json' --data-binary "$batch")
    [ "$status" = 429 ] || break
    wait_for=$( (grep -i '^retry-after:' "$work/answer.headers" || true) | tr -dc '0-9')
    sleep "$(( ${wait_for:-30} > 300 ? 300 : ${wait_for:-30} ))"
  done
  header=$( (grep -i '^cycle-period:' "$work/answer.headers" || true) | cut -d' ' -f2- | tr -d '\r\n')
  [ -z "$header" ] || cycle_period=$header
  if [ "$status" = 200 ]; then
    jq -c '{status: 200, accounts: .accounts}' "$work/answer.json" >> "$work/responses.ndjson"
  else
    # 204: nothing to do. Anything else: Clearance refuses the run (422) so you re-send that batch.
    jq -cn --argjson status "$status" '{status: $status}' >> "$work/responses.ndjson"
  fi
done < "$work/batches.ndjson"

# 4. The run, as evidence. curl's retries reuse the Idempotency-Key: one run however often it is sent.
jq -s --arg sentAt "$sent_at" --arg prepared "$prepared" --arg cycle "$cycle_period" \
  '{sentAt: $sentAt, preparedReportId: $prepared, responses: .} + (if $cycle == "" then {} else {cyclePeriod: $cycle} end)' \
  "$work/responses.ndjson" > "$work/run.json"
api --retry 3 --retry-all-errors -X POST -H "Idempotency-Key: $prepared-$sent_at" \
  "$CLEARANCE_URL/api/v1/apps/$APP_ID/report-runs" --data-binary @"$work/run.json" > "$work/run-answer.json"
echo "Recorded: $(jq -c . "$work/run-answer.json")"

# 5. The erase and refresh tasks Atlassian's answers created.
api "$CLEARANCE_URL/api/v1/tasks?status=open&appId=$APP_ID" | jq -r '.tasks[] | "\(.id) \(.kind) \(.accountId)"' |
  while read -r task kind account; do
    act_on_task "$kind" "$account"
    api -X POST "$CLEARANCE_URL/api/v1/tasks/$task/complete" > /dev/null
    echo "Completed: $kind $account"
  done
