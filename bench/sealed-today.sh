#!/usr/bin/env bash
# What sealing every written word costs the Today page (and the appreciations search, which
# now opens the couple's words to search them): the same measurement with a build from before
# encryption at rest (OLD_BIN) and this one (NEW_BIN), alternated ROUNDS times, as ratios.
# Prints figures; asserts nothing. The target (issue 12): Today within 10% of before.
#
#   OLD_BIN=/path/to/old/tend bench/sealed-today.sh
#   (build the old one with: git worktree add /tmp/old d19f25b && cd /tmp/old && cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
old="${OLD_BIN:?set OLD_BIN to a release build of Tend from before encryption at rest (d19f25b)}"
new="${NEW_BIN:-target/release/tend}"
[ -x "$new" ] || cargo build --release --locked -p tend
rounds="${ROUNDS:-3}"
requests="${REQUESTS:-400}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One run: the median and p95 of REQUESTS sequential requests to each page, as a demo partner.
measure() {
  local bin="$1" port="$2" out="$3"
  local data="$work/data-$port"
  TEND_DATA_DIR="$data" TEND_ADDR="127.0.0.1:$port" TEND_LOG=warn "$bin" serve --demo >"$work/out-$port" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  local jar="$work/jar-$port"
  local csrf
  csrf=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
  curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "email=alex@demo.tend" \
    --data-urlencode "password=alex-demo-password" "http://127.0.0.1:$port/login"
  for path in /today "/appreciations?q=thank"; do
    for _ in $(seq 1 20); do curl -fs -o /dev/null -b "$jar" "http://127.0.0.1:$port$path"; done
    for _ in $(seq 1 "$requests"); do
      curl -fs -o /dev/null -w '%{time_total}\n' -b "$jar" "http://127.0.0.1:$port$path"
    done >"$out.$(echo "$path" | tr -c 'a-z\n' '_')"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}

for r in $(seq 1 "$rounds"); do
  measure "$old" 8191 "$work/old-$r"
  measure "$new" 8192 "$work/new-$r"
done

python3 - "$work" "$rounds" <<'PY'
import glob, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def times(kind, page):
    out = []
    for f in glob.glob(f"{work}/{kind}-*.{page}"):
        out += [float(t) * 1000 for t in open(f)]
    return sorted(out)
print(f"Sealed words: before (old build) and after, {rounds} alternating rounds, sequential requests as a demo partner")
for page, label in (("_today", "Today"), ("_appreciations_q_thank", "appreciations search")):
    o, n = times("old", page), times("new", page)
    mo, mn = statistics.median(o), statistics.median(n)
    po, pn = o[int(0.95 * len(o)) - 1], n[int(0.95 * len(n)) - 1]
    print(f"  {label:<22} median {mo:.2f} ms -> {mn:.2f} ms ({mn / mo:.2f}x), p95 {po:.2f} ms -> {pn:.2f} ms ({pn / po:.2f}x)")
PY
