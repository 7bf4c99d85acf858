#!/usr/bin/env bash
# Export of a busy couple: five years of daily check-ins, appreciations, conversations and hugs
# (written through the app by `tend demo --years 5`), exported with `tend export`. Prints the
# peak memory (max RSS) of the export against the same export of a three-week demo couple, the
# archive's size and the time taken. The target is an RSS growth of at most 50 MiB: the archive
# is streamed section by section, never built in memory. Prints figures; asserts nothing.
#
#   bench/export.sh                  # SQLite, release build
#   YEARS=2 bench/export.sh          # a smaller history
#   TEND_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TEND_DATABASE_SCHEMA=bench_export bench/export.sh
set -euo pipefail
cd "$(dirname "$0")/.."
years="${YEARS:-5}"
bin="${TEND_BIN:-${CARGO_TARGET_DIR:-target}/release/tend}"
[ -x "$bin" ] || cargo build --release --locked -p tend
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "${TEND_DATABASE_URL:-}" ]; then
  busy_env=(TEND_DATABASE_SCHEMA="${TEND_DATABASE_SCHEMA:-bench_export}_busy")
  small_env=(TEND_DATABASE_SCHEMA="${TEND_DATABASE_SCHEMA:-bench_export}_small")
else
  busy_env=(TEND_DATA_DIR="$work/busy")
  small_env=(TEND_DATA_DIR="$work/small")
fi

# Runs a command and prints "<max RSS in KiB> <seconds>" (from the kernel's accounting of the child).
measure() {
  python3 - "$@" <<'PY'
import os, subprocess, sys, time
start = time.monotonic()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
if status != 0:
    sys.exit(f"{sys.argv[1:]} failed")
print(usage.ru_maxrss, f"{time.monotonic() - start:.2f}")
PY
}

echo "Writing the demo couple with $years years of history (through the app)..."
started=$(date +%s)
env "${busy_env[@]}" TEND_LOG=warn "$bin" demo --years "$years" >/dev/null
echo "  written in $(( $(date +%s) - started )) s"
env "${small_env[@]}" TEND_LOG=warn "$bin" demo >/dev/null

read -r small_rss small_secs < <(measure env "${small_env[@]}" TEND_LOG=warn "$bin" export --user alex@demo.tend --out "$work/small.zip")
read -r busy_rss busy_secs < <(measure env "${busy_env[@]}" TEND_LOG=warn "$bin" export --user alex@demo.tend --out "$work/busy.zip")

python3 - "$work/small.zip" "$work/busy.zip" "$small_rss" "$busy_rss" "$small_secs" "$busy_secs" "$years" "${TEND_DATABASE_URL:+postgres}" <<'PY'
import json, os, sys, zipfile
small, busy = sys.argv[1], sys.argv[2]
small_rss, busy_rss = int(sys.argv[3]) / 1024, int(sys.argv[4]) / 1024
small_secs, busy_secs, years = float(sys.argv[5]), float(sys.argv[6]), sys.argv[7]
backend = sys.argv[8] or "sqlite"
with zipfile.ZipFile(busy) as z:
    names = z.namelist()
    data = json.loads(z.read("data.json"))
    raw = z.getinfo("data.json").file_size
print(f"Export of a busy couple, {backend}, {years} years of history")
print(f"  archive: {os.path.getsize(busy) / 2**20:.1f} MiB zipped, data.json {raw / 2**20:.1f} MiB, {len(names)} files")
print(f"  check-in days {len(data['check_ins'])}, appreciations {len(data['appreciations'])}, "
      f"conversations {len(data['conversations'])}, hugs {len(data['together']['hugs'])}")
print(f"  max RSS: {busy_rss:.1f} MiB (a three-week couple: {small_rss:.1f} MiB)")
print(f"  RSS growth: {busy_rss - small_rss:.1f} MiB (target: at most 50 MiB)")
print(f"  time: {busy_secs:.2f} s (a three-week couple: {small_secs:.2f} s), ratio {busy_secs / max(small_secs, 0.01):.1f}x")
PY
