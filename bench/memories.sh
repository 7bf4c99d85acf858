#!/usr/bin/env bash
# Our memories for a couple five years in: the timeline page (`GET /memories`, signed in with a
# session cookie) and its API (`GET /api/v1/memories`, bearer token), under a modest load.
# The couple is written through the app by `tend demo --years 5`: five years of daily history
# and a photo show-and-tell every month (about 270 photos on the timeline); how long that took
# is printed (about 20 s in release on 2 cores).
#
# Prints, for each: the response's size, the database queries one request makes (counted from
# a separate run of the server with the query log on, so logging does not slow the timed run),
# the latency of sequential requests (one connection) and, under each of CONNECTIONS ("2 8")
# connections for DURATION (20) s, requests/s and p50/p99/max latency, against the target
# p99 ≤ 20 ms (issue 13). With N connections each sending its next request as soon as the
# last is answered, latency is N / throughput: at 8 connections the target asks for at least
# 400 requests/s, so read the 8-connection p99 as a throughput figure too. Figures are
# printed against the target; nothing is asserted. Times are wall-clock on a shared 2-core
# machine, where the load client runs too: the load average is printed with them. Uses wrk
# when it is installed (`apt-get install wrk`), else a small Python client (slower: it takes
# CPU from the server, so its requests/s are a floor). Takes about 2 minutes.
#
#   bench/memories.sh                         # release build, SQLite, 5 years
#   YEARS=2 DURATION=10 CONNECTIONS="1 4 16" bench/memories.sh
#   TEND_BIN=path/to/tend bench/memories.sh   # measure another build
set -euo pipefail
cd "$(dirname "$0")/.."
years="${YEARS:-5}"
connections="${CONNECTIONS:-2 8}"
duration="${DURATION:-20}"
sequential="${SEQUENTIAL:-100}"
bin="${TEND_BIN:-${CARGO_TARGET_DIR:-target}/release/tend}"
[ -n "${TEND_BIN:-}" ] || cargo build --release --locked -p tend
work="$(mktemp -d)"
port="${PORT:-8184}"
base="http://127.0.0.1:$port"
source bench/lib/signed-in-route.sh
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

echo "Writing the demo couple with $years years of history (through the app; load average $(loadavg))..."
started=$(date +%s)
TEND_DATA_DIR="$work/data" TEND_LOG=warn "$bin" demo --years "$years" >/dev/null
echo "  written in $(( $(date +%s) - started )) s (load average $(loadavg))"

count_queries /memories /api/v1/memories
start_server warn
sign_in
curl -fs -H "$(api_header)" "$base/api/v1/memories" >"$work/api.json" || echo '{}' >"$work/api.json"
status=$(curl -s -o "$work/page.html" -w '%{http_code}' -H "$(page_header)" "$base/memories")
[ "$status" = 200 ] || { echo "GET /memories answered $status, not the page: the sign-in did not take"; exit 1; }
title=$(python3 - "$work/api.json" "$years" <<'PY'
import json, sys
api, years = json.load(open(sys.argv[1])), sys.argv[2]
if "months" in api:
    kinds = {}
    for m in api["months"]:
        for mem in m["memories"]:
            kinds[mem["kind"]] = kinds.get(mem["kind"], 0) + 1
    print(f"Our memories, SQLite, {years} years: {api['count']} memories over {len(api['months'])} months "
          f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})")
else:
    print(f"Our memories, SQLite, {years} years")
PY
)
time_routes
report "$title" 20
