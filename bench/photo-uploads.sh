#!/usr/bin/env bash
# A burst of photo uploads: UPLOADS (20) 12-megapixel phone photos (4000×3000 JPEGs made in code
# by the make_photo example, ~4-5 MB each; nothing is downloaded) sent at the same moment to
# `POST /api/v1/photos` (kind=memory, bearer token of the demo partner), against a release
# `tend serve` on SQLite with zero configuration. Each upload is held in memory while it waits
# for the darkroom (which develops at most two at once) and while it is decoded (a 12 MP photo
# is 36 MB of pixels), so memory is the thing to watch.
#
# Prints: the server's RSS at idle, its peak during the burst (VmRSS sampled every 50 ms, and
# the kernel's VmHWM), RSS for 30 s after the burst (does it come back near idle?), the
# burst's wall time, each upload's latency (median, p95, max) and how each was answered (201,
# or 503 Busy with Retry-After, which is acceptable under load but counted). Target (issue
# 13): peak RSS under 400 MiB. Figures are printed against the target; nothing is asserted.
# Times are wall-clock on a shared machine: the load average is printed with them.
#
#   bench/photo-uploads.sh                   # release build, 20 uploads at once
#   UPLOADS=40 bench/photo-uploads.sh
#   TEND_BIN=path/to/tend bench/photo-uploads.sh  # measure another build (still builds make_photo)
set -euo pipefail
cd "$(dirname "$0")/.."
uploads="${UPLOADS:-20}"
target_dir="${CARGO_TARGET_DIR:-target}"
bin="${TEND_BIN:-$target_dir/release/tend}"
[ -n "${TEND_BIN:-}" ] || cargo build --release --locked -p tend
cargo build --release --locked -p tend-media --example make_photo
work="$(mktemp -d)"
port="${PORT:-8183}"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

"$target_dir/release/examples/make_photo" "$work/photo.jpg"

TEND_DATA_DIR="$work/data" TEND_ADDR="127.0.0.1:$port" TEND_LOG=warn \
  "$bin" serve --demo >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/log"; exit 1; }

python3 - "$pid" "$port" "$uploads" "$work/photo.jpg" <<'PY'
import collections, http.client, json, os, statistics, sys, threading, time

pid, port, total, photo_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
MIB = 1024 * 1024
TARGET = 400 * MIB

def status_kib(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0

def request(method, path, body=None, headers=None, timeout=180):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheader("retry-after"), r.read()
    finally:
        conn.close()

status, _, body = request("POST", "/api/v1/auth/login",
                          json.dumps({"email": "alex@demo.tend", "password": "alex-demo-password"}),
                          {"content-type": "application/json"})
if status not in (200, 201):
    sys.exit(f"log-in answered {status}: {body[:300]!r}")
token = json.loads(body)["token"]
auth = {"authorization": f"Bearer {token}"}

# The API must be there; another change may still be landing it, so wait a little for it.
for attempt in range(30):
    status, _, _ = request("GET", "/api/v1/memories", headers=auth)
    if status != 404:
        break
    time.sleep(2)
if status != 200:
    sys.exit(f"GET /api/v1/memories answered {status}: is the photos API in this build?")
memories_before = json.loads(request("GET", "/api/v1/memories", headers=auth)[2])["count"]

photo = open(photo_path, "rb").read()
boundary = "tend-bench-boundary-7c1d"
multipart = b"".join([
    f"--{boundary}\r\ncontent-disposition: form-data; name=\"kind\"\r\n\r\nmemory\r\n".encode(),
    f"--{boundary}\r\ncontent-disposition: form-data; name=\"caption\"\r\n\r\nA bench photo\r\n".encode(),
    f"--{boundary}\r\ncontent-disposition: form-data; name=\"photo\"; filename=\"photo.jpg\"\r\n"
    f"content-type: image/jpeg\r\n\r\n".encode(),
    photo,
    f"\r\n--{boundary}--\r\n".encode(),
])
upload_headers = dict(auth, **{"content-type": f"multipart/form-data; boundary={boundary}"})

time.sleep(1)
idle = status_kib("VmRSS")
idle_hwm = status_kib("VmHWM")
load_before = open("/proc/loadavg").read().split()[:3]

samples = []  # (seconds since t0, bytes)
stop = threading.Event()
t0 = time.monotonic()

def sampler():
    while not stop.is_set():
        samples.append((time.monotonic() - t0, status_kib("VmRSS")))
        time.sleep(0.05)

results = []  # (latency seconds, status, retry-after)
lock = threading.Lock()
barrier = threading.Barrier(total + 1)

def upload():
    barrier.wait()
    started = time.monotonic()
    try:
        status, retry_after, _ = request("POST", "/api/v1/photos", multipart, upload_headers)
    except Exception as e:  # connection refused or reset, timeout
        status, retry_after = type(e).__name__, None
    with lock:
        results.append((time.monotonic() - started, status, retry_after))

threading.Thread(target=sampler, daemon=True).start()
workers = [threading.Thread(target=upload) for _ in range(total)]
for w in workers:
    w.start()
barrier.wait()
start = time.monotonic()
for w in workers:
    w.join()
wall = time.monotonic() - start
end = start - t0 + wall
load_after = open("/proc/loadavg").read().split()[:3]
time.sleep(30.2)
stop.set()
after = status_kib("VmRSS")
hwm = status_kib("VmHWM")
peak_sampled = max(b for _, b in samples)
peak = max(hwm, peak_sampled)
memories_after = json.loads(request("GET", "/api/v1/memories", headers=auth)[2])["count"]

def rss_at(seconds):
    return next((b for t, b in samples if t >= end + seconds), after)

counts = collections.Counter(s for _, s, _ in results)
retry_afters = sorted({r for _, s, r in results if s == 503 and r})
lat = sorted(t for t, _, _ in results)
ok = sorted(t for t, s, _ in results if s == 201)
def p(xs, q):
    return xs[max(0, int(round(q * len(xs))) - 1)]

print(f"Photo uploads: {total} 12 MP JPEGs ({len(photo) / 1e6:.2f} MB each) at once to POST /api/v1/photos, "
      f"kind=memory, SQLite, {os.cpu_count()} cores")
print(f"  load average before {' '.join(load_before)}, after the burst {' '.join(load_after)}")
print(f"  burst wall time: {wall:.1f} s ({counts.get(201, 0) / wall:.2f} photos developed and kept per second)")
print("  answers: " + ", ".join(f"{s}: {n}" for s, n in sorted(counts.items(), key=lambda kv: str(kv[0])))
      + (f" (503 Retry-After: {', '.join(retry_afters)} s)" if retry_afters else ""))
print(f"  memories on the timeline: {memories_before} before, {memories_after} after "
      f"({memories_after - memories_before} added)")
print(f"  latency, all {len(lat)}: median {statistics.median(lat):.2f} s, p95 {p(lat, 0.95):.2f} s, max {lat[-1]:.2f} s")
if ok and len(ok) != len(lat):
    print(f"  latency, the 201s: median {statistics.median(ok):.2f} s, p95 {p(ok, 0.95):.2f} s, max {ok[-1]:.2f} s")
print(f"  RSS idle before the burst: {idle / MIB:.1f} MiB (VmHWM so far {idle_hwm / MIB:.1f} MiB)")
print(f"  peak RSS during the burst: {peak_sampled / MIB:.1f} MiB sampled every 50 ms, VmHWM {hwm / MIB:.1f} MiB")
print("  RSS after the burst: " + ", ".join(f"{s} s {rss_at(s) / MIB:.1f}" for s in (0, 1, 2, 5, 10, 20)) + " MiB; "
      f"30 s {after / MIB:.1f} MiB ({after / idle:.1f}x idle)")
print(f"  target peak RSS under {TARGET // MIB} MiB: peak {peak / MIB:.1f} MiB, {100 * peak / TARGET:.0f}% of the target "
      f"({'within' if peak < TARGET else 'OVER'})")
PY
