# Shared by the benchmarks that time one signed-in route as a page and as its API
# (bench/memories.sh, bench/insights.sh). Source it after setting: bin (the tend binary),
# work (a scratch folder holding data/), port, base, connections, duration, sequential; then
# call, in order: count_queries PAGE_PATH API_PATH; start_server warn; sign_in;
# time_routes; report TITLE TARGET_MS. Sign-ins are the demo couple's Alex.

pid=""
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

start_server() {  # start_server LOG_FILTER [FORMAT]
  TEND_DATA_DIR="$work/data" TEND_ADDR="127.0.0.1:$port" TEND_LOG="$1" TEND_LOG_FORMAT="${2:-text}" \
    "$bin" serve >"$work/out" 2>"$work/log" &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fs "$base/healthz" >/dev/null || { cat "$work/log"; exit 1; }
}
stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

# Signs in through the page form (a session cookie) and through the API (a bearer token).
sign_in() {
  rm -f "$work/jar"
  local csrf
  csrf=$(curl -fs -c "$work/jar" -b "$work/jar" "$base/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
  curl -fs -o /dev/null -c "$work/jar" -b "$work/jar" --data-urlencode "csrf=$csrf" --data-urlencode "email=alex@demo.tend" \
    --data-urlencode "password=alex-demo-password" "$base/login"
  # Every cookie in the jar (HttpOnly ones are written as "#HttpOnly_<domain>"), as one header.
  cookie=$(awk -F'\t' 'NF >= 7 && ($0 !~ /^#/ || $0 ~ /^#HttpOnly_/) { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$work/jar")
  token=$(curl -fs -H 'content-type: application/json' -d '{"email":"alex@demo.tend","password":"alex-demo-password"}' \
    "$base/api/v1/auth/login" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
}

# How each route is signed in: the page with the session cookie, the API with the token.
page_header() { echo "cookie: $cookie"; }
api_header() { echo "authorization: Bearer $token"; }

# The routes, and the path of each (set by count_queries).
routes=(page)
page_path=""
api_path=""
path_of() { [ "$1" = page ] && echo "$page_path" || echo "$api_path"; }

# 1. Queries per request, with the query log on (not timed). Leaves the server stopped.
count_queries() {  # count_queries PAGE_PATH API_PATH
  page_path="$1"
  api_path="$2"
  start_server "warn,sqlx::query=debug" json
  sign_in
  local api_status
  api_status=$(curl -s -o /dev/null -w '%{http_code}' -H "$(api_header)" "$base$api_path")
  routes=(page)
  [ "$api_status" = 200 ] && routes+=(api) || echo "  GET $api_path answered $api_status: the API is left out"
  for r in "${routes[@]}"; do
    curl -fs -o /dev/null -H "$("${r}_header")" "$base$(path_of "$r")"   # warm up
    before=$(grep -c '"sqlx::query"' "$work/log" || true)
    for _ in $(seq 1 10); do curl -fs -o /dev/null -H "$("${r}_header")" "$base$(path_of "$r")"; done
    after=$(grep -c '"sqlx::query"' "$work/log" || true)
    echo "$(( (after - before) / 10 ))" >"$work/queries-$r"
  done
  stop_server
}

cat >"$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %f %f %f %f\n", summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
end
LUA

# Prints "RESULT requests duration_us non_2xx_3xx socket_errors p50_ms p99_ms max_ms mean_ms".
load() {  # load PATH HEADER CONNECTIONS SECONDS
  if command -v wrk >/dev/null; then
    wrk -t1 -c"$3" -d"$4"s -H "$2" -s "$work/report.lua" "$base$1" | grep '^RESULT'
  else
    python3 - "$port" "$1" "$2" "$3" "$4" <<'PY'
import http.client, statistics, sys, threading, time
port, path, header, conns, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
name, value = header.split(": ", 1)
lat, bad, errors, lock = [], [0], [0], threading.Lock()
deadline = time.monotonic() + seconds
def client():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < deadline:
        t = time.monotonic()
        try:
            conn.request("GET", path, headers={name: value})
            r = conn.getresponse(); r.read()
            with lock:
                lat.append(time.monotonic() - t)
                bad[0] += not 200 <= r.status < 400
        except Exception:
            with lock: errors[0] += 1
            conn.close(); conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
start = time.monotonic()
ts = [threading.Thread(target=client) for _ in range(conns)]
[t.start() for t in ts]; [t.join() for t in ts]
took = time.monotonic() - start
lat.sort()
ms = lambda q: lat[max(0, int(round(q * len(lat))) - 1)] * 1000
print(f"RESULT {len(lat)} {int(took * 1e6)} {bad[0]} {errors[0]} {ms(0.5)} {ms(0.99)} {lat[-1] * 1000} {statistics.mean(lat) * 1000}")
PY
  fi
}

# 2. Timed, with the log quiet: sequential requests, then each number of connections.
time_routes() {
  client=$(command -v wrk >/dev/null && echo "wrk, 1 thread" || echo "a Python client")
  for r in "${routes[@]}"; do
    path=$(path_of "$r")
    for _ in $(seq 1 20); do curl -fs -o /dev/null -H "$("${r}_header")" "$base$path"; done   # warm up
    echo "$(loadavg)" >"$work/load-$r-seq"
    for _ in $(seq 1 "$sequential"); do
      curl -fs -o /dev/null -w '%{time_total} %{size_download}\n' -H "$("${r}_header")" "$base$path"
    done >"$work/seq-$r"
    for c in $connections; do
      echo "$(loadavg)" >"$work/load-$r-$c-before"
      load "$path" "$("${r}_header")" "$c" "$duration" >"$work/conc-$r-$c"
      echo "$(loadavg)" >"$work/load-$r-$c-after"
    done
  done
  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
}

# Prints each route's figures under TITLE, against the target p99.
report() {  # report TITLE TARGET_MS
  python3 - "$work" "$connections" "$duration" "$client" "$hwm" "$1" "$2" "$page_path" "$api_path" "${routes[@]}" <<'PY'
import statistics, sys
work, conns, duration, client, hwm, title, target, page_path, api_path = sys.argv[1:10]
conns = conns.split()
routes = sys.argv[10:]
TARGET_MS = float(target)
print(title)
label = {"page": f"GET {page_path} (page, session cookie)", "api": f"GET {api_path} (API, bearer token)"}
for r in routes:
    queries = open(f"{work}/queries-{r}").read().strip()
    seq = [line.split() for line in open(f"{work}/seq-{r}")]
    times = sorted(float(t) * 1000 for t, _ in seq)
    size = int(seq[-1][1])
    seq_p99 = times[max(0, round(0.99 * len(times)) - 1)]
    print(f"  {label[r]}: {size / 1024:.0f} KiB a response, {queries} queries a request")
    print(f"    1 connection, {len(times)} sequential requests with curl (load average "
          f"{open(f'{work}/load-{r}-seq').read().strip()}): median {statistics.median(times):.2f} ms, "
          f"p99 {seq_p99:.2f} ms, max {times[-1]:.2f} ms; target p99 ≤ {TARGET_MS:.0f} ms: "
          f"{seq_p99 / TARGET_MS:.2f}x ({'within' if seq_p99 <= TARGET_MS else 'OVER'})")
    for c in conns:
        n, took_us, bad, errors, p50, p99, mx, mean = open(f"{work}/conc-{r}-{c}").read().split()[1:]
        n, took, p50, p99, mx = int(n), int(took_us) / 1e6, float(p50), float(p99), float(mx)
        print(f"    {c} connections for {duration} s with {client} (load average "
              f"{open(f'{work}/load-{r}-{c}-before').read().strip()} before, "
              f"{open(f'{work}/load-{r}-{c}-after').read().strip()} after): "
              f"{n / took:.1f} requests/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {mx:.2f} ms"
              + (f"; {bad} answers not 2xx/3xx" if int(bad) else "") + (f"; {errors} socket errors" if int(errors) else ""))
        print(f"      target p99 ≤ {TARGET_MS:.0f} ms: {p99 / TARGET_MS:.2f}x ({'within' if p99 <= TARGET_MS else 'OVER'}); "
              f"{c} requests always in flight, each under {TARGET_MS:.0f} ms, take at least "
              f"{int(c) / (TARGET_MS / 1000):.0f} requests/s (Little's law)")
print(f"  server peak RSS (VmHWM) after all of it: {int(hwm) / 1024:.1f} MiB")
PY
}
