#!/usr/bin/env bash
# Insights for a couple two years in: the page (`GET /insights?span=months`, signed in with a
# session cookie) and its API (`GET /api/v1/insights?span=months`, bearer token), under a modest
# load. The couple is written through the app by `tend demo --years 2`: two years of daily
# check-ins, appreciations, conversations and questions, an intimacy map every month and State
# of Us every week; how long that took is printed.
#
# Prints, for each: the response's size, the database queries one request makes (counted from
# a separate run of the server with the query log on, so logging does not slow the timed run),
# the latency of sequential requests (one connection) and, under each of CONNECTIONS ("2 8")
# connections for DURATION (20) s, requests/s and p50/p99/max latency, against the target
# p99 ≤ 15 ms on SQLite (issue 14). Figures are printed against the target; nothing is
# asserted. Times are wall-clock on a shared 2-core machine, where the load client runs too:
# the load average is printed with them. Uses wrk when it is installed (`apt-get install
# wrk`), else a small Python client (slower: it takes CPU from the server, so its requests/s
# are a floor). Takes about 2 minutes.
#
#   bench/insights.sh                         # release build, SQLite, 2 years
#   YEARS=1 DURATION=10 CONNECTIONS="1 4" bench/insights.sh
#   TEND_BIN=path/to/tend bench/insights.sh   # measure another build
set -euo pipefail
cd "$(dirname "$0")/.."
years="${YEARS:-2}"
connections="${CONNECTIONS:-2 8}"
duration="${DURATION:-20}"
sequential="${SEQUENTIAL:-100}"
bin="${TEND_BIN:-${CARGO_TARGET_DIR:-target}/release/tend}"
[ -n "${TEND_BIN:-}" ] || cargo build --release --locked -p tend
work="$(mktemp -d)"
port="${PORT:-8185}"
base="http://127.0.0.1:$port"
source bench/lib/signed-in-route.sh
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

echo "Writing the demo couple with $years years of history (through the app; load average $(loadavg))..."
started=$(date +%s)
TEND_DATA_DIR="$work/data" TEND_LOG=warn "$bin" demo --years "$years" >/dev/null
echo "  written in $(( $(date +%s) - started )) s (load average $(loadavg))"

count_queries '/insights?span=months' '/api/v1/insights?span=months'
start_server warn
sign_in
curl -fs -H "$(api_header)" "$base/api/v1/insights?span=months" >"$work/api.json" || echo '{}' >"$work/api.json"
status=$(curl -s -o "$work/page.html" -w '%{http_code}' -H "$(page_header)" "$base/insights?span=months")
[ "$status" = 200 ] || { echo "GET /insights answered $status, not the page: the sign-in did not take"; exit 1; }
title=$(python3 - "$work/api.json" "$years" <<'PY'
import json, sys
api, years = json.load(open(sys.argv[1])), sys.argv[2]
if "buckets" in api:
    days = sum(b["days_connected"] for b in api["buckets"])
    given = sum(k["given"] + k["received"] for k in api["appreciations"])
    print(f"Insights, SQLite, {years} years of history; the 12 months shown hold {days} days both checked in, "
          f"{given} appreciations and {len(api['maps'])} intimacy maps made together")
else:
    print(f"Insights, SQLite, {years} years")
PY
)
time_routes
report "$title" 15
