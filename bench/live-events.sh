#!/usr/bin/env bash
# Live events: time from the start of one partner's request (an appreciation, through the
# API) to the matching event on the other partner's open stream (Server-Sent Events).
# Prints figures; asserts nothing (tests assert behaviour, benchmarks measure).
#
#   bench/live-events.sh            # SQLite, release build, one node
#   TEND_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TEND_DATABASE_SCHEMA=bench_live bench/live-events.sh
#
# On PostgreSQL the event travels through LISTEN/NOTIFY, as it would between two nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
events="${EVENTS:-50}"
bin="${TEND_BIN:-target/release/tend}"
[ -x "$bin" ] || cargo build --release --locked -p tend
work="$(mktemp -d)"
port="${PORT:-8182}"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

TEND_DATA_DIR="$work/data" TEND_ADDR="127.0.0.1:$port" TEND_LOG=warn "$bin" serve --demo >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

python3 - "$port" "$events" "${TEND_DATABASE_URL:+postgres}" <<'PY'
import http.client, json, statistics, sys, threading, time

port, n, backend = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] or "sqlite"

def login(email, password):
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("POST", "/api/v1/auth/login", json.dumps({"email": email, "password": password}),
              {"content-type": "application/json"})
    r = c.getresponse()
    body = json.loads(r.read())
    assert r.status == 201, body
    return body["token"]

alex = login("alex@demo.tend", "alex-demo-password")
sam = login("sam@demo.tend", "sam-demo-password")

arrivals, ready, lock = [], threading.Event(), threading.Lock()
def listen():
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", "/api/v1/events", headers={"authorization": f"Bearer {alex}"})
    r = c.getresponse()
    text = ""
    while True:
        line = r.readline()
        if not line:
            return
        line = line.decode().strip()
        if line:
            text += line + "\n"
            continue
        if "event: ready" in text:
            ready.set()
        elif "appreciation" in text:  # event: change, data: {"kind":"appreciation"}
            with lock:
                arrivals.append(time.perf_counter())
        text = ""
threading.Thread(target=listen, daemon=True).start()
ready.wait(10)

poster = http.client.HTTPConnection("127.0.0.1", port)
delays = []
for i in range(n):
    with lock:
        seen = len(arrivals)
    start = time.perf_counter()
    poster.request("POST", "/api/v1/appreciations", json.dumps({"kind": "gratitude", "body": f"bench {i}"}),
                   {"content-type": "application/json", "authorization": f"Bearer {sam}"})
    r = poster.getresponse(); r.read()
    assert r.status == 201, r.status
    deadline = start + 5
    while time.perf_counter() < deadline:
        with lock:
            if len(arrivals) > seen:
                delays.append((arrivals[seen] - start) * 1000)
                break
        time.sleep(0.0005)
    else:
        print(f"  event {i} did not arrive within 5 s")

delays.sort()
print(f"Live events, {backend}, {len(delays)} of {n} appreciations, request start to event on the partner's stream")
if delays:
    p95 = delays[max(0, int(0.95 * len(delays)) - 1)]
    print(f"  delay: median {statistics.median(delays):.2f} ms, p95 {p95:.2f} ms, max {delays[-1]:.2f} ms")
PY
