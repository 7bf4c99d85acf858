#!/usr/bin/env bash
# A burst of log-ins and sign-ups: the server's memory (RSS) during and after, and how each
# request was answered. Password hashing is the costly part (argon2id, 19 MiB each), and with
# open registration anyone can start one, so memory must stay bounded and come back.
# Prints figures and PASS/FAIL against the targets; exits 1 on FAIL.
#
#   bench/login-burst.sh                       # release build, SQLite, 1,000 requests, 64 at a time
#   REQUESTS=400 CONCURRENCY=32 bench/login-burst.sh
#   TEND_BIN=path/to/tend bench/login-burst.sh # measure another build
#
# Targets: peak RSS under 150 MiB; RSS back under 40 MiB within 10 s after the burst.
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${REQUESTS:-1000}"
concurrency="${CONCURRENCY:-64}"
bin="${TEND_BIN:-target/release/tend}"
[ -n "${TEND_BIN:-}" ] || cargo build --release --locked -p tend
work="$(mktemp -d)"
port="${PORT:-8182}"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

TEND_DATA_DIR="$work/data" TEND_ADDR="127.0.0.1:$port" TEND_REGISTRATION=open TEND_LOG=warn \
  "$bin" serve >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/log"; exit 1; }

python3 - "$pid" "$port" "$requests" "$concurrency" <<'PY'
import collections, json, sys, threading, time, urllib.error, urllib.request

pid, port, total, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
base = f"http://127.0.0.1:{port}/api/v1/auth"
MIB = 1024 * 1024

def rss():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0

samples = []  # (seconds since start, bytes)
stop = threading.Event()
t0 = time.monotonic()

def sampler():
    while not stop.is_set():
        samples.append((time.monotonic() - t0, rss()))
        time.sleep(0.1)

def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code
    except Exception as e:  # connection refused or reset, timeout
        return type(e).__name__

start_rss = rss()
password = "a long enough burst password"
seed = {"display_name": "Seed", "email": "seed@bench.tend", "password": password, "time_zone": "UTC"}
assert post("/signup", seed) == 201, "could not create the account to log in to"

time.sleep(3)  # the hashing thread of that sign-up ends after 2 s idle
idle = rss()
counts = collections.Counter()
lock = threading.Lock()
next_job = iter(range(total))

def worker():
    while True:
        with lock:
            i = next(next_job, None)
        if i is None:
            return
        if i % 2:
            status = post("/login", {"email": seed["email"], "password": password})
        else:
            status = post("/signup", dict(seed, display_name=f"Burst {i}", email=f"burst-{i}@bench.tend"))
        with lock:
            counts[("log-in" if i % 2 else "sign-up", status)] += 1

threading.Thread(target=sampler, daemon=True).start()
start = time.monotonic()
workers = [threading.Thread(target=worker) for _ in range(concurrency)]
for w in workers:
    w.start()
for w in workers:
    w.join()
burst = time.monotonic() - start
end = time.monotonic() - t0
time.sleep(10.2)
stop.set()
after = rss()

with open(f"/proc/{pid}/status") as f:
    hwm = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:"))
peak = max(hwm, max(b for _, b in samples))
under = next((t - end for t, b in samples if t >= end and b < 40 * MIB), None)

print(f"Log-in burst: {total} requests (half log-ins, half sign-ups), {concurrency} at a time, open registration")
print(f"  burst took {burst:.1f} s ({total / burst:.0f} requests/s)")
for (kind, status), n in sorted(counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
    print(f"  {kind:8} {status}: {n}")
by_status = collections.Counter()
for (_, status), n in counts.items():
    by_status[status] += n
print("  answers: " + ", ".join(f"{s}: {by_status.get(s, 0)}" for s in (201, 200, 503, 429)))
print(f"  RSS at start: {start_rss / MIB:.1f} MiB; after one sign-up, idle: {idle / MIB:.1f} MiB")
print(f"  peak RSS: {peak / MIB:.1f} MiB")
def rss_at(seconds):
    return next((b for t, b in samples if t >= end + seconds), after)
print("  RSS after the burst: " + ", ".join(f"{s} s {rss_at(s) / MIB:.1f}" for s in (0, 1, 2, 3, 5)) + " MiB")
print(f"  RSS 10 s after the burst: {after / MIB:.1f} MiB")
print("  back under 40 MiB: " + (f"{under:.1f} s after the burst" if under is not None else "no"))
ok_peak, ok_after = peak < 150 * MIB, under is not None and under <= 10
print(f"  peak under 150 MiB: {'PASS' if ok_peak else 'FAIL'}")
print(f"  under 40 MiB within 10 s: {'PASS' if ok_after else 'FAIL'}")
sys.exit(0 if ok_peak and ok_after else 1)
PY
