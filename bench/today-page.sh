#!/usr/bin/env bash
# Today page: database queries per request and response time, as the demo couple sees it.
# Prints figures; asserts nothing (tests assert behaviour, benchmarks measure).
#
#   bench/today-page.sh            # SQLite, release build
#   TEND_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TEND_DATABASE_SCHEMA=bench_today bench/today-page.sh
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${REQUESTS:-200}"
bin="${TEND_BIN:-target/release/tend}"
[ -x "$bin" ] || cargo build --release --locked -p tend
work="$(mktemp -d)"
port="${PORT:-8181}"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

TEND_DATA_DIR="$work/data" TEND_ADDR="127.0.0.1:$port" TEND_LOG="warn,sqlx::query=debug" TEND_LOG_FORMAT=json \
  "$bin" serve --demo >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

jar="$work/jar"
csrf=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "email=alex@demo.tend" \
  --data-urlencode "password=alex-demo-password" "http://127.0.0.1:$port/login"
curl -fs -o /dev/null -b "$jar" "http://127.0.0.1:$port/today"   # warm up

before=$(grep -c '"sqlx::query"' "$work/log" || true)
for _ in $(seq 1 "$requests"); do
  curl -fs -o /dev/null -w '%{time_total}\n' -b "$jar" "http://127.0.0.1:$port/today"
done >"$work/times"
after=$(grep -c '"sqlx::query"' "$work/log" || true)

python3 - "$work/times" "$before" "$after" "$requests" "${TEND_DATABASE_URL:+postgres}" <<'PY'
import statistics, sys
times = sorted(float(t) * 1000 for t in open(sys.argv[1]))
before, after, n = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
backend = sys.argv[5] or "sqlite"
print(f"Today page, {backend}, {n} sequential requests as a demo partner")
print(f"  queries per request: {(after - before) / n:.1f}")
print(f"  response time: median {statistics.median(times):.2f} ms, p95 {times[int(0.95 * len(times)) - 1]:.2f} ms, max {times[-1]:.2f} ms")
PY
